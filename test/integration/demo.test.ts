// `npm run demo` as a user runs it (dist/scripts/demo.js), with a faster clock: its last line is the JSON summary and
// every promise in it holds.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen } from '../../worker/dev-server';
import { REPO_ROOT } from '../helpers/temporal';

test('the demo rotates a hybrid organisation, approves HCW by signal and ends with a true JSON summary', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-'));
  const port = await freePort();
  const uiPort = await freePort();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'scripts', 'demo.js')], {
    env: {
      ...process.env,
      START_STATE_DIR: dir,
      TEMPORAL_DEV_PORT: String(port),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_ADDRESS: '',
      EXCHANGE_CLOCK_RATE: '12000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  try {
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = stdout.trim().split('\n');
    // Thrown rather than diffed: jest's diff elides the unchanged lines, which are the ones that say why.
    if (code !== 0) throw new Error(`the demo exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);

    expect(stdout).toContain(`Web UI at http://localhost:${uiPort}`);
    expect(stdout).toMatch(/awaiting-hcw/);
    expect(stdout).toContain('demo-operator re-runs the Hybrid Configuration Wizard');

    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).toMatchObject({
      outcome: 'completed',
      organization: 'contoso-demo',
      previousThumbprint: expect.stringMatching(/^[0-9A-F]{40}$/),
      newThumbprint: expect.stringMatching(/^[0-9A-F]{40}$/),
      hcw: { status: 'completed', by: 'demo-operator' },
      ok: true,
      problems: [],
    });
    expect(summary.newThumbprint).not.toBe(summary.previousThumbprint);
    expect(summary.servers.length).toBeGreaterThanOrEqual(2);
    for (const server of summary.servers) {
      expect(server).toEqual({
        name: expect.any(String),
        currentThumbprint: summary.newThumbprint,
        hasNewCertificate: true,
        event2014: true,
        poolsRecycledAfterPublication: true,
        signIn: true,
      });
    }
    // Everything the demo started has stopped.
    expect(await isPortOpen(port)).toBe(false);
    expect(await isPortOpen(uiPort)).toBe(false);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      // The dev server has its own process group, which SIGKILL of the demo spares.
      const pid = /Temporal dev server at \S+ \(pid (\d+)\)/.exec(stdout)?.[1];
      if (pid) {
        try {
          process.kill(-Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
