// Tells people what they must do (the HCW step, a silent servicelet) beyond the worker log the activities already
// write: a JSON POST to NOTIFY_WEBHOOK_URL (Teams, Slack and most chat tools accept a `text` field).
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

export function createWebhookNotifier(options: {
  webhookUrl: string;
  /** json (default), slack or teams: see worker/webhook.ts. */
  format?: WebhookFormat;
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
        body: JSON.stringify(webhookBody(options.format ?? 'json', notification)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new WebhookError(`notification webhook unreachable: ${(cause as Error).message}`, { cause });
    }
    if (!response.ok) {
      throw new WebhookError(`notification webhook answered ${response.status} ${response.statusText}`);
    }
  };
}
