// What the check tests share: the check workflows (test/check/workflows.ts) bundled once per file, and a worker that
// runs them against a fake organisation on its own task queue.
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { activityTaskQueueFor } from '../../common/names';
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

/**
 * Runs `fn` while a worker serves the check workflows on a new task queue and, as in production, the fake
 * organisation's activities on `organization`'s own activity queue (the stand-in rotation's on both).
 */
export async function withCheckWorker<T>(
  { env, code }: CheckTestSetup,
  org: FakeOrganization,
  fn: (taskQueue: string) => Promise<T>,
  options: {
    /** The organisation the checks look at; absent when the input is refused before any activity. */
    organization?: string;
    onRotationOver?: (workflowId: string, runId: string) => void;
    interceptors?: WorkerOptions['interceptors'];
  } = {},
): Promise<T> {
  const taskQueue = uniqueTaskQueue('check');
  const activities = fakeOrganizationActivities(org, options.onRotationOver);
  const connection = { connection: env.nativeConnection, namespace: env.namespace ?? 'default' };
  const worker = await Worker.create({ ...connection, taskQueue, workflowBundle: { code }, activities });
  if (options.organization === undefined) return worker.runUntil(fn(taskQueue));
  const activityWorker = await Worker.create({
    ...connection,
    taskQueue: activityTaskQueueFor(options.organization),
    activities,
    interceptors: options.interceptors,
  });
  return worker.runUntil(activityWorker.runUntil(fn(taskQueue)));
}
