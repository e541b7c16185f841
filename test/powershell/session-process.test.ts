// Process-level failures of the session, with real processes that are not PowerShell: an executable that is missing,
// one whose interpreter is missing (spawn fails after node-powershell has started), one that exits at once, one that
// never answers. None of them needs the simulated shell.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createExchangeClient } from '../../activities/powershell/client';
import { ShellConfigurationError, ShellProcessError, ShellTimeoutError } from '../../activities/powershell/errors';
import { ShellSessionPool } from '../../activities/powershell/pool';
import { ShellSession } from '../../activities/powershell/session';
import { TEARDOWN_LINE, launchFor, parseShellSettings } from '../../activities/powershell/settings';
import { createSimState, isAlive, runWithoutUnhandledRejections, waitUntil } from './sim';
import { nth } from '../helpers/present';

let dir: string;
const script = (name: string, body: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-proc-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const session = (executable: string, extra: Record<string, unknown> = {}) =>
  new ShellSession(launchFor(parseShellSettings({ mode: 'local', executable, ...extra })));

test('a missing executable is a ShellConfigurationError, nothing is spawned, no unhandled rejection', async () => {
  const pool = new ShellSessionPool();
  const client = createExchangeClient({ executable: path.join(dir, 'no-such-shell') }, { pool });
  await expect(client.getServerTime()).rejects.toThrow(ShellConfigurationError);
  await expect(client.getServerTime()).rejects.toThrow(/not found/);
  await pool.closeAll();
  const out = runWithoutUnhandledRejections(`
    const { createExchangeClient } = dist('activities/powershell/client');
    const client = createExchangeClient({ executable: ${JSON.stringify(path.join(dir, 'no-such-shell'))} });
    const e = await client.getServerTime().catch((e) => e);
    console.log(e.name);
    await client.close();`);
  expect(out.trim()).toBe('ShellConfigurationError');
});

test('an executable whose interpreter is missing fails the spawn: a clear error, no unhandled rejection', async () => {
  const file = script('bad-interpreter', '#!/nonexistent/interpreter\n');
  const s = session(file);
  await expect(s.run('Get-Date')).rejects.toThrow(ShellConfigurationError);
  expect(s.stats.spawns).toBe(1);
  await s.close();
  const out = runWithoutUnhandledRejections(`
    const { ShellSession } = dist('activities/powershell/session');
    const { launchFor, parseShellSettings } = dist('activities/powershell/settings');
    const s = new ShellSession(launchFor(parseShellSettings({ mode: 'local', executable: ${JSON.stringify(file)} })));
    const e = await s.run('Get-Date').catch((e) => e);
    console.log(e.name);
    await s.close();`);
  expect(out.trim()).toBe('ShellConfigurationError');
});

test('a shell that exits at once is a ShellProcessError; the next call starts a new process', async () => {
  const s = session(script('exits', '#!/bin/sh\nexit 3\n'));
  await expect(s.run('Get-Date')).rejects.toThrow(ShellProcessError);
  await expect(s.run('Get-Date')).rejects.toThrow(ShellProcessError);
  expect(s.stats.spawns).toBe(2);
  await s.close();
});

test('a shell that never answers times out, is killed, and the next call gets a fresh process', async () => {
  const s = session(script('silent', '#!/bin/sh\nexec cat > /dev/null\n'), { setupTimeoutMs: 300 });
  await expect(s.run('Get-Date')).rejects.toThrow(ShellTimeoutError);
  const error = await s.run('Get-Date').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ShellTimeoutError);
  expect(s.stats.spawns).toBe(2);
  expect(s.pid).toBeUndefined();
  await s.close();
});

test('a timed-out process is really gone', async () => {
  const pids: number[] = [];
  const s = session(script('silent-pid', '#!/bin/sh\necho $$ > "$0.pid"\nexec cat > /dev/null\n'), {
    setupTimeoutMs: 300,
  });
  await expect(s.run('Get-Date')).rejects.toThrow(ShellTimeoutError);
  pids.push(Number(fs.readFileSync(path.join(dir, 'silent-pid.pid'), 'utf8')));
  const pid = nth(pids, 0, 'pid');
  await waitUntil(() => !isAlive(pid), 'the timed-out shell to die');
  await s.close();
});

test('calls after close are refused', async () => {
  const s = session(script('exits2', '#!/bin/sh\nexit 0\n'));
  await s.close();
  await expect(s.run('Get-Date')).rejects.toThrow(/closed/);
});

