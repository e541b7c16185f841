// Schedules of an organisation: a daily check and a yearly rotation. Both start checkAuthCertificate (the yearly one
// with `force`), which starts the rotation as a child under the organisation's one rotation ID: whatever the schedules
// do, two rotations of one organisation never run at once. Creating is idempotent: an existing schedule is updated.
import {
  Client,
  ScheduleAlreadyRunning,
  ScheduleDescription,
  ScheduleHandle,
  ScheduleNotFoundError,
  ScheduleOptions,
  ScheduleOverlapPolicy,
  MONTHS,
} from '@temporalio/client';
import type { Month } from '@temporalio/client';
import { z } from 'zod';
import {
  CHECK_WORKFLOW_TYPE,
  checkWorkflowId,
  dailyCheckScheduleId,
  organizationSchema,
  WORKFLOW_TASK_QUEUE,
  yearlyRotationScheduleId,
} from '../common/names';
import { renewBeforeDaysSchema } from '../common/rotation';
import { organizationSearchAttribute } from '../common/search-attributes';
import { checkInputSchema, rotationInputOf } from '../common/check-input';
import type { CheckInputJson } from '../common/check-input';
import { durationSchema } from '../common/duration';
import { describeIssues, fieldIssues } from '../common/validation';

export type ScheduleKind = 'yearly-rotation' | 'daily-check';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['yearly-rotation', 'daily-check'];

/** One problem with one setting: `field` is the settings' key ("renewBeforeDays"), or "" when none is to blame. */
export interface SettingIssue {
  field: string;
  message: string;
}

export class ScheduleSettingsError extends Error {
  constructor(
    message: string,
    readonly issues: SettingIssue[] = [],
  ) {
    super(message);
    this.name = 'ScheduleSettingsError';
  }
}

export class ScheduleMissingError extends Error {
  constructor(
    readonly scheduleId: string,
    options?: { cause?: unknown },
  ) {
    super(`no schedule found: ${scheduleId}`, options);
    this.name = 'ScheduleMissingError';
  }
}

const organization = organizationSchema;

const timezone = z
  .string()
  .min(1)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC or Europe/Berlin');

/** January is 1; names ("march", "MAR") are accepted too. */
const month = z.union([z.number(), z.string()]).transform((value, ctx): number => {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 1 && n <= 12) return n;
  } else {
    const index = MONTHS.findIndex((m) => value.length >= 3 && m.startsWith(value.toUpperCase()));
    if (index >= 0) return index + 1;
  }
  ctx.addIssue({ code: 'custom', message: 'must be a month: 1-12 or a name such as March' });
  return z.NEVER;
});

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const WHOLE_NUMBER = 'must be a whole number';

/** A whole number from min to max, with messages that say so. */
export function wholeNumber(min: number, max: number) {
  const range = `must be ${min}-${max}`;
  return z.number({ error: WHOLE_NUMBER }).int(WHOLE_NUMBER).min(min, range).max(max, range);
}

/** Each setting's own rule, so that a caller (the CLI) can check one value as it is given, before any connection. */
export const settingRules = {
  month,
  day: wholeNumber(1, 31),
  hour: wholeNumber(0, 23),
  minute: wholeNumber(0, 59),
  timezone,
  jitter: durationSchema('zero-or-more'),
  renewBeforeDays: renewBeforeDaysSchema,
  note: z.string().max(500, 'must be at most 500 characters'),
};

const common = {
  organization,
  hour: settingRules.hour,
  minute: settingRules.minute.default(0),
  timezone: timezone.default('UTC'),
  renewBeforeDays: settingRules.renewBeforeDays,
  /** Further rotation input (timings, probeMailbox), validated by the check on each run. */
  rotation: z.record(z.string(), z.unknown()).default({}),
  paused: z.boolean().optional(),
  note: settingRules.note.optional(),
};

