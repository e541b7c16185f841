// A few seeds through the real boundary: node-powershell spawning bin/simulated-exchange-shell on the scenario's state
// file, faults placed as one-shot faults in that file (README.md, "The boundary"). What the in-process shell stands in
// for is exercised here with the same scenarios and invariants.
import { runSeeds } from './seeded';

/** Seeds whose timelines include transient faults, shell deaths, worker kills and an HCW answer. */
export const REAL_SHELL_SEEDS = [3, 15, 24];

test('a sample of seeds through the real simulated shell keeps every invariant', async () => {
  const { report, failingSeeds, secondsPerScenario } = await runSeeds(REAL_SHELL_SEEDS, 'real-shell');
  console.log(`real shell: ${secondsPerScenario.toFixed(2)} s per scenario`);
  expect({ failingSeeds, report }).toEqual({ failingSeeds: [], report: '' });
}, 900_000);
