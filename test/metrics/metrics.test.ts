// The worker's Prometheus endpoint: the SDK's own metrics and ours on one port, scraped over HTTP after a real check
// ran on the time-skipping test server.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { METRIC_DAYS_UNTIL_EXPIRY, metricsActivityInterceptors, metricsBindAddress } from '../../worker/metrics';
import { certificate, createFakeOrganization, fakeOrganizationActivities } from '../check/fake-org';
import { executableFor, prometheusRuntime } from '../helpers/temporal';
import { uniqueOrganization, uniqueTaskQueue } from '../helpers/ids';

let env: TestWorkflowEnvironment;
let endpoint: string;

beforeAll(async () => {
  endpoint = await prometheusRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executableFor('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server') },
  });
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

test('METRICS_BIND_ADDRESS: off when unset, host:port when set, a clear error otherwise', () => {
  expect(metricsBindAddress({})).toBeUndefined();
  expect(metricsBindAddress({ METRICS_BIND_ADDRESS: '0.0.0.0:9464' })).toBe('0.0.0.0:9464');
  expect(() => metricsBindAddress({ METRICS_BIND_ADDRESS: '9464' })).toThrow(
    'invalid configuration: METRICS_BIND_ADDRESS: must be host:port, e.g. 0.0.0.0:9464',
  );
});

test('days until expiry per organisation next to the SDK metrics, on one endpoint', async () => {
  const organization = uniqueOrganization('metrics');
  const org = createFakeOrganization({ current: certificate(await env.currentTimeMs(), 123) });
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', 'check', 'workflows.ts'),
    logger: quiet,
  });
  const taskQueue = uniqueTaskQueue('metrics');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code },
    activities: fakeOrganizationActivities(org),
    interceptors: { activity: metricsActivityInterceptors(organization) },
  });
  await worker.runUntil(
    env.client.workflow.execute('checkAuthCertificate', {
      taskQueue,
      workflowId: `m-${organization}`,
      args: [{ organization }],
    }),
  );
  let text = '';
  for (let i = 0; i < 50 && !text.includes(METRIC_DAYS_UNTIL_EXPIRY); i++) {
    text = await (await fetch(endpoint)).text();
    if (!text.includes(METRIC_DAYS_UNTIL_EXPIRY)) await new Promise((r) => setTimeout(r, 200));
  }
  const line = text.split('\n').find((l) => l.startsWith(METRIC_DAYS_UNTIL_EXPIRY) && l.includes(organization));
  expect(line).toBeDefined();
  expect(Number(line!.split(' ').pop())).toBeCloseTo(123, 0);
  // The SDK's own metrics are on the same endpoint.
  expect(text).toMatch(/^temporal_[a-z_]+/m);
});

test('a finished rotation counts by outcome and times each phase, on the same endpoint', async () => {
  const organization = uniqueOrganization('metrics');
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet });
  const taskQueue = uniqueTaskQueue('metrics');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { code } });
  const report = {
    organization,
    outcome: 'completed',
    phases: [
      { phase: 'staging', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:30.000Z' },
      { phase: 'replicating', startedAt: '2026-01-01T00:00:30.000Z', endedAt: '2026-01-01T01:00:30.000Z' },
      { phase: 'awaiting-hcw', startedAt: '2026-01-01T01:00:30.000Z' },
    ],
  };
  await worker.runUntil(
    env.client.workflow.execute('recordReport', { taskQueue, workflowId: `r-${organization}`, args: [report] }),
  );
  let lines: string[] = [];
  for (let i = 0; i < 50; i++) {
    lines = (await (await fetch(endpoint)).text()).split('\n').filter((l) => l.includes(organization));
    if (lines.some((l) => l.startsWith('exchange_auth_rotation_phase_seconds_sum'))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const find = (prefix: string, ...labels: string[]) =>
    lines.find((l) => l.startsWith(prefix) && labels.every((label) => l.includes(label)));
  expect(find('exchange_auth_rotations', 'outcome="completed"')).toMatch(/ 1$/);
  expect(Number(find('exchange_auth_rotation_phase_seconds_sum', 'phase="staging"')!.split(' ').pop())).toBe(30);
  expect(Number(find('exchange_auth_rotation_phase_seconds_sum', 'phase="replicating"')!.split(' ').pop())).toBe(3600);
  // A phase still open has no time yet.
  expect(find('exchange_auth_rotation_phase_seconds_sum', 'phase="awaiting-hcw"')).toBeUndefined();
});
