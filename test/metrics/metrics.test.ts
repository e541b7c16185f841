// The worker's Prometheus endpoint: the SDK's own metrics and ours on one port, scraped over HTTP after a real check
// ran on the time-skipping test server.
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { rotationWorkflowId } from '../../common/names';
import {
  METRIC_CERTIFICATE_PRESENT,
  METRIC_DAYS_UNTIL_EXPIRY,
  METRIC_EXPIRATION_TIMESTAMP,
  METRIC_INSPECTION_FAILURES,
  METRIC_READY_STATUS,
  METRIC_LAST_INSPECTION,
  METRIC_PHASE_SECONDS,
  METRIC_ROTATIONS,
} from '../../common/metrics';
import * as metricNames from '../../common/metrics';
import { loadWorkerConfig } from '../../worker/config';
import { CertificateWatch, metricsActivityInterceptors, readyCondition } from '../../worker/metrics';
import { certificate, createFakeOrganization, snapshotOf } from '../check/fake-org';
import type { FakeOrganization } from '../check/fake-org';
import { bundleCheckWorkflows, withCheckWorker } from '../check/harness';
import { endRun, executableFor, prometheusRuntime, REPO_ROOT } from '../helpers/temporal';
import { uniqueOrganization, uniqueTaskQueue } from '../helpers/ids';
import { eventually } from '../helpers/eventually';

let env: TestWorkflowEnvironment;
let endpoint: string;
let checkWorkflows: string;

beforeAll(async () => {
  // This file's process gets a Runtime with Prometheus before any environment is created.
  endpoint = await prometheusRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executableFor('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server') },
  });
  checkWorkflows = await bundleCheckWorkflows();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

test('docs/operations.md lists exactly the metric names the code records', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Metrics'), doc.indexOf('\n## ', doc.indexOf('## Metrics') + 1));
  const documented = [...table.matchAll(/^\| `(exchange_auth_[a-z_]+)`/gm)].map((m) => m[1]);
  const recorded = Object.values(metricNames).filter((v) => typeof v === 'string' && v.startsWith('exchange_auth_'));
  expect(documented.sort()).toEqual(recorded.sort());
});

test('METRICS_BIND_ADDRESS, as the worker reads it: off when unset or empty, host:port when set, an error otherwise', () => {
  const base = { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_SIM_STATE: '/tmp/contoso.json' };
  expect(loadWorkerConfig(base).metricsBindAddress).toBeUndefined();
  expect(loadWorkerConfig({ ...base, METRICS_BIND_ADDRESS: ' ' }).metricsBindAddress).toBeUndefined();
  expect(loadWorkerConfig({ ...base, METRICS_BIND_ADDRESS: '0.0.0.0:9464' }).metricsBindAddress).toBe('0.0.0.0:9464');
  expect(() => loadWorkerConfig({ ...base, METRICS_BIND_ADDRESS: '9464' })).toThrow(
    'invalid configuration: METRICS_BIND_ADDRESS: must be host:port, e.g. 0.0.0.0:9464',
  );
});

test('days until expiry per organisation next to the SDK metrics, on one endpoint', async () => {
  const organization = uniqueOrganization('metrics');
  const org = createFakeOrganization({ current: certificate(await env.currentTimeMs(), 123) });
  await withCheckWorker(
    { env, code: checkWorkflows },
    org,
    (taskQueue) =>
      env.client.workflow.execute('checkAuthCertificate', {
        taskQueue,
        workflowId: `m-${organization}`,
        args: [{ organization }],
      }),
    { organization, interceptors: { activity: metricsActivityInterceptors(organization) } },
  );
  const text = await eventually(
    async () => (await fetch(endpoint)).text(),
    (t) => t.includes(METRIC_DAYS_UNTIL_EXPIRY),
    { intervalMs: 200 },
  );
  const line = text.split('\n').find((l) => l.startsWith(METRIC_DAYS_UNTIL_EXPIRY) && l.includes(organization));
  // The organisation is its only label: no activity type, task queue or namespace of whichever inspection set it.
  expect(line).toMatch(new RegExp(`^${METRIC_DAYS_UNTIL_EXPIRY}\\{organization="${organization}"\\} `));
  expect(Number(line!.split(' ').pop())).toBeCloseTo(123, 0);
  // The SDK's own metrics are on the same endpoint.
  expect(text).toMatch(/^temporal_[a-z_]+/m);
});

