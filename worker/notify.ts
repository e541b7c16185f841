// Tells people what they must do (the HCW step, a silent servicelet) beyond the worker log the activities already
// write: a JSON POST to NOTIFY_WEBHOOK_URL in the body NOTIFY_WEBHOOK_FORMAT picks (worker/webhook.ts). A 4xx refusal
// is a NotificationRejectedError, which the notify activity does not retry; anything else is a WebhookError, retried.
import { NotificationRejectedError } from '../activities/errors';
import type { RotationNotification } from '../common/rotation';
import { webhookBody } from './webhook';
import type { WebhookFormat } from './webhook';

export type Notifier = (notification: RotationNotification) => Promise<void>;

export class WebhookError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
  }
}

/**
 * A 4xx says the request itself is wrong (a deleted hook, a wrong URL, a body the receiver rejects): sending it again
 * cannot help. 408 (timeout) and 429 (rate limit) are the exceptions: later, the same request may pass.
 */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function createWebhookNotifier(options: {
  webhookUrl: string;
  /** json (default), slack or teams: see worker/webhook.ts. */
  format?: WebhookFormat;
  /** The workflow's page in the Temporal UI, linked from every notification. */
  linkTo?: (workflowId: string) => string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Notifier {
  const doFetch = options.fetch ?? fetch;
  return async (notification) => {
    let response: Response;
    try {
      response = await doFetch(options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          webhookBody(options.format ?? 'json', notification, options.linkTo?.(notification.workflowId)),
        ),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new WebhookError(`notification webhook unreachable: ${(cause as Error).message}`, { cause });
    }
    const answer = `notification webhook answered ${response.status} ${response.statusText}`;
    if (isRefusal(response.status)) {
      throw new NotificationRejectedError(
        `${answer}: it refuses the notification; check NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_FORMAT (not retried)`,
      );
    }
    if (!response.ok) throw new WebhookError(answer);
  };
}
