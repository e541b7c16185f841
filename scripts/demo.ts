#!/usr/bin/env node
// `npm run demo`: the stack of `npm start` and one full planned rotation of a hybrid simulated organisation, at demo
// speed (the simulated Exchange clock runs DEMO_CLOCK_RATE, or EXCHANGE_CLOCK_RATE, times faster). A demo operator approves the HCW step by
// signal, as a person would. The last line of output is a JSON summary; the exit status is 0 when it is all true.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { approveHcw, rotationHandle, startRotation } from '../client/rotation';
import type { RotationInputJson, RotationReport, RotationStatus } from '../common/rotation';
import {
  createOrganization,
  loadOrganization,
  readHybridApplication,
  registerGraphClient,
  signInProbe,
  startEntraEndpoint,
  type EntraEndpoint,
} from 'simulated-exchange';
import { z } from 'zod';
import { ConfigurationError } from '../common/environment';
import { connectionOptionsFor } from '../common/temporal-config';
import { loadWorkerConfig, parseEnvironment, WorkerConfig } from '../worker/config';
import { DevServer, DevServerError, freePort, isPortOpen, repoRoot, startDevServer } from '../worker/dev-server';
import { createRotationWorkers, describeWorker, installRuntime, RotationWorkers } from '../worker/worker';
import { statusQuery } from '../workflows/messages';
import { AUTH_ADMIN_CYCLE_HOURS } from '../common/names';
import { HOUR_MS } from '../common/policy';
import { demoSummary } from './demo-summary';

export const DEMO_ORGANIZATION = 'contoso-demo';
export const DEMO_OPERATOR = 'demo-operator';

/**
 * The organisations the demo can rotate: classic hybrid (a person re-runs the HCW), or the dedicated Exchange hybrid
 * application (the worker keeps its keys in the simulated Entra ID through Microsoft Graph; no HCW).
 */
