// Runs once before all test files. `npm test` builds first (pretest); the simulated shell runs from dist/.
// It also bundles the workflow code once for the whole run: every test worker reuses that bundle instead of running
// webpack per test file (seconds each, on two shared cores).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.join(__dirname, '..');
const BUNDLE_ENV = 'ROTATION_WORKFLOW_BUNDLE';
const BUNDLE_ERROR_ENV = 'ROTATION_WORKFLOW_BUNDLE_ERROR';

/** The same path for every process of one checkout; test/helpers/temporal.ts computes it the same way. */
function defaultBundlePath() {
  const key = crypto.createHash('sha256').update(path.resolve(ROOT)).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `exchange-auth-cert-workflows-${key}.js`);
}

async function bundleWorkflows() {
  const workflowsPath = path.join(ROOT, 'workflows', 'index.ts');
  if (!fs.existsSync(workflowsPath)) return; // nothing to bundle yet; helpers that need it say so
  const { bundleWorkflowCode } = require('@temporalio/worker');
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  const file = process.env[BUNDLE_ENV] || defaultBundlePath();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
  // Jest starts its test workers after global setup, so they inherit this.
  process.env[BUNDLE_ENV] = file;
}

module.exports = async function globalSetup() {
  for (const built of [path.join(ROOT, 'dist', 'worker'), path.join(ROOT, 'simulator', 'dist', 'shell')]) {
    if (!fs.existsSync(built)) {
      throw new Error(`${built} is missing: run "npm test" (which builds first) or "npm run build" before jest`);
    }
  }
  try {
    await bundleWorkflows();
  } catch (error) {
    // A workflow that does not bundle fails the tests that need it (with this message), not every other suite.
    fs.rmSync(process.env[BUNDLE_ENV] || defaultBundlePath(), { force: true });
    process.env[BUNDLE_ERROR_ENV] = String(error && error.message ? error.message : error).slice(0, 4000);
  }
};

module.exports.BUNDLE_ENV = BUNDLE_ENV;
module.exports.defaultBundlePath = defaultBundlePath;
