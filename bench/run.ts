#!/usr/bin/env node
// `npm run bench -- <name>`: runs one benchmark. Each prints its findings and ends with one JSON line.
import { runFleetBench } from './fleet';
import { runServersBench } from './servers';
import { runShellBench } from './shell';
import { runSimBench } from './sim';

const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  fleet: runFleetBench,
  servers: runServersBench,
  shell: runShellBench,
  sim: runSimBench,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (!bench) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> (got ${JSON.stringify(name ?? '')})`);
    return 2;
  }
  await bench(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `bench failed: ${error.message}` : error);
    process.exitCode = 1;
  },
);
