// Dates on the Exchange server's clock: an effective date is built from the clock read on the server, never from the
// worker's, and a worker whose clock is off is reported.
import type { ClockReading, EffectiveDate } from '../common/exchange';
import type { ActivitySettings, ResolvedDeps } from './deps';

const HOUR_MS = 60 * 60 * 1000;
/**
 * Real time a clock read may take to reach Exchange as an effective date (one more call, possibly a fresh session on a
 * busy host). At an accelerated simulated clock it is many server minutes, so the lead is at least this much of them.
 */
export const CLOCK_TO_CALL_ALLOWANCE_MS = 2_000;

/** How far ahead of the server's clock as read the earliest effective date lies, in server time. */
export function minimumLeadMs(settings: Pick<ActivitySettings, 'minEffectiveDateLeadMs' | 'serverClockRate'>): number {
  return Math.max(settings.minEffectiveDateLeadMs, CLOCK_TO_CALL_ALLOWANCE_MS * settings.serverClockRate);
}

/**
 * Pure: the absolute effective date for what the workflow asked, from the Exchange server's clock as read. "Now" (the
 * emergency) is the minimum lead ahead, so Exchange never finds it in the past however the worker's clock stands; a
 * date in hours is never closer than that either.
 */
export function effectiveDateOnServerClock(
  requested: EffectiveDate,
  serverTime: string,
  settings: Pick<ActivitySettings, 'minEffectiveDateLeadMs' | 'serverClockRate'>,
): string {
  if (requested.kind === 'absolute') return new Date(Date.parse(requested.iso)).toISOString();
  const wanted = requested.kind === 'relative' ? requested.hours * HOUR_MS : 0;
  return new Date(Date.parse(serverTime) + Math.max(wanted, minimumLeadMs(settings))).toISOString();
}

function minutes(ms: number): string {
  const m = Math.round(Math.abs(ms) / 6_000) / 10;
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/**
 * Pure: a warning when the worker host's clock is further from the Exchange server's than the bound allows, else null.
 * The bound is real time; at an accelerated simulated clock the same real moment spans more server time.
 */
export function clockSkewWarning(
  reading: ClockReading,
  settings: Pick<ActivitySettings, 'maxClockSkewMs' | 'serverClockRate'>,
): string | null {
  if (reading.source !== 'exchange-server') return null;
  const bound = settings.maxClockSkewMs * settings.serverClockRate;
  if (Math.abs(reading.skewMs) <= bound) return null;
  const direction = reading.skewMs > 0 ? 'behind' : 'ahead of';
  return (
    `The worker host's clock is ${minutes(reading.skewMs)} ${direction} the clock of Exchange server ` +
    `${reading.server ?? '(unknown)'} (more than ${minutes(bound)}). Dates are built from the Exchange server's ` +
    "clock, so the rotation is not affected, but fix the host's time synchronisation (w32tm /query /status)."
  );
}

/** Reads the Exchange server's clock and logs a warning when the worker's is off. */
export async function readServerClock(deps: ResolvedDeps): Promise<{ reading: ClockReading; warning: string | null }> {
  const reading = await deps.exchange.readClock();
  const warning = clockSkewWarning(reading, deps.settings);
  if (warning !== null) deps.log.warn(warning, { skewMs: reading.skewMs, server: reading.server });
  return { reading, warning };
}
