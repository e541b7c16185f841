// What the check tests share: the check workflows (test/check/workflows.ts) bundled once per file, and a worker that
// runs them against a fake organisation on its own task queue.
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { uniqueTaskQueue } from '../helpers/ids';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { FakeOrganization, fakeOrganizationActivities } from './fake-org';

export async function bundleCheckWorkflows(): Promise<string> {
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet });
  return code;
}

export interface CheckTestSetup {
  env: TestWorkflowEnvironment;
  code: string;
}

/**
 * A time-skipping test server and the bundle for this test file, set up before its tests and torn down after. Each file
 * has its own server: runs abandoned by one file's tests must not hold up another's time skipping.
 */
export function useCheckTestSetup(): CheckTestSetup {
  const setup = {} as CheckTestSetup;
  beforeAll(async () => {
    setup.env = await createTimeSkippingEnv();
    setup.code = await bundleCheckWorkflows();
  }, 180_000);
  afterAll(async () => {
    await setup.env?.teardown();
  });
  return setup;
}

/** Runs `fn` while a worker serves the check workflows and the fake organisation's activities on a new task queue. */
export async function withCheckWorker<T>(
  { env, code }: CheckTestSetup,
  org: FakeOrganization,
  fn: (taskQueue: string) => Promise<T>,
  options: {
    onRotationOver?: (workflowId: string, runId: string) => void;
    interceptors?: WorkerOptions['interceptors'];
  } = {},
): Promise<T> {
  const taskQueue = uniqueTaskQueue('check');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { code },
    activities: fakeOrganizationActivities(org, options.onRotationOver),
    interceptors: options.interceptors,
  });
  return worker.runUntil(fn(taskQueue));
}
