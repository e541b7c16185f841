// The rotation's activities, one proxy per retry profile, made once per run for its organisation: workflows run on the
// central task queue, each organisation's activities on its own queue, served by the worker next to its Exchange
// (docs/deployment.md). Every activity heartbeats (activities/heartbeat.ts), so a dead worker is noticed within the
// heartbeat timeout even when a whole-organisation loop runs for many minutes.
import { proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { RotationActivities } from '../../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../../common/failures';
import { activityTaskQueueFor } from '../../common/names';
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

export interface RotationProxies {
  /** Looks at Exchange: safe to repeat, so retried quickly and often. */
  reads: RotationActivities;
  /** Changes Exchange: each looks before acting and may repeat, but slowly and fewer times. */
  changes: RotationActivities;
  /** Notifications must never fail a rotation: a few attempts, none after the receiver refused. */
  notifications: RotationActivities;
}

export function activitiesFor(organization: string): RotationProxies {
  const taskQueue = activityTaskQueueFor(organization);
  return {
    reads: summarized({
      ...HEARTBEAT,
      taskQueue,
      retry: {
        initialInterval: '10s',
        backoffCoefficient: 2,
        maximumInterval: '2 minutes',
        maximumAttempts: 15,
        nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
      },
    }),
    changes: summarized({
      ...HEARTBEAT,
      taskQueue,
      retry: {
        initialInterval: '30s',
        backoffCoefficient: 2,
        maximumInterval: '5 minutes',
        maximumAttempts: 8,
        nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
      },
    }),
    notifications: summarized({
      startToCloseTimeout: '1 minute',
      taskQueue,
      retry: { initialInterval: '5s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
    }),
  };
}
