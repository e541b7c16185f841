// CLI commands for operating the service: schedules, the list of rotations, and a progress view that follows one.
// client/cli.ts registers them with registerOperationsCommands(program, io).
import type { Client, ScheduleOptions } from '@temporalio/client';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { ROTATE_WORKFLOW_TYPE } from '../common/names';
import { DEFAULT_RENEW_BEFORE_DAYS, ROTATION_OUTCOMES } from '../common/rotation';
import type { RotationOutcome } from '../common/rotation';
import { actionText, progressLine } from './render';
import { describeRotation, requireWorker, RotationView } from './rotation';
import {
  dailyCheckSchedule,
  deleteSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  ScheduleChanges,
  ScheduleKind,
  scheduleIdFor,
  ScheduleSettingsError,
  settingRules,
  ScheduleView,
  updateSchedule,
  upsertSchedule,
  wholeNumber,
  yearlyRotationSchedule,
} from './schedules';
import { organizationArg, organizationArgument, parseWith, Rule, UsageError } from './usage';

export interface OperationsIo {
  out(line: string): void;
  client(): Promise<Client>;
}

const kindArg = parseWith(
  z.enum(['yearly', 'daily'], { error: 'must be yearly (the yearly rotation) or daily (the daily check)' }),
  'kind',
);
const outcomeArg = parseWith(
  z.enum(ROTATION_OUTCOMES, { error: `must be one of ${ROTATION_OUTCOMES.join(', ')}` }),
  '--outcome',
);

const kindOf = (kind: 'yearly' | 'daily'): ScheduleKind => (kind === 'yearly' ? 'yearly-rotation' : 'daily-check');

interface ScheduleFlags {
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  timezone?: string;
  jitter?: number;
  renewBeforeDays?: number;
  paused?: boolean;
  note?: string;
  json?: boolean;
}

/** Only the flags given: what an update changes, and what a new schedule sets beyond the defaults. */
function changesFrom(flags: ScheduleFlags): ScheduleChanges {
  const { month, day, hour, minute, timezone, jitter, renewBeforeDays, note } = flags;
  const changes: ScheduleChanges = { month, day, hour, minute, timezone, jitter, renewBeforeDays, note };
  if (flags.paused) changes.paused = true;
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

function optionsFor(kind: 'yearly' | 'daily', organization: string, flags: ScheduleFlags) {
  const { month, day, ...common } = changesFrom(flags);
  if (kind === 'daily') return dailyCheckSchedule({ organization, ...common });
  if (month === undefined || day === undefined) {
    throw new UsageError('a yearly schedule needs --month and --day');
  }
  return yearlyRotationSchedule({ organization, ...common, month, day });
}

export function renderSchedule(v: ScheduleView): string {
  const lines = [`${v.scheduleId}  ${v.kind}  ${v.paused ? 'PAUSED' : 'active'}  ${v.when}`];
  if (v.note) lines.push(`  note: ${v.note}`);
  if (v.nextRuns.length) lines.push(`  next: ${v.nextRuns.slice(0, 3).join(', ')}`);
  const last = v.recentRuns.at(-1);
  if (last) lines.push(`  last: ${last.workflowId}`);
  return lines.join('\n');
}

/** A flag checked by its setting's own rule as Commander parses it, so a bad value is refused before connecting. */
const numberText = (text: string) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);
const numberFlag = <T>(flag: string, rule: Rule<T>) => parseWith(rule, flag, numberText);
const intArg = (flag: string, min: number, max: number) => numberFlag(flag, wholeNumber(min, max));

function withScheduleFlags(command: Command): Command {
  return command
    .option(
      '--month <month>',
      'yearly: the month, 1-12 or a name such as March',
      parseWith(settingRules.month, '--month'),
    )
    .option('--day <day>', 'yearly: the day of the month', numberFlag('--day', settingRules.day))
    .option('--hour <hour>', 'hour of day (yearly default 9, daily default 6)', numberFlag('--hour', settingRules.hour))
    .option('--minute <minute>', 'minute (default 0)', numberFlag('--minute', settingRules.minute))
    .option('--timezone <tz>', 'IANA time zone (default UTC)', parseWith(settingRules.timezone, '--timezone'))
    .option(
      '--jitter <duration>',
      'random delay added to each run (yearly default 1h, daily default 30m)',
      parseWith(settingRules.jitter, '--jitter'),
    )
    .option(
      '--renew-before-days <days>',
      `rotate when the certificate expires within this many days (default ${DEFAULT_RENEW_BEFORE_DAYS})`,
      numberFlag('--renew-before-days', settingRules.renewBeforeDays),
    )
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule', parseWith(settingRules.note, '--note'));
}

