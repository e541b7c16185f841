// The facts the decisions are made of, in tables: each row is one organisation state.
import {
  isCurrentExpired,
  isCurrentMissingEverywhere,
  isCurrentWithinRenewBefore,
  isNextStaged,
  isNextUsable,
  isPublicationOverdue,
  serversInScope,
  serversMissingCurrent,
  serversMissingNext,
  unreachableServers,
} from '../../common/policy';
import { CURRENT, NEXT, NOW, server, snapshot } from './fixtures';

describe('checks', () => {
  test.each([
    ['expired yesterday', snapshot({ expiresInDays: -1 }), true],
    ['expires this instant', snapshot({ expiresInDays: 0 }), true],
    ['expires tomorrow', snapshot({ expiresInDays: 1 }), false],
    ['no current certificate found', snapshot({ servers: [server('EX1', 'missing')] }), false],
  ])('isCurrentExpired: %s', (_, s, expected) => {
    expect(isCurrentExpired(s)).toBe(expected);
  });

  test.each([
    ['AuthConfig names none', snapshot({ current: null, servers: [server('EX1', null)] }), true],
    ['missing on every server', snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'missing')] }), true],
    ['missing on one', snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'present')] }), false],
    [
      'missing on one, the other unreachable',
      snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'unreachable')] }),
      true,
    ],
    ['every server unreachable: unknown, not missing', snapshot({ servers: [server('EX1', 'unreachable')] }), false],
  ])('isCurrentMissingEverywhere: %s', (_, s, expected) => {
    expect(isCurrentMissingEverywhere(s)).toBe(expected);
  });

  test.each([
    [61, 60, false],
    [60, 60, true],
    [10, 60, true],
    [10, 5, false],
  ])('isCurrentWithinRenewBefore: %d days left, renew before %d', (days, renewBefore, expected) => {
    expect(isCurrentWithinRenewBefore(snapshot({ expiresInDays: days }), renewBefore)).toBe(expected);
  });

  test.each([
    ['no next', snapshot(), false],
    ['next staged', snapshot({ next: NEXT }), true],
    ['next equals current (already published, not cleared)', snapshot({ next: CURRENT }), false],
  ])('isNextStaged: %s', (_, s, expected) => {
    expect(isNextStaged(s)).toBe(expected);
  });

  test.each([
    ['valid for five years, on every server', snapshot({ next: NEXT }), true],
    [
      'valid, missing on one server (an import brings it there)',
      snapshot({ next: NEXT, servers: [server('EX1', 'present', 'present'), server('EX2', 'present', 'missing')] }),
      true,
    ],
    ['none staged', snapshot(), false],
    [
      'on no server: its validity is unknown',
      snapshot({ next: NEXT, servers: [server('EX1', 'present', 'missing'), server('EX2', 'present', 'missing')] }),
      false,
    ],
    ['expired', snapshot({ next: NEXT, nextExpiresInDays: -1 }), false],
    ['expires within the margin (60 days)', snapshot({ next: NEXT, nextExpiresInDays: 60 }), false],
    ['expires just past the margin', snapshot({ next: NEXT, nextExpiresInDays: 61 }), true],
    ['not yet valid', snapshot({ next: NEXT, nextValidFromDays: 1 }), false],
    ['the next is the current one', snapshot({ next: CURRENT }), false],
  ])('isNextUsable (60 days): %s', (_, s, expected) => {
    expect(isNextUsable(s, 60)).toBe(expected);
  });

  test('servers missing current or next, unreachable servers, servers in scope', () => {
    const s = snapshot({
      next: NEXT,
      servers: [
        server('EX1', 'present', 'present'),
        server('EX2', 'missing', 'missing'),
        server('EX3', 'unreachable', 'unreachable'),
      ],
    });
    expect(serversMissingCurrent(s)).toEqual(['EX2']);
    expect(serversMissingNext(s)).toEqual(['EX2']);
    expect(unreachableServers(s)).toEqual(['EX3']);
    expect(serversInScope(s, true).map((x) => x.name)).toEqual(['EX1', 'EX2']);
    expect(serversInScope(s, false).map((x) => x.name)).toEqual(['EX1', 'EX2', 'EX3']);
    expect(serversMissingNext(snapshot())).toEqual([]);
  });

  test.each([
    ['one cycle after the date, no margin left', 12, 0, true],
    ['one cycle after the date, inside a 2 h margin', 12, 2, false],
    ['one cycle and the margin after', 14, 2, true],
    ['before the date', -1, 0, false],
  ])('isPublicationOverdue: %s', (_, hoursAfter, marginHours, expected) => {
    const effective = NOW;
    const serverTime = new Date(Date.parse(NOW) + hoursAfter * 3_600_000).toISOString();
    expect(isPublicationOverdue(effective, serverTime, 12, marginHours * 3_600_000)).toBe(expected);
  });
});
