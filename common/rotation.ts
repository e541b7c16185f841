// The rotation's input, the facts its activities report, its status and its report. No Node built-ins: the workflow
// validates its input with these schemas inside the sandbox.
import { z } from 'zod';
import { durationSchema } from './duration';
import type { AuthConfig, PerServerResult, Thumbprint } from './exchange';
import {
  DEFAULT_EFFECTIVE_HOURS,
  MIN_RECOMMENDED_EFFECTIVE_HOURS,
  organizationSchema,
  rotationWorkflowId,
  taskQueueFor,
} from './names';
import { parseObjectInput } from './validation';

// ---------------------------------------------------------------------------------------------------------------------
// Input

const HOUR_MS = 60 * 60 * 1000;

/** A duration parsed to ms (common/duration.ts), `fallback` when absent. */
const duration = (fallback: string) => durationSchema('positive').prefault(fallback);

/** replicationDeadline when the input gives none. */
export const DEFAULT_REPLICATION_DEADLINE_MS = 40 * HOUR_MS;

export const notificationSettingsSchema = z
  .strictObject({
    /** Something needs a person: HCW, publication overdue, servers lacking the certificate. */
    actionRequired: z.boolean().default(true),
    /** The HCW reminder every hcwReminderInterval. */
    reminders: z.boolean().default(true),
    /** The run ended (completed, stopped, hcw-pending). */
    finished: z.boolean().default(true),
  })
  .default({ actionRequired: true, reminders: true, finished: true });

/** Microsoft's own monitoring script stages a new certificate once the current one has 60 days or fewer left. */
export const DEFAULT_RENEW_BEFORE_DAYS = 60;
const WHOLE_DAYS = 'must be a whole number of days';

/** Rotate when the current certificate expires within this many days: the rotation, the check and the CLI agree. */
export const renewBeforeDaysSchema = z
  .number({ error: WHOLE_DAYS })
  .int(WHOLE_DAYS)
  .min(1, 'must be at least 1')
  .max(3650, 'must be at most 3650')
  .default(DEFAULT_RENEW_BEFORE_DAYS);

export const rotationInputSchema = z
  .strictObject({
    organization: organizationSchema,
    /** Plan mode: inspect, decide, report the steps, change nothing. */
    dryRun: z.boolean().default(false),
    /** Rotate even when the current certificate is outside renewBeforeDays. */
    force: z.boolean().default(false),
    /** Carry on when some servers cannot be reached (they are reported, not changed). */
    ignoreUnreachableServers: z.boolean().default(false),
    effectiveDateHours: z.number().positive('must be a positive number of hours').default(DEFAULT_EFFECTIVE_HOURS),
    acknowledgeShortEffectiveDate: z.boolean().default(false),
    renewBeforeDays: renewBeforeDaysSchema,
    replicationPollInterval: duration('10m'),
    /** How long a server of another AD site may lack the certificate before it is exported and imported there. */
    crossSiteImportAfter: duration('6h'),
    /**
     * Replication must be complete by then, else the run stops with the servers that lack the certificate. Whatever it
     * says, the run also stops shortly before the effective date (server clock) if servers still lack it. Absent:
     * DEFAULT_REPLICATION_DEADLINE_MS (40 hours).
     */
    replicationDeadline: durationSchema('positive').optional(),
    /** The emergency path cannot wait long for replication: OWA and EAC sign-in are already failing. */
    emergencyReplicationDeadline: duration('2h'),
    publicationPollInterval: duration('30m'),
    /** Added to one 12-hour servicelet cycle before publication counts as overdue. */
    publicationMargin: duration('2h'),
    /** After overdue, how much longer to keep watching (a person may fix it) before finishing as publication-overdue. */
    publicationGiveUpAfter: duration('36h'),
    /** Restart MSExchangeServiceHost once the effective date passed so the servicelet runs now, not within 12 h. */
    restartServiceHostAfterEffectiveDate: z.boolean().default(false),
    hcwReminderInterval: duration('24h'),
    /** Without an answer by then the run finishes as hcw-pending, not failed. */
    hcwTimeout: duration('14d'),
    /** A mailbox for Test-OAuthConnectivity; without one the sign-in check is skipped and reported as such. */
    probeMailbox: z.string().min(3).max(320).optional(),
    notifications: notificationSettingsSchema,
    /** Continue as new once a run's history has this many events (or when the server suggests it earlier). */
    maxHistoryEvents: z.number().int().min(200).max(50000).default(10000),
  })
  .superRefine((input, ctx) => {
    if (input.effectiveDateHours < MIN_RECOMMENDED_EFFECTIVE_HOURS && !input.acknowledgeShortEffectiveDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['effectiveDateHours'],
        message: `must be at least ${MIN_RECOMMENDED_EFFECTIVE_HOURS} unless acknowledgeShortEffectiveDate is true`,
      });
    }
    // Only a deadline given explicitly: the default yields to a short effective date (the run-time cap covers it).
    if (input.replicationDeadline !== undefined && input.replicationDeadline >= input.effectiveDateHours * HOUR_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['replicationDeadline'],
        message:
          `must be shorter than effectiveDateHours (${input.effectiveDateHours} hours): every server needs the ` +
          'certificate before it becomes current',
      });
    }
  });

