#!/usr/bin/env node
// The worker alone, against an existing Temporal cluster and Exchange organisation: `node dist/worker/main.js`.
// Everything comes from the environment (README.md, "Configuration").
import fs from 'node:fs';
import { ConfigurationError } from '../common/environment';
import { connectionOptionsFor } from '../common/temporal-config';
import { loadWorkerConfig } from './config';
import { createRotationWorkers, installRuntime, runUntilSignal } from './worker';

export async function main(): Promise<number> {
  const config = loadWorkerConfig();
  installRuntime(config.logLevel, config.metricsBindAddress);
  const workers = await createRotationWorkers({ config });
  const { address } = connectionOptionsFor(config.temporal, fs.readFileSync);
  for (const { organization, taskQueue } of workers.workers) {
    console.log(`worker for ${organization} on task queue ${taskQueue} at ${address} (${config.connection} Exchange)`);
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
