// Dates on the Exchange server's clock: pure rules, asserted on values, not wording.
import { clockSkewWarning, effectiveDateOnServerClock, minimumLeadMs } from '../../activities/clock';
import type { ClockReading } from '../../common/exchange';

const SERVER = '2026-11-25T06:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(SERVER) + ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('effectiveDateOnServerClock', () => {
  const settings = { minEffectiveDateLeadMs: 2 * MIN, serverClockRate: 1 };
  test.each([
    ['49 hours from the server clock', { kind: 'relative', hours: 49 } as const, settings, at(49 * HOUR)],
    ['now: the minimum lead ahead, never the past', { kind: 'now' } as const, settings, at(2 * MIN)],
    [
      'a planned date shorter than the lead is lifted to it',
      { kind: 'relative', hours: 0.01 } as const,
      settings,
      at(2 * MIN),
    ],
    [
      'an accelerated clock: the lead covers 2 real seconds of it',
      { kind: 'now' } as const,
      { ...settings, serverClockRate: 3600 },
      at(2 * HOUR),
    ],
    [
      "no lead at all still yields the server's now",
      { kind: 'now' } as const,
      { minEffectiveDateLeadMs: 0, serverClockRate: 0.0001 },
      at(0),
    ],
    [
      'absolute stays as given',
      { kind: 'absolute', iso: '2027-01-01T00:00:00+01:00' } as const,
      settings,
      '2026-12-31T23:00:00.000Z',
    ],
  ])('%s', (_name, requested, s, expected) => {
    expect(effectiveDateOnServerClock(requested, SERVER, s)).toBe(expected);
  });

  test('the lead is the larger of the setting and the allowance at the clock rate', () => {
    expect(minimumLeadMs({ minEffectiveDateLeadMs: 5 * MIN, serverClockRate: 1 })).toBe(5 * MIN);
    expect(minimumLeadMs({ minEffectiveDateLeadMs: 5 * MIN, serverClockRate: 12_000 })).toBe(24_000_000);
  });
});

describe('clockSkewWarning', () => {
  const reading = (skewMs: number, source: ClockReading['source'] = 'exchange-server'): ClockReading => ({
    serverTime: SERVER,
    hostTime: at(-skewMs),
    skewMs,
    source,
    ...(source === 'exchange-server' ? { server: 'ex1.contoso.com' } : {}),
  });
  const settings = { maxClockSkewMs: 2 * MIN, serverClockRate: 1 };
  test.each([
    ['in bounds', reading(90_000), settings, null],
    ['exactly at the bound', reading(2 * MIN), settings, null],
    ['behind', reading(3 * MIN), settings, /3 minutes behind the clock of Exchange server ex1\.contoso\.com/],
    ['ahead', reading(-5 * MIN), settings, /5 minutes ahead of/],
    ['the host is the clock: nothing to compare', reading(0, 'host'), settings, null],
    ['an accelerated clock scales the bound', reading(3 * MIN), { ...settings, serverClockRate: 3600 }, null],
  ])('%s', (_name, r, s, expected) => {
    const warning = clockSkewWarning(r, s);
    if (expected === null) expect(warning).toBeNull();
    else expect(warning).toMatch(expected);
  });
});
