// The workers of one process (docs/deployment.md): one workflow Worker on the central queue, which loads the workflow
// code once for every organisation, and one activity-only Worker per organisation on its own queue, with its own
// ExchangeClient. Shutdown lets running activities finish (up to the grace time) before the PowerShell sessions close.
import fs from 'node:fs';
import path from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  WorkerOptions,
} from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createActivities, resolveDeps } from '../activities';
import { inspectActivities } from '../activities/inspect';
import { createGraphClient } from '../activities/graph/client';
import { ShellSessionPool, createExchangeClient } from '../activities/powershell';
import type { ExchangeClient } from '../activities/powershell';
import { activityTaskQueueFor, WORKFLOW_TASK_QUEUE } from '../common/names';
import type { WorkerConfig } from './config';
import { connectWithRetry } from './connect';
import { CertificateWatch, prometheusTelemetry } from './metrics';
import { RotationWatch } from './rotation-watch';
import { createWebhookNotifier } from './notify';
import { connectionOptionsFor, workflowUrl } from '../common/temporal-config';

export interface RotationWorkerOptions {
  config: WorkerConfig;
  /** An existing connection (tests); otherwise one is opened from `config.temporal` and closed on shutdown. */
  connection?: NativeConnection;
  /** A pre-built workflow bundle (tests build it once per run); else the build's, else the worker bundles itself. */
  workflowBundlePath?: string;
  /** Tests wrap or replace the client; production uses the PowerShell layer. */
  createExchange?: (organization: string, settings: WorkerConfig['exchange'][string]) => ExchangeClient;
  /** How often the rotations' state is read from Temporal for the metrics (worker/rotation-watch.ts). */
  rotationWatchIntervalMs?: number;
  /** Keep trying to reach Temporal, telling each failed attempt here, until it answers or `signal` aborts. */
  connectRetry?: { log: (line: string) => void; signal?: AbortSignal };
}

export interface RotationWorker {
  /** Absent for the central workflow worker, which serves every organisation's workflows. */
  organization?: string;
  taskQueue: string;
  /** What it polls: workflow tasks, activity tasks, or both (an organisation's old queue while its runs finish). */
  serves: 'workflows' | 'activities' | 'workflows and activities';
  worker: Worker;
}

export interface RotationWorkers {
  workers: RotationWorker[];
  /** Resolves once every worker has stopped and every Exchange session is closed. */
  run(): Promise<void>;
  /** Stops polling; activities already running get `shutdownGraceMs` to finish. */
  shutdown(): void;
  /**
   * Asks each organisation's Exchange for its clock, so a wrong connection shows at start, not mid-rotation; where it
   * answers, inspects the organisation too, so the certificate's metrics exist before the first check.
   */
  probe(): Promise<ExchangeProbe[]>;
  /** The certificate gauges of each organisation (worker/metrics.ts). */
  certificates: Map<string, CertificateWatch>;
  /** The rotations' gauges (worker/rotation-watch.ts). */
  rotations: RotationWatch;
}

export type ExchangeProbe = { organization: string } & (
  { ok: true; serverTime: string } | { ok: false; error: string }
);

/** One line per Worker for the console: what it polls and for whom. */
export function describeWorker({ organization, taskQueue, serves }: RotationWorker): string {
  return organization === undefined
    ? `every organisation's ${serves} on task queue ${taskQueue}`
    : `${organization}'s ${serves} on task queue ${taskQueue}`;
}

/** Long polls each organisation's activity Worker keeps open on its queue. */
export const ACTIVITY_POLLS_PER_ORGANIZATION = 2;

let runtimeInstalled = false;

/** The Runtime is process-wide and can be installed once; signals are handled by the caller, not by the SDK. */
export function installRuntime(logLevel: WorkerConfig['logLevel'], metricsBindAddress?: string): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({
      logger: new DefaultLogger(logLevel),
      shutdownSignals: [],
      ...(metricsBindAddress ? { telemetryOptions: prometheusTelemetry(metricsBindAddress) } : {}),
    });
  } catch {
    // Already installed by someone else in this process (a test environment): keep theirs.
  }
  runtimeInstalled = true;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** The bundle `npm run build` makes next to the compiled code (scripts/bundle-workflows.js); absent under ts-node. */
export function prebuiltWorkflowBundle(): string | undefined {
  const file = path.join(__dirname, '..', 'workflow-bundle.js');
  return fs.existsSync(file) ? file : undefined;
}

function quietBundlerLogger() {
  const logger = Runtime.instance().logger;
  const ignore = () => undefined;
  return {
    trace: ignore,
    debug: ignore,
    info: ignore,
    log: ignore,
    warn: logger.warn.bind(logger),
    error: logger.error.bind(logger),
  };
}

