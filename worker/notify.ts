// Tells people what they must do (the HCW step, a silent servicelet): always in the worker log, and as a JSON POST to
// NOTIFY_WEBHOOK_URL when one is configured (Teams, Slack and most chat tools accept a `text` field).
import type { Logger } from '@temporalio/worker';

export interface Notification {
  /** One line for a chat message or e-mail subject. */
  title: string;
  /** What happened and what a person must do. */
  text: string;
  organization?: string;
  workflowId?: string;
  [key: string]: unknown;
}

export type Notifier = (notification: Notification) => Promise<void>;

export class WebhookError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
  }
}

export function createNotifier(options: {
  webhookUrl?: string;
  logger: Pick<Logger, 'warn' | 'info'>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Notifier {
  const doFetch = options.fetch ?? fetch;
  return async (notification) => {
    options.logger.warn(`${notification.title}: ${notification.text}`, { notification });
    if (!options.webhookUrl) return;
    let response: Response;
    try {
      response = await doFetch(options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...notification, text: `${notification.title}\n\n${notification.text}` }),
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
