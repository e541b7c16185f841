// The run itself (workflows/rotation/index.ts, status.ts): one per organisation, input and placement refused at once,
// queries and details, continue-as-new.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  activityTaskQueueFor,
  rotationWorkflowId,
  ROTATE_WORKFLOW_TYPE,
  WORKFLOW_TASK_QUEUE,
} from '../../../common/names';
import {
  organizationSearchAttribute,
  outcomeSearchAttribute,
  phaseSearchAttribute,
} from '../../../common/search-attributes';
import {
  HCW_COMPLETED_EXAMPLE,
  HCW_SKIPPED_EXAMPLE,
  hcwCompletedSignal,
  hcwSkippedSignal,
  reportQuery,
} from '../../../workflows/messages';
import { StubOrganisation } from '../stub-activities';
import { env, scenario, run, until, org, expectRefused, useRotationEnv } from './fixture';

useRotationEnv();

describe('one rotation per organisation', () => {
  test('a second start with the same workflow ID is refused while the first runs', async () => {
    const organization = org();
    const workflowId = rotationWorkflowId(organization);
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    await run(
      stub,
      { organization },
      {
        workflowId,
        during: async (handle) => {
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          await expect(
            env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
              workflowId,
              taskQueue: 'unused',
              args: [{ organization }],
              workflowIdConflictPolicy: 'FAIL',
            }),
          ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
          // The server's default policy refuses it too: the ID alone guarantees one rotation at a time.
          const refused = await env.client.workflow
            .start(ROTATE_WORKFLOW_TYPE, { workflowId, taskQueue: 'unused', args: [{ organization }] })
            .then(
              () => undefined,
              (error: unknown) => error,
            );
          expect(refused).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
          expect((refused as WorkflowExecutionAlreadyStartedError).workflowId).toBe(workflowId);
          await handle.signal(hcwSkippedSignal, { by: 'test', reason: 'done' });
        },
      },
    );
    // Once it has finished, the next rotation of the organisation may start under the same ID.
    const next = new StubOrganisation(scenario({ currentExpiresInDays: 400 }));
    const { report } = await run(next, { organization }, { workflowId });
    expect(report.outcome).toBe('nothing-to-do');
  });
});

/** The run failed at once as invalid input, non-retryably, with a message matching `message`, having done nothing. */

describe('bad inputs', () => {
  test.each([
    [{}, /input\.organization: is required/],
    [{ organization: 'has space' }, /input\.organization: must be 1-63 letters/],
    [
      { organization: org('short'), effectiveDateHours: 24 },
      /input\.effectiveDateHours: must be at least 48 unless acknowledgeShortEffectiveDate is true/,
    ],
    [
      { organization: org('poll'), replicationPollInterval: 'soon' },
      /input\.replicationPollInterval: must be a positive duration/,
    ],
    [{ organization: org('typo'), dryrun: true }, /input: Unrecognized key.*dryrun/],
    [{ organization: org('renew'), renewBeforeDays: 'sixty' }, /input\.renewBeforeDays: /],
    ['contoso', /input: must be a JSON object/],
  ])('%j fails at once, non-retryably, naming the field and the rule', async (input, message) => {
    const stub = new StubOrganisation(scenario());
    await expectRefused(stub, run(stub, input), message);
  });
});

describe('a rotation is tied to its organisation', () => {
  test('started under another workflow ID (a second rotation of the organisation) it fails at once', async () => {
    const stub = new StubOrganisation(scenario());
    const organization = org();
    await expectRefused(
      stub,
      run(stub, { organization }, { workflowId: `rotate-test-${randomUUID()}` }),
      new RegExp(
        `^workflowId: must be "${rotationWorkflowId(organization)}" for organization "${organization}", not ` +
          '"rotate-test-.*": the ID is derived from the organisation so that only one rotation of it runs at a time$',
      ),
    );
  });

  test("on another organisation's task queue it fails at once, before its worker touches Exchange", async () => {
    const stub = new StubOrganisation(scenario());
    const organization = org();
    const otherQueue = activityTaskQueueFor(org('other'));
    await expectRefused(
      stub,
      run(stub, { organization }, { taskQueue: otherQueue }),
      new RegExp(
        `^taskQueue: must be "${WORKFLOW_TASK_QUEUE}" \\(or "${activityTaskQueueFor(organization)}" for runs ` +
          `started before the central queue\\), not "${otherQueue}": the rotation's activities always go to`,
      ),
    );
  });
});

