// Effective dates in tables: the planned date, a staged date that must move, the cut-off, and how far a date may move.
import {
  DATE_MOVE_STEP_MS,
  HOUR_MS,
  LEAD_WHEN_LACKING_MS,
  MAX_DATE_MOVES,
  movedDate,
  planNewDate,
  planStagedDate,
  replicationCutoff,
} from '../../common/policy';
import { inDays, NOW } from './fixtures';

const at = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR_MS).toISOString();

describe('planNewDate', () => {
  test.each([
    ['no current certificate', null, 49, 'as-wanted', { kind: 'relative', hours: 49 }, false],
    ['current valid for years', inDays(900), 49, 'as-wanted', { kind: 'relative', hours: 49 }, false],
    ['current expires in 3 days', inDays(3), 49, 'as-wanted', { kind: 'relative', hours: 49 }, false],
    [
      'current expires in 1 day: 2 h before it',
      inDays(1),
      49,
      'before-expiry',
      { kind: 'absolute', iso: at(22) },
      true,
    ],
    ['30 days wanted, 10 left', inDays(10), 720, 'before-expiry', { kind: 'absolute', iso: at(238) }, true],
    [
      'current expires in 2 h: an hour ahead at least',
      at(2),
      49,
      'expiry-too-close',
      { kind: 'absolute', iso: at(1) },
      true,
    ],
  ])('%s', (_, notAfter, hours, code, effectiveDate, restartAtDate) => {
    const plan = planNewDate(NOW, hours, notAfter);
    expect({ code: plan.finding.code, effectiveDate: plan.effectiveDate, restartAtDate: plan.restartAtDate }).toEqual({
      code,
      effectiveDate,
      restartAtDate,
    });
  });
});

describe('planStagedDate', () => {
  test.each([
    ['far ahead, every server has it', at(40), [], inDays(900), null, null],
    ['already past, every server has it: the servicelet publishes it', at(-5), [], inDays(900), null, null],
    ['past, EX2 lacks it: moved ahead', at(-5), ['EX2'], inDays(900), 'staged-date-too-close', at(6)],
    ['an hour ahead, EX2 lacks it: moved', at(1), ['EX2'], inDays(900), 'staged-date-too-close', at(6)],
    ['far enough ahead though EX2 lacks it', at(10), ['EX2'], inDays(900), null, null],
    [
      'after the current expiry: brought in front of it',
      inDays(20),
      [],
      inDays(10),
      'staged-date-after-expiry',
      at(238),
    ],
    ['no date known, EX2 lacks it', null, ['EX2'], null, 'staged-date-too-close', at(6)],
  ])('%s', (_, stagedDate, lacking, currentNotAfter, code, iso) => {
    const plan = planStagedDate({ serverNow: NOW, stagedDate, lacking, currentNotAfter });
    expect(plan === null ? null : plan.finding.code).toBe(code);
    if (plan !== null) expect(plan.effectiveDate).toEqual({ kind: 'absolute', iso });
  });
});

describe('movedDate and the cut-off', () => {
  test('a date moves a day at a time, a few times, never past the expiry less the margin', () => {
    const base = { serverNow: NOW, effectiveDate: at(2), movesSoFar: 0, currentNotAfter: null };
    expect(movedDate(base)).toBe(new Date(Date.parse(at(2)) + DATE_MOVE_STEP_MS).toISOString());
    expect(movedDate({ ...base, movesSoFar: MAX_DATE_MOVES })).toBeNull();
    expect(movedDate({ ...base, currentNotAfter: at(20) })).toBe(at(18));
    // Not even the least lead left before the expiry: it cannot move.
    expect(movedDate({ ...base, currentNotAfter: at(LEAD_WHEN_LACKING_MS / HOUR_MS) })).toBeNull();
  });

  test.each([
    ['49 h window: two hours before the date', at(0), at(49), at(47)],
    ['2 h window: half of it', at(0), at(2), at(1)],
    ['date before staging: the date itself', at(0), at(-1), at(-1)],
  ])('replicationCutoff: %s', (_, stagedAt, effectiveDate, cutoff) => {
    expect(new Date(replicationCutoff(effectiveDate, stagedAt)).toISOString()).toBe(cutoff);
  });
});
