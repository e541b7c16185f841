import { describeOutcome, runBatch, scenarioFor } from './batch';
import { workflowBundlePath } from '../helpers/temporal';

test('smoke', async () => {
  const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
  const outcomes = await runBatch(seeds.map(scenarioFor), {
    workflowBundlePath: workflowBundlePath(),
    concurrency: Number(process.env.CONC ?? 3),
    onOutcome: (o) => console.log(describeOutcome(o)),
  });
  expect(outcomes.length).toBe(seeds.length);
}, 600_000);
