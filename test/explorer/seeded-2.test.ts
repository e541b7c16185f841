// Seeded scenarios, part 2 of 4 (see seeded.ts): no violation of any invariant.
import { runSeeds, seedBlocks } from './seeded';

test.each(seedBlocks(2).map((seeds) => [`${seeds[0]}..${seeds[seeds.length - 1]}`, seeds] as const))(
  'seeds %s keep every invariant',
  async (_, seeds) => {
    const { report, failingSeeds, secondsPerScenario } = await runSeeds([...seeds]);
    console.log(`seeds ${seeds[0]}..${seeds[seeds.length - 1]}: ${secondsPerScenario.toFixed(2)} s per scenario`);
    expect({ failingSeeds, report }).toEqual({ failingSeeds: [], report: '' });
  },
  900_000,
);
