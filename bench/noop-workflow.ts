// The fleet benchmark's no-op baseline (bench/fleet.ts): a rotation's history replayed with activities that do nothing,
// so the baseline has the rotation's timers, its activity round trips and its workflow tasks, and none of its work.
// Bundled on its own at run time; only @temporalio/workflow here, as in any workflow code.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ScriptStep } from './fleet-figures';

export const NOOP_WORKFLOW_TYPE = 'noopRotation';

export interface NoopActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<NoopActivities>({ startToCloseTimeout: '1 minute' });

export async function noopRotation(script: ScriptStep[]): Promise<void> {
  for (const step of script) {
    const waits: Array<Promise<void>> = Array.from({ length: step.activities }, () => noop());
    if (step.timerMs > 0) waits.push(sleep(step.timerMs));
    await Promise.all(waits);
  }
}
