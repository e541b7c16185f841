// What a person (or the demo, or a test) does with a rotation: start it, look at it, answer the HCW step.
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowHandle,
  WorkflowHandleWithFirstExecutionRunId,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { activityTaskQueueFor, rotationWorkflowId, ROTATE_WORKFLOW_TYPE, WORKFLOW_TASK_QUEUE } from '../common/names';
import { rotationStartSummary } from '../common/rotation';
import type { RotationReport, RotationStatus } from '../common/rotation';
import { hcwAnswerUpdate, statusQuery } from '../workflows/messages';
import type { HcwAnswer, HcwCompleted, HcwSkipped } from '../workflows/messages';

export class RotationAlreadyRunningError extends Error {
  constructor(
    readonly workflowId: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(`already running: ${workflowId}${options?.hint ? `; ${options.hint}` : ''}`, options);
    this.name = 'RotationAlreadyRunningError';
  }
}

export class RotationNotFoundError extends Error {
  constructor(
    readonly workflowId: string,
    options?: { cause?: unknown },
  ) {
    super(`no rotation found: ${workflowId}`, options);
    this.name = 'RotationNotFoundError';
  }
}

/** No worker polls the organisation's task queue: a start would wait, silently, for one that may never come. */
export class NoWorkerError extends Error {
  constructor(
    readonly organization: string,
    readonly taskQueue: string,
  ) {
    super(
      `no worker polls task queue ${taskQueue}, so nothing would run: is "${organization}" the organisation a worker ` +
        `serves (its EXCHANGE_ORGANIZATION)? Start that worker (EXCHANGE_ORGANIZATION=${organization} npm run ` +
        'worker, or npm start) and try again, or pass --no-worker-ok to go ahead anyway (it waits for a worker)',
    );
    this.name = 'NoWorkerError';
  }
}

export class RotationNotRunningError extends Error {
  constructor(
    readonly workflowId: string,
    readonly execution: string,
  ) {
    super(`the rotation ${workflowId} is not running (${execution})`);
    this.name = 'RotationNotRunningError';
  }
}

/**
 * Whether a worker polls the task queue now for workflow or activity tasks, as the server saw it in the last minutes
 * (DescribeTaskQueue). It answers at once, where a query without a worker would wait out its deadline.
 */
export async function workerPolls(
  client: Client,
  taskQueue: string,
  kind: 'workflow' | 'activity' = 'workflow',
): Promise<boolean> {
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: kind === 'workflow' ? TASK_QUEUE_TYPE_WORKFLOW : TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (pollers?.length ?? 0) > 0;
}

/**
 * Refuses with NoWorkerError unless a worker serves the organisation's activities on its own queue and one serves the
 * central workflow queue (or the caller goes ahead anyway).
 */
export async function requireWorker(
  client: Client,
  organization: string,
  options: { evenWithout?: boolean } = {},
): Promise<void> {
  if (options.evenWithout) return;
  const activityQueue = activityTaskQueueFor(organization);
  if (!(await workerPolls(client, activityQueue, 'activity'))) throw new NoWorkerError(organization, activityQueue);
  if (!(await workerPolls(client, WORKFLOW_TASK_QUEUE))) throw new NoWorkerError(organization, WORKFLOW_TASK_QUEUE);
}

export interface RotationStartInput {
  organization: string;
  [field: string]: unknown;
}

/**
 * Starts the organisation's rotation under its one workflow ID. A second start while one runs is refused by the server
 * (conflict policy FAIL); a start after the previous one closed is allowed.
 */
export async function startRotation(
  client: Client,
  input: RotationStartInput,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const workflowId = rotationWorkflowId(input.organization);
  try {
    return await client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      staticSummary: rotationStartSummary(input, client.options.identity ?? 'a Temporal client'),
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      throw new RotationAlreadyRunningError(workflowId, { cause: error });
    throw error;
  }
}

export function rotationHandle(client: Client, organization: string): WorkflowHandle {
  return client.workflow.getHandle(rotationWorkflowId(organization));
}

export interface RotationView {
  workflowId: string;
  runId: string;
  /** RUNNING, COMPLETED, FAILED, ... as Temporal reports it. */
  execution: string;
  startTime: string;
  closeTime?: string;
  /** The workflow's own view (statusQuery), servers it leaves out marked `ignored`; absent when no worker answered. */
  status?: RotationStatus;
  /** The report, once the run has completed. */
  result?: unknown;
  failure?: string;
}

const QUERY_DEADLINE_MS = 10_000;
/** A dry run inspects every server once: a few minutes on a large organisation. */
const PLAN_DEADLINE_MS = 10 * 60_000;

