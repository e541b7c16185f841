// The simulator benchmark runs end to end on a short run and reports what bench/README.md says it reports (its figures
// are not judged here: no timing assertions in tests).
import { runSimBench } from '../../bench/sim';

test('three rounds on 2 and 200 servers end with one JSON line of medians and ratios', async () => {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    await runSimBench(['--rounds=3', '--warmup=0']);
  } finally {
    log.mockRestore();
  }
  const result = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
  expect(result).toMatchObject({ bench: 'sim', rounds: 3, servers: [2, 200] });
  const [small, large] = result.stateBytes as number[];
  expect(large).toBeGreaterThan(50 * small);
  for (const key of ['readMedianMs', 'writeMedianMs']) {
    expect(result[key]).toEqual([expect.any(Number), expect.any(Number)]);
    expect((result[key] as number[]).every((ms) => ms > 0)).toBe(true);
  }
  expect(result.readRatio).toBeCloseTo((result.readMedianMs as number[])[1] / (result.readMedianMs as number[])[0], 2);
});

test('a bad argument is refused with the flags it takes', async () => {
  await expect(runSimBench(['--rounds=1'])).rejects.toThrow(/rounds/);
  await expect(runSimBench(['--calls=5'])).rejects.toThrow('use --rounds=N --warmup=N');
});
