// The alert end to end: Debian's real Prometheus scrapes a real worker (the one `npm start` builds, real ExchangeClient
// and simulated Exchange Management Shell) serving an organisation whose certificate has expired, with the alert rules
// of deploy/prometheus. ExchangeAuthCertificateExpiresSoon fires before any workflow ran (the worker's own look at
// start); a rotation replaces the certificate; the gauge follows the new certificate and the alert resolves while no
// rotation runs. The rules' `for:` waits are set to 0 here, or the test would wait ten minutes: promtool's unit tests
// (alerts.test.ts) check those. Then every dashboard query runs against this Prometheus.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main as cli } from '../../client/cli';
import { rotationWorkflowId } from '../../common/names';
import type { RotationReport } from '../../common/rotation';
import { freePort } from '../../worker/dev-server';
import { uniqueOrganization } from '../helpers/ids';
import { startSimulatedWorker, SimulatedWorker } from '../helpers/simulated-worker';
import { createDevServerEnv, prometheusRuntime, REPO_ROOT } from '../helpers/temporal';
import { nth } from '../helpers/present';

const PROMETHEUS = process.env.PROMETHEUS_PATH || '/usr/bin/prometheus';
const ALERT = 'ExchangeAuthCertificateExpiresSoon';
const organization = uniqueOrganization('alerts');

let endpoint: string;
let env: TestWorkflowEnvironment;
let worker: SimulatedWorker;
let prometheus: ChildProcess;
let prometheusLog = '';
let api: string;
let dir: string;

beforeAll(async () => {
  // The runtime with a metrics endpoint comes first: the SDK installs one of its own for the first environment.
  endpoint = await prometheusRuntime();
  env = await createDevServerEnv();
  // Frozen, as the emergency tests run it: the copies are imported, not waited for.
  worker = await startSimulatedWorker(env, {
    organization,
    scenario: 'expired',
    acceleration: 0,
    clockRate: 12_000,
    rotationWatchIntervalMs: 500,
  });
  // What the worker does at start (main.ts, start.ts): ask Exchange, and so look at the certificate.
  expect(await worker.workers.probe()).toEqual([expect.objectContaining({ ok: true })]);

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
  const rules = fs
    .readFileSync(path.join(REPO_ROOT, 'deploy', 'prometheus', 'rules.yml'), 'utf8')
    .replace(/^(\s+)for: \S+$/gm, '$1for: 0s');
  fs.writeFileSync(path.join(dir, 'rules.yml'), rules);
  const target = new URL(endpoint).host;
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [rules.yml]',
      'scrape_configs:',
      `  - { job_name: exchange-auth-worker, static_configs: [{ targets: ['${target}'] }] }`,
    ].join('\n'),
  );
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.on('data', (c) => (prometheusLog += c));
  prometheus.stderr?.on('data', (c) => (prometheusLog += c));
}, 180_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await worker?.stop();
  await env?.teardown();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function get<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${api}${pathAndQuery}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error}`);
  return body.data;
}

type Alert = { labels: Record<string, string>; state: string };
const ours = async () =>
  (await get<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.filter(
    (a) => a.labels.alertname === ALERT && a.labels.organization === organization,
  );

async function value(query: string): Promise<number | undefined> {
  const data = await get<{ result: Array<{ value: [number, string] }> }>(
    `/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  return data.result.length ? Number(nth(data.result, 0, 'result').value[1]) : undefined;
}

/** Asks until `done` holds: Prometheus scrapes and evaluates every second. */
async function until<T>(what: string, look: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 240; i++) {
    try {
      last = await look();
      if (done(last)) return last;
    } catch {
      // Prometheus still starting
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} never happened; last: ${JSON.stringify(last)}\n${prometheusLog}`);
}

test('the expiry alert fires before any workflow ran, and resolves once a rotation replaced the certificate', async () => {
  const selector = `{organization="${organization}"}`;
  await until('the alert firing', ours, (a) => a.some((x) => x.state === 'firing'));
  // Expired ten days ago: the days stop at 0, the timestamp says when.
  expect(await value(`exchange_auth_certificate_days_until_expiry${selector}`)).toBe(0);
  expect(await value(`time() - exchange_auth_certificate_expiration_timestamp_seconds${selector}`)).toBeGreaterThan(
    9 * 86400,
  );

  const started = await cli(
    [
      'start',
      organization,
      '--input-json',
      JSON.stringify({ replicationPollInterval: '1s', publicationPollInterval: '1s' }),
    ],
    { client: async () => env.client, out: () => undefined },
  );
  expect(started).toBe(0);
  const report = (await env.client.workflow.getHandle(rotationWorkflowId(organization)).result()) as RotationReport;
  expect(report).toMatchObject({ path: 'replace-now', outcome: 'completed' });

  // No rotation runs any more: what resolves the alert is the certificate, which the gauge now shows.
  await until(
    'the rotation seen as ended',
    () => value(`exchange_auth_rotation_running${selector}`),
    (v) => v === 0,
  );
  await until('the alert resolved', ours, (a) => a.length === 0);
  const days = await value(`exchange_auth_certificate_days_until_expiry${selector}`);
  expect(days).toBeGreaterThan(1800);
  expect(await value(`exchange_auth_rotation_last_outcome{organization="${organization}",outcome="completed"}`)).toBe(
    1,
  );
  expect(await value(`exchange_auth_certificate_ready_status{organization="${organization}",condition="True"}`)).toBe(
    1,
  );

  // The fleet view reads the same gauges from the worker's endpoint.
  const out: string[] = [];
  await cli(['fleet', '--json', '--metrics', endpoint], { client: async () => env.client, out: (l) => out.push(l) });
  const entry = (
    JSON.parse(out.join('\n')) as Array<{
      organization: string;
      certificate: { daysUntilExpiry: number; source: string };
    }>
  ).find((e) => e.organization === organization);
  expect(entry?.certificate).toMatchObject({ source: 'metrics' });
  expect(entry!.certificate.daysUntilExpiry).toBeCloseTo(days!, 0);
}, 300_000);

test('every query of the Grafana dashboard runs on this Prometheus, and the days panel shows the organisation', async () => {
  const dashboard = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'deploy/grafana/dashboards/exchange-auth-certificate.json'), 'utf8'),
  ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  const grafana = (expr: string) =>
    expr
      .replace(/\$organization/g, organization)
      .replace(/\$__range/g, '1h')
      .replace(/\$__rate_interval/g, '1m');
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      await expect(get(`/api/v1/query?query=${encodeURIComponent(grafana(target.expr))}`)).resolves.toBeDefined();
    }
  }
  const days = dashboard.panels.find((p) => p.title === 'Days until the Auth certificate expires')!;
  expect(await value(grafana(nth(days.targets, 0, 'target').expr))).toBeGreaterThan(1800);
});