export const DEMO_SCENARIOS = ['hybrid', 'dedicated-hybrid-app'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** `--scenario <name>` (or `--scenario=<name>`); the classic hybrid organisation by default. */
export function demoScenario(argv: string[]): DemoScenario {
  const at = argv.findIndex((a) => a === '--scenario' || a.startsWith('--scenario='));
  if (at < 0) return 'hybrid';
  const flag = argv[at] ?? '';
  const value = flag.includes('=') ? flag.split('=')[1] : argv[at + 1];
  const parsed = z.enum(DEMO_SCENARIOS).safeParse(value);
  if (!parsed.success) {
    throw new ConfigurationError(`--scenario: must be one of ${DEMO_SCENARIOS.join(', ')} (got ${value ?? 'nothing'})`);
  }
  return parsed.data;
}
/** Simulated Exchange seconds per real second: the 49-hour wait takes 49 s, a 12-hour servicelet cycle 12 s. */
export const DEMO_CLOCK_RATE = 3600;
/** A demo that has not finished by then is stuck, not slow. */
const DEMO_DEADLINE_MS = 10 * 60_000;

/**
 * Demo timings. Poll intervals are Temporal (real) time; the effective date (49 h) and the servicelet's 12-hour cycle
 * are Exchange time, so at 3600x they pass in 49 s and 12 s.
 */
export function demoInput(organization: string): RotationInputJson & { organization: string } {
  return {
    organization,
    // The simulated certificate has years left: rotate anyway, as a yearly schedule would.
    force: true,
    replicationPollInterval: '2s',
    publicationPollInterval: '2s',
    crossSiteImportAfter: '20s',
    hcwReminderInterval: '1h',
    // Exchange time: at the demo's clock rate the previous key leaves the hybrid application seconds after publication.
    hybridAppGracePeriod: '2h',
  };
}

/**
 * The organisation once every servicelet has run since publication. Each server writes its event 2014 at its own next
 * AuthAdmin run, up to a cycle after publication, and the demo operator answers HCW at once (a person takes hours):
 * judged sooner, a server whose servicelet has not run yet would count against a rotation that did its part.
 */
async function afterEveryServicelet(stateFile: string, publishedAt: string | null | undefined) {
  const until = publishedAt == null ? 0 : Date.parse(publishedAt) + AUTH_ADMIN_CYCLE_HOURS * HOUR_MS;
  let loaded = loadOrganization(stateFile);
  if (loaded.now < until) say(`waiting until every AuthAdmin servicelet has run since publication (event 2014)`);
  while (loaded.now < until && Date.now() - started < DEMO_DEADLINE_MS) {
    await new Promise((r) => setTimeout(r, 250));
    loaded = loadOrganization(stateFile);
  }
  return loaded;
}

const started = Date.now();
function say(line: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  console.log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}`);
}

function describeStatus(status: RotationStatus): string {
  const servers = status.servers
    .map(
      (s) =>
        `${s.name}:${s.hasNewCertificate ? 'cert' : '-'}${s.event2014 ? '+2014' : ''}${s.poolsRecycled ? '+pools' : ''}`,
    )
    .join(' ');
  return `${status.summary}${servers ? `  [${servers}]` : ''}`;
}

async function main(): Promise<number> {
  const env = parseEnvironment();
  const dir = path.join(path.resolve(env.START_STATE_DIR ?? path.join(repoRoot(), '.sim')), 'demo');
  const stateFile = path.join(dir, `${DEMO_ORGANIZATION}.json`);

  // EXCHANGE_CLOCK_RATE, when set, replaces the demo's own rate (a faster demo for tests, a slower one to watch).
  const clockRate = env.EXCHANGE_CLOCK_RATE ?? DEMO_CLOCK_RATE;
  fs.mkdirSync(dir, { recursive: true });
  const scenario = demoScenario(process.argv.slice(2));
  await createOrganization(scenario, stateFile, { acceleration: clockRate, overwrite: true });
  say(
    `Simulated ${scenario} Exchange organisation ${DEMO_ORGANIZATION} in ${path.relative(process.cwd(), stateFile)} (clock x${clockRate})`,
  );
  let entra: EntraEndpoint | undefined;
  let graphEnv: Record<string, string> = {};
  if (scenario === 'dedicated-hybrid-app') {
    entra = await startEntraEndpoint({ stateFile });
    // The worker's own app registration, owner of the hybrid application: the least permission that lets it write.
    const worker = await registerGraphClient(stateFile, {
      permissions: ['Application.ReadWrite.OwnedBy'],
      ownsHybridApp: true,
      secret: true,
      certificates: [],
    });
    graphEnv = {
      GRAPH_TENANT_ID: worker.tenantId,
      GRAPH_CLIENT_ID: worker.clientId,
      GRAPH_CLIENT_SECRET: worker.secret!,
      GRAPH_ACCESS: 'write',
      GRAPH_AUTHORITY_HOST: entra.authorityHost,
      GRAPH_ENDPOINT: entra.graphEndpoint,
      GRAPH_CA_FILE: entra.caFile,
    };
    say(`Simulated Entra ID and Microsoft Graph at ${entra.graphEndpoint} (worker with Application.ReadWrite.OwnedBy)`);
  }

  let config: WorkerConfig = loadWorkerConfig({
    ...process.env,
    ...graphEnv,
    EXCHANGE_ORGANIZATION: DEMO_ORGANIZATION,
    EXCHANGE_ORGANIZATIONS: undefined,
    EXCHANGE_CONNECTION: 'simulated',
    EXCHANGE_SIM_STATE: stateFile,
    EXCHANGE_CLOCK_RATE: String(clockRate),
    LOG_LEVEL: env.LOG_LEVEL === 'INFO' ? 'WARN' : env.LOG_LEVEL,
  });
  installRuntime(config.logLevel);

  let server: DevServer | undefined;
  let workers: RotationWorkers | undefined;
  let workersDone: Promise<void> | undefined;
  let connection: Connection | undefined;
  const stopAll = async () => {
    workers?.shutdown();
    await workersDone?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop();
    await entra?.close().catch(() => undefined);
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('Interrupted: stopping the worker and the dev server');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (!config.temporal.address) {
      // The usual ports, so the Web UI is where the README says; other free ones when `npm start` already holds them.
      const busy = (await isPortOpen(env.TEMPORAL_DEV_PORT)) || (await isPortOpen(env.TEMPORAL_UI_PORT));
      const port = busy ? await freePort() : env.TEMPORAL_DEV_PORT;
      const uiPort = busy ? await freePort() : env.TEMPORAL_UI_PORT;
      server = await startDevServer({ port, uiPort, logFile: path.join(dir, 'temporal.log') });
      config = { ...config, temporal: { ...config.temporal, address: server.address } };
      say(
        `Temporal dev server at ${server.address} (pid ${server.process.pid}); watch the rotation in the Web UI at ${server.uiUrl}`,
      );
    } else {
      say(`Temporal cluster at ${config.temporal.address}`);
    }

    workers = await createRotationWorkers({ config });
    workersDone = workers.run();
    for (const w of workers.workers) say(`Worker: ${describeWorker(w)}`);

    connection = await Connection.connect(connectionOptionsFor(config.temporal, fs.readFileSync));
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const handle = await startRotation(
      client,
      demoInput(DEMO_ORGANIZATION) as RotationInputJson & { organization: string },
    );
    say(`Started ${handle.workflowId} (workflow type rotateAuthCertificate)`);

    const result = handle.result() as Promise<RotationReport>;
    let finished = false;
    void result.finally(() => (finished = true)).catch(() => undefined);
    let last = '';
    let approved = false;
    while (!finished && !interrupted) {
      if (Date.now() - started > DEMO_DEADLINE_MS) {
        throw new Error(
          `the rotation did not finish within ${DEMO_DEADLINE_MS / 60_000} minutes; look at it in the Web UI`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
      if (finished) break;
      let status: RotationStatus;
      try {
        status = await rotationHandle(client, DEMO_ORGANIZATION).query(statusQuery);
      } catch {
        continue; // between workflow tasks; the next poll answers
      }
      const line = describeStatus(status);
      if (line !== last) {
        say(line);
        if (status.actionRequired) say(`  action required: ${status.actionRequired}`);
        last = line;
      }
      if (!approved && status.phase === 'awaiting-hcw' && status.hcw.status === 'waiting') {
        say(`${DEMO_OPERATOR} re-runs the Hybrid Configuration Wizard and tells the workflow (hcwAnswerUpdate)`);
        try {
          await approveHcw(client, DEMO_ORGANIZATION, { by: DEMO_OPERATOR, note: 'HCW re-run by the demo' });
          approved = true;
        } catch (error) {
          // As a person would: read the answer, and try again at the next look while the rotation still waits.
          say(`  the answer did not reach the rotation: ${(error as Error).message}; trying again`);
        }
      }
    }
    if (interrupted) return 130;

    const report = await result;
    say(`Rotation finished: ${report.outcome}`);
    for (const w of report.warnings) say(`  warning: ${w}`);
    const { org, now } = await afterEveryServicelet(stateFile, report.publishedAt);
    const summary = demoSummary(
      DEMO_ORGANIZATION,
      org,
      report,
      (name) => {
        const s = org.servers.find((v) => v.name === name);
        return s ? signInProbe(org, s, now).works : false;
      },
      scenario === 'dedicated-hybrid-app' ? readHybridApplication(stateFile).application : undefined,
    );
    for (const p of summary.problems) say(`  problem: ${p}`);
    await stopAll();
    console.log(JSON.stringify(summary));
    return summary.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = error instanceof ConfigurationError || error instanceof DevServerError;
      console.error(known ? (error as Error).message : `demo: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