export const yearlySettingsSchema = z
  .strictObject({
    ...common,
    month,
    day: settingRules.day,
    hour: common.hour.default(9),
    /** Spreads organisations' rotations over a window so they do not all start at once. */
    jitter: durationSchema('zero-or-more').prefault('1h'),
  })
  .superRefine((s, ctx) => {
    if (s.day > (DAYS_IN_MONTH[s.month - 1] ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['day'],
        message: `must exist in every year: month ${s.month} has ${DAYS_IN_MONTH[s.month - 1]} days`,
      });
    }
  });

export const dailySettingsSchema = z.strictObject({
  ...common,
  hour: common.hour.default(6),
  /** A random delay added to each run. */
  jitter: durationSchema('zero-or-more').prefault('30m'),
});

export type YearlySettings = z.input<typeof yearlySettingsSchema>;
export type DailySettings = z.input<typeof dailySettingsSchema>;

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ScheduleSettingsError(describeIssues(result.error, { whole: 'settings' }), fieldIssues(result.error));
  }
  return result.data;
}

/** A check finishes in minutes; a day-long limit keeps a stuck one (no worker) from skipping every later run. */
const CHECK_RUN_TIMEOUT = '23 hours';

function checkAction(org: string, input: CheckInputJson): ScheduleOptions['action'] {
  return {
    type: 'startWorkflow',
    workflowType: CHECK_WORKFLOW_TYPE,
    // The server appends the scheduled time, so each run has its own ID under this prefix.
    workflowId: checkWorkflowId(org),
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [input],
    workflowRunTimeout: CHECK_RUN_TIMEOUT,
    typedSearchAttributes: [{ key: organizationSearchAttribute, value: org.toLowerCase() }],
  };
}

function checkInputOf(
  s: { organization: string; renewBeforeDays: number; rotation: Record<string, unknown> },
  force: boolean,
) {
  const input: CheckInputJson = { organization: s.organization, renewBeforeDays: s.renewBeforeDays, force };
  if (Object.keys(s.rotation).length > 0) input.rotation = s.rotation;
  // The same validation the workflow does, so a bad schedule is refused now rather than failing on its first run.
  const rotation = rotationInputOf(parse(checkInputSchema, input), 'rotation');
  if (!rotation.ok) throw new ScheduleSettingsError(rotation.message.replace(/\n/g, '; '));
  return input;
}

/** The yearly rotation: a forced check on the chosen day, so the certificate is renewed long before it expires. */
export function yearlyRotationSchedule(raw: YearlySettings): ScheduleOptions {
  const s = parse(yearlySettingsSchema, raw);
  // The schema keeps the month within 1..12.
  const monthName = MONTHS[s.month - 1] as Month;
  return {
    scheduleId: yearlyRotationScheduleId(s.organization),
    spec: {
      calendars: [
        {
          month: monthName,
          dayOfMonth: s.day,
          hour: s.hour,
          minute: s.minute,
          comment: `rotate the Exchange Auth certificate of ${s.organization} every year`,
        },
      ],
      timezone: s.timezone,
      jitter: s.jitter,
    },
    action: checkAction(s.organization, checkInputOf(s, true)),
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      // A Temporal outage of a few days still rotates this year; a longer one waits for the daily check to catch it.
      catchupWindow: '7 days',
      pauseOnFailure: false,
    },
    memo: { organization: s.organization, kind: 'yearly-rotation' satisfies ScheduleKind },
    // paused undefined: created running, and an update keeps whatever the schedule is now.
    state: { paused: s.paused, note: s.note },
  };
}

/** The daily check: rotates only when the certificate is within renewBefore, expired or missing. */
export function dailyCheckSchedule(raw: DailySettings): ScheduleOptions {
  const s = parse(dailySettingsSchema, raw);
  return {
    scheduleId: dailyCheckScheduleId(s.organization),
    spec: {
      calendars: [
        {
          hour: s.hour,
          minute: s.minute,
          comment: `check the Exchange Auth certificate of ${s.organization} every day`,
        },
      ],
      timezone: s.timezone,
      jitter: s.jitter,
    },
    action: checkAction(s.organization, checkInputOf(s, false)),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
    memo: { organization: s.organization, kind: 'daily-check' satisfies ScheduleKind },
    // paused undefined: created running, and an update keeps whatever the schedule is now.
    state: { paused: s.paused, note: s.note },
  };
}

