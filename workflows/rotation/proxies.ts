// The rotation's activities, one proxy per retry profile. Every activity heartbeats (activities/heartbeat.ts), so a dead
// worker is noticed within the heartbeat timeout even when a whole-organisation loop runs for many minutes.
import { proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { RotationActivities } from '../../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../../common/failures';
import { activitySummary } from './activity-summary';

/**
 * The activities with `options`, each call carrying its one-line summary (what, and on which servers) for the Temporal
 * UI's event history. The summary is user metadata: replay does not compare it, so wording may change freely.
 */
function summarized(options: ActivityOptions): RotationActivities {
  const proxy = proxyActivities<RotationActivities>(options);
  return new Proxy({} as RotationActivities, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      const activity = proxy[name as keyof RotationActivities];
      return (...args: unknown[]) =>
        activity.executeWithOptions({ ...options, summary: activitySummary(name, args[0]) }, args as never);
    },
  });
}

const HEARTBEAT = { startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute' } as const;

/** Looks at Exchange: safe to repeat, so retried quickly and often. */
export const reads = summarized({
  ...HEARTBEAT,
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 15,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});

/** Changes Exchange: each looks before acting and may repeat, but slowly and fewer times. */
export const changes = summarized({
  ...HEARTBEAT,
  retry: {
    initialInterval: '30s',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});

/** Notifications must never fail a rotation: a few attempts, none after the receiver refused. */
export const notifications = summarized({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
});
