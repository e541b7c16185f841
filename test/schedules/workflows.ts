// A stand-in for the rotation that answers its status query with what it is given, so the CLI's views of a running
// rotation can be tested without Exchange. Registered under the rotation's workflow type. It answers no report query:
// the CLI's views must come from the status alone.
import { condition, setHandler } from '@temporalio/workflow';
import type { RotationStatus } from '../../common/rotation';
import { statusQuery } from '../../workflows/messages';

export async function rotateAuthCertificate(answers: { status: RotationStatus }): Promise<void> {
  setHandler(statusQuery, () => answers.status);
  await condition(() => false);
}