/** The latest rotation of an organisation: Temporal's view of the execution and the workflow's status query. */
export async function describeRotation(client: Client, organization: string): Promise<RotationView> {
  const handle = rotationHandle(client, organization);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new RotationNotFoundError(handle.workflowId, { cause: error });
    throw error;
  }
  const view: RotationView = {
    workflowId: handle.workflowId,
    runId: description.runId,
    execution: description.status.name,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
  };
  try {
    // A query with no worker polling waits out its deadline; ask the task queue first, which answers at once.
    if (await workerPolls(client, description.taskQueue)) {
      view.status = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));
    }
  } catch {
    // No worker polls this organisation's task queue right now; Temporal's view still stands.
  }
  if (view.execution === 'COMPLETED') {
    view.result = await handle.result();
  } else if (view.execution !== 'RUNNING') {
    view.failure = await handle.result().then(
      () => undefined,
      (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
    );
  }
  return view;
}

export class HcwNotAwaitedError extends Error {
  constructor(
    readonly workflowId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HcwNotAwaitedError';
  }
}

/**
 * The answer goes as the rotation's update: its validator applies the one HCW rule (common/policy/hcw.ts) and refuses
 * an answer the rotation cannot take, at once, with the reason; a refused answer never enters history. No separate
 * look first, so nothing can change between a look and the answer.
 */
async function answerHcw(client: Client, organization: string, answer: HcwAnswer): Promise<string> {
  const handle = rotationHandle(client, organization);
  try {
    await handle.executeUpdate(hcwAnswerUpdate, { args: [answer] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      throw new HcwNotAwaitedError(
        handle.workflowId,
        `the rotation ${handle.workflowId} did not take the answer: ${reason}`,
        {
          cause: error,
        },
      );
    }
    if (error instanceof WorkflowNotFoundError) throw await notRunning(handle, error);
    throw error;
  }
  return handle.workflowId;
}

/** An update reaches only a running workflow: say whether the rotation has ended, and how, or never existed. */
async function notRunning(handle: WorkflowHandle, cause: unknown): Promise<Error> {
  try {
    const { status } = await handle.describe();
    return new HcwNotAwaitedError(
      handle.workflowId,
      `the rotation ${handle.workflowId} is not running (${status.name})`,
      {
        cause,
      },
    );
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return new RotationNotFoundError(handle.workflowId, { cause: error });
    throw error;
  }
}

export async function approveHcw(client: Client, organization: string, message: HcwCompleted): Promise<string> {
  return answerHcw(client, organization, { decision: 'completed', ...message });
}

export async function skipHcw(client: Client, organization: string, message: HcwSkipped): Promise<string> {
  return answerHcw(client, organization, { decision: 'skipped', ...message });
}

export interface StoppedRotation {
  workflowId: string;
  runId: string;
  /** What the rotation said of itself just before: where it stopped, and so what it leaves in Exchange. */
  status?: RotationStatus;
}

/** The running rotation, described; refused when none runs. */
async function running(client: Client, organization: string): Promise<RotationView> {
  const view = await describeRotation(client, organization);
  if (view.execution !== 'RUNNING') throw new RotationNotRunningError(view.workflowId, view.execution);
  return view;
}

/**
 * Asks the running rotation to stop (Temporal cancellation): its running activity is cancelled at its next heartbeat,
 * the run records the outcome `cancelled` and ends. What it did to Exchange stays as it is.
 */
export async function cancelRotation(client: Client, organization: string, reason: string): Promise<StoppedRotation> {
  const view = await running(client, organization);
  await client.workflowService.requestCancelWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: view.workflowId, runId: view.runId },
    identity: client.options.identity,
    requestId: randomUUID(),
    reason,
  });
  return { workflowId: view.workflowId, runId: view.runId, status: view.status };
}

/**
 * Ends the running rotation at once (Temporal termination): no code of the run runs again, so it records no outcome
 * and sends no notification; an activity in flight may still finish its PowerShell command.
 */
export async function terminateRotation(
  client: Client,
  organization: string,
  reason: string,
): Promise<StoppedRotation> {
  const view = await running(client, organization);
  await client.workflow.getHandle(view.workflowId, view.runId).terminate(reason);
  return { workflowId: view.workflowId, runId: view.runId, status: view.status };
}

/** The plan a rotation would follow now: a dry run (inspect and decide, change nothing), waited for. */
export async function planRotation(
  client: Client,
  input: RotationStartInput,
  options: { timeoutMs?: number } = {},
): Promise<RotationReport> {
  await requireWorker(client, input.organization);
  const handle = await startRotation(client, { ...input, dryRun: true });
  return client.withDeadline(Date.now() + (options.timeoutMs ?? PLAN_DEADLINE_MS), () =>
    handle.result(),
  ) as Promise<RotationReport>;
}