export function scheduleIdFor(kind: ScheduleKind, org: string): string {
  parse(organization, org);
  return kind === 'yearly-rotation' ? yearlyRotationScheduleId(org) : dailyCheckScheduleId(org);
}

export type UpsertResult = { scheduleId: string; result: 'created' | 'updated' };

/** What an update may change: any setting but the organisation (which names the schedule). */
export type ScheduleChanges = Partial<Omit<YearlySettings, 'organization'>>;

/**
 * The settings a schedule of ours carries, read back from its description, so that an update changes only what it is
 * told to. A schedule whose spec or action this service did not write is refused rather than guessed at.
 */
export function settingsOf(kind: ScheduleKind, description: ScheduleDescription): YearlySettings | DailySettings {
  const calendar = description.spec.calendars?.[0];
  const input = description.action.type === 'startWorkflow' ? description.action.args?.[0] : undefined;
  const parsed = checkInputSchema.safeParse(input);
  if (!calendar || !parsed.success) {
    throw new ScheduleSettingsError(
      `${description.scheduleId}: not in the shape this service writes (no calendar or check input); delete and create it`,
    );
  }
  const daily: DailySettings = {
    organization: parsed.data.organization,
    hour: calendar.hour[0]?.start ?? 0,
    minute: calendar.minute[0]?.start ?? 0,
    timezone: description.spec.timezone || 'UTC',
    // No jitter reads back as undefined: 0, not the default.
    jitter: description.spec.jitter ?? 0,
    renewBeforeDays: parsed.data.renewBeforeDays,
    rotation: parsed.data.rotation,
  };
  if (kind === 'daily-check') return daily;
  return {
    ...daily,
    month: MONTHS.indexOf(calendar.month[0]?.start ?? 'JANUARY') + 1,
    day: calendar.dayOfMonth[0]?.start ?? 1,
  };
}

function optionsOf(kind: ScheduleKind, settings: YearlySettings | DailySettings): ScheduleOptions {
  return kind === 'yearly-rotation'
    ? yearlyRotationSchedule(settings as YearlySettings)
    : dailyCheckSchedule(settings as DailySettings);
}

function updatedFrom(options: ScheduleOptions, previous: ScheduleDescription) {
  return {
    spec: options.spec,
    action: options.action,
    policies: options.policies,
    typedSearchAttributes: options.typedSearchAttributes,
    state: {
      paused: options.state?.paused ?? previous.state.paused,
      note: options.state?.note ?? previous.state.note,
      remainingActions: previous.state.remainingActions,
    },
  };
}

/**
 * Creates the schedule, or updates the existing one with the same ID in place (one schedule, never two). An update keeps
 * the schedule's paused state unless the settings say otherwise.
 */
export async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<UpsertResult> {
  try {
    await client.schedule.create(options);
    return { scheduleId: options.scheduleId, result: 'created' };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(options.scheduleId);
  await handle.update((previous) => updatedFrom(options, previous));
  return { scheduleId: options.scheduleId, result: 'updated' };
}

/**
 * Changes some settings of an existing schedule and keeps the rest (time zone, jitter, renewBeforeDays, the further
 * rotation input, paused and note) as they are; the result is validated as a whole, as a new schedule would be.
 */
export async function updateSchedule(
  client: Client,
  kind: ScheduleKind,
  organization: string,
  changes: ScheduleChanges,
): Promise<UpsertResult> {
  const handle = client.schedule.getHandle(scheduleIdFor(kind, organization));
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  try {
    // update() reads the schedule first; the settings left out are taken from what it read.
    await handle.update((previous) =>
      updatedFrom(optionsOf(kind, { ...settingsOf(kind, previous), ...given }), previous),
    );
  } catch (error) {
    // An update never creates.
    if (error instanceof ScheduleNotFoundError) throw new ScheduleMissingError(handle.scheduleId, { cause: error });
    throw error;
  }
  return { scheduleId: handle.scheduleId, result: 'updated' };
}

async function existing(
  client: Client,
  scheduleId: string,
): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  const handle = client.schedule.getHandle(scheduleId);
  try {
    return { handle, description: await handle.describe() };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new ScheduleMissingError(scheduleId, { cause: error });
    throw error;
  }
}

