#!/usr/bin/env node
// The worker alone, against an existing Temporal cluster and Exchange organisation: `node dist/worker/main.js`.
// Everything comes from the environment (README.md, "Configuration").
import { ConfigurationError, loadWorkerConfig } from './config';
import { createRotationWorkers, installRuntime, runUntilSignal } from './worker';
import { connectionOptionsFor } from './temporal';

export async function main(): Promise<number> {
  const config = loadWorkerConfig();
  installRuntime(config.logLevel);
  const workers = await createRotationWorkers({ config });
  const { address } = connectionOptionsFor(config.temporal);
  for (const { organization, taskQueue } of workers.workers) {
    console.log(`worker for ${organization} on task queue ${taskQueue} at ${address} (${config.connection} Exchange)`);
  }
  await runUntilSignal(workers, (line) => console.log(line));
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
