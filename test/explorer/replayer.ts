// Replays the histories of several scenarios with one replay worker. A replay worker always runs its workflows in the
// process's own thread and, while it exists, the SDK's promise hook runs for every promise of the process (the
// activities' and the simulated shell's too), which made a long-lived one cost more than it saved; a replay worker per
// history loads the bundle each time. So histories are replayed in chunks, the worker living only for the chunk.
import type { temporal } from '@temporalio/proto';
import { ReplayWorkerOptions, Worker } from '@temporalio/worker';
import { WORKFLOW_TASK_QUEUE } from '../../common/names';

type History = temporal.api.history.v1.IHistory;

/** One run's history, and whether a workflow task failed in it when it ran. */
export interface RunHistory {
  workflowId: string;
  runId: string;
  history: History;
  workflowTaskFailed: boolean;
}

/** For each history in order: undefined when it replays, else why not. */
export async function replayHistories(bundlePath: string, runs: RunHistory[]): Promise<Array<string | undefined>> {
  const verdicts: Array<string | undefined> = [];
  if (runs.length === 0) return verdicts;
  const options = {
    workflowBundle: { codePath: bundlePath },
    // The rotation checks that it runs on the central queue or its organisation's own; ReplayWorkerOptions omits
    // taskQueue, yet the replay worker honours it.
    taskQueue: WORKFLOW_TASK_QUEUE,
    replayName: 'explorer-replay',
  } as ReplayWorkerOptions;
  const histories = runs.map(({ workflowId, history }) => ({ workflowId, history }));
  let index = 0;
  for await (const { error } of Worker.runReplayHistories(options, histories)) {
    const run = runs[index++];
    // A workflow task that failed when it ran fails again in replay; only a different course is a replay failure.
    const broken = error && (error.name === 'DeterminismViolationError' || !run?.workflowTaskFailed);
    verdicts.push(broken ? `${run?.runId}: ${error.message}` : undefined);
  }
  return verdicts;
}
