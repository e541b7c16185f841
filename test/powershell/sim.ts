// Helpers for tests that drive the real simulated Exchange shell through real node-powershell.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIMULATOR_CLI } from 'simulated-exchange';

export const REPO_ROOT = path.join(__dirname, '..', '..');
export const SIM_SHELL = path.join(REPO_ROOT, 'bin', 'simulated-exchange-shell');

/** The simulator's CLI, `sim <args> --state <file>`; throws with the CLI's stderr on failure. */
export function sim(stateFile: string, ...args: string[]): string {
  return execFileSync(process.execPath, [SIMULATOR_CLI, ...args, '--state', stateFile], { encoding: 'utf8' });
}

export interface SimState {
  file: string;
  dir: string;
  remove(): void;
}

/** A fresh organisation from a scenario, its clock frozen so tests do not depend on real time passing. */
export function createSimState(scenario = 'healthy'): SimState {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-sim-'));
  const file = path.join(dir, 'state.json');
  sim(file, 'create', scenario, '--acceleration', '0');
  return { file, dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function showState(file: string): unknown {
  return JSON.parse(sim(file, 'show', '--json'));
}

/**
 * Runs `body` (CommonJS, with `dist` bound to the compiled repository) in a fresh Node process that fails on any
 * unhandled rejection: Jest's sandbox does not surface node-powershell's unawaited rejections to the test.
 */
export function runWithoutUnhandledRejections(body: string): string {
  const code =
    `process.on('unhandledRejection', (r) => { console.error('UNHANDLED', r); process.exit(7); });\n` +
    `const dist = (m) => require(${JSON.stringify(path.join(REPO_ROOT, 'dist'))} + '/' + m);\n` +
    `(async () => { ${body} })().then(() => setTimeout(() => process.exit(0), 200), (e) => { console.error(e); process.exit(1); });`;
  return execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' });
}

/** Whether a process is still alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
