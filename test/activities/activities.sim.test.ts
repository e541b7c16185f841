// The activities through the real ExchangeClient, real node-powershell and the simulated Exchange shell: what they
// expect of the client (server names, FQDNs, event 2014, pools) holds against what the shell really answers.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type RotationActivities } from '../../activities';
import { createExchangeClient } from '../../activities/powershell/client';
import { ShellSessionPool } from '../../activities/powershell/pool';
import type { ServerIdentity } from '../../common/rotation';
import { createSimState, type SimState, showState, sim } from '../powershell/sim';

const HOUR = 3_600_000;
const pool = new ShellSessionPool();
const states: SimState[] = [];
const quietLog = { info: () => undefined, warn: () => undefined };

afterAll(async () => {
  await pool.closeAll();
  for (const s of states) s.remove();
});

function organisation(scenario: string) {
  const state = createSimState(scenario);
  states.push(state);
  const exchange = createExchangeClient({ simulatorState: state.file }, { pool });
  const activities = createActivities({ exchange, clock: () => new Date(), log: quietLog });
  return { state, exchange, activities };
}

async function run<K extends keyof RotationActivities>(
  activities: RotationActivities,
  name: K,
  ...args: Parameters<RotationActivities[K]>
): Promise<Awaited<ReturnType<RotationActivities[K]>>> {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  const fn = activities[name] as (...a: unknown[]) => Promise<Awaited<ReturnType<RotationActivities[K]>>>;
  return (await env.run(fn, ...args)) as Awaited<ReturnType<RotationActivities[K]>>;
}

const identities = (servers: Array<{ name: string; fqdn: string; site: string }>): ServerIdentity[] =>
  servers.map(({ name, fqdn, site }) => ({ name, fqdn, site }));

test('healthy: inspect, generate once, keep SMTP, stage once, copy, check publication, recycle', async () => {
  const { activities, state } = organisation('healthy');
  const snapshot = await run(activities, 'inspectOrganization');
  expect(snapshot.servers.map((s) => [s.name, s.current])).toEqual([
    ['EX1', 'present'],
    ['EX2', 'present'],
  ]);
  expect(snapshot.current?.thumbprint).toBe(snapshot.authConfig.currentCertificateThumbprint);
  const servers = identities(snapshot.servers);
  const records = await run(activities, 'recordTransportCertificates', servers);
  const exclude = [snapshot.authConfig.currentCertificateThumbprint!];
  const existing = await run(activities, 'listAuthCertificates', { server: servers[0]! });
  expect(existing).toContain(snapshot.authConfig.currentCertificateThumbprint);
  const made = await run(activities, 'generateAuthCertificate', { server: servers[0]!, existing, exclude });
  expect(made.reused).toBe(false);
  // A retry without heartbeat details (they were lost in a crash) adopts it rather than making a second.
  const again = await run(activities, 'generateAuthCertificate', { server: servers[0]!, existing, exclude });
  expect(again).toMatchObject({ thumbprint: made.thumbprint, reused: true });
  expect(await run(activities, 'listAuthCertificates', { server: servers[0]! })).toEqual([
    ...existing,
    made.thumbprint,
  ]);
  const transport = await run(activities, 'verifyTransportCertificates', { servers, records });
  expect(transport.every((t) => t.after === t.before && !t.restored)).toBe(true);

  const staged = await run(activities, 'stageCertificate', {
    thumbprint: made.thumbprint,
    effectiveDate: { kind: 'relative', hours: 49 },
    force: false,
  });
  if (staged.state === 'current') throw new Error('staged certificate reported current');
  expect(staged.state).toBe('staged');
  const hours = (Date.parse(staged.effectiveDate) - Date.parse(staged.serverTime)) / HOUR;
  expect(hours).toBeGreaterThan(48.9);
  expect(hours).toBeLessThanOrEqual(49);
  const restaged = await run(activities, 'stageCertificate', {
    thumbprint: made.thumbprint,
    effectiveDate: { kind: 'relative', hours: 49 },
    force: false,
  });
  expect(restaged).toMatchObject({ state: 'already-staged', effectiveDate: staged.effectiveDate });

  const replication = await run(activities, 'checkReplication', { thumbprint: made.thumbprint, servers });
  expect(replication.servers.find((s) => s.server === 'EX1')?.state).toBe('present');
  const copied = await run(activities, 'copyCertificate', {
    thumbprint: made.thumbprint,
    source: servers[0]!,
    targets: [servers[1]!],
  });
  expect(copied[0]!.outcome).toMatch(/imported|already-present/);
  const after = await run(activities, 'checkReplication', { thumbprint: made.thumbprint, servers });
  expect(after.servers.every((s) => s.state === 'present')).toBe(true);

  const publication = await run(activities, 'checkPublication', {
    thumbprint: made.thumbprint,
    servers,
    since: staged.serverTime,
  });
  expect(publication.currentThumbprint).toBe(snapshot.authConfig.currentCertificateThumbprint);
  expect(publication.servers.every((s) => s.event2014At === null)).toBe(true);

  const recycled = await run(activities, 'recycleAuthAppPools', { servers, alreadyRecycled: [] });
  expect(recycled.map((r) => [r.server, r.verified, r.skipped])).toEqual([
    ['EX1', true, false],
    ['EX2', true, false],
  ]);
  const diagnosis = await run(activities, 'diagnoseServicelet', { servers });
  expect(diagnosis.lastRuns.map((r) => r.server)).toEqual(['EX1', 'EX2']);
  expect(JSON.stringify(showState(state.file))).toContain(made.thumbprint);
});

