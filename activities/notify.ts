// Notifications: always to the log, and to the worker's notifier (a webhook) when it has one.
import type { RotationNotification } from '../common/rotation';
import type { ResolvedDeps } from './deps';
import { ApplicationFailure } from '@temporalio/activity';
import { NotificationFailedError, NotificationRejectedError } from './errors';

export function notifyActivities(deps: ResolvedDeps) {
  return {
    async notify(notification: RotationNotification): Promise<void> {
      deps.log.info(`[${notification.kind}] ${notification.subject}`, {
        organization: notification.organization,
        workflowId: notification.workflowId,
        text: notification.text,
      });
      if (!deps.notify) return;
      try {
        await deps.notify(notification);
      } catch (error) {
        const message = `could not deliver "${notification.subject}"`;
        // A refusal is final whatever retry policy the caller chose: fail at once, so a dead or misconfigured
        // webhook does not hold up the rotation while it is asked again and again.
        if (error instanceof NotificationRejectedError) {
          throw ApplicationFailure.create({
            type: error.name,
            message: `${message}: ${error.message}`,
            nonRetryable: true,
            cause: error,
          });
        }
        // The cause in the message: the workflow and the Temporal UI show the message, not the worker's log.
        throw new NotificationFailedError(`${message}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
