// The durable wait for the effective date, on the Exchange server's clock: a Temporal timer for the time left, then a
// look at the server's clock, which decides (an accelerated simulated clock, or a skewed one, passes the date sooner).
import { reads } from './proxies';
import type { Rotation } from './context';
import type { StepResult } from './steps';
import { need } from './state';

const MAX_TIMERS = 20;

export async function waitForEffectiveDate(r: Rotation): Promise<StepResult> {
  r.enterPhase('waiting-for-effective-date');
  for (let timers = 0; ; timers += 1) {
    const { staging } = need(r.facts, 'staging');
    const clock = await reads.readServerClock();
    const remaining = Date.parse(staging.effectiveDate) - Date.parse(clock.serverTime);
    if (remaining <= 0) return 'next';
    if (timers >= MAX_TIMERS) {
      r.warn(
        `the server clock did not reach the effective date after ${timers} timers; watching for publication anyway`,
      );
      return 'next';
    }
    await r.pause(r.temporalMs(remaining), `the effective date ${staging.effectiveDate} (server clock)`);
  }
}
