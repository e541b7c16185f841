// The Temporal Web UI as a person uses it, in a real browser (Debian's chromium driven by playwright-core): start a
// rotation from the Start Workflow form, see it wait for the Hybrid Configuration Wizard in its details, send
// hcwCompletedSignal from the signal dialog, see it complete. Against the dev server `npm start` runs (with its UI) and
// a real worker on a simulated hybrid organisation whose clock runs fast. Screenshots of each step, of this run only:
// test-artifacts/browser/ (5-completed.png shows the run's Result: outcome and the HCW record).
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { rotationWorkflowId, ROTATE_WORKFLOW_TYPE, taskQueueFor } from '../../common/names';
import type { RotationReport, RotationStatus } from '../../common/rotation';
import { demoInput } from '../../scripts/demo';
import { loadWorkerConfig } from '../../worker/config';
import { DevServer, freePort, startDevServer } from '../../worker/dev-server';
import { createRotationWorkers, RotationWorkers } from '../../worker/worker';
import { statusQuery } from '../../workflows/messages';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { quietRuntime, REPO_ROOT, workflowBundlePath } from '../helpers/temporal';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'browser');
/** Exchange seconds per real second: the 49-hour effective date passes in about 15 s. */
const CLOCK_RATE = 12_000;

let server: DevServer;
let sim: SimulatedOrganization;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let workers: RotationWorkers;
let running: Promise<void>;
let browser: Browser;
const organization = uniqueOrganization('ui');

beforeAll(async () => {
  // No skip: without chromium this test fails and says how to get it (.ci/run installs it).
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  // This run's screenshots only: a leftover from an earlier run (a failed-*.png) would pass for this one's.
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  quietRuntime();
  server = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    logFile: path.join(ARTIFACTS, 'temporal.log'),
  });
  sim = await createSimulatedOrganization('hybrid', { acceleration: CLOCK_RATE });
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: server.address,
    EXCHANGE_ORGANIZATION: organization,
    EXCHANGE_SIM_STATE: sim.stateFile,
    EXCHANGE_CLOCK_RATE: String(CLOCK_RATE),
    WORKER_SHUTDOWN_GRACE: '10s',
  });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  workers = await createRotationWorkers({
    config,
    connection: nativeConnection,
    workflowBundlePath: workflowBundlePath(),
  });
  running = workers.run();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  workers?.shutdown();
  await running?.catch(() => undefined);
  await nativeConnection?.close();
  await connection?.close();
  await server?.stop();
  sim?.cleanup();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Polls the workflow's own status (the same the UI's details show) until it matches. */
async function waitForStatus(predicate: (s: RotationStatus) => boolean, timeoutMs: number): Promise<RotationStatus> {
  const handle = client.workflow.getHandle(rotationWorkflowId(organization));
  const deadline = Date.now() + timeoutMs;
  let last: RotationStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // not started yet, or the first workflow task has not run
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
}