/** A settings error in the terms the user typed: the flag (`--day`), not the field (`day`). */
function inFlagTerms(command: Command, error: unknown): unknown {
  if (!(error instanceof ScheduleSettingsError) || error.issues.length === 0) return error;
  const flagOf = (field: string) =>
    command.options.find((o) => o.attributeName() === field)?.long ?? (field || 'settings');
  return new UsageError(error.issues.map((i) => `${flagOf(i.field)}: ${i.message}`).join('; '), {
    cause: error,
  });
}

export interface RotationListEntry {
  workflowId: string;
  runId: string;
  organization: string | null;
  outcome: string | null;
  phase: string | null;
  execution: string;
  startTime: string;
  closeTime: string | null;
}

/** Rotations from Temporal's visibility store, by the search attributes the workflow sets. */
export async function listRotations(
  client: Client,
  filter: { organization?: string; outcome?: RotationOutcome; limit: number },
): Promise<RotationListEntry[]> {
  // Both values were validated against fixed patterns above, so they are safe inside the quotes.
  const clauses = [`WorkflowType = '${ROTATE_WORKFLOW_TYPE}'`];
  if (filter.organization) clauses.push(`organization = '${filter.organization.toLowerCase()}'`);
  if (filter.outcome) clauses.push(`outcome = '${filter.outcome}'`);
  const entries: RotationListEntry[] = [];
  for await (const info of client.workflow.list({
    query: clauses.join(' AND '),
    pageSize: Math.min(filter.limit, 100),
  })) {
    const attr = (name: string) => {
      const value = info.searchAttributes?.[name];
      return Array.isArray(value) && value.length ? String(value[0]) : null;
    };
    entries.push({
      workflowId: info.workflowId,
      runId: info.runId,
      organization: attr('organization'),
      outcome: attr('outcome'),
      phase: attr('phase'),
      execution: info.status.name,
      startTime: info.startTime.toISOString(),
      closeTime: info.closeTime?.toISOString() ?? null,
    });
    if (entries.length >= filter.limit) break;
  }
  return entries;
}

