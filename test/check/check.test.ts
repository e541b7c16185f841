// checkAuthCertificate on the time-skipping test server: single checks for each state the policy detects, and the
// daily check run day after day over several simulated years against an organisation whose certificate ages with
// Temporal's clock.
import { WorkflowFailedError } from '@temporalio/client';
import { rotationWorkflowId } from '../../common/names';
import type { CheckReport } from '../../workflows/check';
import { uniqueOrganization } from '../helpers/ids';
import { endRun } from '../helpers/temporal';
import { certificate, createFakeOrganization, FakeOrganization } from './fake-org';
import { useCheckTestSetup, withCheckWorker } from './harness';

const DAY_MS = 24 * 60 * 60 * 1000;

const setup = useCheckTestSetup();

async function checkOnce(org: FakeOrganization, input: Record<string, unknown>): Promise<CheckReport> {
  return withCheckWorker(
    setup,
    org,
    (taskQueue) =>
      setup.env.client.workflow.execute('checkAuthCertificate', {
        taskQueue,
        workflowId: `check-${input.organization as string}-${Date.now()}`,
        args: [input],
      }),
    { organization: input.organization as string },
  );
}

async function now(): Promise<number> {
  return setup.env.currentTimeMs();
}

describe('checkAuthCertificate: one check', () => {
  test.each([
    // [days until the current certificate expires, renewBeforeDays (undefined: the default 60), expected action, path]
    [200, undefined, 'nothing-to-do', 'nothing-to-do'],
    [61, undefined, 'nothing-to-do', 'nothing-to-do'],
    [59, undefined, 'rotation-started', 'rotate'],
    [59, 30, 'nothing-to-do', 'nothing-to-do'],
    [29, 30, 'rotation-started', 'rotate'],
    [-1, undefined, 'rotation-started', 'replace-now'],
  ] as const)('%d days left, renewBefore %s: %s', async (daysLeft, renewBeforeDays, action, expectedPath) => {
    const start = await now();
    const org = createFakeOrganization({ current: certificate(start - 300 * DAY_MS, 300 + daysLeft) });
    const organization = uniqueOrganization();
    const report = await checkOnce(org, { organization, ...(renewBeforeDays ? { renewBeforeDays } : {}) });
    expect(report).toMatchObject({
      organization,
      action,
      path: expectedPath,
      renewBeforeDays: renewBeforeDays ?? 60,
      currentThumbprint: org.current!.thumbprint,
      rotationWorkflowId: rotationWorkflowId(organization),
    });
    expect(report.daysUntilExpiry).toBeCloseTo(daysLeft, 0);
    if (action === 'rotation-started') {
      // The rotation outlives the check (ABANDON) under the organisation's one rotation ID.
      const rotation = setup.env.client.workflow.getHandle(rotationWorkflowId(organization));
      expect((await rotation.describe()).runId).toBe(report.rotationRunId);
      await endRun(rotation);
      expect(report.summary).toContain(`started rotation ${rotationWorkflowId(organization)}`);
    } else {
      expect(report.rotationRunId).toBeUndefined();
      expect(report.summary).toMatch(/nothing to do \(renew before \d+ days\)$/);
      expect(report.reasons.join(' ')).toMatch(/outside renewBefore/);
    }
  });

  test('no current certificate in AuthConfig: starts the rotation (replace-now)', async () => {
    const org = createFakeOrganization({ current: null });
    const organization = uniqueOrganization();
    const report = await checkOnce(org, { organization });
    expect(report).toMatchObject({ action: 'rotation-started', path: 'replace-now', daysUntilExpiry: null });
    expect(report.reasons).toEqual(['AuthConfig names no current certificate']);
    await endRun(setup.env.client.workflow.getHandle(rotationWorkflowId(organization)));
  });

  test('the current certificate missing on a server: starts the rotation to import it', async () => {
    const org = createFakeOrganization({ current: certificate(await now(), 365), missingOn: ['EX2'] });
    const organization = uniqueOrganization();
    const report = await checkOnce(org, { organization });
    expect(report).toMatchObject({ action: 'rotation-started', path: 'import' });
    await endRun(setup.env.client.workflow.getHandle(rotationWorkflowId(organization)));
  });

  test('force (the yearly schedule) starts a rotation of a certificate far from expiry, passing force on', async () => {
    const org = createFakeOrganization({ current: certificate(await now(), 1000) });
    const organization = uniqueOrganization();
    const report = await checkOnce(org, { organization, force: true });
    expect(report).toMatchObject({ action: 'rotation-started', path: 'rotate', force: true });
    const history = await setup.env.client.workflow.getHandle(rotationWorkflowId(organization)).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(JSON.parse(Buffer.from(payload!.data!).toString())).toEqual({
      organization,
      renewBeforeDays: 60,
      ignoreUnreachableServers: false,
      force: true,
    });
    await endRun(setup.env.client.workflow.getHandle(rotationWorkflowId(organization)));
  });

  test('a rotation already running: the check says so and starts nothing', async () => {
    const org = createFakeOrganization({ current: certificate(await now(), 10) });
    const organization = uniqueOrganization();
    const first = await checkOnce(org, { organization });
    expect(first.action).toBe('rotation-started');
    const second = await checkOnce(org, { organization });
    expect(second).toMatchObject({ action: 'rotation-already-running', path: 'rotate' });
    expect(second.rotationRunId).toBeUndefined();
    const rotation = setup.env.client.workflow.getHandle(rotationWorkflowId(organization));
    expect((await rotation.describe()).runId).toBe(first.rotationRunId);
    await endRun(rotation);
  });

  test('an unreachable server: cannot decide, starts nothing and tells a person', async () => {
    const org = createFakeOrganization({ current: certificate(await now(), 10), unreachable: ['EX2'] });
    const organization = uniqueOrganization();
    const report = await checkOnce(org, { organization });
    expect(report).toMatchObject({ action: 'cannot-decide', path: 'stop-unreachable' });
    expect(report.summary).toContain('servers unreachable: EX2');
    expect(org.notifications).toHaveLength(1);
    expect(org.notifications[0]).toMatchObject({ organization, kind: 'action-required' });
    await expect(setup.env.client.workflow.getHandle(rotationWorkflowId(organization)).describe()).rejects.toThrow();
  });

  test.each([
    [{ organization: 'bad name!' }, 'input.organization: must be 1-63 letters'],
    [{ organization: 'ok', renewBeforeDays: 0 }, 'input.renewBeforeDays: must be at least 1'],
    [{ organization: 'ok', colour: 'blue' }, 'input: Unrecognized key: "colour"'],
    [
      { organization: 'ok', rotation: { effectiveDateHours: 2 } },
      'input.rotation.effectiveDateHours: must be at least 48',
    ],
  ])('bad input %j fails at once, naming the field, and nothing is inspected', async (input, message) => {
    const org = createFakeOrganization({ current: certificate(await now(), 10) });
    const inspected = jest.fn();
    const error = await withCheckWorker(setup, org, (taskQueue) =>
      setup.env.client.workflow
        .execute('checkAuthCertificate', { taskQueue, workflowId: `check-bad-${Date.now()}`, args: [input] })
        .then(inspected, (e: unknown) => e),
    );
    expect(inspected).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as Error & { type?: string };
    expect(cause.type).toBe('InvalidRotationInput');
    expect(cause.message).toContain(message);
  });
});
