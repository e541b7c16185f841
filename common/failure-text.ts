// What went wrong, in words a person can act on: the innermost cause of an activity's or a child workflow's failure,
// not Temporal's wrapper ("Activity task failed"). The check workflow, the rotation workflow and their notifications
// say a failure this way. No Node built-ins.
import { ActivityFailure, ChildWorkflowFailure } from '@temporalio/common';

export function failureMessage(error: unknown): string {
  let inner = error;
  while ((inner instanceof ActivityFailure || inner instanceof ChildWorkflowFailure) && inner.cause)
    inner = inner.cause;
  return inner instanceof Error ? inner.message : String(inner);
}
