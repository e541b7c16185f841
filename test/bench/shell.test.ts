// The shell benchmark's own arithmetic, on a short real run against the simulated shell: every start the layer made,
// warm-up included, over every call it served.
import { runShellBench } from '../../bench/shell';
import { nth } from '../helpers/present';

async function lastJsonLine(argv: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    await runShellBench(argv);
  } finally {
    log.mockRestore();
  }
  return JSON.parse(nth(lines, lines.length - 1, 'output line')) as Record<string, unknown>;
}

test('one start for twelve calls, warm-up included', async () => {
  const result = await lastJsonLine(['--calls=10', '--warmup=2']);
  expect(result).toMatchObject({ bench: 'shell', calls: 10, spawns: 1, layerCalls: 12, spawnsPer100Calls: 8.333 });
});

test('without warm-up: one start for the ten measured calls', async () => {
  const result = await lastJsonLine(['--calls=10', '--warmup=0']);
  expect(result).toMatchObject({ spawns: 1, layerCalls: 10, spawnsPer100Calls: 10 });
});
