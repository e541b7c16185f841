// The named regressions (regressions.ts): each reproduction of issue 8, and each failure found since, keeps every
// invariant. They run side by side on one test server (beforeAll); each is its own test, named, with its story.
import { describeOutcome } from './batch';
import { REGRESSIONS } from './regressions';
import type { ScenarioOutcome } from './runner';
import { runSeeds } from './seeded';

const outcomes = new Map<string, ScenarioOutcome>();

beforeAll(async () => {
  // A seed written out keeps its number as its scenario's seed (the runtime draws follow it), not the regression's name.
  const nameOf = new Map(REGRESSIONS.map((r) => [String(r.scenario().seed), r.name]));
  const { outcomes: all } = await runSeeds(REGRESSIONS.map((r) => r.name));
  for (const outcome of all) {
    const seed = String(outcome.trace.scenario.seed);
    outcomes.set(nameOf.get(seed) ?? seed, outcome);
  }
}, 900_000);

test.each(REGRESSIONS.map((r) => [r.name, r.why] as const))('%s keeps every invariant', (name, why) => {
  const outcome = outcomes.get(name);
  expect(outcome).toBeDefined();
  const report = outcome!.violations.length > 0 ? describeOutcome(outcome!) : '';
  expect({ why, report }).toEqual({ why, report: '' });
});