test('recycle after a crash that lost the heartbeat: the worker processes started since are seen, no pool recycles twice', async () => {
  const { activities, state } = organisation('healthy');
  const snapshot = await run(activities, 'inspectOrganization');
  const servers = identities(snapshot.servers);
  const pools = () =>
    (showState(state.file) as { servers: Array<{ pools: Array<{ name: string; lastRecycle: string }> }> }).servers.map(
      (s) => s.pools.map((p) => p.lastRecycle),
    );
  const published = snapshot.serverTime;
  const first = await run(activities, 'recycleAuthAppPools', { servers, alreadyRecycled: [], notBefore: published });
  expect(first.every((r) => r.verified && r.alreadyRecycled === undefined)).toBe(true);
  const recycled = pools();
  expect(recycled.flat().every((at) => at === published)).toBe(true);
  // Ten minutes on, a retry that has no heartbeat details (a new activity environment has none) recycles nothing.
  sim(state.file, 'advance', '10m');
  const retry = await run(activities, 'recycleAuthAppPools', { servers, alreadyRecycled: [], notBefore: published });
  expect(retry.map((r) => [r.server, r.verified, r.alreadyRecycled?.map((p) => [p.pool, p.startedAt])])).toEqual(
    servers.map((s) => [
      s.name,
      true,
      [
        ['MSExchangeOWAAppPool', published],
        ['MSExchangeECPAppPool', published],
      ],
    ]),
  );
  expect(pools()).toEqual(recycled);
  // A later publication is not served by those workers: they are recycled again.
  const later = new Date(Date.parse(published) + 5 * 60_000).toISOString();
  await run(activities, 'recycleAuthAppPools', { servers, alreadyRecycled: [], notBefore: later });
  expect(
    pools()
      .flat()
      .every((at) => Date.parse(at) === Date.parse(published) + 10 * 60_000),
  ).toBe(true);
});

test('child domain: inspect sees the servers outside the forest root domain; the diagnosis names it first', async () => {
  const child = organisation('child-domain');
  const snapshot = await run(child.activities, 'inspectOrganization');
  expect(snapshot.childDomain).toEqual({ forestRootDomain: 'contoso.com', serverDomains: ['corp.contoso.com'] });
  expect(snapshot.enableAuthAdminReadSession).toBe(false);
  const servers = identities(snapshot.servers);
  const diagnosis = await run(child.activities, 'diagnoseServicelet', { servers, childDomain: snapshot.childDomain });
  expect(diagnosis.advice[0]).toMatch(
    /^The Exchange servers are in corp\.contoso\.com, a child of the forest root domain contoso\.com, .*Set-OrganizationConfig -EnableAuthAdminReadSession \$true/,
  );
  // In the root domain it is known not to be the cause.
  const healthy = organisation('healthy');
  expect((await run(healthy.activities, 'inspectOrganization')).childDomain).toBeNull();
});