export async function pauseSchedule(client: Client, scheduleId: string, note?: string): Promise<void> {
  const { handle } = await existing(client, scheduleId);
  await handle.pause(note ?? 'paused from the rotation CLI');
}

export async function resumeSchedule(client: Client, scheduleId: string, note?: string): Promise<void> {
  const { handle } = await existing(client, scheduleId);
  await handle.unpause(note ?? 'resumed from the rotation CLI');
}

export async function deleteSchedule(client: Client, scheduleId: string): Promise<void> {
  const { handle } = await existing(client, scheduleId);
  await handle.delete();
}

export interface ScheduleView {
  scheduleId: string;
  kind: ScheduleKind;
  organization: string;
  paused: boolean;
  note?: string;
  /** "every year on MARCH 15 at 09:00 UTC (jitter 60m)" */
  when: string;
  nextRuns: string[];
  recentRuns: Array<{ scheduledAt: string; workflowId: string }>;
  overlap: string;
  input: unknown;
}

function kindOf(scheduleId: string): { kind: ScheduleKind; organization: string } | null {
  for (const kind of SCHEDULE_KINDS) {
    const prefix = scheduleIdFor(kind, 'x').slice(0, -1);
    if (scheduleId.startsWith(prefix)) return { kind, organization: scheduleId.slice(prefix.length) };
  }
  return null;
}

const two = (n: number) => String(n).padStart(2, '0');

function describeWhen(kind: ScheduleKind, d: ScheduleDescription): string {
  const cal = d.spec.calendars?.[0];
  const tz = d.spec.timezone ?? 'UTC';
  const jitter = d.spec.jitter ? ` (jitter ${Math.round(d.spec.jitter / 60_000)}m)` : '';
  if (!cal) return `custom spec${jitter}`;
  const at = `${two(cal.hour[0]?.start ?? 0)}:${two(cal.minute[0]?.start ?? 0)} ${tz}`;
  if (kind === 'yearly-rotation') {
    return `every year on ${cal.month[0]?.start ?? '?'} ${cal.dayOfMonth[0]?.start ?? '?'} at ${at}${jitter}`;
  }
  return `every day at ${at}${jitter}`;
}

export function viewOf(description: ScheduleDescription): ScheduleView | null {
  const ours = kindOf(description.scheduleId);
  if (!ours) return null;
  return {
    scheduleId: description.scheduleId,
    kind: ours.kind,
    organization: ours.organization,
    paused: description.state.paused,
    note: description.state.note,
    when: describeWhen(ours.kind, description),
    nextRuns: description.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: description.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
    })),
    overlap: description.policies.overlap ?? ScheduleOverlapPolicy.SKIP,
    input: description.action.args?.[0],
  };
}

export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleView> {
  const { description } = await existing(client, scheduleId);
  const view = viewOf(description);
  if (!view) throw new ScheduleMissingError(scheduleId);
  return view;
}

/** This service's schedules (by their ID prefixes), of one organisation or all. */
export async function listSchedules(client: Client, org?: string): Promise<ScheduleView[]> {
  const views: ScheduleView[] = [];
  for await (const summary of client.schedule.list()) {
    const ours = kindOf(summary.scheduleId);
    if (!ours || (org && ours.organization !== org.toLowerCase())) continue;
    try {
      views.push(await describeSchedule(client, summary.scheduleId));
    } catch (error) {
      // Deleted between listing and describing: it is simply not there any more.
      if (!(error instanceof ScheduleMissingError)) throw error;
    }
  }
  return views.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}
