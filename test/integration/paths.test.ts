// Every path of the rotation through the real stack (dev server, one worker process serving several organisations,
// the real ExchangeClient and the simulated shell), each against the simulated scenario that calls for it. The facts
// are read back from the simulated organisations, not only from the reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createExchangeClient } from '../../activities/powershell/client';
import { ShellSessionPool } from '../../activities/powershell/pool';
import { startRotation } from '../../client/rotation';
import type { RotationInputJson, RotationReport } from '../../common/rotation';
import { createOrganization, loadOrganization, signInProbe } from 'simulated-exchange';
import type { ScenarioName } from 'simulated-exchange';
import { loadWorkerConfig } from '../../worker/config';
import { createRotationWorkers, RotationWorkers } from '../../worker/worker';
import { uniqueOrganization } from '../helpers/ids';
import { createDevServerEnv, workflowBundlePath } from '../helpers/temporal';

const CLOCK_RATE = 12_000;
const SCENARIOS = ['expired', 'two-sites', 'healthy', 'unreachable', 'missing-on-one', 'child-domain'] as const;

let env: TestWorkflowEnvironment;
let workers: RotationWorkers;
let running: Promise<void>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paths-'));
const orgs = Object.fromEntries(SCENARIOS.map((s) => [s, uniqueOrganization(s)])) as Record<
  (typeof SCENARIOS)[number],
  string
>;
const stateFile = (org: string) => path.join(dir, `${org.toLowerCase()}.json`);
/** Expired, with a valid next certificate a person staged on the first server before the outage. */
const expiredStaged = uniqueOrganization('expired-staged');
let stagedThumbprint: string;

/** What a person (or an earlier run) did through the shell: create a certificate on EX1 and stage it 49 hours ahead. */
async function stageNextByHand(org: string): Promise<string> {
  const pool = new ShellSessionPool();
  const exchange = createExchangeClient({ simulatorState: stateFile(org) }, { pool });
  try {
    const [first] = (await exchange.getExchangeServers()).sort((a, b) => a.name.localeCompare(b.name));
    const made = await exchange.newAuthCertificate({ server: first!.fqdn, services: 'None' });
    const effective = Date.parse(await exchange.getServerTime()) + 49 * 3_600_000;
    await exchange.stageNextCertificate(
      made.thumbprint,
      { kind: 'absolute', iso: new Date(effective).toISOString() },
      false,
    );
    return made.thumbprint;
  } finally {
    await pool.closeAll();
  }
}

beforeAll(async () => {
  env = await createDevServerEnv();
  for (const scenario of SCENARIOS) {
    // Frozen clocks where a running servicelet would do the work first: copy the missing certificate before the
    // rotation looks, or publish the emergency certificate before -PublishCertificate does.
    const acceleration = scenario === 'missing-on-one' || scenario === 'expired' ? 0 : CLOCK_RATE;
    await createOrganization(scenario as ScenarioName, stateFile(orgs[scenario]), { acceleration });
  }
  await createOrganization('expired', stateFile(expiredStaged), { acceleration: 0 });
  stagedThumbprint = await stageNextByHand(expiredStaged);
  // One worker process for all of them: a task queue and a state file per organisation.
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATIONS: [...Object.values(orgs), expiredStaged].join(','),
    EXCHANGE_SIM_STATE: path.join(dir, '{organization}.json'),
    EXCHANGE_CLOCK_RATE: String(CLOCK_RATE),
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
  fs.rmSync(dir, { recursive: true, force: true });
});

const fast = {
  replicationPollInterval: '1s',
  publicationPollInterval: '1s',
  crossSiteImportAfter: '3s',
  hcwReminderInterval: '1h',
};

async function rotate(organization: string, input: Partial<RotationInputJson> = {}): Promise<RotationReport> {
  const handle = await startRotation(env.client, { organization, ...fast, ...input });
  return (await handle.result()) as RotationReport;
}

function organisation(org: string) {
  return loadOrganization(stateFile(org));
}

function everyServerSignsIn(org: string): string[] {
  const { org: o, now } = organisation(org);
  return o.servers
    .map((s) => signInProbe(o, s, now))
    .filter((p) => !p.works)
    .map((p) => `${p.server}: ${p.reason}`);
}

test('emergency: an expired certificate is replaced now and published at once; sign-in works again', async () => {
  const org = orgs.expired;
  expect(everyServerSignsIn(org)).not.toEqual([]);
  const report = await rotate(org);
  expect(report).toMatchObject({ path: 'replace-now', outcome: 'completed', publishedByForce: true });
  const { org: o } = organisation(org);
  expect(o.authConfig.currentCertificateThumbprint).toBe(report.newThumbprint);
  expect(everyServerSignsIn(org)).toEqual([]);
  expect(report.hcw.status).toBe('not-needed');
});

