// README.md documents every configuration variable the worker reads (and no variable it does not).
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_LOADERS } from '../../activities/powershell/settings';
import { rotationInputSchema } from '../../common/rotation';
import { SCENARIO_NAMES } from 'simulated-exchange';
import { environmentSchema } from '../../worker/config';
import { graphEnvironmentSchema } from '../../worker/graph-config';
import { nth } from '../helpers/present';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Configuration'),
  readme.indexOf('## ', readme.indexOf('## Configuration') + 5),
);

const variables = { ...environmentSchema.shape, ...graphEnvironmentSchema.shape };

test.each(Object.keys(variables))('README documents %s', (variable) => {
  expect(section).toContain(`\`${variable}\``);
});

test('every variable in the README table is one the code reads', () => {
  const documented = [...section.matchAll(/^\| ([^|]+)\|/gm)]
    .flatMap((m) => [...nth(m, 1, 'table cell').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((v) => nth(v, 1, 'variable')))
    .filter((v) => v !== 'TEMPORAL_CLI_PATH' && v !== 'TEMPORAL_TEST_SERVER_PATH'); // read by the tool installer and tests
  expect(documented.filter((v) => !(v in variables))).toEqual([]);
});

test('README documents every field of the workflow input', () => {
  const table = readme.slice(
    readme.indexOf('### From the Temporal Web UI'),
    readme.indexOf('Durations are Temporal durations'),
  );
  for (const field of Object.keys(rotationInputSchema.shape)) expect(table).toContain(`| \`${field}\``);
});

test("docs/operations.md's Windows-host section names the local loader variable and each of its values", () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
  const start = doc.indexOf('## A worker on a Windows host');
  const end = doc.indexOf('\n## ', start + 1);
  const windows = doc.slice(start, end === -1 ? undefined : end);
  expect(windows).toContain('`EXCHANGE_SHELL_LOADER`');
  for (const loader of LOCAL_LOADERS) expect(windows).toContain(`\`${loader}\``);
});

test('the EXCHANGE_SIM_SCENARIO row names every scenario the simulator has', () => {
  const row = section.split('\n').find((l) => l.startsWith('| `EXCHANGE_SIM_SCENARIO`'))!;
  for (const name of SCENARIO_NAMES) expect(row).toContain(`\`${name}\``);
});
