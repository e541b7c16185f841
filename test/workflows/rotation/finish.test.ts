// Finishing (workflows/rotation/finish.ts): permanent and transient failures, cancellation, notifications.
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { outcomeSearchAttribute, phaseSearchAttribute } from '../../../common/search-attributes';
import { StubOrganisation } from '../stub-activities';
import { scenario, run, until, firstAttemptFails, org, useRotationEnv } from './fixture';

useRotationEnv();

describe('failures', () => {
  test('a permanent failure is not retried: the run fails with the error type, outcome failed, and a notification', async () => {
    const stub = new StubOrganisation(scenario());
    let attempts = 0;
    const failure = await run(
      stub,
      { organization: org() },
      {
        activities: {
          generateAuthCertificate: async () => {
            attempts += 1;
            throw ApplicationFailure.create({
              type: 'AccessDeniedError',
              message: 'New-ExchangeCertificate: Access is denied',
            });
          },
        },
        during: async (handle) => {
          await handle.result().catch(() => undefined);
          const description = await handle.describe();
          expect(description.typedSearchAttributes.get(outcomeSearchAttribute)).toBe('failed');
          expect(description.typedSearchAttributes.get(phaseSearchAttribute)).toBe('failed');
        },
      },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ActivityFailure;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect((cause.cause as ApplicationFailure).type).toBe('AccessDeniedError');
    expect(attempts).toBe(1);
    expect(stub.notifications.find((n) => n.kind === 'finished')?.subject).toMatch(/rotation failed/);
  });

  test('a transient failure is retried and the rotation carries on', async () => {
    const stub = new StubOrganisation(scenario());
    const unreachable = ApplicationFailure.create({
      type: 'ServerUnreachableError',
      message: 'The RPC server is unavailable',
    });
    const { activities, counter } = firstAttemptFails(stub, 'checkReplication', unreachable, 'before');
    const { report } = await run(stub, { organization: org() }, { activities });
    expect(report.outcome).toBe('completed');
    expect(counter.attempts).toBeGreaterThan(1);
  });

  test('a webhook that is down does not fail the rotation; the report says the notification was lost', async () => {
    const stub = new StubOrganisation(scenario());
    const { report } = await run(
      stub,
      { organization: org() },
      {
        activities: {
          notify: async () => {
            throw ApplicationFailure.create({ type: 'NotificationFailedError', message: 'webhook returned 503' });
          },
        },
      },
    );
    expect(report.outcome).toBe('completed');
    expect(report.warnings.join('\n')).toMatch(/notification .* not delivered/);
  });
});

test('a cancelled rotation says so in its outcome search attribute', async () => {
  const stub = new StubOrganisation(scenario({ hybrid: true }));
  const failure = await run(
    stub,
    { organization: org() },
    {
      during: async (handle) => {
        await until(handle, (s) => s.phase === 'waiting-for-effective-date');
        await handle.cancel();
        await handle.result().catch(() => undefined);
        const description = await handle.describe();
        expect(description.status.name).toBe('CANCELLED');
        expect(description.typedSearchAttributes.get(outcomeSearchAttribute)).toBe('cancelled');
      },
    },
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
});

test('notification toggles: with every kind off, nothing is sent, and the status still says what to do', async () => {
  const stub = new StubOrganisation(scenario({ hybrid: true }));
  const { report } = await run(
    stub,
    {
      organization: org(),
      hcwTimeout: '2d',
      notifications: { actionRequired: false, reminders: false, finished: false },
    },
    {
      during: async (handle) => {
        const status = await until(handle, (s) => s.phase === 'awaiting-hcw');
        expect(status.actionRequired).toMatch(/Hybrid Configuration Wizard/);
      },
    },
  );
  expect(report.outcome).toBe('hcw-pending');
  expect(report.hcw.remindersSent).toBe(1);
  expect(stub.count('notify')).toBe(0);
});
