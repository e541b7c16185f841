// The seeded scenarios of `npm test`, shared by the test files that split them (jest runs files on two workers): one
// Temporal test server per file, a few scenarios side by side, a test per block of seeds whose failure lists every
// violation with its seed, invariant and replay command.
import { describeOutcome, runBatch, scenarioFor } from './batch';
import type { EngineMode } from './engine';
import type { ScenarioOutcome } from './runner';
import { workflowBundlePath } from '../helpers/temporal';

/** The fixed set: seeds 1..SEEDED_SCENARIOS, in files of SEEDS_PER_FILE. */
export const SEEDED_SCENARIOS = 200;
export const SEEDS_PER_FILE = 50;
const BLOCK = 25;

export function seedBlocks(file: number): number[][] {
  const first = (file - 1) * SEEDS_PER_FILE + 1;
  const seeds = Array.from({ length: SEEDS_PER_FILE }, (_, i) => first + i);
  return Array.from({ length: SEEDS_PER_FILE / BLOCK }, (_, b) => seeds.slice(b * BLOCK, (b + 1) * BLOCK));
}

export async function runSeeds(seeds: Array<number | string>, mode: EngineMode = 'in-process') {
  const outcomes: ScenarioOutcome[] = await runBatch(seeds.map(scenarioFor), {
    workflowBundlePath: workflowBundlePath(),
    mode,
    concurrency: mode === 'real-shell' ? 2 : 4,
  });
  const seconds = outcomes.reduce((sum, o) => sum + o.seconds, 0);
  const failing = outcomes.filter((o) => o.violations.length > 0);
  return {
    outcomes,
    /** Every scenario with a violation, as the CLI prints it. */
    report: failing.map(describeOutcome).join('\n'),
    failingSeeds: failing.map((o) => o.trace.scenario.seed),
    secondsPerScenario: outcomes.length ? seconds / outcomes.length : 0,
  };
}