/** What a person or the UI sends: only `organization` is required. */
export type RotationInputJson = z.input<typeof rotationInputSchema>;
/** After defaults: every duration in milliseconds. */
export type RotationInput = z.output<typeof rotationInputSchema>;

export type ParsedInput = { ok: true; input: RotationInput } | { ok: false; message: string };

/** The input, or `input.effectiveDateHours: must be ...` for every problem, one per line; `root` names it. */
export function parseRotationInput(raw: unknown, root = 'input'): ParsedInput {
  const parsed = parseObjectInput(rotationInputSchema, raw, root);
  return parsed.ok ? { ok: true, input: parsed.value } : parsed;
}

/**
 * Where a rotation of `organization` must run: under the one workflow ID derived from it (so a second rotation of the
 * same organisation cannot start while one runs) and on its task queue (served by the worker next to its Exchange).
 * One line per problem, naming the field, the expected value and the rule.
 */
export function rotationPlacementIssues(
  organization: string,
  actual: { workflowId: string; taskQueue: string },
): string[] {
  const issues: string[] = [];
  const workflowId = rotationWorkflowId(organization);
  if (actual.workflowId !== workflowId) {
    issues.push(
      `workflowId: must be ${JSON.stringify(workflowId)} for organization ${JSON.stringify(organization)}, not ` +
        `${JSON.stringify(actual.workflowId)}: the ID is derived from the organisation so that only one rotation of ` +
        'it runs at a time',
    );
  }
  const taskQueue = taskQueueFor(organization);
  if (actual.taskQueue !== taskQueue) {
    issues.push(
      `taskQueue: must be ${JSON.stringify(taskQueue)} for organization ${JSON.stringify(organization)}, not ` +
        `${JSON.stringify(actual.taskQueue)}: only the worker of that organisation may act on its Exchange`,
    );
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------------------
// Facts the activities report

export type PresenceState = 'present' | 'missing' | 'unreachable';

export interface ServerIdentity {
  name: string;
  fqdn: string;
  site: string;
}

export interface ServerSnapshot extends ServerIdentity {
  /** null when AuthConfig names no such certificate. */
  current: PresenceState | null;
  next: PresenceState | null;
  /** Why the server could not be asked, when it could not. */
  unreachableReason?: string;
}

export interface CertificateFacts {
  thumbprint: Thumbprint;
  notBefore: string;
  notAfter: string;
}

/** Everything the path decision needs, read once by the inspect activity. */
export interface OrganizationSnapshot {
  /** Get-Date on the Exchange side at inspection. */
  serverTime: string;
  /** Server seconds per real second: 1 for a real organisation; simulated ones run faster. */
  serverClockRate: number;
  authConfig: AuthConfig;
  /** Mailbox/Client Access servers of version 15, sorted by name. */
  servers: ServerSnapshot[];
  /** The current certificate as found on a server that has it. */
  current: CertificateFacts | null;
  next: CertificateFacts | null;
  hybrid: boolean;
  enableAuthAdminReadSession: boolean;
  /**
   * Servers in a domain other than the forest root's (a child domain), where the AuthAdmin servicelet cannot read the
   * system mailbox without EnableAuthAdminReadSession; null when every server is in the root domain. Absent when it
   * could not be told (and in snapshots recorded before it was read).
   */
  childDomain?: ChildDomainFacts | null;
}

export interface ChildDomainFacts {
  forestRootDomain: string;
  /** The servers' domains other than the forest root, sorted. */
  serverDomains: string[];
}

export interface GeneratedCertificate extends CertificateFacts {
  server: string;
  /** True when the certificate was made by an earlier attempt of this run and found, not made again. */
  reused: boolean;
}

export interface TransportCertificateCheck {
  server: string;
  before: Thumbprint | null;
  after: Thumbprint | null;
  /** Enable-ExchangeCertificate put `before` back because creating the auth certificate moved SMTP to it. */
  restored: boolean;
}

export interface StagingResult {
  thumbprint: Thumbprint;
  effectiveDate: string;
  serverTime: string;
  /** Staged already (by an earlier attempt, run or person) with this thumbprint: nothing was changed. */
  alreadyStaged: boolean;
}

export interface ReplicationCheck {
  serverTime: string;
  servers: Array<{ server: string; site: string; state: PresenceState; detail?: string }>;
}

export interface CopyResult {
  server: string;
  outcome: 'imported' | 'already-present' | 'failed';
  detail?: string;
}

export interface PublicationCheck {
  serverTime: string;
  currentThumbprint: Thumbprint | null;
  nextThumbprint: Thumbprint | null;
  /** Event 2014 naming the thumbprint, per server: the time it was written, or null. */
  servers: Array<{ server: string; event2014At: string | null; unreachable?: string }>;
}

export interface ServiceletDiagnosis {
  lastRuns: Array<{ server: string; lastRun: string | null }>;
  enableAuthAdminReadSession: boolean;
  /** As the inspection found it (absent: not known). */
  childDomain?: ChildDomainFacts | null;
  /** What a person should do, most likely first. */
  advice: string[];
}

export interface RecycleResult {
  server: string;
  recycledAt: string | null;
  /** Both pools reported Started afterwards. */
  verified: boolean;
  skipped: boolean;
  /** Pools not recycled: their worker process had started since the publication (by a recycle, a person, or IIS). */
  alreadyRecycled?: Array<{ pool: string; startedAt: string }>;
  detail?: string;
}

export interface ServiceHostRestart extends PerServerResult {
  /**
   * Not restarted: MSExchangeServiceHost had already started at `at` (server clock), after the time asked for (by an
   * earlier attempt whose progress was lost, or by a person).
   */
  alreadyRestarted?: boolean;
}

export interface SignInResult {
  server: string;
  ok: boolean;
  detail: string;
}

export interface PublishResult {
  currentThumbprint: Thumbprint;
  previousCleared: boolean;
  /** Was current already: nothing was published by this call. */
  alreadyCurrent: boolean;
  /**
   * This rotation published it: this attempt, or an earlier one by its saved progress (a heartbeat lost in a crash
   * leaves it false). Absent in results recorded before it was added.
   */
  published?: boolean;
  /** Get-Date on the Exchange side once published (absent in results recorded before it was added). */
  serverTime?: string;
}

export type NotificationKind = 'action-required' | 'reminder' | 'finished' | 'warning';

export interface RotationNotification {
  organization: string;
  workflowId: string;
  kind: NotificationKind;
  subject: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Status and report

export type RotationPhase =
  | 'validating'
  | 'inspecting'
  | 'planning'
  | 'importing'
  | 'generating'
  | 'staging'
  | 'replicating'
  | 'waiting-for-effective-date'
  | 'restarting-service-host'
  | 'publishing'
  | 'recycling'
  | 'verifying-sign-in'
  | 'awaiting-hcw'
  | 'done'
  | 'failed';

export type RotationPath = 'rotate' | 'replace-now' | 'import' | 'resume' | 'nothing-to-do' | 'stop-unreachable';

/** How a rotation ended; 'failed' and 'cancelled' are never in a returned report, only in metrics and search. */
export const ROTATION_OUTCOMES = [
  'completed',
  'hcw-pending',
  'nothing-to-do',
  'dry-run',
  'stopped',
  'failed',
  'cancelled',
] as const;
export type RotationOutcome = (typeof ROTATION_OUTCOMES)[number];

export type HcwStatus = 'not-needed' | 'waiting' | 'completed' | 'skipped' | 'pending';

export interface HcwRecord {
  status: HcwStatus;
  by?: string;
  at?: string;
  note?: string;
  reason?: string;
  remindersSent: number;
}

export interface ServerOutcome extends ServerIdentity {
  unreachable?: string;
  /** Unreachable and left out because the input said to ignore unreachable servers. */
  ignored?: boolean;
  hasNewCertificate: boolean;
  newCertificateSeenAt?: string;
  importedAt?: string;
  currentThumbprint?: Thumbprint | null;
  event2014: boolean;
  event2014At?: string;
  serviceHostRestartedAt?: string;
  poolsRecycledAt?: string;
  poolsRecycledAfterPublication: boolean;
  signIn?: { ok: boolean; detail: string };
  transport?: TransportCertificateCheck;
}

export interface PhaseTime {
  phase: RotationPhase;
  startedAt: string;
  endedAt?: string;
}

export interface RotationReport {
  organization: string;
  workflowId: string;
  path: RotationPath | null;
  outcome: RotationOutcome;
  /** Why the run stopped, when it stopped. */
  stopReason?: string;
  reasons: string[];
  previousThumbprint: Thumbprint | null;
  newThumbprint: Thumbprint | null;
  newCertificateReused?: boolean;
  effectiveDate?: string;
  effectiveDateHours?: number;
  /** Under 48 hours with the input's acknowledgement. */
  shortEffectiveDateAcknowledged?: boolean;
  publishedAt?: string;
  publishedByForce: boolean;
  previousCleared?: boolean;
  plannedSteps?: string[];
  diagnosis?: ServiceletDiagnosis;
  servers: ServerOutcome[];
  phases: PhaseTime[];
  warnings: string[];
  hcw: HcwRecord;
  startedAt: string;
  finishedAt?: string;
  continuedAsNew: number;
}

export interface RotationStatus {
  organization: string;
  workflowId: string;
  phase: RotationPhase;
  path: RotationPath | null;
  /** One line for the Temporal UI. */
  summary: string;
  servers: Array<{
    name: string;
    site: string;
    hasNewCertificate: boolean;
    event2014: boolean;
    poolsRecycled: boolean;
    unreachable?: string;
    /**
     * Unreachable and left out of the run (ignoreUnreachableServers): outside its progress, as the summary counts it.
     * Absent for every server the run acts on.
     */
    ignored?: true;
  }>;
  newThumbprint: Thumbprint | null;
  effectiveDate: string | null;
  nextCheckAt: string | null;
  /** What a person must do now, or null. */
  actionRequired: string | null;
  warnings: string[];
  hcw: HcwRecord;
}

export type { PerServerResult };
