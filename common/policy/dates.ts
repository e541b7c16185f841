// When a staged certificate becomes current. The AuthAdmin servicelet publishes it at its first run after the effective
// date, so the date must leave every server time to receive it, and must come before the current certificate expires:
// a planned rotation moves its date rather than ever publishing by force.
import type { EffectiveDate } from '../exchange';
import { finding, HOUR_MS, isoAt, type Finding } from './findings';

/** Time the certificate servicelet needs to copy a certificate within a site (and an import to finish). */
export const MIN_LEAD_MS = 1 * HOUR_MS;
/** A certificate staged to replace one that expires is published this long before the expiry. */
export const EXPIRY_MARGIN_MS = 2 * HOUR_MS;
/** Time left for a person (or the run) to import the certificate where replication did not bring it. */
export const REPLICATION_MARGIN_MS = 2 * HOUR_MS;
/** Where servers lack a staged certificate and its date is close, the date moves at least this far ahead. */
export const LEAD_WHEN_LACKING_MS = 6 * HOUR_MS;
/** A date that had to move moves by this much each time, and at most this many times in one rotation. */
export const DATE_MOVE_STEP_MS = 24 * HOUR_MS;
export const MAX_DATE_MOVES = 3;

export type DateCode =
  | 'as-wanted'
  | 'before-expiry'
  | 'expiry-too-close'
  | 'staged-date-kept'
  | 'staged-date-too-close'
  | 'staged-date-after-expiry';

export interface DatePlan {
  /** What stageCertificate is asked for: hours from the server's clock at call time, or a fixed date. */
  effectiveDate: Extract<EffectiveDate, { kind: 'relative' } | { kind: 'absolute' }>;
  finding: Finding<DateCode>;
  /**
   * Restart MSExchangeServiceHost once the date has passed: the servicelet's next 12-hourly run could come after the
   * current certificate expired.
   */
  restartAtDate: boolean;
}

/** The latest date a replacement may take effect: the current certificate's expiry less the margin (none: no limit). */
export function latestEffectiveDate(currentNotAfter: string | null): number {
  return currentNotAfter === null ? Infinity : Date.parse(currentNotAfter) - EXPIRY_MARGIN_MS;
}

/** A new certificate's date: the wanted lead time, brought in front of the current certificate's expiry if need be. */
export function planNewDate(serverNow: string, wantedHours: number, currentNotAfter: string | null): DatePlan {
  const now = Date.parse(serverNow);
  const latest = latestEffectiveDate(currentNotAfter);
  if (now + wantedHours * HOUR_MS <= latest) {
    return {
      effectiveDate: { kind: 'relative', hours: wantedHours },
      finding: finding('as-wanted', `effective ${wantedHours} hours after staging (server clock)`),
      restartAtDate: false,
    };
  }
  const date = Math.max(latest, now + MIN_LEAD_MS);
  const text =
    `the current certificate expires at ${currentNotAfter}, before a date ${wantedHours} hours ahead: the new one ` +
    `takes effect at ${isoAt(date)}`;
  return {
    effectiveDate: { kind: 'absolute', iso: isoAt(date) },
    finding:
      date > latest
        ? finding(
            'expiry-too-close',
            `${text}, which leaves no margin: expect sign-in to fail from the expiry until then`,
          )
        : finding('before-expiry', `${text}, and MSExchangeServiceHost is restarted then so it is published at once`),
    restartAtDate: true,
  };
}

/**
 * A certificate somebody staged already: its date stands unless servers still lack the certificate and the date leaves
 * no time to bring it there, or it falls after the current certificate's expiry. Null: keep it.
 */
export function planStagedDate(input: {
  serverNow: string;
  stagedDate: string | null;
  /** In-scope servers that lack the staged certificate. */
  lacking: string[];
  currentNotAfter: string | null;
}): DatePlan | null {
  const now = Date.parse(input.serverNow);
  const staged = input.stagedDate === null ? now : Date.parse(input.stagedDate);
  const latest = latestEffectiveDate(input.currentNotAfter);
  if (staged > latest) {
    const date = Math.max(latest, now + MIN_LEAD_MS);
    return {
      effectiveDate: { kind: 'absolute', iso: isoAt(date) },
      finding: finding(
        'staged-date-after-expiry',
        `the staged date ${input.stagedDate} comes after the current certificate expires (${input.currentNotAfter}): ` +
          `moved to ${isoAt(date)}`,
      ),
      restartAtDate: true,
    };
  }
  if (input.lacking.length > 0 && staged < now + LEAD_WHEN_LACKING_MS) {
    const date = Math.min(Math.max(latest, now + MIN_LEAD_MS), now + LEAD_WHEN_LACKING_MS);
    return {
      effectiveDate: { kind: 'absolute', iso: isoAt(date) },
      finding: finding(
        'staged-date-too-close',
        `${input.lacking.join(', ')} lack the staged certificate and its date ${input.stagedDate ?? '(none)'} leaves no ` +
          `time to import it there: moved to ${isoAt(date)}`,
      ),
      restartAtDate: date < now + LEAD_WHEN_LACKING_MS,
    };
  }
  return null;
}

/**
 * Replication is not complete close to the date: a later date for the same certificate, or null when it cannot move
 * (moved too often, or the current certificate expires first).
 */
export function movedDate(input: {
  serverNow: string;
  effectiveDate: string;
  movesSoFar: number;
  currentNotAfter: string | null;
}): string | null {
  if (input.movesSoFar >= MAX_DATE_MOVES) return null;
  const now = Date.parse(input.serverNow);
  const to = Math.min(
    Math.max(Date.parse(input.effectiveDate), now) + DATE_MOVE_STEP_MS,
    latestEffectiveDate(input.currentNotAfter),
  );
  return to > Date.parse(input.effectiveDate) && to >= now + LEAD_WHEN_LACKING_MS ? isoAt(to) : null;
}

/**
 * The server time by which every server must have the certificate: the effective date less a margin for importing it
 * where it is missing (at most half the time from staging, so a short date still leaves replication its time).
 */
export function replicationCutoff(effectiveDate: string, stagedAt: string): number {
  const effective = Date.parse(effectiveDate);
  const window = effective - Date.parse(stagedAt);
  return effective - Math.max(0, Math.min(REPLICATION_MARGIN_MS, window / 2));
}
