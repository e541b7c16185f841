// Durations as people type them ("30s", "10m", "6h", "2 days", "1500ms") or as a number of milliseconds, parsed to
// milliseconds by one rule: the rotation input, the schedule settings and the worker's environment agree on what a
// duration is and say the same when one is not. No Node built-ins: the workflow validates its input with this.
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';

export const DURATION_EXAMPLES = '"30s", "10m", "6h" or "2 days"';

function millisecondsOf(value: string | number): number {
  try {
    return Math.round(msToNumber(typeof value === 'string' ? (value.trim() as '1s') : value));
  } catch {
    return Number.NaN;
  }
}

/**
 * A duration in milliseconds. `positive` refuses zero (an interval, a deadline, a timeout); otherwise zero is a valid
 * answer (no jitter, no grace time). A default goes in with `.prefault("10m")`, so it is parsed like a given value.
 */
export function durationSchema(rule: 'positive' | 'zero-or-more') {
  const message = `must be a ${rule === 'positive' ? 'positive ' : ''}duration such as ${DURATION_EXAMPLES}`;
  return z.union([z.string(), z.number()], { error: message }).transform((value, ctx) => {
    const ms = millisecondsOf(value);
    if (!Number.isFinite(ms) || ms < 0 || (rule === 'positive' && ms === 0)) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return ms;
  });
}
