// deploy/prometheus: the alert rules and their unit tests, run by the real promtool (Debian's prometheus package;
// .ci/run installs it). The rule tests must pass, and must fail when a rule is wrong; every metric a rule reads is one
// the worker exports; docs/operations.md names every alert.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import * as metricNames from '../../common/metrics';
import { REPO_ROOT } from '../helpers/temporal';
import { nth } from '../helpers/present';

const DIR = path.join(REPO_ROOT, 'deploy', 'prometheus');
const PROMTOOL = process.env.PROMTOOL_PATH || '/usr/bin/promtool';

function promtool(...args: string[]) {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is needed (apt-get install prometheus, as .ci/run does): ${r.error.message}`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const rules = parse(fs.readFileSync(path.join(DIR, 'rules.yml'), 'utf8')) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
};
const alerts = rules.groups.flatMap((g) => g.rules);

test('promtool: the rules and the configuration are valid, and the rule tests pass', () => {
  expect(promtool('check', 'rules', path.join(DIR, 'rules.yml'))).toMatchObject({ status: 0 });
  expect(promtool('check', 'config', path.join(DIR, 'prometheus.yml'))).toMatchObject({ status: 0 });
  const tests = promtool('test', 'rules', path.join(DIR, 'rules.test.yml'));
  expect(tests.out).toContain('SUCCESS');
  expect(tests.status).toBe(0);
});

test.each([
  ['the expiry threshold moved', (t: string) => t.replace('days_until_expiry < 60', 'days_until_expiry < 30')],
  [
    'no rotation check',
    (t: string) => t.replace(/\n\s*unless on \(organization\) exchange_auth_rotation_running == 1/, ''),
  ],
  [
    'a day waited becomes two',
    (t: string) => t.replace('awaiting_person_seconds > 86400', 'awaiting_person_seconds > 172800'),
  ],
  [
    'cancelled counts as failed',
    (t: string) => t.replace('outcome=~"stopped|failed"', 'outcome=~"stopped|failed|cancelled"'),
  ],
])('the rule tests fail when a rule is wrong: %s', (_, change) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
  try {
    const original = fs.readFileSync(path.join(DIR, 'rules.yml'), 'utf8');
    const broken = change(original);
    expect(broken).not.toBe(original);
    fs.writeFileSync(path.join(dir, 'rules.yml'), broken);
    fs.copyFileSync(path.join(DIR, 'rules.test.yml'), path.join(dir, 'rules.test.yml'));
    const r = promtool('test', 'rules', path.join(dir, 'rules.test.yml'));
    expect(r.out).toContain('FAILED');
    expect(r.status).not.toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the four alerts issue 11 asks for, and the two beside them', () => {
  expect(alerts.map((a) => a.alert)).toEqual([
    'ExchangeAuthCertificateExpiresSoon',
    'ExchangeAuthCertificateExpired',
    'ExchangeAuthRotationAwaitingPerson',
    'ExchangeAuthRotationStoppedOrFailed',
    'ExchangeAuthInspectionStale',
    'ExchangeAuthWorkerDown',
  ]);
});

test("every metric a rule reads is one the worker exports (or Prometheus' own up)", () => {
  const exported = new Set(
    Object.values(metricNames as Record<string, unknown>).filter((v): v is string => typeof v === 'string'),
  );
  for (const { alert, expr } of alerts) {
    const used = [...expr.matchAll(/\b(exchange_auth_[a-z_]+|up)\b(?=\s*[{\s<>=!]|$)/g)].map((m) =>
      nth(m, 1, 'metric'),
    );
    expect({ alert, used: used.length > 0 }).toEqual({ alert, used: true });
    for (const name of used)
      expect({ alert, name, known: name === 'up' || exported.has(name) }).toMatchObject({ known: true });
  }
});

test('docs/operations.md names every alert', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  for (const { alert } of alerts) expect(doc).toContain(`\`${alert}\``);
});
