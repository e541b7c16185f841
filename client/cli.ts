#!/usr/bin/env node
// `npm run cli -- <command>`: start a rotation, look at it, answer the HCW step. Talks to TEMPORAL_ADDRESS (default
// localhost:7233, where `npm start` runs its dev server). Every error is one line on stderr and a non-zero exit.
import { Client, Connection } from '@temporalio/client';
import { Command, CommanderError, Help, Option } from 'commander';
import { z } from 'zod';
import { parseRotationInput } from '../common/rotation';
import type { RotationReport } from '../common/rotation';
import { ConfigurationError, loadTemporalConfig } from '../worker/config';
import { followRotation, registerOperationsCommands } from './schedule-commands';
import { organizationArgument, parseWith, UsageError } from './usage';
import { ScheduleMissingError, ScheduleSettingsError } from './schedules';
import { connectionOptionsFor } from '../worker/temporal';
import {
  approveHcw,
  describeRotation,
  HcwNotAwaitedError,
  RotationAlreadyRunningError,
  RotationNotFoundError,
  RotationView,
  skipHcw,
  startRotation,
} from './rotation';

const personArg = parseWith(
  z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  '--by',
);
const reasonArg = parseWith(
  z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
  '--reason',
);
const noteArg = parseWith(z.string().trim().max(2000, 'must be at most 2000 characters'), '--note');

