// The people of a scenario, as a workflow: a person answers the Hybrid Configuration Wizard question by signalling the
// rotation at seeded Temporal times. A workflow's timers fire in skipped time at exactly those instants, whatever else
// the time-skipping server is running, which a client sleeping beside several scenarios could not promise.
import { getExternalWorkflowHandle, sleep } from '@temporalio/workflow';

export interface PersonPlan {
  workflowId: string;
  /** Absolute Temporal times (epoch ms), in order. */
  answers: Array<{ at: number; signal: string; payload: unknown }>;
}

export interface PersonResult {
  at: number;
  signal: string;
  delivered: boolean;
}

export async function explorerPerson(plan: PersonPlan): Promise<PersonResult[]> {
  const results: PersonResult[] = [];
  for (const answer of [...plan.answers].sort((a, b) => a.at - b.at)) {
    const wait = answer.at - Date.now();
    if (wait > 0) await sleep(wait);
    let delivered = true;
    try {
      await getExternalWorkflowHandle(plan.workflowId).signal(answer.signal, answer.payload);
    } catch {
      // The rotation has finished: the answer comes too late to be heard.
      delivered = false;
    }
    results.push({ at: Date.now(), signal: answer.signal, delivered });
  }
  return results;
}