test('a shell that answers the setup line with an error on stderr is a ShellConfigurationError', async () => {
  // Speaks node-powershell's protocol (echoes the delimiters to the right stream) and fails every other line on stderr,
  // the way powershell.exe reports a snap-in that is not installed.
  const file = script(
    'no-snapin',
    [
      '#!/bin/sh',
      'while IFS= read -r line; do',
      '  case "$line" in',
      '    \'[Console]::Error.WriteLine("\'*) d=${line#*(\\"}; echo "${d%%\\")*}" >&2 ;;',
      '    \'[Console]::Out.WriteLine("\'*) d=${line#*(\\"}; echo "${d%%\\")*}" ;;',
      '    *) echo "Add-PSSnapin : No snap-ins have been registered for Windows PowerShell version 5." >&2 ;;',
      '  esac',
      'done',
      '',
    ].join('\n'),
  );
  const s = session(file);
  const error = await s.run('Get-Date').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ShellConfigurationError);
  expect((error as Error).message).toMatch(/No snap-ins have been registered/);
  await s.close();
});

describe('the Exchange session is removed before the process ends (runspaces are limited per user)', () => {
  // Speaks node-powershell's protocol, answers every command with nothing, and logs every line it reads.
  const answering = (name: string) =>
    script(
      name,
      [
        '#!/bin/sh',
        'while IFS= read -r line; do',
        '  printf "%s\\n" "$line" >> "$0.stdin"',
        '  case "$line" in',
        '    \'[Console]::Error.WriteLine("\'*) d=${line#*(\\"}; echo "${d%%\\")*}" >&2 ;;',
        '    \'[Console]::Out.WriteLine("\'*) d=${line#*(\\"}; echo "${d%%\\")*}" ;;',
        '  esac',
        'done',
        '',
      ].join('\n'),
    );
  /** The commands the shell received, without node-powershell's delimiter lines. */
  const received = (file: string) =>
    fs
      .readFileSync(`${file}.stdin`, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !/^\[Console\]::(Out|Error)\.WriteLine\("/.test(l));

  test('on close, after the last call', async () => {
    const file = answering('logs-close');
    const s = session(file);
    await s.run('Get-Date');
    await s.close();
    expect(received(file)).toEqual([s.launch.setupLine, 'Get-Date', TEARDOWN_LINE]);
  });

  test('when a broken session makes the process be recreated', async () => {
    const file = answering('logs-recreate');
    const s = session(file);
    await s.run('Get-Date', { discardIf: () => true });
    await s.run('Get-Date');
    expect(s.stats.spawns).toBe(2);
    await s.close();
    const setup = s.launch.setupLine;
    expect(received(file)).toEqual([setup, 'Get-Date', TEARDOWN_LINE, setup, 'Get-Date', TEARDOWN_LINE]);
  });

  test('after a timeout: queued behind the stuck command, with a grace period before the kill', async () => {
    const file = script('logs-stuck', '#!/bin/sh\nexec cat >> "$0.stdin"\n');
    const s = session(file, { setupTimeoutMs: 300 });
    await expect(s.run('Get-Date')).rejects.toThrow(ShellTimeoutError);
    await s.close();
    expect(received(file)).toEqual([s.launch.setupLine, TEARDOWN_LINE]);
  });

  test('the simulated mode has no Exchange session and sends nothing extra', () => {
    expect(launchFor(parseShellSettings({})).teardownLine).toBeUndefined();
  });
});

test('the shell process sees only the allow-listed environment: no webhook URL, Graph secret or Temporal key', async () => {
  const state = createSimState('healthy');
  const secrets = {
    NOTIFY_WEBHOOK_URL: 'https://hooks.example.test/services/T0/B0/token-in-url',
    GRAPH_CLIENT_SECRET: 'graph-secret-value',
    TEMPORAL_API_KEY: 'temporal-key-value',
    EXCHANGE_PASSWORD: 'exchange-password-value',
  };
  const saved = { ...process.env };
  Object.assign(process.env, secrets);
  let s: ShellSession | undefined;
  try {
    // The launch takes the environment when it is built, as the worker's client does.
    s = new ShellSession(launchFor(parseShellSettings({ simulatorState: state.file })));
  } finally {
    for (const name of Object.keys(secrets)) delete process.env[name];
    Object.assign(process.env, saved);
  }
  try {
    const seen = async (name: string) => (await s!.run(`[string]$env:${name}`)).trim();
    for (const name of Object.keys(secrets)) expect(await seen(name)).toBe('');
    // What it needs does arrive: the search path and the simulator's own state file.
    expect(await seen('PATH')).toBe(process.env.PATH);
    expect(await seen('EXCHANGE_SIM_STATE')).toBe(state.file);
  } finally {
    await s!.close();
    state.remove();
  }
});
