// The Graph boundary through the real @azure/identity and Microsoft Graph client, against the simulated Entra ID and
// Graph endpoint over HTTPS (its CA trusted for these requests only).
import { injectGraphFault, readHybridApplication } from 'simulated-exchange';
import { createGraphClient } from '../../activities/graph/client';
import { keptCredentials } from '../../activities/graph/schemas';
import { Secret } from '../../activities/graph/settings';
import { startSimulatedGraph, type SimulatedGraph } from '../helpers/simulated-graph';
import { nth } from '../helpers/present';

let graph: SimulatedGraph;
let appId: string;
let objectId: string;

beforeAll(async () => {
  graph = await startSimulatedGraph();
  const app = readHybridApplication(graph.sim.stateFile).application!;
  appId = app.appId;
  objectId = app.id;
});
afterAll(() => graph.close());

test('a client secret gets a token and reads the application, its keys without key material', async () => {
  const client = createGraphClient(await graph.client({ permissions: ['Application.ReadWrite.OwnedBy'] }));
  const app = await client.getApplicationByAppId(appId);
  expect(app).toMatchObject({ id: objectId, appId });
  expect(app.keyCredentials).toHaveLength(1);
  const key = app.keyCredentials[0]!;
  expect(key).toMatchObject({ type: 'AsymmetricX509Cert', usage: 'Verify', key: null });
  expect(key.customKeyIdentifier).toBe(graph.sim.org.authConfig.currentCertificateThumbprint);
});

test('a client certificate (signed assertion) gets a token', async () => {
  const client = createGraphClient(
    await graph.client({ permissions: ['Application.Read.All'], ownsHybridApp: false, certificate: true }),
  );
  await expect(client.getApplicationByAppId(appId)).resolves.toMatchObject({ appId });
});

test('a wrong secret is a permanent authentication failure that does not show the secret', async () => {
  const settings = await graph.client({ permissions: ['Application.Read.All'] });
  const wrong = 'not-the-secret-' + 'x'.repeat(20);
  const client = createGraphClient({ ...settings, credential: { kind: 'secret', secret: new Secret(wrong) } });
  const error = await client.getApplicationByAppId(appId).catch((e: Error) => e);
  expect(error).toMatchObject({ name: 'GraphAuthenticationError' });
  expect((error as Error).message).toMatch(/AADSTS7000215: Invalid client secret/);
  expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(wrong);
});

test('OwnedBy without ownership: the app is not listed (not found); writing needs the permission, named', async () => {
  const client = createGraphClient(
    await graph.client({ permissions: ['Application.ReadWrite.OwnedBy'], ownsHybridApp: false }),
  );
  await expect(client.getApplicationByAppId(appId)).rejects.toMatchObject({ name: 'HybridAppNotFoundError' });
  const reader = createGraphClient(await graph.client({ permissions: ['Application.Read.All'], ownsHybridApp: false }));
  const app = await reader.getApplicationByAppId(appId);
  await expect(reader.replaceKeyCredentials(app.id, keptCredentials(app))).rejects.toMatchObject({
    name: 'GraphPermissionError',
    message: expect.stringMatching(/403 Authorization_RequestDenied.*needs Application\.ReadWrite\.OwnedBy/),
  });
});

test("throttling is transient with Graph's Retry-After; an outage is transient", async () => {
  const client = createGraphClient(await graph.client({ permissions: ['Application.ReadWrite.OwnedBy'] }));
  await injectGraphFault(graph.sim.stateFile, { kind: 'throttle', remaining: 1, retryAfterSeconds: 7 });
  await expect(client.getApplicationByAppId(appId)).rejects.toMatchObject({
    name: 'GraphThrottledError',
    retryAfterMs: 7000,
  });
  await injectGraphFault(graph.sim.stateFile, { kind: 'outage', remaining: 1 });
  await expect(client.getApplicationByAppId(appId)).rejects.toMatchObject({ name: 'GraphUnavailableError' });
  await expect(client.getApplicationByAppId(appId)).resolves.toMatchObject({ appId });
});

test('a PATCH replaces the collection: keys sent by keyId are kept, others dropped', async () => {
  const client = createGraphClient(await graph.client({ permissions: ['Application.ReadWrite.OwnedBy'] }));
  const before = await client.getApplicationByAppId(appId);
  await client.replaceKeyCredentials(before.id, [
    ...keptCredentials(before),
    {
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: Buffer.from('not a certificate').toString('base64'),
      customKeyIdentifier: 'AB'.repeat(20),
      displayName: 'test',
      startDateTime: new Date().toISOString(),
      endDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    },
  ]);
  const after = await client.getApplicationByAppId(appId);
  expect(after.keyCredentials.map((k) => k.customKeyIdentifier)).toEqual([
    nth(before.keyCredentials, 0, 'key credential').customKeyIdentifier,
    'AB'.repeat(20),
  ]);
  await client.replaceKeyCredentials(
    after.id,
    keptCredentials(after, (k) => k.customKeyIdentifier === 'AB'.repeat(20)),
  );
  expect((await client.getApplicationByAppId(appId)).keyCredentials).toHaveLength(1);
});

test('an endpoint whose CA is not trusted is refused (no certificate check is turned off)', async () => {
  const settings = await graph.client({ permissions: ['Application.Read.All'] });
  const client = createGraphClient({ ...settings, caFile: undefined });
  await expect(client.getApplicationByAppId(appId)).rejects.toMatchObject({
    name: 'GraphUnavailableError',
    message: expect.stringMatching(/could not be fetched.*GRAPH_CA_FILE/),
  });
});
