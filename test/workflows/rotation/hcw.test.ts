// The HCW answer (workflows/rotation/hcw.ts): completed, skipped, early, malformed, late, never.
import { activityInfo } from '@temporalio/activity';
import type { RotationStatus } from '../../../common/rotation';
import { HCW_COMPLETED_EXAMPLE, hcwCompletedSignal, hcwSkippedSignal } from '../../../workflows/messages';
import { StubOrganisation } from '../stub-activities';
import { env, scenario, run, until, org, useRotationEnv } from './fixture';

useRotationEnv();

describe('HCW', () => {
  test('completed: the report records who and when; status shows what the person must do', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    let waiting: RotationStatus | undefined;
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          waiting = await until(handle, (s) => s.phase === 'awaiting-hcw');
          await handle.signal(hcwCompletedSignal, { by: 'alice', note: 'ran HCW' });
        },
      },
    );
    expect(waiting?.actionRequired).toMatch(/Hybrid Configuration Wizard/);
    expect(waiting?.hcw.status).toBe('waiting');
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'alice', note: 'ran HCW' });
    expect(Date.parse(report.hcw.at!)).toBeGreaterThan(Date.parse(report.publishedAt!));
    expect(report.outcome).toBe('completed');
  });

  test('skipped with a reason', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          await handle.signal(hcwSkippedSignal, { by: 'bob', reason: 'hybrid app handled by the cloud team' });
        },
      },
    );
    expect(report.hcw).toMatchObject({ status: 'skipped', by: 'bob', reason: 'hybrid app handled by the cloud team' });
    expect(report.outcome).toBe('completed');
  });

  test('a signal before the certificate is current is ignored with a warning; an invalid one too', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          await until(handle, (s) => s.phase === 'waiting-for-effective-date');
          await handle.signal(hcwCompletedSignal, { by: 'eager' });
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          await handle.signal(hcwCompletedSignal, { by: '' });
          await handle.signal(hcwCompletedSignal, { by: 'carol' });
        },
      },
    );
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'carol' });
    expect(report.warnings).toContain(
      'ignored hcwCompletedSignal: waiting-for-effective-date: the wizard only helps once the new certificate is ' +
        'current; answer when the rotation asks',
    );
    expect(report.warnings).toContain(
      `ignored hcwCompletedSignal: by: must name who re-ran the wizard; send ${HCW_COMPLETED_EXAMPLE}`,
    );
  });

  test('an answer sent after publication, while the pools recycle, is kept: no HCW wait, no reminder', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const stubbed = stub.activities();
    const { report } = await run(
      stub,
      { organization: org(), hcwTimeout: '1d' },
      {
        activities: {
          // The person's signal arrives while the workflow is recycling: published, not yet asking for HCW.
          recycleAuthAppPools: async (request) => {
            const { workflowId } = activityInfo().workflowExecution!;
            await env.client.workflow.getHandle(workflowId).signal(hcwCompletedSignal, { by: 'frank', note: 'early' });
            return stubbed.recycleAuthAppPools(request);
          },
        },
      },
    );
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'frank', note: 'early', remindersSent: 0 });
    expect(Date.parse(report.hcw.at!)).toBeGreaterThanOrEqual(Date.parse(report.publishedAt!));
    expect(report.outcome).toBe('completed');
    expect(report.warnings).toEqual([]);
    expect(report.phases.map((p) => p.phase)).not.toContain('awaiting-hcw');
    expect(stub.notifications.filter((n) => n.kind === 'action-required')).toEqual([]);
  });

  test('timed out: reminders every 24 h, then finishes as hcw-pending, not failed', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report, handle } = await run(stub, { organization: org(), hcwTimeout: '3d' });
    expect(report.outcome).toBe('hcw-pending');
    expect(report.hcw.status).toBe('pending');
    expect(report.hcw.remindersSent).toBe(2);
    expect(stub.notifications.filter((n) => n.kind === 'reminder')).toHaveLength(2);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
