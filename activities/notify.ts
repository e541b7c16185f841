// Notifications: always to the log, and to the worker's notifier (a webhook) when it has one.
import type { RotationNotification } from '../common/rotation';
import type { ResolvedDeps } from './deps';
import { NotificationFailedError } from './errors';

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
        throw new NotificationFailedError(`could not deliver "${notification.subject}"`, { cause: error });
      }
    },
  };
}
