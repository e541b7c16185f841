// What a rotation says about itself: the report it returns (and continue-as-new carries), and the status its query
// answers. Zod schemas, because the report travels in the carried state that the next run validates.
import { z } from 'zod';
import { serverIdentitySchema } from './facts';

export const ROTATION_PHASES = [
  'inspecting',
  'planning',
  'importing',
  'generating',
  'staging',
  'replicating',
  'waiting-for-effective-date',
  'restarting-service-host',
  'publishing',
  'recycling',
  'verifying-sign-in',
  'awaiting-hcw',
  'done',
  'failed',
] as const;
export const rotationPhaseSchema = z.enum(ROTATION_PHASES);
export type RotationPhase = z.infer<typeof rotationPhaseSchema>;

export const ROTATION_PATHS = [
  'rotate',
  'replace-now',
  'import',
  'resume',
  'nothing-to-do',
  'stop-unreachable',
] as const;
export const rotationPathSchema = z.enum(ROTATION_PATHS);
export type RotationPath = z.infer<typeof rotationPathSchema>;

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
export const rotationOutcomeSchema = z.enum(ROTATION_OUTCOMES);
export type RotationOutcome = z.infer<typeof rotationOutcomeSchema>;

export const HCW_STATUSES = ['not-needed', 'waiting', 'completed', 'skipped', 'pending'] as const;
export const hcwStatusSchema = z.enum(HCW_STATUSES);
export type HcwStatus = z.infer<typeof hcwStatusSchema>;

export const hcwRecordSchema = z.object({
  status: hcwStatusSchema,
  by: z.string().optional(),
  at: z.string().optional(),
  note: z.string().optional(),
  reason: z.string().optional(),
  remindersSent: z.number().int().nonnegative(),
});
export type HcwRecord = z.infer<typeof hcwRecordSchema>;

const transportCheckSchema = z.object({
  server: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  restored: z.boolean(),
});

export const serverOutcomeSchema = serverIdentitySchema.extend({
  unreachable: z.string().optional(),
  /** Unreachable and left out because the input said to ignore unreachable servers. */
  ignored: z.boolean().optional(),
  hasNewCertificate: z.boolean(),
  newCertificateSeenAt: z.string().optional(),
  importedAt: z.string().optional(),
  currentThumbprint: z.string().nullable().optional(),
  event2014: z.boolean(),
  event2014At: z.string().optional(),
  serviceHostRestartedAt: z.string().optional(),
  poolsRecycledAt: z.string().optional(),
  poolsRecycledAfterPublication: z.boolean(),
  signIn: z.object({ ok: z.boolean(), detail: z.string() }).optional(),
  transport: transportCheckSchema.optional(),
});
export type ServerOutcome = z.infer<typeof serverOutcomeSchema>;

export const phaseTimeSchema = z.object({
  phase: rotationPhaseSchema,
  startedAt: z.string(),
  endedAt: z.string().optional(),
});
export type PhaseTime = z.infer<typeof phaseTimeSchema>;

/** A step of the path the run took, as the plan, the status and the docs show it. */
export const plannedStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Why the step is left out, when it is. */
  skipped: z.string().optional(),
});
export type PlannedStep = z.infer<typeof plannedStepSchema>;

export const rotationReportSchema = z.object({
  organization: z.string(),
  workflowId: z.string(),
  path: rotationPathSchema.nullable(),
  /** The reason code of the check that chose the path. */
  decisionCode: z.string().optional(),
  outcome: rotationOutcomeSchema,
  /** Why the run stopped, when it stopped. */
  stopReason: z.string().optional(),
  reasons: z.array(z.string()),
  previousThumbprint: z.string().nullable(),
  newThumbprint: z.string().nullable(),
  newCertificateReused: z.boolean().optional(),
  /**
   * A certificate this run created but never staged (the run ended first): it is named so a person can stage or
   * remove it; the run never leaves one behind silently.
   */
  unstagedCertificate: z.object({ thumbprint: z.string(), server: z.string() }).optional(),
  effectiveDate: z.string().optional(),
  effectiveDateHours: z.number().optional(),
  /** Under 48 hours with the input's acknowledgement. */
  shortEffectiveDateAcknowledged: z.boolean().optional(),
  /** Each time the effective date was set or moved by this run, and why. */
  dateChanges: z.array(z.object({ to: z.string(), code: z.string(), reason: z.string() })).default([]),
  publishedAt: z.string().optional(),
  publishedByForce: z.boolean(),
  previousCleared: z.boolean().optional(),
  plan: z.array(plannedStepSchema).optional(),
  diagnosis: z
    .object({
      lastRuns: z.array(z.object({ server: z.string(), lastRun: z.string().nullable() })),
      enableAuthAdminReadSession: z.boolean().nullable(),
      childDomain: z
        .object({ forestRootDomain: z.string(), serverDomains: z.array(z.string()) })
        .nullable()
        .optional(),
      advice: z.array(z.string()),
    })
    .optional(),
  servers: z.array(serverOutcomeSchema),
  phases: z.array(phaseTimeSchema),
  warnings: z.array(z.string()),
  hcw: hcwRecordSchema,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  continuedAsNew: z.number().int().nonnegative(),
});
export type RotationReport = z.infer<typeof rotationReportSchema>;

export type StepState = 'done' | 'running' | 'pending' | 'skipped';

export interface RotationStatus {
  organization: string;
  workflowId: string;
  phase: RotationPhase;
  path: RotationPath | null;
  /** One line for the Temporal UI. */
  summary: string;
  /** The path's steps, as declared, with where the run stands. */
  steps: Array<{ id: string; title: string; state: StepState; skipped?: string }>;
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
  newThumbprint: string | null;
  effectiveDate: string | null;
  nextCheckAt: string | null;
  /** What the run waits for now, and why, in words. */
  waitingFor: string | null;
  /** What a person must do now, or null. */
  actionRequired: string | null;
  /** The last answer (signal) the run could not take, with the reason, while it runs. */
  lastRefusedAnswer: { at: string; reason: string } | null;
  warnings: string[];
  hcw: HcwRecord;
}