test('unreachable: the third server is told apart from a missing certificate', async () => {
  const { activities } = organisation('unreachable');
  const snapshot = await run(activities, 'inspectOrganization');
  const byName = Object.fromEntries(snapshot.servers.map((s) => [s.name, s.current]));
  expect(Object.values(byName).filter((v) => v === 'unreachable')).toHaveLength(1);
  expect(Object.values(byName).filter((v) => v === 'present')).toHaveLength(2);
});

test('missing-on-one: inspect finds the gap, copy repairs it', async () => {
  const { activities } = organisation('missing-on-one');
  const snapshot = await run(activities, 'inspectOrganization');
  const missing = snapshot.servers.filter((s) => s.current === 'missing');
  expect(missing).toHaveLength(1);
  const source = snapshot.servers.find((s) => s.current === 'present')!;
  const result = await run(activities, 'copyCertificate', {
    thumbprint: snapshot.authConfig.currentCertificateThumbprint!,
    source: identities([source])[0]!,
    targets: identities(missing),
  });
  expect(result).toEqual([{ server: missing[0]!.name, outcome: 'imported' }]);
  const again = await run(activities, 'inspectOrganization');
  expect(again.servers.every((s) => s.current === 'present')).toBe(true);
});

test('expired: stage now, publish after every server has it, clear the previous; sign-in works again', async () => {
  const { activities, state } = organisation('expired');
  const snapshot = await run(activities, 'inspectOrganization');
  expect(Date.parse(snapshot.current!.notAfter)).toBeLessThan(Date.parse(snapshot.serverTime));
  const servers = identities(snapshot.servers);
  const before = await run(activities, 'checkSignIn', { servers, mailbox: 'probe@contoso.com' });
  expect(before.some((s) => !s.ok)).toBe(true);
  const made = await run(activities, 'generateAuthCertificate', {
    server: servers[0]!,
    existing: await run(activities, 'listAuthCertificates', { server: servers[0]! }),
    exclude: [snapshot.authConfig.currentCertificateThumbprint!],
  });
  await run(activities, 'stageCertificate', {
    thumbprint: made.thumbprint,
    effectiveDate: { kind: 'now' },
    force: true,
  });
  // The simulated clock is frozen, so the servicelet has copied nothing: publishing is refused until every server has it.
  const early = await run(activities, 'publishCertificateNow', { thumbprint: made.thumbprint, servers }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(early).toBeInstanceOf(ApplicationFailure);
  expect((early as ApplicationFailure).type).toBe('NextCertificateNotEverywhereError');
  await run(activities, 'copyCertificate', {
    thumbprint: made.thumbprint,
    source: servers[0]!,
    targets: servers.slice(1),
  });
  const published = await run(activities, 'publishCertificateNow', { thumbprint: made.thumbprint, servers });
  expect(published).toMatchObject({ currentThumbprint: made.thumbprint, previousCleared: true, alreadyCurrent: false });
  const final = await run(activities, 'inspectOrganization');
  expect(final.authConfig.currentCertificateThumbprint).toBe(made.thumbprint);
  expect(final.authConfig.previousCertificateThumbprint).toBeNull();
  const notBefore = published.serverTime!;
  const restarted = await run(activities, 'restartServiceHost', { servers, notBefore });
  expect(restarted.map((r) => [r.ok, r.alreadyRestarted ?? false])).toEqual(servers.map(() => [true, false]));
  // Run again, as a retry that lost its progress would: the service hosts started since, so none restarts again.
  const again = await run(activities, 'restartServiceHost', { servers, notBefore });
  expect(again.map((r) => r.alreadyRestarted)).toEqual(servers.map(() => true));
  const shown = showState(state.file) as { servers: Array<{ serviceHostLastStart: string }> };
  expect(again.map((r) => r.at).sort()).toEqual(shown.servers.map((s) => s.serviceHostLastStart).sort());
  await run(activities, 'recycleAuthAppPools', { servers, alreadyRecycled: [] });
  const signIn = await run(activities, 'checkSignIn', { servers, mailbox: 'probe@contoso.com' });
  expect(signIn.map((s) => [s.server, s.ok])).toEqual(servers.map((s) => [s.name, true]));
});
