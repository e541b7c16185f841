// The "finished" notification's words, from the report alone: the outcome, the certificate, and who answered the HCW
// step (the approver is what a reader of the channel asks first).
import { failureMessage } from '../../common/failure-text';
import { finishedNotification } from '../../common/notification-text';
import type { HcwRecord, RotationReport } from '../../common/rotation';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';

const OLD = 'A'.repeat(40);
const NEW = 'B'.repeat(40);

function report(
  outcome: RotationReport['outcome'],
  hcw: HcwRecord,
  extra: Partial<RotationReport> = {},
): RotationReport {
  return {
    organization: 'contoso',
    workflowId: 'rotate-auth-cert.contoso',
    path: 'rotate',
    outcome,
    reasons: [],
    previousThumbprint: OLD,
    newThumbprint: NEW,
    publishedByForce: false,
    servers: [],
    phases: [],
    warnings: [],
    hcw,
    startedAt: '2026-12-01T00:00:00.000Z',
    continuedAsNew: 0,
    dateChanges: [],
    ...extra,
  };
}

test.each<[string, RotationReport, string[]]>([
  [
    'completed, HCW approved',
    report('completed', {
      status: 'completed',
      by: 'Ann Admin',
      at: '2026-12-04T09:00:00.000Z',
      note: 'from EX1',
      remindersSent: 1,
    }),
    [
      `The Auth certificate is now ${NEW} (was ${OLD}).`,
      'Hybrid Configuration Wizard re-run, confirmed by Ann Admin at 2026-12-04T09:00:00.000Z: from EX1.',
    ],
  ],
  [
    'completed, HCW skipped',
    report('completed', { status: 'skipped', by: 'Bob', reason: 'no hybrid app', remindersSent: 0 }),
    [`The Auth certificate is now ${NEW} (was ${OLD}).`, 'Hybrid Configuration Wizard skipped by Bob: no hybrid app.'],
  ],
  [
    'hcw-pending',
    report('hcw-pending', { status: 'pending', remindersSent: 14 }),
    [
      `The Auth certificate is now ${NEW} (was ${OLD}).`,
      'Nobody confirmed the Hybrid Configuration Wizard re-run: re-run it, hybrid features need it.',
    ],
  ],
  [
    'stopped, with a warning',
    report(
      'stopped',
      { status: 'not-needed', remindersSent: 0 },
      { stopReason: 'EX3 lacks the certificate', warnings: ['EX3 is unreachable'] },
    ),
    ['EX3 lacks the certificate', `New certificate: ${NEW}.`, '1 warning: EX3 is unreachable'],
  ],
  [
    'nothing to do',
    report('nothing-to-do', { status: 'not-needed', remindersSent: 0 }, { newThumbprint: null }),
    ['nothing-to-do'],
  ],
])('%s', (_, r, lines) => {
  expect(finishedNotification(r)).toEqual({
    subject: `Auth certificate rotation ${r.outcome}`,
    text: lines.join('\n'),
  });
});

test('a failed activity is told by its cause, not by "Activity task failed"', () => {
  const cause = ApplicationFailure.create({
    type: 'NotificationFailedError',
    message: 'could not deliver "x": notification webhook answered 404 Not Found',
  });
  const wrapped = new ActivityFailure(
    'Activity task failed',
    'notify',
    '1',
    RetryState.MAXIMUM_ATTEMPTS_REACHED,
    'w',
    cause,
  );
  expect(failureMessage(wrapped)).toBe(cause.message);
  expect(failureMessage(new Error('plain'))).toBe('plain');
});
