// A stand-in for the rotation that answers its status query with what it is given (and what the `setStatus` signal
// gives it later), so the CLI's views of a running rotation can be tested without Exchange. Registered under the
// rotation's workflow type. It answers no report query: the CLI's views must come from the status alone.
import { condition, defineSignal, setHandler } from '@temporalio/workflow';
import type { RotationStatus } from '../../common/rotation';
import { statusQuery } from '../../workflows/messages';

export const setStatusSignal = defineSignal<[RotationStatus]>('setStatus');

export async function rotateAuthCertificate(answers: { status: RotationStatus }): Promise<void> {
  let status = answers.status;
  setHandler(statusQuery, () => status);
  setHandler(setStatusSignal, (next) => {
    status = next;
  });
  await condition(() => false);
}

/** A stand-in for the daily check: it "reports" what it is given, as a completed check's result. */
export async function checkAuthCertificate(report: Record<string, unknown>): Promise<Record<string, unknown>> {
  return report;
}
