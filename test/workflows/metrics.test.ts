// rotateAuthCertificate's own metrics for runs that end without a report: a failed and a cancelled rotation are
// counted by outcome and their phases timed, on the worker's Prometheus endpoint (this file's process installs the
// Runtime with it before any Temporal environment exists).
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rotationWorkflowId, ROTATE_WORKFLOW_TYPE, activityTaskQueueFor } from '../../common/names';
import type { RotationActivities } from '../../activities';
import type { RotationOutcome, RotationStatus } from '../../common/rotation';
import { METRIC_PHASE_SECONDS, METRIC_ROTATIONS } from '../../common/metrics';
import { statusQuery } from '../../workflows/messages';
import { prometheusRuntime } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { createTimeSkippingEnv, Worker, workflowBundle, type WorkflowBundle } from './env';
import { StubOrganisation } from './stub-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let endpoint: string;

beforeAll(async () => {
  endpoint = await prometheusRuntime();
  env = await createTimeSkippingEnv();
  bundle = await workflowBundle();
});

afterAll(async () => {
  await env?.teardown();
});

const servers = [
  { name: 'EX1', site: 'Tokyo' },
  { name: 'EX2', site: 'Osaka' },
];

/** Runs a rotation of a new organisation to its end, whatever that is; returns the organisation. */
async function rotate(
  activities: Partial<RotationActivities>,
  during?: (handle: WorkflowHandle) => Promise<void>,
): Promise<string> {
  const organization = `metrics-${randomUUID().slice(0, 8)}`;
  const stub = new StubOrganisation({ servers, currentExpiresInDays: 30, hybrid: false });
  const taskQueue = activityTaskQueueFor(organization);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: { ...stub.activities(), ...activities },
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId: rotationWorkflowId(organization),
      taskQueue,
      args: [{ organization }],
    });
    await during?.(handle);
    await handle.result().catch(() => undefined);
  });
  return organization;
}

/** This organisation's lines on the endpoint, once the rotation counter for `outcome` is there. */
async function scrape(organization: string, outcome: RotationOutcome): Promise<string[]> {
  const counted = (l: string) => l.startsWith(METRIC_ROTATIONS) && l.includes(`outcome="${outcome}"`);
  return eventually(
    async () =>
      (await (await fetch(endpoint)).text()).split('\n').filter((l) => l.includes(`organization="${organization}"`)),
    (lines) => lines.some(counted),
    { intervalMs: 200 },
  );
}

const phaseSum = (lines: string[], phase: string) =>
  lines.find((l) => l.startsWith(`${METRIC_PHASE_SECONDS}_sum`) && l.includes(`phase="${phase}"`));

test('a failed rotation is counted as failed, with the time of the phase it failed in', async () => {
  const organization = await rotate({
    generateAuthCertificate: async () => {
      throw ApplicationFailure.create({ type: 'AccessDeniedError', message: 'New-ExchangeCertificate: denied' });
    },
  });
  const lines = await scrape(organization, 'failed');
  expect(lines.find((l) => l.startsWith(METRIC_ROTATIONS))).toMatch(/outcome="failed".* 1$/);
  expect(phaseSum(lines, 'generating')).toBeDefined();
  expect(phaseSum(lines, 'inspecting')).toBeDefined();
});

test('a cancelled rotation is counted as cancelled, with the time it waited for the effective date', async () => {
  const organization = await rotate({}, async (handle) => {
    for (let i = 0; i < 100; i++) {
      const status: RotationStatus = await handle.query(statusQuery);
      if (status.phase === 'waiting-for-effective-date') break;
      await env.sleep('10 minutes');
    }
    await env.sleep('1 hour');
    await handle.cancel();
  });
  const lines = await scrape(organization, 'cancelled');
  expect(lines.find((l) => l.startsWith(METRIC_ROTATIONS))).toMatch(/outcome="cancelled".* 1$/);
  const waited = Number(phaseSum(lines, 'waiting-for-effective-date')?.split(' ').pop());
  expect(waited).toBeGreaterThanOrEqual(3600);
});
