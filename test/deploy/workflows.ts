// A workflow whose activity fails once and then succeeds, so the SDK's activity failure counter exists on the
// worker's endpoint, as it does once any rotation step has been retried.
import { proxyActivities } from '@temporalio/workflow';

const { flaky } = proxyActivities<{ flaky(): Promise<string> }>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

export async function retriedOnce(): Promise<string> {
  return flaky();
}
