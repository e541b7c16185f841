// Workflows of the metrics and webhook tests: one records a finished rotation's metrics as rotateAuthCertificate does at
// its end; one sends a notification through the real notify activity under a plain retry policy.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { RotationActivities } from '../../activities';
import type { RotationNotification, RotationReport } from '../../common/rotation';
import { recordRotationMetrics } from '../../workflows/metrics';

export async function recordReport(report: RotationReport): Promise<void> {
  recordRotationMetrics(report);
}

const notifications = proxyActivities<RotationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', maximumAttempts: 5 },
});

/** A caller whose retry policy names no permanent failures (as the rotation's notifications do): what reaches it. */
export async function notifyWithPlainRetries(
  notification: RotationNotification,
): Promise<{ delivered: boolean; type?: string; message?: string }> {
  try {
    await notifications.notify(notification);
    return { delivered: true };
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    return {
      delivered: false,
      type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined,
      message: (cause as Error).message,
    };
  }
}

const publication = proxyActivities<{ publishCertificate(): Promise<{ currentThumbprint: string }> }>({
  startToCloseTimeout: '1 minute',
});

/** A rotation's last step as the worker sees it: an activity whose result names the current thumbprint. */
export async function publishOnly(): Promise<string> {
  return (await publication.publishCertificate()).currentThumbprint;
}
