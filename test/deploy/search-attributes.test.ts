// deploy/temporal/register-search-attributes.sh, the docker-compose step that registers the rotation's search
// attributes, run here with the Temporal CLI from .tools/bin against a real dev server: it registers what is missing,
// passes when run again, and fails (non-zero) when it cannot do its job, instead of hiding it behind `|| true`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ROTATION_SEARCH_ATTRIBUTE_KEYS } from '../../common/search-attributes';
import { createDevServerEnv, REPO_ROOT } from '../helpers/temporal';

const SCRIPT = path.join(REPO_ROOT, 'deploy', 'temporal', 'register-search-attributes.sh');
const CLI = path.join(REPO_ROOT, '.tools', 'bin', 'temporal');
const NAMES = ROTATION_SEARCH_ATTRIBUTE_KEYS.map((k) => k.name).join(' ');

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createDevServerEnv({ bare: true });
});
afterAll(async () => {
  await env?.teardown();
});

function register(vars: Record<string, string>) {
  const r = spawnSync('sh', [SCRIPT], {
    env: { PATH: process.env.PATH, TEMPORAL_CLI: process.env.TEMPORAL_CLI_PATH || CLI, ...vars },
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function keywords(): Promise<string[]> {
  const r = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  return Object.keys(r.customAttributes ?? {}).sort();
}

test('registers the missing attributes, then passes again without a change', async () => {
  expect(await keywords()).not.toContain('organization');
  const first = register({ TEMPORAL_ADDRESS: env.address, SEARCH_ATTRIBUTES: NAMES });
  expect(first).toMatchObject({ status: 0 });
  expect(await keywords()).toEqual(expect.arrayContaining(NAMES.split(' ')));
  const again = register({ TEMPORAL_ADDRESS: env.address, SEARCH_ATTRIBUTES: NAMES });
  expect(again.status).toBe(0);
  for (const name of NAMES.split(' '))
    expect(again.out).toContain(`search attribute ${name} (Keyword) is registered in default`);
});

test.each([
  ['a server that does not answer', { TEMPORAL_ADDRESS: '127.0.0.1:1', SEARCH_ATTRIBUTES: NAMES }],
  ['a namespace that does not exist', { TEMPORAL_NAMESPACE: 'nope', SEARCH_ATTRIBUTES: NAMES }],
  ['nothing to register', {}],
])('fails on %s', (_, vars) => {
  expect(register({ TEMPORAL_ADDRESS: env.address, ...vars }).status).not.toBe(0);
});

test('fails when a name is already taken with another type', async () => {
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: { rotationStartedAt: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME },
  });
  expect(register({ TEMPORAL_ADDRESS: env.address, SEARCH_ATTRIBUTES: 'rotationStartedAt' }).status).not.toBe(0);
});
