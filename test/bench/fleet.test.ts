// The fleet benchmark's arithmetic (bench/fleet-figures.ts) and its flags: pure, on hand-made histories; the bench's
// figures themselves are not judged here.
import { z } from 'zod';
import { parseFlags } from '../../bench/args';
import * as figures from '../../bench/fleet-figures';
import type { FlatEvent } from '../../bench/fleet-figures';

const { activitySecondsByType, falseOverdueCount, fleetLine, ratio, replayScript, restSamples, runTimes, unionMs } =
  figures;

const HOUR = 3_600_000;

/** A rotation-like run: a task starting two activities, a 10 s timer, a task with one activity, a cancelled timer. */
const RUN: FlatEvent[] = [
  { kind: 'started', atMs: 0 },
  { kind: 'task-completed', atMs: 100 },
  { kind: 'activity-scheduled', atMs: 100, id: '5' },
  { kind: 'activity-scheduled', atMs: 100, id: '6' },
  { kind: 'activity-closed', atMs: 900, id: '5' },
  { kind: 'activity-closed', atMs: 1000, id: '6' },
  { kind: 'task-completed', atMs: 1100 },
  { kind: 'timer-started', atMs: 1100, id: 't1', timerMs: 10_000 },
  { kind: 'timer-fired', atMs: 11_100, id: 't1' },
  { kind: 'task-timed-out', atMs: 21_100 },
  { kind: 'task-completed', atMs: 21_200 },
  { kind: 'activity-scheduled', atMs: 21_200, id: '12' },
  { kind: 'timer-started', atMs: 21_200, id: 't2', timerMs: 60_000 },
  { kind: 'activity-closed', atMs: 22_000, id: '12' },
  { kind: 'timer-canceled', atMs: 22_100, id: 't2' },
  { kind: 'closed', atMs: 22_200 },
];

test('flags come as --name=value or --name value, and anything else names the flags there are', () => {
  const schema = z.object({ orgs: z.coerce.number().int().min(1), servers: z.coerce.number().int().default(2) });
  expect(parseFlags(['--orgs', '500', '--servers=200'], schema)).toEqual({ orgs: 500, servers: 200 });
  expect(parseFlags(['--orgs=5'], schema)).toEqual({ orgs: 5, servers: 2 });
  expect(() => parseFlags(['--orgs'], schema)).toThrow('use --orgs=N --servers=N');
  expect(() => parseFlags(['--orgs', '--servers', '2'], schema)).toThrow('unknown argument "--orgs"');
  expect(() => parseFlags(['--orgs', '0'], schema)).toThrow(/orgs/);
});

test('time in timers is the union of their intervals; the rest of the run is non-timer time', () => {
  expect(
    unionMs([
      [0, 10],
      [5, 20],
      [30, 40],
      [35, 36],
    ]),
  ).toBe(30);
  // Timers: 1100-11100 (fired) and 21200-22100 (cancelled, counted until then).
  expect(runTimes(RUN)).toEqual({ wallMs: 22_200, nonTimerMs: 22_200 - 10_000 - 900 });
});

test('the no-op script keeps each task\u2019s activities and the timers that fired, not the cancelled ones', () => {
  expect(replayScript(RUN)).toEqual([
    { activities: 2, timerMs: 0 },
    { activities: 0, timerMs: 10_000 },
    { activities: 1, timerMs: 0 },
  ]);
});

test('activity time is summed per type, most first', () => {
  const named = RUN.map((e) => (e.kind === 'activity-scheduled' ? { ...e, name: e.id === '6' ? 'slow' : 'fast' } : e));
  expect(activitySecondsByType([named, named])).toEqual({ slow: 1.8, fast: 3.2 });
});

test('at rest: no activity running or ended within the idle time, and the run neither before nor after all work', () => {
  const busy: Array<[number, number]> = [
    [100, 1000],
    [21_200, 22_000],
  ];
  const samples = [50, 500, 1500, 5000, 21_500, 30_000].map((atMs) => ({ atMs, shells: atMs, rssMb: 1 }));
  expect(restSamples(samples, busy, 2000).map((s) => s.atMs)).toEqual([5000]);
});

test('ratios to two decimals, none against nothing', () => {
  expect(ratio(3, 2)).toBe(1.5);
  expect(ratio(1, 3)).toBe(0.33);
  expect(ratio(1, 0)).toBeNull();
});

test("an overdue diagnosis is false when the organisation's record shows it was on time", () => {
  const effective = '2026-01-03T00:00:00.000Z';
  const due = 14 * HOUR;
  const at = (h: number) => Date.parse(effective) + h * HOUR;
  const installed = [at(-40), at(-39)];
  const published = { publishedAt: at(12), lastRecycleAt: at(12.5), installedAt: installed };
  const late = { ...published, publishedAt: at(15) };
  const overdue = { publicationOverdueFrom: effective, replicationMoveCutoffs: [] };
  expect(falseOverdueCount(published, overdue, due)).toBe(1);
  expect(falseOverdueCount(late, overdue, due)).toBe(0);
  expect(falseOverdueCount(published, { publicationOverdueFrom: null, replicationMoveCutoffs: [] }, due)).toBe(0);
  // A date moved at a cut-off by which every server had the certificate: false; one server still lacking it: true.
  const moved = { publicationOverdueFrom: null, replicationMoveCutoffs: [at(-2)] };
  expect(falseOverdueCount(published, moved, due)).toBe(1);
  expect(falseOverdueCount({ ...published, installedAt: [at(-40), at(-1)] }, moved, due)).toBe(0);
  expect(falseOverdueCount({ ...published, installedAt: [at(-40), null] }, moved, due)).toBe(0);
});

test('the last line has exactly the issue\u2019s fields, in order', () => {
  const line = fleetLine(Object.fromEntries(figures.FLEET_LINE_FIELDS.map((k, i) => [k, i])) as never);
  expect(Object.keys(JSON.parse(line) as object).join(' ')).toBe(
    'orgs servers completed wallRatio nonTimerRatio workerRssMb shellsAliveAtRest shellsAlivePeak ' +
      'workflowTaskTimeouts callsPerServer publicationToLastRecycleMinutes falseOverdue',
  );
});