/** Prints a line whenever the rotation's progress changes, until it ends; returns its final view. */
export async function followRotation(
  client: Client,
  organization: string,
  out: (line: string) => void,
  options: { intervalMs?: number; json?: boolean } = {},
): Promise<RotationView> {
  let last = '';
  let lastAction: string | null = null;
  for (;;) {
    const view = await describeRotation(client, organization);
    const line = options.json ? JSON.stringify(view) : progressLine(view);
    // The action's text once, when it first appears or changes; the progress lines only point back at it.
    const action = view.status ? actionText(view.status) : null;
    if (!options.json && action && action !== lastAction) out(`ACTION REQUIRED: ${action}`);
    if (view.status) lastAction = action;
    if (line !== last) out(options.json ? line : `${new Date().toISOString()}  ${line}`);
    last = line;
    if (view.execution !== 'RUNNING') {
      if (!options.json) {
        const outcome = (view.result as { outcome?: RotationOutcome } | undefined)?.outcome;
        out(`${view.workflowId} ${view.execution}${outcome ? ` (${outcome})` : ''}`);
      }
      return view;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
  }
}

export function registerOperationsCommands(program: Command, io: OperationsIo): void {
  const schedule = program
    .command('schedule')
    .description('the yearly rotation and daily check schedules of an organisation');

  withScheduleFlags(
    schedule
      .command('create')
      .description('create the schedule, or update it if it exists (never a second one)')
      .argument(
        '<kind>',
        'yearly (a forced rotation once a year) or daily (a check that rotates only when due)',
        kindArg,
      )
      .addArgument(organizationArgument()),
  )
    .option('--no-worker-ok', "create it even when no worker polls the organisation's task queue")
    .action(
      async (
        kind: 'yearly' | 'daily',
        organization: string,
        flags: ScheduleFlags & { workerOk?: boolean },
        command: Command,
      ) => {
        let options: ScheduleOptions;
        try {
          options = optionsFor(kind, organization, flags);
        } catch (error) {
          throw inFlagTerms(command, error);
        }
        const client = await io.client();
        // A schedule for an organisation no worker serves starts checks that wait, day after day, for nobody.
        await requireWorker(client, organization, { evenWithout: flags.workerOk === false });
        const r = await upsertSchedule(client, options);
        io.out(`${r.result} ${r.scheduleId}`);
      },
    );

  withScheduleFlags(
    schedule
      .command('update')
      .description('change the settings given of an existing schedule; the others stay as they are')
      .argument('<kind>', 'yearly or daily', kindArg)
      .addArgument(organizationArgument()),
  ).action(async (kind: 'yearly' | 'daily', organization: string, flags: ScheduleFlags, command: Command) => {
    const changes = changesFrom(flags);
    if (kind === 'daily' && (changes.month !== undefined || changes.day !== undefined)) {
      throw new UsageError('--month and --day are for a yearly schedule; a daily one runs every day');
    }
    // Each flag was checked as it was parsed; what depends on the schedule as it is (a day the month lacks) only now.
    const client = await io.client();
    const r = await updateSchedule(client, kindOf(kind), organization, changes).catch((error: unknown) => {
      throw inFlagTerms(command, error);
    });
    io.out(`${r.result} ${r.scheduleId}`);
  });

  for (const [name, what, run] of [
    ['pause', 'stop starting runs (a running check or rotation goes on)', pauseSchedule],
    ['resume', 'start runs again', resumeSchedule],
  ] as const) {
    schedule
      .command(name)
      .description(what)
      .argument('<kind>', 'yearly or daily', kindArg)
      .addArgument(organizationArgument())
      .option('--note <text>', 'why, shown with the schedule', parseWith(settingRules.note, '--note'))
      .action(async (kind: 'yearly' | 'daily', organization: string, flags: { note?: string }) => {
        const id = scheduleIdFor(kindOf(kind), organization);
        await run(await io.client(), id, flags.note);
        io.out(`${name === 'pause' ? 'paused' : 'resumed'} ${id}`);
      });
  }

  schedule
    .command('delete')
    .description('delete the schedule (runs it started are not affected)')
    .argument('<kind>', 'yearly or daily', kindArg)
    .addArgument(organizationArgument())
    .action(async (kind: 'yearly' | 'daily', organization: string) => {
      const id = scheduleIdFor(kindOf(kind), organization);
      await deleteSchedule(await io.client(), id);
      io.out(`deleted ${id}`);
    });

  schedule
    .command('list')
    .description("this service's schedules, of one organisation or all")
    .argument('[organization]', 'only this organisation', organizationArg)
    .option('--json', 'machine-readable output')
    .action(async (organization: string | undefined, flags: { json?: boolean }) => {
      const views = await listSchedules(await io.client(), organization);
      if (flags.json) io.out(JSON.stringify(views, null, 2));
      else if (views.length === 0) io.out('no schedules');
      else views.forEach((v) => io.out(renderSchedule(v)));
    });

  program
    .command('list')
    .description('rotations, newest first, by organisation and outcome (Temporal visibility)')
    .option('--organization <organization>', 'only this organisation', organizationArg)
    .addOption(new Option('--outcome <outcome>', 'only this outcome').argParser(outcomeArg))
    .option('--limit <n>', 'at most this many (default 20)', intArg('--limit', 1, 1000))
    .option('--json', 'machine-readable output')
    .action(async (flags: { organization?: string; outcome?: RotationOutcome; limit?: number; json?: boolean }) => {
      const entries = await listRotations(await io.client(), { ...flags, limit: flags.limit ?? 20 });
      if (flags.json) return io.out(JSON.stringify(entries, null, 2));
      if (entries.length === 0) return io.out('no rotations');
      for (const e of entries) {
        io.out(
          `${e.workflowId}  ${e.execution}  ${e.outcome ?? e.phase ?? '-'}  started ${e.startTime}${e.closeTime ? `  closed ${e.closeTime}` : ''}`,
        );
      }
    });

  program
    .command('follow')
    .description('follow a rotation until it ends: phase, servers done out of total, next check')
    .addArgument(organizationArgument())
    .option('--interval <seconds>', 'how often to look (default 2)', intArg('--interval', 1, 3600))
    .option('--json', 'one JSON view per change')
    .action(async (organization: string, flags: { interval?: number; json?: boolean }) => {
      await followRotation(await io.client(), organization, io.out, {
        intervalMs: (flags.interval ?? 2) * 1000,
        json: flags.json,
      });
    });
}
