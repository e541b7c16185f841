// One Temporal Worker per organisation, each on its organisation's task queue with its own ExchangeClient. Shutdown lets
// running activities finish (up to the grace time) before the PowerShell sessions are closed.
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  WorkerOptions,
} from '@temporalio/worker';
import { createActivities } from '../activities';
import { ShellSessionPool, createExchangeClient } from '../activities/powershell';
import type { ExchangeClient } from '../activities/powershell';
import { taskQueueFor } from '../common/names';
import type { WorkerConfig } from './config';
import { metricsActivityInterceptors, prometheusTelemetry } from './metrics';
import { createWebhookNotifier } from './notify';
import { connectionOptionsFor } from './temporal';

export interface RotationWorkerOptions {
  config: WorkerConfig;
  /** An existing connection (tests); otherwise one is opened from `config.temporal` and closed on shutdown. */
  connection?: NativeConnection;
  /** A pre-built workflow bundle (tests build it once per run); otherwise the worker bundles workflows/ itself. */
  workflowBundlePath?: string;
  /** Tests wrap or replace the client; production uses the PowerShell layer. */
  createExchange?: (organization: string, settings: WorkerConfig['exchange'][string]) => ExchangeClient;
}

export interface RotationWorkers {
  workers: Array<{ organization: string; taskQueue: string; worker: Worker }>;
  /** Resolves once every worker has stopped and every Exchange session is closed. */
  run(): Promise<void>;
  /** Stops polling; activities already running get `shutdownGraceMs` to finish. */
  shutdown(): void;
  /** Asks each organisation's Exchange for its clock, so a wrong connection shows at start, not mid-rotation. */
  probe(): Promise<ExchangeProbe[]>;
}

export type ExchangeProbe = { organization: string } & (
  { ok: true; serverTime: string } | { ok: false; error: string }
);

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
  const connection = options.connection ?? (await NativeConnection.connect(connectionOptionsFor(config.temporal)));
  // One pool for every organisation this worker serves: shells open on demand, close when idle, and stay bounded.
  const pool = new ShellSessionPool(config.shells);
  const makeExchange = options.createExchange ?? ((_org, settings) => createExchangeClient(settings, { pool }));
  const notify = config.notifyWebhookUrl
    ? createWebhookNotifier({ webhookUrl: config.notifyWebhookUrl, format: config.notifyWebhookFormat })
    : undefined;

  // One bundle for every organisation's worker, built without webpack's report on the console.
  const workflowBundle: WorkerOptions['workflowBundle'] = options.workflowBundlePath
    ? { codePath: options.workflowBundlePath }
    : await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger() });

  const clients: ExchangeClient[] = [];
  const created: RotationWorkers['workers'] = [];
  try {
    for (const organization of config.organizations) {
      const exchange = makeExchange(organization, config.exchange[organization]);
      clients.push(exchange);
      const activities = createActivities({
        exchange,
        clock: () => new Date(),
        settings: { serverClockRate: config.serverClockRate, ...config.activity },
        notify,
      });
      const taskQueue = taskQueueFor(organization);
      const worker = await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue,
        activities,
        workflowBundle,
        // Days until the certificate expires, from every inspection (worker/metrics.ts).
        interceptors: { activity: metricsActivityInterceptors(organization) },
        maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
        shutdownGraceTime: config.shutdownGraceMs,
        // Past the grace time activities are cancelled; give their cancellation handlers a little more.
        shutdownForceTime: config.shutdownGraceMs + 30_000,
      });
      created.push({ organization, taskQueue, worker });
    }
  } catch (error) {
    await Promise.allSettled(clients.map((c) => c.close()));
    await pool.closeAll().catch(() => undefined);
    if (ownConnection) await connection.close();
    throw error;
  }

  let running: Promise<void> | undefined;
  let stopRequested = false;
  const run = (): Promise<void> => {
    running ??= (async () => {
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
    for (const { worker } of created) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  const probe = (): Promise<ExchangeProbe[]> =>
    Promise.all(
      created.map(async ({ organization }, i): Promise<ExchangeProbe> => {
        try {
          return { organization, ok: true, serverTime: await clients[i].getServerTime() };
        } catch (error) {
          return { organization, ok: false, error: (error as Error).message };
        }
      }),
    );
  return { workers: created, run, shutdown, probe };
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
