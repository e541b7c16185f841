// The HCW step as people meet it: the worker's webhook tells them (a real HTTP server on localhost), and someone
// decides the wizard need not be re-run and says so with `cli skip-hcw`. The report records who and why.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main as cli } from '../../client/cli';
import { rotationHandle, startRotation } from '../../client/rotation';
import { rotationWorkflowId } from '../../common/names';
import type { RotationNotification, RotationReport, RotationStatus } from '../../common/rotation';
import { demoInput } from '../../scripts/demo';
import { loadWorkerConfig } from '../../worker/config';
import { createRotationWorkers, RotationWorkers } from '../../worker/worker';
import { statusQuery } from '../../workflows/messages';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { createDevServerEnv, workflowBundlePath } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

const CLOCK_RATE = 12_000;
let env: TestWorkflowEnvironment;
let sim: SimulatedOrganization;
let workers: RotationWorkers;
let running: Promise<void>;
let hook: http.Server;
const received: RotationNotification[] = [];
const organization = uniqueOrganization('skip');

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  env = await createDevServerEnv();
  sim = await createSimulatedOrganization('hybrid', { acceleration: CLOCK_RATE });
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATION: organization,
    EXCHANGE_SIM_STATE: sim.stateFile,
    EXCHANGE_CLOCK_RATE: String(CLOCK_RATE),
    NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
    WORKER_SHUTDOWN_GRACE: '10s',
  });
  workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
  });
  running = workers.run();
});

afterAll(async () => {
  workers?.shutdown();
  await running;
  await env?.teardown();
  sim?.cleanup();
  await new Promise<void>((r) => hook.close(() => r()));
});

test('the webhook asks for the HCW step; skip-hcw finishes the rotation and the report says who and why', async () => {
  const handle = await startRotation(env.client, demoInput(organization));
  const status = await eventually(
    (): Promise<RotationStatus | undefined> =>
      rotationHandle(env.client, organization)
        .query(statusQuery)
        .catch(() => undefined),
    (s) => s?.hcw.status === 'waiting' || s?.phase === 'done' || s?.phase === 'failed',
    { timeoutMs: 180_000 },
  );
  expect(status?.hcw.status).toBe('waiting');

  // The notification reached the webhook before anyone had to look at the UI.
  await eventually(
    async () => received,
    (r) => r.some((n) => n.kind === 'action-required'),
  );
  expect(received).toContainEqual(
    expect.objectContaining({
      organization,
      workflowId: rotationWorkflowId(organization),
      kind: 'action-required',
      text: expect.stringMatching(/Hybrid Configuration Wizard/),
    }),
  );

  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), client: async () => env.client };
  const code = await cli(
    ['skip-hcw', organization, '--by', 'Ann Admin', '--reason', 'no hybrid features in use since the migration'],
    io,
  );
  expect({ code, lines }).toEqual({
    code: 0,
    lines: [`recorded HCW skipped by Ann Admin on ${rotationWorkflowId(organization)}`],
  });

  const report = (await handle.result()) as RotationReport;
  expect(report.outcome).toBe('completed');
  expect(report.hcw).toMatchObject({
    status: 'skipped',
    by: 'Ann Admin',
    reason: 'no hybrid features in use since the migration',
  });
  expect(report.hcw.at).toEqual(expect.any(String));
});
