// GRAPH_* from the environment: none means no Graph; a partial or wrong set names the variable and the rule; the
// secret never prints.
import { inspect } from 'node:util';
import { loadGraphSettings } from '../../worker/graph-config';

const TENANT = '8a1b2c3d-0000-4000-8000-00000000aaaa';
const CLIENT = '8a1b2c3d-0000-4000-8000-00000000bbbb';

test('no GRAPH_* variable: no Graph (a person updates the hybrid application)', () => {
  expect(loadGraphSettings({})).toBeUndefined();
  expect(loadGraphSettings({ GRAPH_TENANT_ID: ' ' })).toBeUndefined();
});

test('a secret: write access by default, Microsoft cloud by default, the secret hidden', () => {
  const settings = loadGraphSettings({
    GRAPH_TENANT_ID: TENANT,
    GRAPH_CLIENT_ID: CLIENT,
    GRAPH_CLIENT_SECRET: 'very-secret-value',
  })!;
  expect(settings).toMatchObject({
    tenantId: TENANT,
    clientId: CLIENT,
    access: 'write',
    authorityHost: 'https://login.microsoftonline.com',
    endpoint: 'https://graph.microsoft.com',
  });
  expect(JSON.stringify(settings)).not.toContain('very-secret-value');
  expect(inspect(settings, { depth: 5 })).not.toContain('very-secret-value');
});

test.each([
  [{ GRAPH_TENANT_ID: TENANT }, /GRAPH_CLIENT_ID/],
  [{ GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: 'app' }, /GRAPH_CLIENT_ID: must be the worker's application/],
  [{ GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: CLIENT }, /set exactly one of GRAPH_CLIENT_SECRET/],
  [
    { GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: CLIENT, GRAPH_CLIENT_SECRET: 's', GRAPH_CLIENT_CERTIFICATE_PATH: '/c' },
    /set exactly one/,
  ],
  [{ GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: CLIENT, GRAPH_CLIENT_SECRET: 's', GRAPH_ACCESS: 'all' }, /GRAPH_ACCESS/],
  [
    { GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: CLIENT, GRAPH_CLIENT_SECRET: 's', GRAPH_ENDPOINT: 'http://x' },
    /GRAPH_ENDPOINT: must be an https/,
  ],
])('%j is refused', (env, message) => {
  expect(() => loadGraphSettings(env)).toThrow(message);
});
