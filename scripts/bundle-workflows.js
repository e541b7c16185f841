#!/usr/bin/env node
// After a build: bundles the compiled workflow code once, so a worker starts polling in a second instead of running
// webpack at every start (tens of seconds on a busy two-core host, during which it serves nothing).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.resolve(__dirname, '..', 'dist');
/** worker/worker.ts reads the same file name; keep them in step. */
const BUNDLE = path.join(DIST, 'workflow-bundle.js');

async function main() {
  const { bundleWorkflowCode } = require('@temporalio/worker');
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(DIST, 'workflows', 'index.js'), logger: quiet });
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, BUNDLE);
}

main().catch((error) => {
  console.error(`bundle-workflows: ${error.stack ?? error}`);
  process.exit(1);
});
