// The one fixture of the workflow tier: rotateAuthCertificate on the time-skipping test server, placed as in production
// (the workflow on the central queue, the organisation's activities on its own), with the stub organisation's
// activities (test/workflows/stub-activities.ts). Each test file calls useRotationEnv() once.
import { randomUUID } from 'node:crypto';
import {
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RotationActivities } from '../../../activities';
import {
  activityTaskQueueFor,
  ORGANIZATION_PATTERN,
  ROTATE_WORKFLOW_TYPE,
  rotationWorkflowId,
  WORKFLOW_TASK_QUEUE,
} from '../../../common/names';
import type { RotationInputJson, RotationReport, RotationStatus } from '../../../common/rotation';
import { statusQuery } from '../../../workflows/messages';
import { createTimeSkippingEnv, Worker, workflowBundle, type WorkflowBundle } from '../env';
import type { Scenario, StubOrganisation } from '../stub-activities';

export let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

/** One time-skipping server and the workflow bundle for the calling test file. */
export function useRotationEnv(): void {
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await workflowBundle();
  });
  afterAll(async () => {
    await env?.teardown();
  });
}

export const twoSites: Scenario['servers'] = [
  { name: 'EX1', site: 'Tokyo' },
  { name: 'EX2', site: 'Tokyo' },
  { name: 'EX3', site: 'Osaka' },
];

export function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return { servers: twoSites, currentExpiresInDays: 30, hybrid: false, ...overrides };
}

/** A unique organisation name per test, so IDs and task queues never meet. */
export const org = (name = 'contoso') => `${name}-${randomUUID().slice(0, 8)}`;

export interface RunOptions {
  /** Runs while the workflow runs (signals, queries). */
  during?: (handle: WorkflowHandle, org: StubOrganisation) => Promise<void>;
  /** Defaults to the organisation's rotation ID (a random one when the input names no valid organisation). */
  workflowId?: string;
  /** The workflow's task queue; defaults to the central one, as the client starts it. */
  taskQueue?: string;
  /** Replaces some of the stub's activities (failures, retries). */
  activities?: Partial<RotationActivities>;
}

/** Where the client starts a rotation of the input's organisation, and where its activities go. */
function placementOf(input: unknown): { workflowId: string; activityQueue: string } {
  const organization = (input as { organization?: unknown } | null)?.organization;
  if (typeof organization === 'string' && ORGANIZATION_PATTERN.test(organization)) {
    return { workflowId: rotationWorkflowId(organization), activityQueue: activityTaskQueueFor(organization) };
  }
  return { workflowId: `rotate-test-${randomUUID()}`, activityQueue: `rotate-test-${randomUUID()}` };
}

export async function run(
  stub: StubOrganisation,
  input: RotationInputJson | unknown,
  options: RunOptions = {},
): Promise<{ report: RotationReport; handle: WorkflowHandleWithFirstExecutionRunId }> {
  const placement = placementOf(input);
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  const workflows = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
  const activities = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: placement.activityQueue,
    activities: { ...stub.activities(), ...options.activities },
  });
  const both = <T>(test: () => Promise<T>) => workflows.runUntil(activities.runUntil(test));
  return both(async () => {
    const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId: options.workflowId ?? placement.workflowId,
      taskQueue,
      args: [input],
    });
    if (options.during) await options.during(handle, stub);
    const report = (await handle.result()) as RotationReport;
    return { report, handle };
  });
}

/** The titles of the plan's steps that run (not left out). */
export function planned(report: RotationReport): string[] {
  return (report.plan ?? []).filter((step) => step.skipped === undefined).map((step) => step.title);
}

/** Waits (in skipped time) until the workflow's status satisfies `ready`. */
export async function until(handle: WorkflowHandle, ready: (s: RotationStatus) => boolean): Promise<RotationStatus> {
  for (let i = 0; i < 200; i += 1) {
    const status = await handle.query(statusQuery);
    if (ready(status)) return status;
    await env.sleep('1 hour');
  }
  throw new Error('status never became ready');
}

/**
 * One of the stub's activities whose first attempt fails: before the stub acts (the call never reached Exchange) or
 * after it (Exchange changed, the worker died before the result or any heartbeat reached the server).
 */
export function firstAttemptFails<K extends keyof RotationActivities>(
  stub: StubOrganisation,
  name: K,
  failure: ApplicationFailure,
  when: 'before' | 'after',
) {
  const stubbed = stub.activities();
  const counter = { attempts: 0 };
  const activity = (async (...args: Parameters<RotationActivities[K]>) => {
    counter.attempts += 1;
    if (counter.attempts === 1 && when === 'before') throw failure;
    const result = await (stubbed[name] as (...a: Parameters<RotationActivities[K]>) => Promise<unknown>)(...args);
    if (counter.attempts === 1) throw failure;
    return result;
  }) as RotationActivities[K];
  return { activities: { [name]: activity } as Partial<RotationActivities>, counter };
}

/** The run failed at once as invalid input, non-retryably, with a message matching `message`, having done nothing. */
export async function expectRefused(stub: StubOrganisation, outcome: Promise<unknown>, message: RegExp): Promise<void> {
  const failure = await outcome.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('InvalidRotationInput');
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  expect(cause?.message).toMatch(message);
  expect(stub.calls).toEqual([]);
}
