// The rotation's input: what a person, the UI, the CLI or a schedule sends, with its defaults and rules. No Node
// built-ins: the workflow validates its input with this schema inside the sandbox.
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import {
  DEFAULT_EFFECTIVE_HOURS,
  MAX_EFFECTIVE_HOURS,
  MIN_EFFECTIVE_HOURS,
  MIN_RECOMMENDED_EFFECTIVE_HOURS,
  organizationSchema,
  rotationWorkflowId,
  taskQueueFor,
} from '../names';

/** A Temporal duration as the UI's JSON box carries it ("10m", "6h", "2 days") or milliseconds. */
const durationText = () => z.union([z.string(), z.number()]);

function toMs(value: string | number, ctx: z.RefinementCtx): number {
  let ms = Number.NaN;
  try {
    ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    // reported below with the field's name
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a positive duration such as "10m", "6h" or "2 days"' });
    return z.NEVER;
  }
  return ms;
}

/** A duration parsed to ms, `fallback` when absent. */
const duration = (fallback: string) => durationText().default(fallback).transform(toMs);

/** A duration parsed to ms whose absence a cross-field rule must tell from the default. */
const optionalDuration = () =>
  durationText()
    .optional()
    .transform((value, ctx) => (value === undefined ? undefined : toMs(value, ctx)));

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
    effectiveDateHours: z
      .number({ error: 'must be a number of hours' })
      .min(MIN_EFFECTIVE_HOURS, `must be at least ${MIN_EFFECTIVE_HOURS} hour: every server needs time to receive it`)
      .max(
        MAX_EFFECTIVE_HOURS,
        `must be at most ${MAX_EFFECTIVE_HOURS} hours (30 days, as far ahead as Microsoft's own script stages)`,
      )
      .default(DEFAULT_EFFECTIVE_HOURS),
    acknowledgeShortEffectiveDate: z.boolean().default(false),
    renewBeforeDays: renewBeforeDaysSchema,
    replicationPollInterval: duration('10m'),
    /** How long a server of another AD site may lack the certificate before it is exported and imported there. */
    crossSiteImportAfter: duration('6h'),
    /**
     * A person's bound on replication: past it the run stops with the servers that lack the certificate. Absent, the
     * effective date governs: shortly before it (server clock) the certificate is imported wherever it is missing, and
     * if it is still missing the date moves (a few times at most) rather than ever letting it become current there.
     */
    replicationDeadline: optionalDuration(),
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
  });

export type NotificationSettings = z.output<typeof notificationSettingsSchema>;

/** What a person or the UI sends: only `organization` is required. */
export type RotationInputJson = z.input<typeof rotationInputSchema>;
/** After defaults: every duration in milliseconds. */
export type RotationInput = z.output<typeof rotationInputSchema>;

/** `input.effectiveDateHours: must be ...` for every problem, one per line. */
export function describeInputIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = ['input', ...issue.path.map(String)].join('.');
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      return `${where}: ${issue.message}${keys}`;
    })
    .join('\n');
}

export type ParsedInput = { ok: true; input: RotationInput } | { ok: false; message: string };

export function parseRotationInput(raw: unknown): ParsedInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, message: 'input: must be a JSON object such as {"organization": "contoso"}' };
  }
  const result = rotationInputSchema.safeParse(raw);
  return result.success ? { ok: true, input: result.data } : { ok: false, message: describeInputIssues(result.error) };
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
