// The session pool with real processes: shells open when a call needs one, close when idle (timers fired by the test,
// never waited for), never exceed their caps, and never outlive the worker. The gated shell below speaks
// node-powershell's protocol and holds a command `WAIT <file>` until the test creates the file.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createExchangeClient } from '../../activities/powershell/client';
import { ShellSessionPool } from '../../activities/powershell/pool';
import { ShellLaunch, launchFor, parseShellSettings } from '../../activities/powershell/settings';
import { REPO_ROOT, SimState, createSimState, isAlive, sim, waitUntil } from './sim';

let dir: string;
const states: SimState[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-pool-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const s of states) s.remove();
});

const GATED_SHELL = [
  '#!/bin/sh',
  'echo $$ >> "$0.pids"',
  'while IFS= read -r line; do',
  '  case "$line" in',
  '    \'[Console]::Error.WriteLine("\'*) d=${line#*(\\"}; echo "${d%%\\")*}" >&2 ;;',
  '    \'[Console]::Out.WriteLine("\'*) d=${line#*(\\"}; echo "${d%%\\")*}" ;;',
  '    \'WAIT \'*) f=${line#WAIT }; : > "$f.entered"; while [ ! -f "$f" ]; do sleep 0.02; done ;;',
  '  esac',
  'done',
  '',
].join('\n');

/** A target of its own: a copy of the gated shell (the executable is part of a target's key). */
function target(name: string): ShellLaunch & { pids: () => number[] } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, GATED_SHELL, { mode: 0o755 });
  const launch = launchFor(parseShellSettings({ mode: 'local', executable: file }));
  const pids = () =>
    fs.existsSync(`${file}.pids`)
      ? fs.readFileSync(`${file}.pids`, 'utf8').split('\n').filter(Boolean).map(Number)
      : [];
  return Object.assign(launch, { pids });
}

/** A gate: `WAIT <file>` holds until open(); entered() tells that the shell is holding it. */
function gate(name: string) {
  const file = path.join(dir, `${name}.gate`);
  return {
    command: `WAIT ${file}`,
    entered: () => fs.existsSync(`${file}.entered`),
    open: () => fs.writeFileSync(file, ''),
  };
}

