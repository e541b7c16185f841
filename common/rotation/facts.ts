// Facts the activities report to the workflow. The inspection's snapshot is a zod schema because it also travels in
// the state continue-as-new carries, which the next run validates like any other argument.
import { z } from 'zod';
import { authConfigSchema, type PerServerResult, type Thumbprint } from '../exchange';
import { hybridAppDetectionSchema } from '../hybrid-app';

export const presenceStateSchema = z.enum(['present', 'missing', 'unreachable']);
export type PresenceState = z.infer<typeof presenceStateSchema>;

export const serverIdentitySchema = z.object({ name: z.string().min(1), fqdn: z.string().min(1), site: z.string() });
export type ServerIdentity = z.infer<typeof serverIdentitySchema>;

export const serverSnapshotSchema = serverIdentitySchema.extend({
  /** null when AuthConfig names no such certificate. */
  current: presenceStateSchema.nullable(),
  next: presenceStateSchema.nullable(),
  /** Why the server could not be asked, when it could not. */
  unreachableReason: z.string().optional(),
});
export type ServerSnapshot = z.infer<typeof serverSnapshotSchema>;

export const certificateFactsSchema = z.object({
  thumbprint: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});
export type CertificateFacts = z.infer<typeof certificateFactsSchema>;

export const childDomainFactsSchema = z.object({
  forestRootDomain: z.string(),
  /** The servers' domains other than the forest root, sorted. */
  serverDomains: z.array(z.string()),
});
export type ChildDomainFacts = z.infer<typeof childDomainFactsSchema>;

/** Everything the path decision needs, read once by the inspect activity. */
export const organizationSnapshotSchema = z.object({
  /** The Exchange server's clock at inspection (read on the server, not the worker's Get-Date). */
  serverTime: z.string(),
  /** The worker host's clock is off from the Exchange server's by more than the bound (dates are not affected). */
  clockWarning: z.string().optional(),
  /** Server seconds per real second: 1 for a real organisation; simulated ones run faster. */
  serverClockRate: z.number().positive(),
  authConfig: authConfigSchema,
  /** Mailbox/Client Access servers of version 15, sorted by name. */
  servers: z.array(serverSnapshotSchema),
  /** The current certificate as found on a server that has it. */
  current: certificateFactsSchema.nullable(),
  next: certificateFactsSchema.nullable(),
  hybrid: z.boolean(),
  /**
   * The dedicated Exchange hybrid application (Get-SettingOverride, Get-AuthServer); null when not hybrid, absent in
   * snapshots taken before it was read.
   */
  hybridApp: hybridAppDetectionSchema.nullable().optional(),
  /** Null when Get-OrganizationConfig does not say (it is not a documented property). */
  enableAuthAdminReadSession: z.boolean().nullable(),
  /**
   * Servers in a domain other than the forest root's (a child domain), where the AuthAdmin servicelet cannot read the
   * system mailbox without EnableAuthAdminReadSession; null when every server is in the root domain. Absent when it
   * could not be told.
   */
  childDomain: childDomainFactsSchema.nullable().optional(),
});
export type OrganizationSnapshot = z.infer<typeof organizationSnapshotSchema>;

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
  /** The services `before` was enabled for again, when restored (IIS only if it was bound to the Default Web Site). */
  servicesRestored?: string[];
  /** The server has no transport role (an Exchange 2013 Client Access server): nothing to record or restore. */
  notTransportServer?: true;
}

/**
 * What AuthConfig says of a certificate after stageCertificate looked (and acted if it had to): staged for a date (by
 * this call or earlier), or current already (published while a retry was pending: there is no date to wait for).
 */
export type StagingResult = (
  | { thumbprint: Thumbprint; state: 'staged' | 'already-staged'; effectiveDate: string; serverTime: string }
  | {
      thumbprint: Thumbprint;
      state: 'current';
      serverTime: string;
      /** The date it was staged for, when this attempt or an earlier one's saved progress knows it. */
      effectiveDate?: string;
    }
) & {
  /** The worker host's clock is off from the Exchange server's by more than the bound (the date was not affected). */
  clockWarning?: string;
};

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
  nextEffectiveDate: string | null;
  /** Event 2014 naming the thumbprint, per server: the time it was written, or null. */
  servers: Array<{ server: string; event2014At: string | null; unreachable?: string }>;
}

export interface ServiceletDiagnosis {
  lastRuns: Array<{ server: string; lastRun: string | null }>;
  enableAuthAdminReadSession: boolean | null;
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
  /** This rotation published it: this attempt, or an earlier one by its saved progress. */
  published: boolean;
  /** Get-Date on the Exchange side once published. */
  serverTime: string;
}

export type NotificationKind = 'action-required' | 'reminder' | 'finished';

export interface RotationNotification {
  organization: string;
  workflowId: string;
  kind: NotificationKind;
  subject: string;
  text: string;
}

export type { PerServerResult };
