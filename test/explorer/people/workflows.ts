// The people of a scenario, as a workflow: a person answers the Hybrid Configuration Wizard question by signalling the
// rotation at seeded Temporal times. A workflow's timers fire in skipped time at exactly those instants, whatever else
// the time-skipping server is running, which a client sleeping beside several scenarios could not promise. The signal
// itself goes through a client in an activity: the test server's SignalExternalWorkflowExecution towards a workflow
// that has closed leaves a time lock behind, and time stops for every scenario.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { PeopleActivities } from './activities';

export interface PersonPlan {
  workflowId: string;
  /** Absolute Temporal times (epoch ms), in order. */
  answers: Array<{ at: number; signal: string; payload: unknown }>;
}

const { signalRotation } = proxyActivities<PeopleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

export async function explorerPerson(plan: PersonPlan): Promise<boolean[]> {
  const delivered: boolean[] = [];
  for (const answer of [...plan.answers].sort((a, b) => a.at - b.at)) {
    const wait = answer.at - Date.now();
    if (wait > 0) await sleep(wait);
    delivered.push(await signalRotation(plan.workflowId, answer.signal, answer.payload));
  }
  return delivered;
}
