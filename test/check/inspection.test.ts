// A check whose inspection fails: on the time-skipping test server, in a file (and server) of its own, since waiting
// out the retry backoff needs time skipping that children left by other checks' tests can hold up.
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { rotationWorkflowId } from '../../common/names';
import { uniqueOrganization } from '../helpers/ids';
import { certificate, createFakeOrganization } from './fake-org';
import { useCheckTestSetup, withCheckWorker } from './harness';

const setup = useCheckTestSetup();

describe('checkAuthCertificate: the inspection fails', () => {
  test.each([
    ['a transient failure, once its six attempts are spent', 'WinRMError', 6],
    ['a permanent failure, at once', 'AccessDeniedError', 1],
  ])('inspection fails (%s): the check fails and tells a person why', async (_, type, attempts) => {
    // As activities/errors.ts reports them: the type is the error's class, the retry policy decides.
    const failure = ApplicationFailure.create({
      type,
      message: 'WinRM cannot complete the operation on ex1.contoso.test',
    });
    const org = createFakeOrganization({
      current: certificate(await setup.env.currentTimeMs(), 10),
      inspectionFails: failure,
    });
    const organization = uniqueOrganization();
    const error = await withCheckWorker(
      setup,
      org,
      (taskQueue) =>
        setup.env.client.workflow.execute('checkAuthCertificate', {
          taskQueue,
          workflowId: `check-${organization}`,
          args: [{ organization }],
        }),
      { organization },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(org.inspections).toBe(attempts);
    expect(org.notifications).toEqual([
      expect.objectContaining({
        organization,
        kind: 'action-required',
        subject: `Auth certificate check of ${organization} could not inspect Exchange`,
        text: expect.stringContaining('WinRM cannot complete the operation on ex1.contoso.test'),
      }),
    ]);
    // The failure itself is the check's: rethrown, not swallowed into a report.
    const cause = (error as WorkflowFailedError).cause as Error & { cause?: Error & { type?: string } };
    expect(cause.cause?.type).toBe(type);
    await expect(setup.env.client.workflow.getHandle(rotationWorkflowId(organization)).describe()).rejects.toThrow();
  });
});
