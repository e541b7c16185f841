#!/usr/bin/env node
// `npm run cli -- <command>`: start a rotation, look at it, answer the HCW step. Talks to TEMPORAL_ADDRESS (default
// localhost:7233, where `npm start` runs its dev server). Every error is one line on stderr and a non-zero exit.
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Command, CommanderError, Help, Option } from 'commander';
import { z } from 'zod';
import { CLI_COMMAND } from '../common/names';
import { parseRotationInput } from '../common/rotation';
import { ConfigurationError } from '../common/environment';
import { connectionOptionsFor, loadTemporalConfig, workflowUrl } from '../common/temporal-config';
import type { TemporalConfig } from '../common/temporal-config';
import { alternatives } from '../common/validation';
import { followRotation, registerOperationsCommands } from './schedule-commands';
import { organizationArgument, parseWith, UsageError } from './usage';
import { ScheduleMissingError, ScheduleSettingsError } from './schedules';
import {
  approveHcw,
  cancelRotation,
  describeRotation,
  HcwNotAwaitedError,
  NoWorkerError,
  planRotation,
  requireWorker,
  RotationAlreadyRunningError,
  RotationNotFoundError,
  RotationNotRunningError,
  RotationStartInput,
  skipHcw,
  startRotation,
  terminateRotation,
} from './rotation';
import { fleetView } from './fleet';
import { leftInExchange, renderFleet, renderPlan, renderView } from './render';

const personArg = parseWith(
  z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  '--by',
);
const reasonArg = parseWith(
  z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
  '--reason',
);
const metricsUrlArg = parseWith(
  z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://worker:9464/metrics' }),
  '--metrics',
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
  /** Where the Temporal UI is, for links; default: from TEMPORAL_UI_URL and TEMPORAL_NAMESPACE. */
  temporal?(): Pick<TemporalConfig, 'uiUrl' | 'namespace'>;
}

interface StartFlags {
  dryRun?: boolean;
  inputJson?: Record<string, unknown>;
  /** false with --no-worker-ok. */
  workerOk?: boolean;
}

/**
 * The workflow input of `start` and `plan`: the argument, --input-json and --dry-run as one object, checked as the
 * workflow will check it (the UI starts it without this CLI; checking here fails before a start).
 */
function rotationInput(organization: string, opts: StartFlags): RotationStartInput {
  const extra = opts.inputJson ?? {};
  if ('organization' in extra && extra.organization !== organization) {
    throw new UsageError(
      `--input-json names organization ${JSON.stringify(extra.organization)} but the argument is ${organization}`,
    );
  }
  const input = { ...extra, organization, ...(opts.dryRun ? { dryRun: true } : {}) };
  const parsed = parseRotationInput(input);
  if (!parsed.ok) throw new UsageError(parsed.message.split('\n').join('; '));
  return input;
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
    .option('--dry-run', 'inspect and plan; change nothing (see also: plan)')
    .option('--input-json <json>', 'further workflow input fields as a JSON object', inputJsonArg)
    .option('--no-worker-ok', "start even when no worker polls the organisation's task queue")
    .action(async (organization: string, opts: StartFlags) => {
      const input = rotationInput(organization, opts);
      const client = await io.client();
      await requireWorker(client, organization, { evenWithout: opts.workerOk === false });
      const handle = await startRotation(client, input);
      io.out(`started ${handle.workflowId} (run ${handle.firstExecutionRunId})${opts.dryRun ? ' as a dry run' : ''}`);
      io.out(`  ${workflowUrl(io.temporal?.() ?? loadTemporalConfig(process.env), handle.workflowId)}`);
    });

  program
    .command('plan')
    .description(
      'what a rotation would do now: a dry run that inspects the organisation, changes nothing, and shows the plan',
    )
    .addArgument(organizationArgument())
    .option('--input-json <json>', 'further workflow input fields as a JSON object', inputJsonArg)
    .option('--json', "the dry run's whole report")
    .action(async (organization: string, opts: { inputJson?: Record<string, unknown>; json?: boolean }) => {
      const input = rotationInput(organization, opts);
      const report = await planRotation(await io.client(), input).catch((error: unknown) => {
        if (error instanceof RotationAlreadyRunningError) {
          throw new RotationAlreadyRunningError(error.workflowId, {
            cause: error,
            hint: `its plan and progress: ${CLI_COMMAND} status ${organization}`,
          });
        }
        throw error;
      });
      io.out(opts.json ? JSON.stringify(report, null, 2) : renderPlan(organization, report));
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

  for (const [name, what, stop] of [
    [
      'cancel',
      'ask the running rotation to stop: it records the outcome cancelled; what it did in Exchange stays',
      cancelRotation,
    ],
    [
      'terminate',
      'end the running rotation at once, with no outcome recorded (when cancel is not answered)',
      terminateRotation,
    ],
  ] as const) {
    program
      .command(name)
      .description(what)
      .addArgument(organizationArgument())
      .requiredOption('--reason <text>', 'why, kept in the workflow history', reasonArg)
      .action(async (organization: string, opts: { reason: string }) => {
        const stopped = await stop(await io.client(), organization, opts.reason);
        io.out(`${name === 'cancel' ? 'cancellation requested for' : 'terminated'} ${stopped.workflowId}`);
        io.out('What it leaves in Exchange:');
        for (const line of leftInExchange(stopped.status, organization)) io.out(`  ${line}`);
      });
  }

  program
    .command('fleet')
    .description(
      'every organisation: days until its certificate expires, its rotation, what that waits for and who must act',
    )
    .option(
      '--metrics <url...>',
      "workers' metrics endpoints (http://host:9464/metrics) for the certificate as last seen; else the latest check",
      (text: string, previous: string[] = []) => [...previous, metricsUrlArg(text)],
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { metrics?: string[]; json?: boolean }) => {
      const entries = await fleetView(await io.client(), { metricsUrls: opts.metrics });
      io.out(opts.json ? JSON.stringify(entries, null, 2) : renderFleet(entries));
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

/** Runs one command; returns the exit code. Errors are one line on `err`. */
export async function main(
  argv: string[],
  io: Partial<CliIo> & { err?: (line: string) => void } = {},
): Promise<number> {
  const err = io.err ?? ((line: string) => console.error(line));
  let connection: Connection | undefined;
  const full: CliIo = {
    out: io.out ?? ((line) => console.log(line)),
    temporal: io.temporal,
    client:
      io.client ??
      (async () => {
        const config = loadTemporalConfig(process.env);
        const options = connectionOptionsFor(config, fs.readFileSync);
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
      error instanceof RotationNotRunningError ||
      error instanceof NoWorkerError ||
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
  return message.split('\n')[0] ?? '';
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
