#!/usr/bin/env node
// `npm start`: the whole stack on one machine. A Temporal dev server with its Web UI (unless TEMPORAL_ADDRESS names a
// cluster), a simulated Exchange organisation (unless EXCHANGE_CONNECTION names a real one) and the worker; runs until
// Ctrl-C and stops everything it started.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rotationWorkflowId, ROTATE_WORKFLOW_TYPE, taskQueueFor } from '../common/names';
import { DEFAULT_RENEW_BEFORE_DAYS } from '../common/rotation';
import {
  ConfigurationError,
  DEFAULT_TEMPORAL_NAMESPACE,
  loadWorkerConfig,
  parseEnvironment,
  WorkerConfig,
} from './config';
import { DevServer, DevServerError, repoRoot, startDevServer } from './dev-server';
import { DEFAULT_TEMPORAL_ADDRESS } from './temporal';
import { createRotationWorkers, installRuntime, runUntilSignal } from './worker';

export const DEFAULT_ORGANIZATION = 'contoso';
export const DEFAULT_SCENARIO = 'hybrid';

const say = (line = '') => console.log(line);

/** Relative to the current directory when it is inside it, else absolute. */
function shortPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The simulator's CLI, run as a separate program: production code never imports the simulator. */
export function runSimulatorCli(args: string[]): string {
  const cli = path.join(repoRoot(), 'simulator', 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`sim ${args[0]} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  return r.stdout;
}

/** Creates the simulated organisation on first start and reuses it afterwards, at the configured clock rate. */
export function ensureSimulatedOrganization(
  stateFile: string,
  scenario: string,
  clockRate: number,
): 'created' | 'reused' {
  if (fs.existsSync(stateFile)) {
    const summary = JSON.parse(runSimulatorCli(['show', '--state', stateFile, '--json'])) as { acceleration: number };
    if (summary.acceleration !== clockRate) {
      runSimulatorCli(['clock', '--state', stateFile, '--acceleration', String(clockRate)]);
    }
    return 'reused';
  }
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  runSimulatorCli(['create', scenario, '--state', stateFile, '--acceleration', String(clockRate)]);
  return 'created';
}

/**
 * What the CLI, run in another terminal with none of this one's variables, needs in order to reach the Temporal this
 * process uses: nothing at the defaults, else `TEMPORAL_ADDRESS=... ` (and the namespace) to put before the command.
 */
export function cliEnvironment(temporal: { address?: string; namespace?: string }): string {
  const vars: string[] = [];
  const address = temporal.address?.replace(/^127\.0\.0\.1:/, 'localhost:');
  if (address && address !== DEFAULT_TEMPORAL_ADDRESS) vars.push(`TEMPORAL_ADDRESS=${temporal.address}`);
  if (temporal.namespace && temporal.namespace !== DEFAULT_TEMPORAL_NAMESPACE) {
    vars.push(`TEMPORAL_NAMESPACE=${temporal.namespace}`);
  }
  return vars.map((v) => `${v} `).join('');
}

export function howToStart(
  organization: string,
  uiUrl: string | undefined,
  temporal: { address?: string; namespace?: string } = {},
): string[] {
  const input = JSON.stringify({ organization });
  const cli = `${cliEnvironment(temporal)}npm run cli --`;
  return [
    `Start a rotation of ${organization}:`,
    uiUrl
      ? `  from the Temporal Web UI (${uiUrl}): Workflows > Start Workflow, with`
      : '  from the Temporal Web UI: Workflows > Start Workflow, with',
    `      Workflow ID    ${rotationWorkflowId(organization)}`,
    `      Task Queue     ${taskQueueFor(organization)}`,
    `      Workflow Type  ${ROTATE_WORKFLOW_TYPE}`,
    `      Input (JSON)   ${input}`,
    `                     (rotates only when the certificate is due, within ${DEFAULT_RENEW_BEFORE_DAYS} days of expiry; add "force": true to`,
    `                     rotate now, "dryRun": true to plan without changing anything)`,
    `  from the command line (another terminal):`,
    `      ${cli} start ${organization} --input-json '{"force": true}'   (--dry-run to plan only)`,
    `      ${cli} status ${organization}`,
    `      ${cli} approve-hcw ${organization} --by "<your name>"   (after re-running the Hybrid Configuration Wizard)`,
  ];
}

async function main(): Promise<number> {
  const env = { ...process.env };
  const parsed = parseEnvironment(env);
  const simDir = path.resolve(parsed.START_STATE_DIR ?? path.join(repoRoot(), '.sim'));
  if (!parsed.EXCHANGE_ORGANIZATION && !parsed.EXCHANGE_ORGANIZATIONS) env.EXCHANGE_ORGANIZATION = DEFAULT_ORGANIZATION;
  const simulated = parsed.EXCHANGE_CONNECTION === 'simulated';
  if (simulated && !parsed.EXCHANGE_SIM_STATE) {
    env.EXCHANGE_SIM_STATE = path.join(simDir, '{organization}.json');
  }
  let config: WorkerConfig = loadWorkerConfig(env);
  installRuntime(config.logLevel, config.metricsBindAddress);

  if (simulated) {
    for (const organization of config.organizations) {
      const settings = config.exchange[organization] as { simulatorState: string };
      const what = ensureSimulatedOrganization(settings.simulatorState, DEFAULT_SCENARIO, config.serverClockRate);
      say(
        `Simulated Exchange organisation ${organization}: ${what} ${shortPath(settings.simulatorState)}` +
          ` (clock x${config.serverClockRate}; look at it with: npm run sim -- show --state ${settings.simulatorState})`,
      );
    }
  } else {
    say(`Exchange: ${config.connection} connection for ${config.organizations.join(', ')}`);
  }

  let server: DevServer | undefined;
  // Until the worker takes the signals over, Ctrl-C stops what has been started so far (process.exit runs the dev
  // server's exit hook, so it does not outlive us either).
  const early = () => {
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  if (!config.temporal.address) {
    const logFile = path.join(simDir, 'temporal.log');
    say(`Starting the Temporal dev server (log: ${shortPath(logFile)}) ...`);
    server = await startDevServer({
      port: parsed.TEMPORAL_DEV_PORT,
      uiPort: parsed.TEMPORAL_UI_PORT,
      dbFilename: path.join(simDir, 'temporal.db'),
      logFile,
    });
    config = { ...config, temporal: { ...config.temporal, address: server.address } };
    say(`Temporal dev server at ${server.address}, Web UI at ${server.uiUrl} (pid ${server.process.pid})`);
  } else {
    say(`Temporal cluster at ${config.temporal.address}, namespace ${config.temporal.namespace}`);
  }

  try {
    const workers = await createRotationWorkers({ config });
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
    const running = runUntilSignal(workers, say);
    say();
    for (const { organization, taskQueue } of workers.workers) {
      say(`Worker for ${organization} polls task queue ${taskQueue}.`);
    }
    for (const p of await workers.probe()) {
      say(
        p.ok
          ? `Exchange for ${p.organization} answers: server time ${p.serverTime}`
          : `Warning: Exchange for ${p.organization} does not answer yet (${p.error}); rotations will retry.`,
      );
    }
    say();
    for (const organization of config.organizations)
      for (const line of howToStart(organization, server?.uiUrl, config.temporal)) say(line);
    say();
    say('Press Ctrl-C to stop the worker' + (server ? ' and the Temporal dev server.' : '.'));
    await running;
    say('Worker stopped.');
  } finally {
    if (server) {
      await server.stop();
      say('Temporal dev server stopped.');
    }
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = error instanceof ConfigurationError || error instanceof DevServerError;
      console.error(known ? (error as Error).message : `start: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
