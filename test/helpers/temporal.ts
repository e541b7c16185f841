// Real Temporal servers for tests: the time-skipping test server and the CLI dev server, from .tools/bin/ (installed by
// `node scripts/ensure-tools.js`), and the workflow bundle test/global-setup.js built once for the run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, WorkerOptions } from '@temporalio/worker';
import { ROTATION_SEARCH_ATTRIBUTE_KEYS } from '../../common/search-attributes';
import { freePort } from '../../worker/dev-server';
import { prometheusTelemetry } from '../../worker/metrics';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BUNDLE_ENV = 'ROTATION_WORKFLOW_BUNDLE';

/**
 * The executable at `TEMPORAL_*_PATH`, else the one in .tools/bin/. Only when neither file exists does the SDK download
 * its own (which needs the internet).
 */
export function executableFor(
  envVar: 'TEMPORAL_TEST_SERVER_PATH' | 'TEMPORAL_CLI_PATH',
  file: string,
): EphemeralServerExecutable {
  const candidate = process.env[envVar] || path.join(REPO_ROOT, '.tools', 'bin', file);
  return fs.existsSync(candidate) ? { type: 'existing-path', path: candidate } : { type: 'cached-download' };
}

let runtimeReady = false;

/** SDK logs at WARN, so test output shows what matters; the Runtime is per process and installed once. */
export function quietRuntime(): void {
  if (runtimeReady) return;
  runtimeReady = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // installed already in this process
  }
}

/**
 * Installs this process's Runtime with a Prometheus endpoint on a free local port, as the worker does with
 * METRICS_BIND_ADDRESS (before any environment exists, or the SDK installs its own); returns the endpoint's URL.
 */
export async function prometheusRuntime(): Promise<string> {
  const port = await freePort();
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    shutdownSignals: [],
    telemetryOptions: prometheusTelemetry(`127.0.0.1:${port}`),
  });
  runtimeReady = true;
  return `http://127.0.0.1:${port}/metrics`;
}

/** The time-skipping test server, with the rotation's search attributes registered (it refuses unknown ones). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executableFor('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server') },
  });
  await registerSearchAttributes(env);
  return env;
}

export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(ROTATION_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, keyword])),
  });
}

/**
 * The dev server with the rotation's custom search attributes registered, as `npm start` runs it (`bare`: without
 * them, as a cluster is before anyone registered them).
 */
export async function createDevServerEnv(
  options: { port?: number; bare?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: executableFor('TEMPORAL_CLI_PATH', 'temporal'),
      ip: '127.0.0.1',
      port: options.port,
      searchAttributes: options.bare ? [] : [...ROTATION_SEARCH_ATTRIBUTE_KEYS],
      extraArgs: ['--headless'],
      log: { format: 'pretty', level: 'error' },
    },
  });
}

/** Where test/global-setup.js wrote the bundle: its env var, else the well-known path it computes the same way. */
export function workflowBundlePath(): string {
  const key = crypto.createHash('sha256').update(path.resolve(REPO_ROOT)).digest('hex').slice(0, 12);
  const file = process.env[BUNDLE_ENV] || path.join(os.tmpdir(), `exchange-auth-cert-workflows-${key}.js`);
  const failure = process.env.ROTATION_WORKFLOW_BUNDLE_ERROR;
  if (failure) throw new Error(`the workflows did not bundle in test/global-setup.js: ${failure}`);
  if (!fs.existsSync(file)) {
    throw new Error(`no workflow bundle at ${file}: test/global-setup.js builds it when workflows/index.ts exists`);
  }
  return file;
}

export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'namespace' | 'workflowsPath' | 'workflowBundle'>;

/** A worker on the environment's server running the run's single workflow bundle. */
export function createTestWorker(env: TestWorkflowEnvironment, options: TestWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: { codePath: workflowBundlePath() },
    ...options,
  });
}

/** How many workers poll a task queue for workflow or activity tasks right now. */
export async function pollerCount(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  kind: 'workflow' | 'activity',
): Promise<number> {
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
  const r = await env.client.workflowService.describeTaskQueue({
    namespace: env.namespace ?? 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: kind === 'workflow' ? TASK_QUEUE_TYPE_WORKFLOW : TASK_QUEUE_TYPE_ACTIVITY,
  });
  return r.pollers?.length ?? 0;
}

/**
 * Ends a run a test left behind. A run may have closed by itself by then (under time skipping an abandoned run goes on
 * while the test awaits something else), and the server then answers "not found": nothing is left to end.
 */
export async function endRun(handle: { terminate(reason?: string): Promise<unknown> }): Promise<void> {
  try {
    await handle.terminate('test over');
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}
