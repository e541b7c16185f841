// The shell benchmark's own arithmetic, on a short real run against the simulated shell: the steady-state figure
// counts only measured calls, and the first start stays visible on its own.
import { runShellBench } from '../../bench/shell';

async function lastJsonLine(argv: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    await runShellBench(argv);
  } finally {
    log.mockRestore();
  }
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

test('spawns per 100 measured calls leave the warm-up start out, and report it apart', async () => {
  const result = await lastJsonLine(['--calls=10', '--warmup=2']);
  expect(result).toMatchObject({ bench: 'shell', calls: 10, spawnsPer100Calls: 0, warmupSpawns: 1 });
});

test('without warm-up the first start falls in the measured calls', async () => {
  const result = await lastJsonLine(['--calls=10', '--warmup=0']);
  expect(result).toMatchObject({ spawnsPer100Calls: 10, warmupSpawns: 0 });
});
