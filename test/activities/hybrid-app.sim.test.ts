// The hybrid-app activities end to end: the real ExchangeClient over the simulated Exchange shell (detection, the
// certificate's public part) and the real Graph client against the simulated Entra ID. What they return is what enters
// workflow history: it never holds key material, the worker's secret or a token.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { readHybridApplication } from 'simulated-exchange';
import { createActivities, type RotationActivities } from '../../activities';
import { createGraphClient } from '../../activities/graph/client';
import { createExchangeClient } from '../../activities/powershell/client';
import { ShellSessionPool } from '../../activities/powershell/pool';
import type { GraphSettings } from '../../activities/graph/settings';
import { startSimulatedGraph, type SimulatedGraph } from '../helpers/simulated-graph';
import { nth } from '../helpers/present';

const pool = new ShellSessionPool();
const quietLog = { info: () => undefined, warn: () => undefined };
let graph: SimulatedGraph;

beforeAll(async () => {
  graph = await startSimulatedGraph();
});
afterAll(async () => {
  await pool.closeAll();
  await graph.close();
});

async function run<K extends keyof RotationActivities>(
  activities: RotationActivities,
  name: K,
  ...args: Parameters<RotationActivities[K]>
): Promise<Awaited<ReturnType<RotationActivities[K]>>> {
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  const fn = activities[name] as (...a: unknown[]) => Promise<Awaited<ReturnType<RotationActivities[K]>>>;
  return (await env.run(fn, ...args)) as Awaited<ReturnType<RotationActivities[K]>>;
}

function activitiesWith(settings: GraphSettings | null) {
  const exchange = createExchangeClient({ simulatorState: graph.sim.stateFile }, { pool });
  return createActivities({
    exchange,
    clock: () => new Date(),
    log: quietLog,
    ...(settings ? { graph: { client: createGraphClient(settings), access: settings.access } } : {}),
  });
}

test('detects the application, adds a certificate keeping the others, removes it; no key, secret or token returned', async () => {
  const settings = await graph.client({ permissions: ['Application.ReadWrite.OwnedBy'] });
  const activities = activitiesWith(settings);
  const snapshot = await run(activities, 'inspectOrganization');
  const appId = readHybridApplication(graph.sim.stateFile).application!.appId;
  expect(snapshot.hybridApp).toMatchObject({ detected: true, appId });
  const current = snapshot.authConfig.currentCertificateThumbprint!;
  // Another certificate the servers hold stands in for the next Auth certificate.
  const other = nth(graph.sim.org.servers, 0, 'server').internalTransportCertificate!;
  expect(other).not.toBe(current);

  const before = await run(activities, 'readHybridAppKeys', { appId, thumbprints: [current, other] });
  expect(before).toMatchObject({ status: 'read', present: [current], missing: [other] });
  const added = await run(activities, 'addHybridAppKey', { appId, thumbprint: other });
  expect(added.status).toBe('added');
  const again = await run(activities, 'addHybridAppKey', { appId, thumbprint: other });
  expect(again.status).toBe('already-present');
  const stored = readHybridApplication(graph.sim.stateFile).application!.keyCredentials;
  expect(stored.map((k) => k.customKeyIdentifier)).toEqual([current, other]);
  expect(stored[1]).toMatchObject({ type: 'AsymmetricX509Cert', usage: 'Verify' });

  await expect(run(activities, 'removeHybridAppKey', { appId, thumbprint: current })).rejects.toMatchObject({
    type: 'HybridAppKeyInUseError',
  });
  const removed = await run(activities, 'removeHybridAppKey', { appId, thumbprint: other });
  expect(removed.status).toBe('removed');
  expect(readHybridApplication(graph.sim.stateFile).application!.keyCredentials).toHaveLength(1);

  const results = JSON.stringify([snapshot, before, added, again, removed]);
  expect(results).not.toContain(nth(stored, 1, 'stored key').key);
  expect(results).not.toContain(settings.credential.kind === 'secret' ? settings.credential.secret.reveal() : '?');
  expect(results).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // a JWT
  expect(results).not.toMatch(/PRIVATE KEY/);
});

test('read access only or no Graph: nothing changes, a person is told exactly what to run', async () => {
  const appId = readHybridApplication(graph.sim.stateFile).application!.appId;
  const other = nth(graph.sim.org.servers, 0, 'server').internalTransportCertificate!;
  const reader = activitiesWith(await graph.client({ permissions: ['Application.Read.All'], access: 'read' }));
  const asked = await run(reader, 'addHybridAppKey', { appId, thumbprint: other });
  expect(asked).toMatchObject({ status: 'needs-person', verifiable: true });
  expect(asked.status === 'needs-person' && asked.command).toContain(
    'ConfigureExchangeHybridApplication.ps1 -UpdateCertificate',
  );
  const none = await run(activitiesWith(null), 'readHybridAppKeys', { appId, thumbprints: [other] });
  expect(none).toMatchObject({ status: 'needs-person', verifiable: false });
  expect(readHybridApplication(graph.sim.stateFile).application!.keyCredentials).toHaveLength(1);
});

test('a 403 is a permanent, named failure', async () => {
  const appId = readHybridApplication(graph.sim.stateFile).application!.appId;
  const other = nth(graph.sim.org.servers, 0, 'server').internalTransportCertificate!;
  // Write access configured, but only read permission granted in Entra.
  const activities = activitiesWith(
    await graph.client({ permissions: ['Application.Read.All'], ownsHybridApp: false }),
  );
  await expect(run(activities, 'addHybridAppKey', { appId, thumbprint: other })).rejects.toMatchObject({
    type: 'GraphPermissionError',
  });
});
