// Entry point of bin/simulated-exchange-shell: the simulated Exchange Management Shell over the organisation named by
// EXCHANGE_SIM_STATE.
import { createExchangeHost } from '../exchange/host';
import { runShell } from './main';

async function main(): Promise<void> {
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
