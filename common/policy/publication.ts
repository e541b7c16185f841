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
