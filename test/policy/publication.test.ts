// When to look for publication next: just after the servicelet's next run when its schedule is known.
import { AFTER_SERVICELET_RUN_MS, HOUR_MS, nextPublicationLook, publicationTime } from '../../common/policy';
import { NOW } from './fixtures';

const at = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR_MS).toISOString();
const look = (lastRuns: Array<string | null>, now = NOW, effectiveDate = NOW) =>
  nextPublicationLook({ effectiveDate, serverNow: now, lastRuns, cycleHours: 12, pollMs: HOUR_MS / 2 });

test.each([
  ['schedule unknown: the poll interval', [null, null], NOW, NOW, 'schedule-unknown', HOUR_MS / 2],
  [
    'last run 10 h ago: the next in 2 h',
    [at(-10)],
    NOW,
    NOW,
    'next-servicelet-run',
    2 * HOUR_MS + AFTER_SERVICELET_RUN_MS,
  ],
  [
    'the earliest server decides',
    [at(-10), at(-1)],
    NOW,
    NOW,
    'next-servicelet-run',
    2 * HOUR_MS + AFTER_SERVICELET_RUN_MS,
  ],
  ['a restart just now ran it: look in minutes', [NOW], NOW, NOW, 'next-servicelet-run', AFTER_SERVICELET_RUN_MS],
  [
    'the date is ahead: the first run after it',
    [at(-1)],
    NOW,
    at(5),
    'next-servicelet-run',
    11 * HOUR_MS + AFTER_SERVICELET_RUN_MS,
  ],
  [
    'just after a run at the date: look once it has finished',
    [at(-12)],
    at(0.05),
    NOW,
    'next-servicelet-run',
    AFTER_SERVICELET_RUN_MS - 0.05 * HOUR_MS,
  ],
  [
    'that run is over and did not publish: the next cycle',
    [at(-12)],
    at(1),
    NOW,
    'next-servicelet-run',
    11 * HOUR_MS + AFTER_SERVICELET_RUN_MS,
  ],
] as Array<[string, Array<string | null>, string, string, string, number]>)(
  '%s',
  (_, lastRuns, now, date, code, wait) => {
    const next = look(lastRuns, now, date);
    expect({ code: next.code, waitMs: next.waitMs }).toEqual({ code, waitMs: wait });
  },
);

test('the publication time is never later than the first event nor earlier than the truth allows', () => {
  expect(publicationTime([at(1), undefined, at(0.5)], at(2))).toBe(at(0.5));
  expect(publicationTime([null], at(2))).toBe(at(2));
  expect(publicationTime([at(3)], at(2))).toBe(at(2));
});

test('a look never passes the moment publication becomes overdue (or the run gives up), nor comes within a minute', () => {
  const base = { effectiveDate: NOW, serverNow: NOW, cycleHours: 12, pollMs: HOUR_MS / 2 };
  expect(nextPublicationLook({ ...base, lastRuns: [at(-1)], lookBy: at(3) }).waitMs).toBe(3 * HOUR_MS);
  expect(nextPublicationLook({ ...base, lastRuns: [null], lookBy: at(0.1) }).waitMs).toBe(0.1 * HOUR_MS);
  expect(nextPublicationLook({ ...base, lastRuns: [null], lookBy: at(-1) }).waitMs).toBe(60_000);
});
