// The dedicated Exchange hybrid application's rules: when the next certificate must be on the application (a margin
// before its effective date, else the date moves), whether a person's "it is done" can be taken, and when the previous
// certificate's key may go. Pure: time comes in.
import { z } from 'zod';
import type { HybridAppStatus } from '../rotation';
import { movedDate } from './dates';
import { finding, isoAt, type Finding } from './findings';

/** A person's word that the next certificate is on the application (ConfigureExchangeHybridApplication.ps1 ran). */
export const hybridAppUpdatedSchema = z.strictObject({
  by: z.string().trim().min(1, 'must name who updated the hybrid application').max(200),
  note: z.string().max(2000).optional(),
});
export type HybridAppUpdated = z.infer<typeof hybridAppUpdatedSchema>;

export type HybridAppAnswerCode = 'accepted' | 'malformed' | 'not-dedicated' | 'not-asked' | 'already-answered';

export interface HybridAppAnswerContext {
  /** Null until the inspection has told. */
  dedicated: boolean | null;
  /** The run's record of the next certificate on the application; null: no record yet. */
  status: HybridAppStatus | null;
  phase: string;
}

/**
 * An answer is taken from a dedicated-app organisation once the certificate is staged (the run asks from then on) and
 * until the key is known to be on the application; before that there is nothing the person could have uploaded.
 */
export function checkHybridAppAnswer(context: HybridAppAnswerContext): Finding<HybridAppAnswerCode> {
  if (context.dedicated === false) {
    return finding('not-dedicated', `${context.phase}: the organisation does not use the dedicated hybrid application`);
  }
  if (context.status === 'on-app' || context.status === 'confirmed') {
    return finding('already-answered', `the next certificate is already ${context.status} on the hybrid application`);
  }
  if (context.status !== 'waiting') {
    return finding(
      'not-asked',
      `${context.phase}: the rotation has not asked yet; answer when it asks (once the certificate is staged)`,
    );
  }
  return finding('accepted', 'answer recorded');
}

/** Zod's complaint about a malformed answer, one line naming the fields. */
export function malformedHybridAppAnswer(error: z.ZodError, example: string): Finding<HybridAppAnswerCode> {
  const problems = error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
  return finding('malformed', `${problems}; send ${example}`);
}

export type HybridAppAddCode = 'on-app' | 'confirmed-unverified' | 'waiting' | 'move-date' | 'cannot-move';

export type HybridAppAddStep =
  | (Finding<'on-app' | 'confirmed-unverified' | 'cannot-move'> & { waitServerMs?: never })
  | (Finding<'waiting'> & { waitServerMs: number })
  | (Finding<'move-date'> & { to: string });

export interface HybridAppAddContext {
  serverNow: string;
  effectiveDate: string;
  /** The key must be on the application this long before the effective date. */
  marginMs: number;
  /** Graph's answer: on the application or not; null when the worker cannot read Graph. */
  onApp: boolean | null;
  /** A person said it is done (taken as the truth only when Graph cannot be read). */
  answered: boolean;
  movesSoFar: number;
  currentNotAfter: string | null;
  /** Look again this often while waiting (Graph read access) or remind (a person). */
  pollMs: number;
}

/** The time by which the next certificate must be on the application: the effective date less the margin. */
export function hybridAppCutoff(effectiveDate: string, marginMs: number): number {
  return Date.parse(effectiveDate) - marginMs;
}

/**
 * What to do about the next certificate on the application now: go on (there, or a person says so and Graph cannot
 * tell), wait (until the cutoff, looking again every pollMs), or past the cutoff move the date (same certificate, a
 * later date) rather than let it become current where Exchange Online cannot verify it.
 */
export function nextHybridAppAddStep(c: HybridAppAddContext): HybridAppAddStep {
  if (c.onApp === true) return finding('on-app', 'the next certificate is on the hybrid application');
  if (c.onApp === null && c.answered) {
    return finding('confirmed-unverified', 'a person said the hybrid application holds the next certificate');
  }
  const now = Date.parse(c.serverNow);
  const cutoff = hybridAppCutoff(c.effectiveDate, c.marginMs);
  if (now < cutoff) {
    return { ...finding('waiting', `waiting until ${isoAt(cutoff)}`), waitServerMs: Math.min(c.pollMs, cutoff - now) };
  }
  const to = movedDate({
    serverNow: c.serverNow,
    effectiveDate: c.effectiveDate,
    movesSoFar: c.movesSoFar,
    currentNotAfter: c.currentNotAfter,
  });
  const why = c.answered
    ? 'a person said the hybrid application was updated but Graph does not show the next certificate on it'
    : 'the next certificate is not on the dedicated hybrid application';
  if (to === null) {
    return finding(
      'cannot-move',
      `${why} and the effective date ${c.effectiveDate} cannot move again: free/busy, MailTips and photos with ` +
        'Exchange Online fail from then until it is uploaded',
    );
  }
  return {
    ...finding('move-date', `${why} ${c.marginMs / 3_600_000} hours before the effective date: moved to ${to}`),
    to,
  };
}

export type HybridAppRemoveCode = 'no-previous' | 'wait-grace' | 'remove';

/** After publication: remove the previous certificate's key once the grace period has passed (server clock). */
export function hybridAppRemoval(input: {
  previousThumbprint: string | null;
  publishedAt: string;
  serverNow: string;
  graceMs: number;
}): Finding<HybridAppRemoveCode> & { waitServerMs: number } {
  if (input.previousThumbprint === null) {
    return { ...finding('no-previous', 'there is no previous certificate to remove'), waitServerMs: 0 };
  }
  const due = Date.parse(input.publishedAt) + input.graceMs;
  const left = due - Date.parse(input.serverNow);
  return left > 0
    ? { ...finding('wait-grace', `the previous key stays until ${isoAt(due)} (grace period)`), waitServerMs: left }
    : { ...finding('remove', `remove the previous certificate ${input.previousThumbprint}`), waitServerMs: 0 };
}
