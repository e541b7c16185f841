// The simulator benchmark runs end to end on a short run and reports what bench/README.md says it reports (its figures
// are not judged here: no timing assertions in tests).
import { runSimBench } from '../../bench/sim';
import { nth } from '../helpers/present';

test('three rounds on 2 and 200 servers end with one JSON line of medians and ratios', async () => {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    await runSimBench(['--rounds=3', '--warmup=0']);
  } finally {
    log.mockRestore();
  }
  const result = JSON.parse(nth(lines, lines.length - 1, 'output line')) as Record<string, unknown>;
  expect(result).toMatchObject({ bench: 'sim', rounds: 3, servers: [2, 200] });
  const stateBytes = result.stateBytes as number[];
  expect(nth(stateBytes, 1, 'state size')).toBeGreaterThan(50 * nth(stateBytes, 0, 'state size'));
  for (const key of ['readMedianMs', 'writeMedianMs']) {
    expect(result[key]).toEqual([expect.any(Number), expect.any(Number)]);
    expect((result[key] as number[]).every((ms) => ms > 0)).toBe(true);
  }
  const readMedianMs = result.readMedianMs as number[];
  expect(result.readRatio).toBeCloseTo(nth(readMedianMs, 1, 'median') / nth(readMedianMs, 0, 'median'), 2);
});

test('a bad argument is refused with the flags it takes', async () => {
  await expect(runSimBench(['--rounds=1'])).rejects.toThrow(/rounds/);
  await expect(runSimBench(['--calls=5'])).rejects.toThrow('use --rounds=N --warmup=N');
});