/** Idle timeouts the test fires itself. */
function manualTimers() {
  const pending: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  return {
    pending,
    schedule: (fn: () => void, ms: number) => {
      const timer = { fn, ms, cancelled: false };
      pending.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    fireAll: () => {
      for (const t of pending.splice(0)) if (!t.cancelled) t.fn();
    },
  };
}

test('a session opens when a call needs it and closes when idle; the next call opens a fresh one', async () => {
  const timers = manualTimers();
  const pool = new ShellSessionPool({ idleTimeoutMs: 60_000, schedule: timers.schedule });
  const a = target('idle');
  pool.acquire(a);
  expect(pool.size).toBe(0);
  await pool.withSession(a, (s) => s.run('Get-Date'));
  const [pid] = a.pids();
  expect(isAlive(pid!)).toBe(true);
  expect(timers.pending.map((t) => t.ms)).toEqual([60_000]);
  // A call before the timeout reuses the process and cancels its timer.
  await pool.withSession(a, (s) => s.run('Get-Date'));
  expect(a.pids()).toEqual([pid]);
  expect(timers.pending.map((t) => t.cancelled)).toEqual([true, false]);
  timers.fireAll();
  await waitUntil(() => !isAlive(pid!), 'the idle shell to exit');
  expect(pool.size).toBe(0);
  await pool.withSession(a, (s) => s.run('Get-Date'));
  expect(a.pids()).toHaveLength(2);
  expect(pool.stats).toEqual({ opened: 2, peak: 1 });
  await pool.closeAll();
});

test('never more shells than the cap: a call for a third target waits, then takes the place of a finished one', async () => {
  const pool = new ShellSessionPool({ maxSessions: 2, schedule: manualTimers().schedule });
  const [a, b, c] = [target('cap-a'), target('cap-b'), target('cap-c')];
  const [ga, gb, gc] = [gate('cap-a'), gate('cap-b'), gate('cap-c')];
  for (const t of [a, b, c]) pool.acquire(t);
  const calls = [
    pool.withSession(a, (s) => s.run(ga.command)),
    pool.withSession(b, (s) => s.run(gb.command)),
    pool.withSession(c, (s) => s.run(gc.command)),
  ];
  await waitUntil(() => ga.entered() && gb.entered(), 'two calls to hold their gates');
  expect([pool.size, pool.waiting, c.pids().length]).toEqual([2, 1, 0]);
  ga.open();
  await calls[0];
  await waitUntil(() => gc.entered(), 'the waiting call to run');
  // The first target's shell made room before the third one started.
  expect(isAlive(a.pids()[0]!)).toBe(false);
  expect([pool.size, pool.waiting, pool.stats.peak]).toEqual([2, 0, 2]);
  gb.open();
  gc.open();
  await Promise.all(calls);
  await pool.closeAll();
  for (const pid of [...a.pids(), ...b.pids(), ...c.pids()]) {
    await waitUntil(() => !isAlive(pid), 'every shell to exit');
  }
});

test('calls of one target run side by side up to its own cap; the next one takes a freed session', async () => {
  const pool = new ShellSessionPool({ maxSessions: 4, maxSessionsPerTarget: 2, schedule: manualTimers().schedule });
  const a = target('per-target');
  pool.acquire(a);
  const gates = [gate('pt-1'), gate('pt-2'), gate('pt-3')];
  const calls = gates.map((g) => pool.withSession(a, (s) => s.run(g.command).then(() => s.pid)));
  await waitUntil(() => gates[0]!.entered() && gates[1]!.entered(), 'two calls to hold their gates');
  expect([pool.size, pool.waiting, gates[2]!.entered()]).toEqual([2, 1, false]);
  gates[0]!.open();
  const first = await calls[0];
  await waitUntil(() => gates[2]!.entered(), 'the third call to run');
  gates[1]!.open();
  gates[2]!.open();
  expect(await calls[2]).toBe(first);
  expect(a.pids()).toHaveLength(2);
  await pool.closeAll();
});

test("a finished call's shell serves its own target's next call first, even while another target waits", async () => {
  const pool = new ShellSessionPool({ maxSessions: 1, schedule: manualTimers().schedule });
  const [a, b] = [target('claim-a'), target('claim-b')];
  const g = gate('claim-a');
  for (const t of [a, b]) pool.acquire(t);
  // An activity's two calls in a row: the second is asked for as soon as the first answers.
  const activity = pool
    .withSession(a, (s) => s.run(g.command).then(() => s.pid))
    .then(async (first) => [first, await pool.withSession(a, (s) => s.run('Get-Date').then(() => s.pid))]);
  await waitUntil(() => g.entered(), 'the first call to hold its gate');
  const other = pool.withSession(b, (s) => s.run('Get-Date').then(() => s.pid));
  expect(pool.waiting).toBe(1);
  g.open();
  const [first, second] = await activity;
  // One shell for both calls: not closed for the waiting target between them and started again.
  expect(second).toBe(first);
  expect(a.pids()).toHaveLength(1);
  expect(await other).toBe(b.pids()[0]);
  expect(pool.stats).toEqual({ opened: 2, peak: 1 });
  await pool.closeAll();
});

test('the last client of a target letting go closes its idle shells at once; closeAll fails the waiting calls', async () => {
  const pool = new ShellSessionPool({ maxSessions: 1, schedule: manualTimers().schedule });
  const [a, b] = [target('release-a'), target('release-b')];
  pool.acquire(a);
  pool.acquire(a);
  await pool.withSession(a, (s) => s.run('Get-Date'));
  await pool.release(a);
  expect(pool.size).toBe(1);
  await pool.release(a);
  expect(pool.size).toBe(0);
  await waitUntil(() => !isAlive(a.pids()[0]!), 'the released shell to exit');

  pool.acquire(b);
  const g = gate('release-b');
  const busy = pool.withSession(b, (s) => s.run(g.command));
  await waitUntil(() => g.entered(), 'the call to hold its gate');
  const waiting = pool.withSession(b, (s) => s.run('Get-Date'));
  const closing = pool.closeAll();
  await expect(waiting).rejects.toThrow(/pool was closed/);
  await expect(pool.withSession(b, (s) => s.run('Get-Date'))).rejects.toThrow(/pool was closed/);
  g.open();
  await busy;
  await closing;
  await waitUntil(() => !isAlive(b.pids()[0]!), 'the busy shell to exit after its call');
});

describe('through the simulated shell', () => {
  test('between the steps of a rotation nothing stays running', async () => {
    const state = createSimState('healthy');
    states.push(state);
    const timers = manualTimers();
    const pool = new ShellSessionPool({ schedule: timers.schedule });
    const client = createExchangeClient({ simulatorState: state.file }, { pool });
    const servers = await client.getExchangeServers();
    await Promise.all(servers.map((s) => client.getAppPoolWorkerProcesses(s.fqdn)));
    const pid = client.shell.session.pid!;
    expect(pool.size).toBeGreaterThan(0);
    timers.fireAll();
    await waitUntil(() => pool.size === 0 && !isAlive(pid), 'every idle shell to exit');
    await client.close();
    await pool.closeAll();
  });

  test('a shell hung in a command does not outlive its killed worker', async () => {
    const state = createSimState('healthy');
    states.push(state);
    // Fires once: the fault is gone from the state file once the shell is inside the call that never answers.
    sim(state.file, 'fault', 'inject', 'hang', '--cmdlet', 'Get-AuthConfig', '--count', '1');
    const faultsLeft = () => (JSON.parse(fs.readFileSync(state.file, 'utf8')) as { faults: unknown[] }).faults.length;
    // A stand-in worker: starts a call that never answers, says which shell runs it, and is then killed.
    const code = `
      const { createExchangeClient } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'activities', 'powershell', 'client'))});
      const client = createExchangeClient({ simulatorState: ${JSON.stringify(state.file)} });
      client.getAuthConfig().catch(() => undefined);
      const tell = setInterval(() => {
        try { const pid = client.shell.session.pid; if (pid) { console.log(pid); clearInterval(tell); } } catch {}
      }, 20);`;
    const worker: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    await waitUntil(() => /^\d+\n/.test(output), 'the stand-in worker to start its shell', 20_000);
    const shellPid = Number(output.trim());
    await waitUntil(() => faultsLeft() === 0, 'the shell to be inside the call that never answers', 20_000);
    // The shell really is stuck in the call: it is alive and its parent is the worker.
    expect(isAlive(shellPid)).toBe(true);
    expect(fs.readFileSync(`/proc/${shellPid}/stat`, 'utf8').split(' ')[3]).toBe(String(worker.pid));
    worker.kill('SIGKILL');
    await waitUntil(() => !isAlive(shellPid), 'the orphaned shell to leave', 20_000);
  });
});
