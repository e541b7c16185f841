// Publication and the notifications around it. AuthConfig's current thumbprint is the proof that the new certificate
// was published; event 2014 corroborates it where it appears (the servicelet that publishes writes it; no source says
// every server does).
import type { NotificationKind, NotificationSettings } from '../rotation';
import { HOUR_MS } from './findings';

/** Publication is overdue once a servicelet cycle plus the margin has passed since the effective date (server time). */
export function isPublicationOverdue(
  effectiveDate: string,
  serverTime: string,
  cycleHours: number,
  marginMs: number,
): boolean {
  return Date.parse(serverTime) >= Date.parse(effectiveDate) + cycleHours * HOUR_MS + marginMs;
}

/**
 * When the new certificate was published, on the server's clock: the first event 2014 naming it, else the first look
 * that saw it current. Never earlier than the truth: a pool started after this time is taken to serve the new
 * certificate and is not recycled again.
 */
export function publicationTime(event2014Times: Array<string | undefined | null>, firstSeenCurrentAt: string): string {
  const times = event2014Times.filter((t): t is string => typeof t === 'string').map((t) => Date.parse(t));
  const first = Math.min(...times, Date.parse(firstSeenCurrentAt));
  return new Date(first).toISOString();
}

/** Which notifications the input wants. */
export function isNotificationWanted(kind: NotificationKind, settings: NotificationSettings): boolean {
  switch (kind) {
    case 'reminder':
      return settings.reminders;
    case 'finished':
      return settings.finished;
    case 'action-required':
      return settings.actionRequired;
  }
}

/** After the servicelet's expected run, this long for it to finish and AuthConfig to reach every domain controller. */
export const AFTER_SERVICELET_RUN_MS = 5 * 60 * 1000;

/** Looks are never closer together than this (server time). */
const MIN_LOOK_MS = 60 * 1000;

export type PublicationWaitCode = 'next-servicelet-run' | 'schedule-unknown';

/**
 * How long to wait before the next look for publication (server time). The AuthAdmin servicelet publishes at its
 * first run on any server at or after the effective date, and runs every cycle from its last run: when the last runs
 * are known, the look comes just after the earliest next run; otherwise at the poll interval.
 */
export function nextPublicationLook(input: {
  effectiveDate: string;
  serverNow: string;
  lastRuns: Array<string | null>;
  cycleHours: number;
  pollMs: number;
  /** A moment the next look must not pass (server time): when publication becomes overdue, or the run gives up. */
  lookBy?: string;
}): { waitMs: number; code: PublicationWaitCode; nextRunAt: string | null } {
  const now = Date.parse(input.serverNow);
  const effective = Date.parse(input.effectiveDate);
  const cycle = input.cycleHours * HOUR_MS;
  // Each server's first run at or after the date whose look (run + margin) is still ahead of now.
  const runs = input.lastRuns
    .filter((run): run is string => run !== null && Number.isFinite(Date.parse(run)))
    .map((run) => {
      const last = Date.parse(run);
      let next = last >= effective ? last : last + Math.ceil((effective - last) / cycle) * cycle;
      while (next + AFTER_SERVICELET_RUN_MS <= now) next += cycle;
      return next;
    });
  const cap = (ms: number) =>
    input.lookBy === undefined ? ms : Math.max(Math.min(ms, Date.parse(input.lookBy) - now), MIN_LOOK_MS);
  if (runs.length === 0) return { waitMs: cap(input.pollMs), code: 'schedule-unknown', nextRunAt: null };
  const next = Math.min(...runs);
  return {
    waitMs: cap(next + AFTER_SERVICELET_RUN_MS - now),
    code: 'next-servicelet-run',
    nextRunAt: new Date(next).toISOString(),
  };
}