/** The form navigates to the new workflow; Temporal knows it. */
async function waitForStarted(workflowId: string, page: Page): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.workflow.getHandle(workflowId).describe();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        await shot(page, 'failed-start');
        throw new Error(`the Start Workflow form did not start ${workflowId}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

test('start from the form, wait for HCW in the details, signal from the dialog, see it complete', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const workflowId = rotationWorkflowId(organization);
  const input = demoInput(organization);

  // 1. The Start Workflow form.
  await page.goto(`${server.uiUrl}/namespaces/default/workflows/start-workflow`);
  await page.getByTestId('workflowId').fill(workflowId);
  await page.getByTestId('taskQueue').fill(taskQueueFor(organization));
  await page.getByTestId('workflowType').fill(ROTATE_WORKFLOW_TYPE);
  const editor = page.getByRole('textbox', { name: 'Data' });
  await editor.click();
  await page.keyboard.insertText(JSON.stringify(input));
  // Leaving the editor reformats the JSON and moves the button: leave it first, then press the button.
  await page.getByRole('heading', { name: 'Start Workflow' }).click();
  await shot(page, '1-start-workflow-form');
  await page.getByTestId('start-workflow-button').click();
  await waitForStarted(workflowId, page);

  // 2. It runs and reaches the HCW step; its details say what it waits for.
  await waitForStatus((s) => s.phase === 'awaiting-hcw', 240_000);
  await page.goto(`${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await page.getByTestId('workflow-id-heading').waitFor({ timeout: 30_000 });
  // The workflow's current details (setCurrentDetails): its phase and what a person must do.
  await page.getByRole('tab', { name: 'User Metadata' }).or(page.getByText('User Metadata')).first().click();
  // The UI renders the details' markdown in a sandboxed frame.
  await page
    .frameLocator('iframe')
    .getByText(/awaiting-hcw/)
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(async (e: unknown) => {
      await shot(page, 'failed-details');
      fs.writeFileSync(path.join(ARTIFACTS, 'workflow-page.html'), await page.content());
      throw e;
    });
  // What a person must send, as JSON they can copy: straight quotes, placeholder included.
  await page
    .frameLocator('iframe')
    .getByText('{"by": "<your name>", "note": "..."}')
    .first()
    .waitFor({ timeout: 10_000 })
    .catch(async (e: unknown) => {
      await shot(page, 'failed-placeholder');
      throw e;
    });
  await shot(page, '2-waiting-for-hcw');

  // 3. The signal dialog lists the workflow's signals (their handlers carry descriptions).
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page
    .getByRole('menuitem', { name: /signal/i })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
  await dialog.locator('button', { has: page.getByTestId('signal-select') }).click();
  const signalOption = page.getByRole('option', { name: /hcwCompletedSignal/ }).first();
  await signalOption.waitFor();
  await shot(page, '3-signal-dialog-open');
  // Listed with the description its handler carries.
  expect(await signalOption.innerText()).toContain('The Hybrid Configuration Wizard was re-run');
  await signalOption.click();
  await dialog.getByRole('textbox', { name: 'Data' }).or(dialog.locator('.cm-content')).first().click();
  await page.keyboard.insertText(JSON.stringify({ by: 'ui-operator', note: 'HCW re-run from the browser test' }));
  await dialog.getByText('Encoding').click();
  await shot(page, '4-signal-dialog-filled');
  await dialog.getByRole('button', { name: 'Submit' }).click();

  // 4. Completed.
  const report = (await client.workflow.getHandle(workflowId).result()) as RotationReport;
  expect(report.outcome).toBe('completed');
  expect(report.hcw).toMatchObject({
    status: 'completed',
    by: 'ui-operator',
    note: 'HCW re-run from the browser test',
  });
  // 5. The outcome as the UI shows it: the run's Result, the outcome and the HCW record first.
  await page.reload();
  await page.getByTestId('execution-status').getByText('Completed', { exact: false }).waitFor({ timeout: 30_000 });
  await page.getByTestId('history-tab').click();
  const panel = page.getByTestId('input-and-result');
  const result = panel.getByRole('textbox', { name: 'Result' });
  const line = (text: string) => result.locator('.cm-line', { hasText: text }).first();
  await line('"outcome": "completed"').waitFor({ timeout: 30_000 });
  // The outcome line at the top of the Result box; the HCW record follows within it.
  const scroller = panel.locator('.cm-scroller').last();
  const visible = (await scroller.boundingBox())!;
  const outcomeTop = (await line('"outcome": "completed"').boundingBox())!.y;
  await scroller.evaluate((el, by) => el.scrollBy(0, by), outcomeTop - visible.y - 8);
  for (const text of ['"outcome": "completed"', '"status": "completed"', '"by": "ui-operator"']) {
    const box = (await line(text).boundingBox())!;
    expect({ text, inside: box.y >= visible.y && box.y + box.height <= visible.y + visible.height }).toEqual({
      text,
      inside: true,
    });
  }
  await shot(page, '5-completed');
  expect(fs.readdirSync(ARTIFACTS).sort()).toEqual([
    '1-start-workflow-form.png',
    '2-waiting-for-hcw.png',
    '3-signal-dialog-open.png',
    '4-signal-dialog-filled.png',
    '5-completed.png',
    'temporal.log',
  ]);
}, 420_000);
