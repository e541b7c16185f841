// Entry point of bin/simulated-exchange-shell: the simulated Exchange Management Shell over the organisation named by
// EXCHANGE_SIM_STATE.
import { createExchangeHost } from '../exchange/host';
import { runShell } from './main';

/**
 * A shell whose parent (the worker) has died is an orphan nobody will read: it leaves, even in the middle of a command
 * that never answers. Reparenting changes the parent process ID, which is polled; the timer never keeps the shell up.
 */
function leaveWhenOrphaned(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(129);
  }, 250).unref();
}

async function main(): Promise<void> {
  leaveWhenOrphaned();
  const host = await createExchangeHost(process.env);
  const code = await runShell({
    argv: process.argv.slice(2),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    host,
  });
  // Let pending writes drain before leaving.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main().catch((e: unknown) => {
  process.stderr.write(`simulated-exchange-shell: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
