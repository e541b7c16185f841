// The workflow bundle for this folder's tests: the one test/global-setup.js built for the run when there is one, else
// one bundle per test file (a test file run on its own). The servers come from the shared helpers.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkerOptions } from '@temporalio/worker';
import { BUNDLE_ENV, createTimeSkippingEnv, REPO_ROOT } from '../helpers/temporal';

export type WorkflowBundle = NonNullable<WorkerOptions['workflowBundle']>;

export async function workflowBundle(): Promise<WorkflowBundle> {
  const prebuilt = process.env[BUNDLE_ENV];
  if (prebuilt && fs.existsSync(prebuilt)) return { codePath: prebuilt };
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  return bundleWorkflowCode({ workflowsPath: path.join(REPO_ROOT, 'workflows', 'index.ts'), logger: quiet });
}

export { createTimeSkippingEnv, Worker };