describe('visibility', () => {
  test('status and report queries while running; the details and search attributes are set', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const organization = org('Fabrikam');
    await run(
      stub,
      { organization },
      {
        during: async (handle) => {
          const status = await until(handle, (s) => s.phase === 'waiting-for-effective-date');
          expect(status.servers).toHaveLength(3);
          expect(status.servers.every((s) => s.hasNewCertificate)).toBe(true);
          expect(status.nextCheckAt).not.toBeNull();
          expect(status.effectiveDate).not.toBeNull();
          expect(status.summary).toMatch(/certificate on 3\/3/);
          const report = await handle.query(reportQuery);
          expect(report.newThumbprint).toBe(status.newThumbprint);
          // What the Temporal UI shows as the workflow's current details.
          const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
          expect(metadata.currentDetails).toMatch(/waiting-for-effective-date/);
          expect(metadata.currentDetails).toMatch(/\| EX3 \| Osaka \| yes \| no \| no \|/);
          expect(metadata.currentDetails).toMatch(/Next check: /);
          const description = await handle.describe();
          expect(description.typedSearchAttributes.get(organizationSearchAttribute)).toBe(organization.toLowerCase());
          expect(description.typedSearchAttributes.get(phaseSearchAttribute)).toBe('waiting-for-effective-date');
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          const waiting = await handle.query<{
            currentDetails?: string;
            definition?: { signalDefinitions?: Array<{ name: string; description?: string }> };
          }>('__temporal_workflow_metadata');
          expect(waiting.currentDetails).toMatch(/\*\*Action required:\*\* Re-run the Hybrid Configuration Wizard/);
          // The signal dialog's descriptions show the same examples as the instructions.
          const signals = Object.fromEntries(
            (waiting.definition?.signalDefinitions ?? []).map((d) => [d.name, d.description ?? '']),
          );
          expect(signals[hcwCompletedSignal.name]).toContain(HCW_COMPLETED_EXAMPLE);
          expect(signals[hcwSkippedSignal.name]).toContain(HCW_SKIPPED_EXAMPLE);
          await handle.signal(hcwCompletedSignal, { by: 'dave' });
          await handle.result();
          const done = await handle.describe();
          expect(done.typedSearchAttributes.get(outcomeSearchAttribute)).toBe('completed');
          expect(done.typedSearchAttributes.get(phaseSearchAttribute)).toBe('done');
        },
      },
    );
  });
});

describe('long histories', () => {
  test('continues as new when the history grows, carrying the state; signals reach the new run', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true, replicationPolls: 40 }));
    const { report, handle } = await run(
      stub,
      { organization: org(), maxHistoryEvents: 200, replicationPollInterval: '5m' },
      {
        during: async (h) => {
          await until(h, (s) => s.phase === 'awaiting-hcw');
          await h.signal(hcwCompletedSignal, { by: 'erin' });
        },
      },
    );
    expect(report.continuedAsNew).toBeGreaterThanOrEqual(1);
    expect(report.outcome).toBe('completed');
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'erin' });
    expect(stub.count('generateAuthCertificate')).toBe(1);
    expect(stub.count('stageCertificate')).toBe(1);
    expect(report.phases.map((p) => p.phase)).toContain('replicating');
    expect(report.phases[0]!.phase).toBe('inspecting');
    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
  });
});
