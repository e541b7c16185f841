// A stand-in for the rotation that answers its queries with what it is given, so the CLI's views of a running
// rotation can be tested without Exchange. Registered under the rotation's workflow type.
import { condition, setHandler } from '@temporalio/workflow';
import type { RotationReport, RotationStatus } from '../../common/rotation';
import { reportQuery, statusQuery } from '../../workflows/messages';

export async function rotateAuthCertificate(answers: {
  status: RotationStatus;
  report: RotationReport;
}): Promise<void> {
  setHandler(statusQuery, () => answers.status);
  setHandler(reportQuery, () => answers.report);
  await condition(() => false);
}
