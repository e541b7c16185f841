// deploy/grafana: the dashboard shows what issue 11 asks for (days to expiry per organisation, rotations by outcome,
// phase durations, activity failures by type) from the provisioned Prometheus, and every metric it queries is one the
// worker exports: the rotation's names from common/metrics.ts, the SDK's as a real worker's endpoint shows them after
// an activity failed once.
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { parse } from 'yaml';
import * as metricNames from '../../common/metrics';
import { activityTaskQueueFor } from '../../common/names';
import { uniqueId, uniqueOrganization } from '../helpers/ids';
import { createTimeSkippingEnv, prometheusRuntime, REPO_ROOT } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { nth } from '../helpers/present';

interface Panel {
  title: string;
  datasource: { uid: string };
  targets: Array<{ expr: string; datasource: { uid: string } }>;
}
const dashboard = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'deploy/grafana/dashboards/exchange-auth-certificate.json'), 'utf8'),
) as { uid: string; panels: Panel[]; templating: { list: Array<{ datasource: { uid: string } }> } };
const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
/** The metric names a query reads: the rotation's (exchange_auth_*) and the SDK's (temporal_*). */
const namesIn = (expr: string) =>
  [...expr.matchAll(/\b((?:exchange_auth|temporal)_[a-z_]+)\b/g)].map((m) => nth(m, 1, 'metric'));

let endpoint: string;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  endpoint = await prometheusRuntime();
  env = await createTimeSkippingEnv();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

test.each([
  [
    'days to expiry per organisation',
    /exchange_auth_certificate_days_until_expiry\{organization=~"\$organization"\}/,
    /\{\{organization\}\}/,
  ],
  ['rotations by outcome', /sum by \(outcome\) \(increase\(exchange_auth_rotations/, /\{\{outcome\}\}/],
  ['phase durations', /exchange_auth_rotation_phase_seconds_(sum|bucket)/, /\{\{phase\}\}/],
  [
    'activity failures by type',
    /sum by \(activity_type\) \(increase\(temporal_activity_execution_failed/,
    /\{\{activity_type\}\}/,
  ],
])('a panel shows %s', (_, query, legend) => {
  const panel = dashboard.panels.find((p) => p.targets.some((t) => query.test(t.expr)));
  expect(panel).toBeDefined();
  expect(JSON.stringify(panel!.targets)).toMatch(legend);
});

test('every query reads the provisioned Prometheus', () => {
  const provisioned = parse(
    fs.readFileSync(path.join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
  ) as { datasources: Array<{ uid: string }> };
  const uid = nth(provisioned.datasources, 0, 'datasource').uid;
  for (const p of dashboard.panels) {
    expect(p.datasource.uid).toBe(uid);
    for (const t of p.targets) expect(t.datasource.uid).toBe(uid);
  }
  for (const v of dashboard.templating.list) expect(v.datasource.uid).toBe(uid);
});

test('every metric the dashboard queries is one the worker exports', async () => {
  const ours = new Set(
    Object.values(metricNames as Record<string, unknown>).filter((v): v is string => typeof v === 'string'),
  );
  const organization = uniqueOrganization('dashboard');
  const taskQueue = activityTaskQueueFor(organization);
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code },
    activities: {
      async flaky() {
        if (Context.current().info.attempt === 1) throw new Error('the first attempt fails');
        return 'ok';
      },
    },
  });
  await worker.runUntil(env.client.workflow.execute('retriedOnce', { taskQueue, workflowId: uniqueId('dash') }));
  const exposed = await eventually(
    async () => (await fetch(endpoint)).text(),
    (text) => text.includes(`task_queue="${taskQueue}"`),
    { intervalMs: 200 },
  );
  const sdk = new Set(
    exposed
      .split('\n')
      .map((l) => /^(temporal_[a-z_]+)/.exec(l)?.[1])
      .filter(Boolean),
  );
  expect(exposed).toMatch(
    new RegExp(
      `^temporal_activity_execution_failed\\{.*activity_type="flaky".*task_queue="${taskQueue.replace('.', '\\.')}"`,
      'm',
    ),
  );
  const used = exprs.flatMap(namesIn);
  expect(used.length).toBeGreaterThan(10);
  for (const name of used) {
    // A histogram is exposed as its _bucket, _sum and _count series.
    const histogram = name.replace(/_(bucket|sum|count)$/, '') === metricNames.METRIC_PHASE_SECONDS;
    const known = name.startsWith('temporal_') ? sdk.has(name) : ours.has(name) || histogram;
    expect({ name, known }).toEqual({ name, known: true });
  }
});