export async function createRotationWorkers(options: RotationWorkerOptions): Promise<RotationWorkers> {
  const { config } = options;
  const ownConnection = options.connection === undefined;
  const target = connectionOptionsFor(config.temporal, fs.readFileSync);
  const connection =
    options.connection ??
    (options.connectRetry
      ? await connectWithRetry(target, options.connectRetry.log, options.connectRetry.signal)
      : await NativeConnection.connect(target));
  // One pool for every organisation this worker serves: shells open on demand, close when idle, and stay bounded.
  const pool = new ShellSessionPool(config.shells);
  const makeExchange = options.createExchange ?? ((_org, settings) => createExchangeClient(settings, { pool }));
  const notify = config.notifyWebhookUrl
    ? createWebhookNotifier({
        webhookUrl: config.notifyWebhookUrl,
        format: config.notifyWebhookFormat,
        linkTo: (workflowId) => workflowUrl(config.temporal, workflowId),
      })
    : undefined;

  const servesWorkflows = config.role !== 'activities';
  const servesActivities = config.role !== 'workflows';
  // One bundle for the process, built without webpack's report on the console, and only when workflows run here.
  const needsBundle = servesWorkflows || (servesActivities && config.legacyWorkflowQueues);
  const bundlePath = options.workflowBundlePath ?? prebuiltWorkflowBundle();
  const workflowBundle: WorkerOptions['workflowBundle'] | undefined = !needsBundle
    ? undefined
    : bundlePath
      ? { codePath: bundlePath }
      : await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger() });

  // One Graph client for the worker: the dedicated hybrid application is the tenant's, whichever organisation asks.
  const graph = config.graph ? { client: createGraphClient(config.graph), access: config.graph.access } : undefined;
  const clients: ExchangeClient[] = [];
  const created: RotationWorker[] = [];
  const certificates = new Map<string, CertificateWatch>();
  try {
    if (servesWorkflows) {
      const worker = await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: WORKFLOW_TASK_QUEUE,
        workflowBundle,
        shutdownGraceTime: config.shutdownGraceMs,
      });
      created.push({ taskQueue: WORKFLOW_TASK_QUEUE, serves: 'workflows', worker });
    }
    for (const organization of servesActivities ? config.organizations : []) {
      const exchange = makeExchange(organization, config.exchange[organization]);
      clients.push(exchange);
      const deps = {
        exchange,
        clock: () => new Date(),
        settings: { serverClockRate: config.serverClockRate, ...config.activity },
        notify,
        ...(graph ? { graph } : {}),
      };
      const activities = createActivities(deps);
      // The inspect activity's own code, read-only, for the worker's looks at the certificate outside any workflow.
      const { inspectOrganization } = inspectActivities(resolveDeps(deps));
      const watch = new CertificateWatch(organization, inspectOrganization);
      certificates.set(organization, watch);
      const taskQueue = activityTaskQueueFor(organization);
      const legacy = config.legacyWorkflowQueues;
      const worker = await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue,
        activities,
        ...(legacy ? { workflowBundle } : {}),
        // The certificate's gauges, from every inspection (worker/metrics.ts).
        interceptors: { activity: watch.interceptors() },
        maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
        // A rotation runs its activities one or two at a time; the SDK's default of 10 long polls per Worker made a
        // process serving 500 organisations hold 5000 polls open against Temporal (bench/README.md, fleet).
        maxConcurrentActivityTaskPolls: ACTIVITY_POLLS_PER_ORGANIZATION,
        shutdownGraceTime: config.shutdownGraceMs,
        // Past the grace time activities are cancelled; give their cancellation handlers a little more.
        shutdownForceTime: config.shutdownGraceMs + 30_000,
      });
      created.push({ organization, taskQueue, serves: legacy ? 'workflows and activities' : 'activities', worker });
    }
  } catch (error) {
    await Promise.allSettled(clients.map((c) => c.close()));
    await pool.closeAll().catch(() => undefined);
    if (ownConnection) await connection.close();
    throw error;
  }

  const rotations = new RotationWatch(
    new Client({ connection, namespace: config.temporal.namespace }),
    config.organizations,
  );
  let running: Promise<void> | undefined;
  let stopRequested = false;
  const run = (): Promise<void> => {
    running ??= (async () => {
      if (!stopRequested) rotations.start(options.rotationWatchIntervalMs ?? 60_000);
      // A worker that fails stops the others: a process half serving its organisations would look healthy.
      const results = await Promise.allSettled(
        created.map(({ worker }) =>
          // Shut down before it ever ran: start and stop at once, so the SDK releases the worker properly.
          (stopRequested ? worker.runUntil(Promise.resolve()) : worker.run()).catch((error: unknown) => {
            shutdown();
            throw error;
          }),
        ),
      );
      // Activities have finished (or been cancelled) by now: the Exchange sessions can go.
      await Promise.allSettled(clients.map((c) => c.close()));
      await pool.closeAll().catch(() => undefined);
      if (ownConnection) await connection.close();
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    })();
    return running;
  };
  const shutdown = (): void => {
    stopRequested = true;
    rotations.stop();
    for (const { worker } of created) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  const served = servesActivities ? config.organizations : [];
  const probe = (): Promise<ExchangeProbe[]> =>
    Promise.all(
      served.map(async (organization, i): Promise<ExchangeProbe> => {
        let serverTime: string;
        try {
          const client = clients[i];
          if (!client) throw new Error('no Exchange client');
          serverTime = await client.getServerTime();
        } catch (error) {
          return { organization, ok: false, error: (error as Error).message };
        }
        await certificates.get(organization)?.lookNow();
        return { organization, ok: true, serverTime };
      }),
    );
  return { workers: created, run, shutdown, probe, certificates, rotations };
}

/**
 * Runs until SIGINT or SIGTERM, then shuts down gracefully. A second signal leaves at once (the SDK still cancels
 * activities, but nothing waits for them).
 */
export async function runUntilSignal(workers: RotationWorkers, log: (line: string) => void): Promise<void> {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log(`${signal}: stopping the worker; running activities may take up to the shutdown grace time to finish`);
      workers.shutdown();
    } else {
      log(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await workers.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
