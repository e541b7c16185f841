// The time-skipping test server and the workflow bundle for this folder's tests: the bundle test/global-setup.js built
// for the run when there is one, else one bundle per test file.
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ROTATION_SEARCH_ATTRIBUTE_KEYS } from '../../common/search-attributes';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';

export type WorkflowBundle = NonNullable<WorkerOptions['workflowBundle']>;

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

let runtimeInstalled = false;

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    } catch {
      // installed already in this process
    }
  }
  const executable =
    process.env.TEMPORAL_TEST_SERVER_PATH || path.join(REPO_ROOT, '.tools', 'bin', 'temporal-test-server');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: executable } },
  });
  await registerSearchAttributes(env);
  return env;
}

/** The test server, like a real one, refuses to upsert search attributes it does not know. */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(ROTATION_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, keyword])),
  });
}

export async function workflowBundle(): Promise<WorkflowBundle> {
  const prebuilt = process.env.ROTATION_WORKFLOW_BUNDLE;
  if (prebuilt && fs.existsSync(prebuilt)) return { codePath: prebuilt };
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  return bundleWorkflowCode({ workflowsPath: path.join(REPO_ROOT, 'workflows', 'index.ts'), logger: quiet });
}

export { Worker };