/** The endpoint's lines about one organisation, once `ready` holds for them (the SDK exports on an interval). */
async function scrape(organization: string, ready: (lines: string[]) => boolean): Promise<string[]> {
  const lines = await eventually(
    async () =>
      (await (await fetch(endpoint)).text()).split('\n').filter((l) => l.includes(`organization="${organization}"`)),
    ready,
    { intervalMs: 200 },
  );
  if (!ready(lines)) throw new Error(`metrics never matched: ${lines.join('\n')}`);
  return lines;
}

/** The value of the first line of `metric`; `metric` may carry the start of its labels, `name{condition="True"`. */
const valueOf = (lines: string[], metric: string): number | undefined => {
  const line = lines.find((l) => l.startsWith(metric.includes('{') ? metric : `${metric}{`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

test('no current certificate: present 0 and days NaN (not the last value); a failed inspection is counted', async () => {
  const organization = uniqueOrganization('metrics');
  const org = createFakeOrganization({ current: certificate(await env.currentTimeMs(), 123) });
  const checks = async (taskQueue: string) => {
    const check = (n: number) =>
      env.client.workflow.execute('checkAuthCertificate', {
        taskQueue,
        workflowId: `m-${organization}-${n}`,
        args: [{ organization }],
      });
    await check(1);
    const first = await scrape(organization, (l) => valueOf(l, METRIC_DAYS_UNTIL_EXPIRY) !== undefined);
    expect(valueOf(first, METRIC_DAYS_UNTIL_EXPIRY)).toBeCloseTo(123, 0);
    expect(valueOf(first, METRIC_CERTIFICATE_PRESENT)).toBe(1);
    const lastSuccess = valueOf(first, METRIC_LAST_INSPECTION)!;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(60);

    org.current = null;
    await check(2);
    await endRun(env.client.workflow.getHandle(rotationWorkflowId(organization)));
    const missing = await scrape(organization, (l) => valueOf(l, METRIC_CERTIFICATE_PRESENT) === 0);
    expect(valueOf(missing, METRIC_DAYS_UNTIL_EXPIRY)).toBeNaN();
    const afterMissing = valueOf(missing, METRIC_LAST_INSPECTION)!;
    expect(afterMissing).toBeGreaterThanOrEqual(lastSuccess);

    org.inspectionFails = ApplicationFailure.create({ type: 'AccessDeniedError', message: 'access denied' });
    await expect(check(3)).rejects.toThrow();
    const failed = await scrape(organization, (l) => valueOf(l, METRIC_INSPECTION_FAILURES) === 1);
    // The last success stays where it was: staleness shows as time since then.
    expect(valueOf(failed, METRIC_LAST_INSPECTION)).toBe(afterMissing);
  };
  await withCheckWorker({ env, code: checkWorkflows }, org, checks, {
    organization,
    interceptors: { activity: metricsActivityInterceptors(organization) },
  });
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
      // 49 hours: a phase that lasts days needs buckets that reach that far.
      {
        phase: 'waiting-for-effective-date',
        startedAt: '2026-01-01T01:00:30.000Z',
        endedAt: '2026-01-03T02:00:30.000Z',
      },
      { phase: 'awaiting-hcw', startedAt: '2026-01-03T02:00:30.000Z' },
    ],
  };
  await worker.runUntil(
    env.client.workflow.execute('recordReport', { taskQueue, workflowId: `r-${organization}`, args: [report] }),
  );
  const lines = await eventually(
    async () => (await (await fetch(endpoint)).text()).split('\n').filter((l) => l.includes(organization)),
    (found) => found.some((l) => l.startsWith(`${METRIC_PHASE_SECONDS}_sum`)),
    { intervalMs: 200 },
  );
  // Exposed under the name itself, then the labels: a counter gets no `_total` from the SDK's exporter.
  const find = (name: string, ...labels: string[]) =>
    lines.find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  expect(find(METRIC_ROTATIONS, 'outcome="completed"')).toMatch(/ 1$/);
  expect(Number(find(`${METRIC_PHASE_SECONDS}_sum`, 'phase="staging"')!.split(' ').pop())).toBe(30);
  expect(Number(find(`${METRIC_PHASE_SECONDS}_sum`, 'phase="replicating"')!.split(' ').pop())).toBe(3600);
  const bucket = (le: string) =>
    Number(
      find(`${METRIC_PHASE_SECONDS}_bucket`, 'phase="waiting-for-effective-date"', `le="${le}"`)!.split(' ').pop(),
    );
  expect([bucket('86400'), bucket('172800'), bucket('259200'), bucket('1209600')]).toEqual([0, 0, 1, 1]);
  // A phase still open has no time yet.
  expect(find(`${METRIC_PHASE_SECONDS}_sum`, 'phase="awaiting-hcw"')).toBeUndefined();
});

describe('the certificate gauges follow the current certificate', () => {
  test('before any workflow ran: the worker looks itself (as it does at start)', async () => {
    const organization = uniqueOrganization('metrics');
    const org = createFakeOrganization({ current: certificate(Date.now(), 300) });
    const watch = new CertificateWatch(organization, async () => snapshotOf(org, Date.now()));
    await watch.lookNow();
    const lines = await scrape(organization, (l) => valueOf(l, METRIC_DAYS_UNTIL_EXPIRY) !== undefined);
    expect(valueOf(lines, METRIC_DAYS_UNTIL_EXPIRY)).toBeCloseTo(300, 0);
    expect(valueOf(lines, METRIC_EXPIRATION_TIMESTAMP)).toBeCloseTo(Date.parse(org.current!.notAfter) / 1000, 0);
    expect(valueOf(lines, `${METRIC_READY_STATUS}{condition="True"`)).toBe(1);
  });

  test('an activity reporting another current thumbprint makes the worker look again: the new certificate counts', async () => {
    const organization = uniqueOrganization('metrics');
    const org = createFakeOrganization({ current: certificate(await env.currentTimeMs(), 40) });
    const watch = new CertificateWatch(organization, async () => snapshotOf(org, await env.currentTimeMs()));
    const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet });
    const taskQueue = uniqueTaskQueue('metrics');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { code },
      activities: {
        // Publication: Exchange now names another certificate as current.
        publishCertificate: async () => {
          org.current = certificate(await env.currentTimeMs(), 1826);
          return { currentThumbprint: org.current.thumbprint };
        },
      },
      interceptors: { activity: watch.interceptors() },
    });
    await worker.runUntil(async () => {
      await watch.lookNow();
      const before = await scrape(organization, (l) => valueOf(l, METRIC_DAYS_UNTIL_EXPIRY) !== undefined);
      expect(valueOf(before, METRIC_DAYS_UNTIL_EXPIRY)).toBeCloseTo(40, 0);
      await env.client.workflow.execute('publishOnly', { taskQueue, workflowId: `p-${organization}` });
      const after = await scrape(organization, (l) => (valueOf(l, METRIC_DAYS_UNTIL_EXPIRY) ?? 0) > 1000);
      expect(valueOf(after, METRIC_DAYS_UNTIL_EXPIRY)).toBeCloseTo(1826, 0);
    });
  });

  test("a look older (by Exchange's clock) than the one recorded does not put an older certificate back", async () => {
    const organization = uniqueOrganization('metrics');
    const watch = new CertificateWatch(organization);
    const now = Date.now();
    const older = snapshotOf(createFakeOrganization({ current: certificate(now, 20) }), now - 60_000);
    const newer = snapshotOf(createFakeOrganization({ current: certificate(now, 1826) }), now);
    watch.record(newer);
    watch.record(older);
    const lines = await scrape(organization, (l) => valueOf(l, METRIC_DAYS_UNTIL_EXPIRY) !== undefined);
    expect(valueOf(lines, METRIC_DAYS_UNTIL_EXPIRY)).toBeCloseTo(1826, 0);
  });
});

test.each<[string, Partial<FakeOrganization>, string]>([
  ['every server has a valid certificate', {}, 'True'],
  ['one server lacks it', { missingOn: ['EX2'] }, 'False'],
  ['there is none', { current: null }, 'False'],
  ['one server does not answer', { unreachable: ['EX2'] }, 'Unknown'],
])('Ready is %s -> %s', (_, change, condition) => {
  const now = Date.now();
  const org = createFakeOrganization({ current: certificate(now, 100), ...change });
  expect(readyCondition(snapshotOf(org, now))).toBe(condition);
});