const inputObject = z.record(z.string(), z.unknown());
function inputJsonArg(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input-json is not JSON: ${(error as Error).message}`);
  }
  const r = inputObject.safeParse(value);
  if (!r.success || Array.isArray(value))
    throw new UsageError('--input-json must be a JSON object, e.g. {"force": true}');
  return r.data;
}

export interface CliIo {
  out(line: string): void;
  client(): Promise<Client>;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
}

export function renderView(view: RotationView): string {
  const lines = [
    `${view.workflowId}  ${view.execution}  started ${view.startTime}${view.closeTime ? `  closed ${view.closeTime}` : ''}`,
  ];
  const s = view.status;
  if (s) {
    lines.push(`  phase        ${s.phase}${s.path ? ` (path ${s.path})` : ''}`);
    if (s.newThumbprint)
      lines.push(`  new cert     ${s.newThumbprint}${s.effectiveDate ? `  effective ${s.effectiveDate}` : ''}`);
    if (s.nextCheckAt && view.execution === 'RUNNING') lines.push(`  next check   ${s.nextCheckAt}`);
    const hcw = s.hcw;
    if (hcw.status !== 'not-needed') {
      const who = hcw.by ? ` by ${hcw.by}${hcw.at ? ` at ${hcw.at}` : ''}` : '';
      lines.push(
        `  HCW          ${hcw.status}${who}${hcw.reason ? ` (${hcw.reason})` : ''}${hcw.note ? ` (${hcw.note})` : ''}`,
      );
    }
    if (s.servers.length) {
      lines.push('  servers');
      const rows = [['    SERVER', 'SITE', 'NEW CERT', 'EVENT 2014', 'POOLS RECYCLED', '']];
      for (const v of s.servers) {
        rows.push([
          `    ${v.name}`,
          v.site,
          yesNo(v.hasNewCertificate),
          yesNo(v.event2014),
          yesNo(v.poolsRecycled),
          // Worded as the Temporal UI's details: an ignored server is outside the run's progress.
          v.unreachable ? `unreachable${v.ignored ? ', ignored' : ''}: ${v.unreachable}` : '',
        ]);
      }
      lines.push(...pad(rows).map((l) => l.trimEnd()));
    }
    if (s.actionRequired) lines.push(`  ACTION REQUIRED: ${s.actionRequired}`);
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
  } else if (view.execution === 'RUNNING') {
    lines.push('  (no worker answered the status query: is a worker running for this organisation?)');
  }
  if (view.failure) lines.push(`  failure: ${view.failure}`);
  const report = view.result as Partial<RotationReport> | undefined;
  if (report && typeof report === 'object') {
    lines.push(`  outcome      ${report.outcome}${report.stopReason ? `: ${report.stopReason}` : ''}`);
    if (report.previousThumbprint !== undefined || report.newThumbprint !== undefined) {
      lines.push(`  certificate  ${report.previousThumbprint ?? '-'} -> ${report.newThumbprint ?? '-'}`);
    }
    // Only a dry run's plan is what it "would" do; a finished rotation's steps are in the status above.
    if (report.outcome === 'dry-run') {
      for (const step of report.plan ?? []) {
        lines.push(`  would: ${step.title}${step.skipped ? ` (left out: ${step.skipped})` : ''}`);
      }
    }
    lines.push('  (the full report: status --json)');
  }
  return lines.join('\n');
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('cli')
    .description('Rotate the Exchange Server Auth certificate through Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE)')
    .exitOverride()
    // Commander's help does not say which options are required; inherited by every command added below.
    .configureHelp({
      optionDescription(option: Option): string {
        const text = Help.prototype.optionDescription.call(this, option);
        return option.mandatory ? `${text} (required)` : text;
      },
    });

  program
    .command('start')
    .description('start a rotation of an organisation (one at a time per organisation)')
    .addArgument(organizationArgument())
    .option('--dry-run', 'inspect and plan; change nothing')
    .option('--input-json <json>', 'further workflow input fields as a JSON object', inputJsonArg)
    .action(async (organization: string, opts: { dryRun?: boolean; inputJson?: Record<string, unknown> }) => {
      const extra = opts.inputJson ?? {};
      if ('organization' in extra && extra.organization !== organization) {
        throw new UsageError(
          `--input-json names organization ${JSON.stringify(extra.organization)} but the argument is ${organization}`,
        );
      }
      const input = { ...extra, organization, ...(opts.dryRun ? { dryRun: true } : {}) };
      // The workflow validates its input too (the UI starts it without this CLI); checking here fails before a start.
      const parsed = parseRotationInput(input);
      if (!parsed.ok) throw new UsageError(parsed.message.split('\n').join('; '));
      const handle = await startRotation(await io.client(), input);
      io.out(`started ${handle.workflowId} (run ${handle.firstExecutionRunId})${opts.dryRun ? ' as a dry run' : ''}`);
    });

  program
    .command('status')
    .description('the latest rotation of an organisation: phase, servers, what a person must do')
    .addArgument(organizationArgument())
    .option('--json', 'machine-readable output')
    .option('--follow', 'keep watching until the rotation ends: phase, servers done out of total, next check')
    .action(async (organization: string, opts: { json?: boolean; follow?: boolean }) => {
      if (opts.follow) {
        await followRotation(await io.client(), organization, io.out, { json: opts.json });
        return;
      }
      const view = await describeRotation(await io.client(), organization);
      io.out(opts.json ? JSON.stringify(view, null, 2) : renderView(view));
    });

  program
    .command('approve-hcw')
    .description('record that the Hybrid Configuration Wizard was re-run, so the rotation can finish')
    .addArgument(organizationArgument())
    .requiredOption('--by <name>', 'who re-ran the wizard', personArg)
    .option('--note <text>', 'anything worth keeping in the report', noteArg)
    .action(async (organization: string, opts: { by: string; note?: string }) => {
      const id = await approveHcw(await io.client(), organization, { by: opts.by, note: opts.note });
      io.out(`recorded HCW completed by ${opts.by} on ${id}`);
    });

  program
    .command('skip-hcw')
    .description('finish without the Hybrid Configuration Wizard step, saying why')
    .addArgument(organizationArgument())
    .requiredOption('--by <name>', 'who decided to skip', personArg)
    .requiredOption('--reason <text>', 'why the wizard need not be re-run', reasonArg)
    .action(async (organization: string, opts: { by: string; reason: string }) => {
      const id = await skipHcw(await io.client(), organization, { by: opts.by, reason: opts.reason });
      io.out(`recorded HCW skipped by ${opts.by} on ${id}`);
    });

  registerOperationsCommands(program, io);

  // `help schedule create` shows that command's help (Commander's own help command goes one level deep only).
  program.helpCommand(false);
  program
    .command('help')
    .description('show the help of a command, e.g. help schedule create')
    .argument('[command...]', 'the command')
    .action((names: string[]) => {
      let target = program;
      for (const name of names) {
        const next = target.commands.find((c) => c.name() === name);
        if (!next)
          throw new UsageError(`unknown command '${[...commandPath(target).slice(1), name].join(' ')}' (see cli help)`);
        target = next;
      }
      target.outputHelp();
    });
  return program;
}

/** `['cli', 'schedule', 'create']` */
function commandPath(command: Command): string[] {
  return command.parent ? [...commandPath(command.parent), command.name()] : [command.name()];
}

/** "create, update or list" */
function alternatives(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('');
}

/** Runs one command; returns the exit code. Errors are one line on `err`. */
export async function main(
  argv: string[],
  io: Partial<CliIo> & { err?: (line: string) => void } = {},
): Promise<number> {
  const err = io.err ?? ((line: string) => console.error(line));
  let connection: Connection | undefined;
  const full: CliIo = {
    out: io.out ?? ((line) => console.log(line)),
    client:
      io.client ??
      (async () => {
        const config = loadTemporalConfig();
        const options = connectionOptionsFor(config);
        try {
          connection = await Connection.connect({ ...options, connectTimeout: 10_000 });
        } catch (cause) {
          throw new Error(`cannot reach Temporal at ${options.address}: ${(cause as Error).message}`, { cause });
        }
        return new Client({ connection, namespace: config.namespace });
      }),
  };
  const program = buildProgram(full);
  // The command whose subcommand is missing: Commander writes its help to stderr then, and only then.
  let lacksSubcommand: Command | undefined;
  // The command Commander refused the arguments of (missing, unknown), whose help says how to call it.
  let refusedBy: Command | undefined;
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput({
      writeOut: (s) => full.out(s.trimEnd()),
      writeErr: () => {
        lacksSubcommand = c;
      },
      outputError: () => {
        refusedBy = c;
      },
    });
    c.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help asked for (--help, help, help <command>) is a success; help instead of a missing subcommand is not.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help' && error.exitCode === 0) return 0;
      if (error.code === 'commander.help' && lacksSubcommand) {
        const path = commandPath(lacksSubcommand).join(' ');
        const names = lacksSubcommand.commands.map((c) => c.name());
        err(`${path}: a command is required: ${alternatives(names)} (see ${path} --help)`);
        return 2;
      }
      const help = refusedBy ? ` (see ${commandPath(refusedBy).join(' ')} --help)` : '';
      err(`cli: ${error.message.replace(/^error: /, '')}${help}`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof ScheduleSettingsError) {
      err(`cli: ${error.message}`);
      return 2;
    }
    const known =
      error instanceof RotationAlreadyRunningError ||
      error instanceof RotationNotFoundError ||
      error instanceof HcwNotAwaitedError ||
      error instanceof ScheduleMissingError ||
      error instanceof ConfigurationError;
    err(`cli: ${known ? (error as Error).message : oneLine(error)}`);
    return 1;
  } finally {
    await connection?.close();
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`cli: ${oneLine(error)}`);
      process.exit(1);
    },
  );
}
