// `npm start` as a user runs it (the built dist/worker/start.js): dev server, simulated organisation, worker, the
// instructions, and on Ctrl-C everything stops and nothing is left behind.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen } from '../../worker/dev-server';
import { createDevServerEnv, REPO_ROOT } from '../helpers/temporal';

function collect(child: ChildProcess): { text: () => string; waitFor: (re: RegExp, ms: number) => Promise<void> } {
  let text = '';
  const listeners = new Set<() => void>();
  const on = (chunk: Buffer) => {
    text += chunk.toString();
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', on);
  child.stderr!.on('data', on);
  return {
    text: () => text,
    waitFor: (re, ms) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (re.test(text)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${re}; output so far:\n${text}`));
        }, ms);
        listeners.add(check);
        child.once('exit', () => setTimeout(check, 10));
        check();
      }),
  };
}

/** A failed test must not leave the dev server behind: it runs in its own process group, which SIGKILL of npm start spares. */
function killDevServer(output: string): void {
  const pid = /Temporal dev server at \S+, Web UI at \S+ \(pid (\d+)\)/.exec(output)?.[1];
  if (!pid) return;
  try {
    process.kill(-Number(pid), 'SIGKILL');
  } catch {
    // gone already
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('npm start', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('starts the dev server, a simulated organisation and the worker, says how to start a rotation, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'worker', 'start.js')], {
      env: {
        ...process.env,
        START_STATE_DIR: dir,
        TEMPORAL_DEV_PORT: String(port),
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_ADDRESS: '',
        EXCHANGE_ORGANIZATION: '',
        EXCHANGE_SIM_STATE: '',
        EXCHANGE_CONNECTION: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      await out.waitFor(/Press Ctrl-C/, 90_000);
      const text = out.text();
      expect(text).toContain(`Web UI at http://localhost:${uiPort}`);
      expect(text).toContain('Simulated Exchange organisation contoso: created');
      expect(text).toContain("Worker: every organisation's workflows on task queue exchange-auth-cert-workflows.");
      expect(text).toContain("Worker: contoso's activities on task queue exchange-auth-cert.contoso.");
      expect(text).toContain('Workflow Type  rotateAuthCertificate');
      expect(text).toContain('Task Queue     exchange-auth-cert-workflows');
      expect(text).toContain('Input (JSON)   {"organization":"contoso"}');
      // The CLI runs in another terminal, where nothing says the dev server is not on the default port.
      expect(text).toMatch(new RegExp(`TEMPORAL_ADDRESS=\\S+:${port} npm run cli -- status contoso`));
      expect(fs.existsSync(path.join(dir, 'contoso.json'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'temporal.db'))).toBe(true);
      expect(await isPortOpen(port)).toBe(true);
      expect(await isPortOpen(uiPort)).toBe(true);

      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
      expect(out.text()).toContain('Worker stopped.');
      expect(out.text()).toContain('Temporal dev server stopped.');
      expect(await isPortOpen(port)).toBe(false);
      expect(await isPortOpen(uiPort)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      killDevServer(out.text());
    }
  }, 150_000);

  test('with TEMPORAL_ADDRESS it uses that cluster and starts no dev server of its own', async () => {
    const cluster = await createDevServerEnv();
    const uiPort = await freePort();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'worker', 'start.js')], {
      env: {
        ...process.env,
        START_STATE_DIR: dir,
        TEMPORAL_ADDRESS: cluster.address,
        TEMPORAL_UI_PORT: String(uiPort),
        EXCHANGE_ORGANIZATION: 'fabrikam',
        EXCHANGE_SIM_STATE: '',
        EXCHANGE_CONNECTION: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      await out.waitFor(/Press Ctrl-C/, 90_000);
      expect(out.text()).toContain(`Temporal cluster at ${cluster.address}, namespace default`);
      expect(out.text()).not.toContain('Starting the Temporal dev server');
      expect(out.text()).toContain('Press Ctrl-C to stop the worker.');
      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
      expect(out.text()).not.toContain('Temporal dev server stopped.');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await cluster.teardown();
    }
  }, 150_000);

  test('Ctrl-C while it is still starting stops the dev server too', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'worker', 'start.js')], {
      env: {
        ...process.env,
        START_STATE_DIR: dir,
        TEMPORAL_DEV_PORT: String(port),
        TEMPORAL_UI_PORT: String(await freePort()),
        TEMPORAL_ADDRESS: '',
        EXCHANGE_ORGANIZATION: '',
        EXCHANGE_SIM_STATE: '',
        EXCHANGE_CONNECTION: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      await out.waitFor(/Temporal dev server at /, 90_000);
      child.kill('SIGINT');
      // 130 when the signal came while the worker was being built (the usual case), 0 if the worker had taken over.
      expect([130, 0]).toContain(await exited(child));
      expect(await isPortOpen(port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      killDevServer(out.text());
    }
  }, 150_000);

  test('a bad variable stops it before anything starts', async () => {
    const bad = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'worker', 'start.js')], {
      env: { ...process.env, START_STATE_DIR: dir, EXCHANGE_CONNECTION: 'ssh', TEMPORAL_ADDRESS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(bad);
    expect(await exited(bad)).toBe(1);
    expect(out.text().trim()).toBe('invalid configuration: EXCHANGE_CONNECTION: must be simulated, local or remote');
  });
});
