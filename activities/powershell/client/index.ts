// ExchangeClient over node-powershell, assembled from one area per kind of Exchange object: each method renders one
// catalogue command inside the per-call envelope, runs it on the target's session and parses the object it reads.
import type { ExchangeClient } from '../exchange-client';
import { ShellSessionPool } from '../pool';
import { ExchangeShellSettingsInput, launchFor, parseShellSettings } from '../settings';
import { ExchangeShell } from '../shell';
import { authConfigArea } from './auth-config';
import { certificatesArea } from './certificates';
import { clockArea } from './clock';
import { createContext } from './context';
import { organizationArea } from './organization';
import { serviceletArea } from './servicelet';
import { signInArea } from './sign-in';
import { windowsArea } from './windows';

export { ExchangeShell } from '../shell';
export { certificateLookupFailure } from './certificates';
export { CERTIFICATE_PROPERTIES } from '../objects/certificate';
export { SERVER_PROPERTIES } from '../objects/server';
export { AUTH_CONFIG_PROPERTIES } from '../objects/auth-config';
export { EVENT_PROPERTIES } from '../objects/event';
export { WORKER_PROCESS_PROPERTIES } from '../objects/worker-process';

export interface ExchangeClientDeps {
  /** The worker's sessions (opened on demand, closed when idle, bounded); defaults to one module-wide pool. */
  pool?: ShellSessionPool;
  /** The worker's clock, for the `at` of per-server results. */
  now?: () => Date;
}

const defaultPool = new ShellSessionPool();

/** Closes every session of the module-wide pool (worker shutdown). */
export function closeDefaultShellPool(): Promise<void> {
  return defaultPool.closeAll();
}

export function createExchangeClient(
  settingsInput: ExchangeShellSettingsInput | unknown = {},
  deps: ExchangeClientDeps = {},
): ExchangeClient & { shell: ExchangeShell } {
  const settings = parseShellSettings(settingsInput);
  const pool = deps.pool ?? defaultPool;
  const launch = launchFor(settings);
  pool.acquire(launch);
  const shell = new ExchangeShell(pool, launch);
  const ctx = createContext(shell, settings, deps.now ?? (() => new Date()));
  let closed = false;
  return {
    shell,
    ...clockArea(ctx),
    ...organizationArea(ctx),
    ...authConfigArea(ctx),
    ...certificatesArea(ctx),
    ...serviceletArea(ctx),
    ...windowsArea(ctx),
    ...signInArea(ctx),
    async close() {
      // Idempotent: a second close must not release sessions another client of the same target still uses.
      if (closed) return;
      closed = true;
      await pool.release(launch);
    },
  };
}
