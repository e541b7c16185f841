// What a rotation waits for and who must act, from its phase and (when a worker answers) its status: the fleet view,
// the worker's rotation metrics and the alert on a rotation that waits for a person all read it from here. Pure; no
// Node built-ins.
import type { RotationPhase, RotationStatus } from './rotation';

/** Who moves the rotation on: a person, Exchange (its servicelets), the clock (a date), or the worker itself. */
export type Actor = 'person' | 'exchange' | 'clock' | 'worker';

export interface Situation {
  /** One short phrase: "the Hybrid Configuration Wizard, then approve-hcw". */
  waitingFor: string;
  actor: Actor;
}

/** The part of the status that says more than the phase does. */
export type StatusDetail = Pick<RotationStatus, 'actionRequired' | 'effectiveDate' | 'hcw'>;

/** The first sentence of a longer text: enough for a table cell. */
function firstSentence(text: string): string {
  const end = text.search(/[.:](\s|$)/);
  return end > 0 ? text.slice(0, end) : text;
}

/** What a running rotation in `phase` waits for; null once it has ended. */
export function situationOf(phase: RotationPhase, detail?: StatusDetail): Situation | null {
  if (phase === 'done' || phase === 'failed') return null;
  if (phase === 'awaiting-hcw' || detail?.hcw.status === 'waiting') {
    return { waitingFor: 'a person to re-run the Hybrid Configuration Wizard, then approve-hcw', actor: 'person' };
  }
  if (detail?.actionRequired) return { waitingFor: firstSentence(detail.actionRequired), actor: 'person' };
  switch (phase) {
    case 'replicating':
      return {
        waitingFor: 'the certificate servicelet to copy the new certificate to every server',
        actor: 'exchange',
      };
    case 'waiting-for-effective-date':
      return {
        waitingFor: `the effective date${detail?.effectiveDate ? ` ${detail.effectiveDate}` : ''} (Exchange's clock)`,
        actor: 'clock',
      };
    case 'publishing':
      return { waitingFor: 'the AuthAdmin servicelet to publish the new certificate (event 2014)', actor: 'exchange' };
    default:
      return { waitingFor: `the worker (${phase})`, actor: 'worker' };
  }
}
