// The rotation's state: what continue-as-new carries, validated like any other argument when the next run starts. The
// facts a phase relies on are optional until the phase that establishes them has run; a phase names what it needs
// (`need`), so the type says what it may rely on.
import { z } from 'zod';
import { STEP_IDS } from '../../common/paths';
import {
  organizationSnapshotSchema,
  rotationPathSchema,
  rotationPhaseSchema,
  rotationReportSchema,
  serverIdentitySchema,
} from '../../common/rotation';

const effectiveDateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('relative'), hours: z.number().positive() }),
  z.object({ kind: z.literal('absolute'), iso: z.string() }),
]);

const factsSchema = z.object({
  /** The last inspection, and the servers the run acts on (reachable ones only when unreachable ones are ignored). */
  snapshot: organizationSnapshotSchema.optional(),
  servers: z.array(serverIdentitySchema).optional(),
  decision: z.object({ path: rotationPathSchema, code: z.string(), publishStaged: z.boolean().optional() }).optional(),
  /** A planned path's date: the new one to stage, or a staged one moved (null: the staged date stands). */
  datePlan: z
    .object({
      effectiveDate: effectiveDateSchema,
      finding: z.object({ code: z.string(), message: z.string() }),
      restartAtDate: z.boolean(),
    })
    .nullable()
    .optional(),
  /** The certificate this rotation carries to current: made by it, or staged before and kept. */
  certificate: z
    .object({
      thumbprint: z.string(),
      /** The server that created it (the preferred copy source). */
      server: z.string().optional(),
      madeByThisRun: z.boolean(),
    })
    .optional(),
  /** It is staged: for this date (server clock), staged then, moved so many times; or already current. */
  staging: z
    .object({
      effectiveDate: z.string(),
      stagedAt: z.string(),
      dateMoves: z.number().int().nonnegative(),
      restartAtDate: z.boolean(),
    })
    .optional(),
  publication: z.object({ publishedAt: z.string() }).optional(),
});
export type Facts = z.infer<typeof factsSchema>;

export const rotationStateSchema = z.object({
  runStartedAt: z.string(),
  phase: rotationPhaseSchema,
  /** The path and the index of the step to run next; no path yet: inspect and decide first. */
  cursor: z.object({ path: rotationPathSchema.nullable(), index: z.number().int().nonnegative() }),
  facts: factsSchema,
  progress: z.object({
    inspections: z.number().int().nonnegative(),
    /** Looks again at servers that did not answer, before taking that as a verdict. */
    unreachableLooks: z.number().int().nonnegative(),
    importRounds: z.number().int().nonnegative(),
    /** When replication started being watched (server clock): deadlines count from it. */
    replicationStartedAt: z.string().nullable(),
    /** When publication was found overdue (server clock): giving up counts from it. */
    overdueAt: z.string().nullable(),
    hcwWaitStartedAt: z.number().nullable(),
  }),
  nextCheckAt: z.string().nullable(),
  waitingFor: z.string().nullable(),
  actionRequired: z.string().nullable(),
  lastRefusedAnswer: z.object({ at: z.string(), reason: z.string() }).nullable(),
  report: rotationReportSchema,
});
export type RotationState = z.infer<typeof rotationStateSchema>;

/** The second workflow argument: the state a run hands to its successor. */
export const carriedStateSchema = z.strictObject({ state: rotationStateSchema });
export type CarriedState = z.infer<typeof carriedStateSchema>;

export function initialState(organization: string, workflowId: string, now: string): RotationState {
  return {
    runStartedAt: now,
    phase: 'inspecting',
    cursor: { path: null, index: 0 },
    facts: {},
    progress: {
      inspections: 0,
      unreachableLooks: 0,
      importRounds: 0,
      replicationStartedAt: null,
      overdueAt: null,
      hcwWaitStartedAt: null,
    },
    nextCheckAt: null,
    waitingFor: null,
    actionRequired: null,
    lastRefusedAnswer: null,
    // Key order is the result's order in the Temporal UI: who, the outcome and the HCW record first.
    report: {
      organization,
      workflowId,
      path: null,
      outcome: 'stopped',
      hcw: { status: 'not-needed', remindersSent: 0 },
      reasons: [],
      previousThumbprint: null,
      newThumbprint: null,
      publishedByForce: false,
      dateChanges: [],
      servers: [],
      phases: [],
      warnings: [],
      startedAt: now,
      continuedAsNew: 0,
    },
  };
}

/** A fact a step relies on is missing: the path declaration let it run too early, which is a defect of this code. */
export class RotationStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationStateError';
  }
}

/** The facts with the named ones present, or a RotationStateError naming the first missing one. */
export function need<K extends keyof Facts>(
  facts: Facts,
  ...keys: K[]
): Facts & { [P in K]-?: Exclude<Facts[P], undefined> } {
  for (const key of keys) {
    if (facts[key] === undefined) throw new RotationStateError(`internal: ${String(key)} is not known yet`);
  }
  return facts as Facts & { [P in K]-?: Exclude<Facts[P], undefined> };
}

export const STEP_ID_SCHEMA = z.enum(STEP_IDS);
