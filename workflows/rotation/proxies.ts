// The rotation's activities, one proxy per retry profile. Every activity heartbeats (activities/heartbeat.ts), so a dead
// worker is noticed within the heartbeat timeout even when a whole-organisation loop runs for many minutes.
import { proxyActivities } from '@temporalio/workflow';
import type { RotationActivities } from '../../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../../common/failures';

const HEARTBEAT = { startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute' } as const;

/** Looks at Exchange: safe to repeat, so retried quickly and often. */
export const reads = proxyActivities<RotationActivities>({
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
export const changes = proxyActivities<RotationActivities>({
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
export const notifications = proxyActivities<RotationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
});
