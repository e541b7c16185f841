// What a person (or the demo, or a test) does with a rotation: start it, look at it, answer the HCW step.
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowHandle,
  WorkflowHandleWithFirstExecutionRunId,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { rotationWorkflowId, ROTATE_WORKFLOW_TYPE, taskQueueFor } from '../common/names';
import type { RotationStatus } from '../common/rotation';
import { hcwAnswerUpdate, statusQuery } from '../workflows/messages';
import type { HcwAnswer, HcwCompleted, HcwSkipped } from '../workflows/messages';

export class RotationAlreadyRunningError extends Error {
  constructor(
    readonly workflowId: string,
    options?: { cause?: unknown },
  ) {
    super(`already running: ${workflowId}`, options);
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
      taskQueue: taskQueueFor(input.organization),
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
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
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: description.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if (pollers?.length) {
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
