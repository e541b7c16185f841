#!/usr/bin/env node
// The worker alone, against an existing Temporal cluster and Exchange organisation: `node dist/worker/main.js`.
// Everything comes from the environment (README.md, "Configuration").
import fs from 'node:fs';
import { ConfigurationError } from '../common/environment';
import { connectionOptionsFor } from '../common/temporal-config';
import { loadWorkerConfig } from './config';
import { ConnectAbortedError } from './connect';
import { createRotationWorkers, describeWorker, installRuntime, runUntilSignal } from './worker';

export async function main(): Promise<number> {
  const config = loadWorkerConfig();
  installRuntime(config.logLevel, config.metricsBindAddress);
  const { address } = connectionOptionsFor(config.temporal, fs.readFileSync);
  // Until the worker polls, a signal only ends the attempts to reach Temporal.
  const stopConnecting = new AbortController();
  const abort = () => stopConnecting.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  let workers;
  try {
    workers = await createRotationWorkers({
      config,
      connectRetry: { log: (line) => console.log(line), signal: stopConnecting.signal },
    });
  } catch (error) {
    if (!(error instanceof ConnectAbortedError)) throw error;
    console.log(error.message);
    return 0;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
  for (const w of workers.workers) {
    console.log(`worker: ${describeWorker(w)} at ${address} (${config.connection} Exchange)`);
  }
  const running = runUntilSignal(workers, (line) => console.log(line));
  // While the worker already polls: a wrong Exchange connection shows now rather than in the middle of a rotation.
  void workers.probe().then((probes) => {
    for (const p of probes) {
      console.log(
        p.ok
          ? `Exchange for ${p.organization} answers: server time ${p.serverTime}`
          : `warning: Exchange for ${p.organization} does not answer yet (${p.error}); the worker keeps polling and rotations retry`,
      );
    }
  });
  await running;
  console.log('worker stopped');
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ConfigurationError ? error.message : `worker: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