test('emergency with a usable staged certificate: it is imported where missing and published, none is created', async () => {
  const org = expiredStaged;
  const before = organisation(org).org;
  expect(before.authConfig.nextCertificateThumbprint).toBe(stagedThumbprint);
  expect(before.servers.map((s) => s.certificates.some((c) => c.thumbprint === stagedThumbprint))).toEqual([
    true,
    false,
  ]);
  expect(everyServerSignsIn(org)).not.toEqual([]);
  const report = await rotate(org);
  expect(report).toMatchObject({
    path: 'replace-now',
    outcome: 'completed',
    publishedByForce: true,
    newThumbprint: stagedThumbprint,
  });
  expect(report.reasons.join('\n')).toMatch(/missing on EX2 \(imported there first\): publishing it now/);
  expect(report.servers.find((s) => s.name === 'EX2')?.importedAt).toBeDefined();
  const { org: o } = organisation(org);
  expect(o.authConfig).toMatchObject({
    currentCertificateThumbprint: stagedThumbprint,
    nextCertificateThumbprint: null,
    previousCertificateThumbprint: null,
  });
  // No certificate was created: each server holds the ones it held, plus the staged one imported on EX2.
  expect(o.servers.map((s) => s.certificates.length)).toEqual([
    before.servers[0]!.certificates.length,
    before.servers[1]!.certificates.length + 1,
  ]);
  expect(everyServerSignsIn(org)).toEqual([]);
});

test('two AD sites: servers of the other site get the certificate by export and import', async () => {
  const org = orgs['two-sites'];
  const report = await rotate(org, { force: true });
  expect(report).toMatchObject({ path: 'rotate', outcome: 'completed', publishedByForce: false });
  expect(report.servers.some((s) => s.importedAt)).toBe(true);
  const { org: o } = organisation(org);
  for (const s of o.servers) expect(s.certificates.map((c) => c.thumbprint)).toContain(report.newThumbprint);
  expect(o.authConfig.currentCertificateThumbprint).toBe(report.newThumbprint);
  expect(everyServerSignsIn(org)).toEqual([]);
});

test('dry run: the plan is reported and nothing in the organisation changes', async () => {
  const org = orgs.healthy;
  const before = fs.readFileSync(stateFile(org), 'utf8');
  const beforeOrg = JSON.parse(before);
  const report = await rotate(org, { force: true, dryRun: true });
  expect(report).toMatchObject({ outcome: 'dry-run', path: 'rotate', newThumbprint: null });
  expect(report.plan?.filter((step) => step.skipped === undefined).length).toBeGreaterThan(0);
  const { org: o } = organisation(org);
  expect(o.authConfig).toEqual(beforeOrg.authConfig);
  expect(o.servers.map((s) => s.certificates.length)).toEqual(
    beforeOrg.servers.map((s: { certificates: unknown[] }) => s.certificates.length),
  );
});

test('an unreachable server stops the run with a report, and nothing is changed', async () => {
  const org = orgs.unreachable;
  const before = organisation(org).org;
  const report = await rotate(org, { force: true });
  expect(report.outcome).toBe('stopped');
  expect(report.newThumbprint).toBeNull();
  expect(report.servers.filter((s) => s.unreachable).map((s) => s.name)).toEqual(
    before.servers.filter((s) => !s.reachable).map((s) => s.name),
  );
  const after = organisation(org).org;
  expect(after.authConfig).toEqual(before.authConfig);
  expect(after.servers.map((s) => s.certificates.length)).toEqual(before.servers.map((s) => s.certificates.length));
});

test('the current certificate missing on one server: it is imported there', async () => {
  const org = orgs['missing-on-one'];
  const current = organisation(org).org.authConfig.currentCertificateThumbprint;
  const report = await rotate(org);
  expect({ path: report.path, outcome: report.outcome, reasons: report.reasons }).toEqual({
    path: 'import',
    outcome: 'completed',
    reasons: expect.arrayContaining([expect.stringMatching(/current certificate missing on: /)]),
  });
  const { org: o } = organisation(org);
  for (const s of o.servers) expect(s.certificates.map((c) => c.thumbprint)).toContain(current);
});

test('child domain without EnableAuthAdminReadSession: publication never comes, the run diagnoses and says what to do', async () => {
  const org = orgs['child-domain'];
  const report = await rotate(org, { force: true, publicationMargin: '1h', publicationGiveUpAfter: '5s' });
  expect(report.outcome).toBe('stopped');
  expect(report.stopReason).toMatch(/publication-overdue/);
  expect(report.publishedByForce).toBe(false);
  // Said at planning, before the wait for the effective date, from the domains the inspection read.
  expect(report.warnings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^The Exchange servers are in corp\.contoso\.com, a child of the forest root domain contoso\.com, .* will not be published at its effective date until/,
      ),
    ]),
  );
  expect(report.diagnosis).toMatchObject({
    enableAuthAdminReadSession: false,
    childDomain: { forestRootDomain: 'contoso.com', serverDomains: ['corp.contoso.com'] },
  });
  expect(report.diagnosis?.advice[0]).toMatch(
    /^The Exchange servers are in corp\.contoso\.com.*Run Set-OrganizationConfig -EnableAuthAdminReadSession \$true/,
  );
  // The planned path never publishes by force: the old certificate is still current.
  const { org: o } = organisation(org);
  expect(o.authConfig.currentCertificateThumbprint).toBe(report.previousThumbprint);
});
