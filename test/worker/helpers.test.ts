// The shared Temporal test helpers: real servers from .tools/bin, search attributes registered, the run's bundle.
import fs from 'node:fs';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ROTATION_SEARCH_ATTRIBUTE_KEYS } from '../../common/search-attributes';
import { uniqueId, uniqueOrganization, uniqueTaskQueue } from '../helpers/ids';
import {
  createDevServerEnv,
  createTimeSkippingEnv,
  endRun,
  executableFor,
  workflowBundlePath,
} from '../helpers/temporal';
import { ORGANIZATION_PATTERN } from '../../common/names';

test('the servers come from .tools/bin unless a variable names another file', () => {
  expect(executableFor('TEMPORAL_CLI_PATH', 'temporal')).toEqual({
    type: 'existing-path',
    path: expect.stringMatching(/\.tools\/bin\/temporal$/),
  });
  const saved = process.env.TEMPORAL_TEST_SERVER_PATH;
  process.env.TEMPORAL_TEST_SERVER_PATH = process.execPath;
  try {
    expect(executableFor('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server')).toEqual({
      type: 'existing-path',
      path: process.execPath,
    });
  } finally {
    if (saved === undefined) delete process.env.TEMPORAL_TEST_SERVER_PATH;
    else process.env.TEMPORAL_TEST_SERVER_PATH = saved;
  }
});

test('global setup bundled the workflows once for the run', () => {
  const file = workflowBundlePath();
  expect(fs.readFileSync(file, 'utf8')).toContain('rotateAuthCertificate');
});

test('unique names never repeat and organisations satisfy the pattern', () => {
  const names = Array.from({ length: 200 }, () => uniqueOrganization());
  expect(new Set(names).size).toBe(200);
  for (const n of names) expect(n).toMatch(ORGANIZATION_PATTERN);
  expect(uniqueTaskQueue()).not.toBe(uniqueTaskQueue());
  expect(uniqueId('wf')).toMatch(/^wf-/);
});

test('the dev server knows the rotation search attributes as Keyword', async () => {
  const env = await createDevServerEnv();
  try {
    const r = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
    for (const key of ROTATION_SEARCH_ATTRIBUTE_KEYS) {
      expect(key).toEqual(defineSearchAttributeKey(key.name, SearchAttributeType.KEYWORD));
      expect(r.customAttributes?.[key.name]).toBeDefined();
    }
  } finally {
    await env.teardown();
  }
});

test('the time-skipping test server accepts the rotation search attributes', async () => {
  const env = await createTimeSkippingEnv();
  try {
    // The test server has no listing; a start carrying every attribute is refused if one is unknown.
    const handle = await env.client.workflow.start('rotateAuthCertificate', {
      workflowId: uniqueId('sa'),
      taskQueue: uniqueTaskQueue(),
      args: [{ organization: 'contoso' }],
      typedSearchAttributes: ROTATION_SEARCH_ATTRIBUTE_KEYS.map((key) => ({ key, value: 'x' })),
    });
    await endRun(handle);
  } finally {
    await env.teardown();
  }
});
