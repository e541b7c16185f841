// Webhook bodies for chat tools. worker/notify.ts posts them; NOTIFY_WEBHOOK_FORMAT picks one:
// - json: the notification itself plus `text` (Slack and Teams incoming webhooks both show `text`);
// - slack: Slack's Block Kit (a header and the text as mrkdwn), with `text` as the notification fallback;
// - teams: an Adaptive Card in a message attachment, what Teams' Workflows ("Post to a channel when a webhook request
//   is received") and the retiring Office 365 connectors accept.
import type { RotationNotification } from '../common/rotation';

export const WEBHOOK_FORMATS = ['json', 'slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const MARK: Record<RotationNotification['kind'], string> = {
  'action-required': 'Action required',
  reminder: 'Reminder',
  finished: 'Finished',
  warning: 'Warning',
};

function plainText(n: RotationNotification): string {
  return `${n.subject}\n\n${n.text}`;
}

export function webhookBody(format: WebhookFormat, n: RotationNotification): Record<string, unknown> {
  switch (format) {
    case 'json':
      return { ...n, text: plainText(n) };
    case 'slack':
      return {
        text: `${MARK[n.kind]}: ${n.subject}`,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: `${MARK[n.kind]}: ${n.subject}`.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: n.text.slice(0, 3000) } },
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `organisation *${n.organization}* · workflow \`${n.workflowId}\`` }],
          },
        ],
      };
    case 'teams':
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                {
                  type: 'TextBlock',
                  text: `${MARK[n.kind]}: ${n.subject}`,
                  weight: 'Bolder',
                  size: 'Medium',
                  wrap: true,
                  color: n.kind === 'action-required' || n.kind === 'warning' ? 'Attention' : 'Default',
                },
                { type: 'TextBlock', text: n.text, wrap: true },
                {
                  type: 'FactSet',
                  facts: [
                    { title: 'Organisation', value: n.organization },
                    { title: 'Workflow', value: n.workflowId },
                  ],
                },
              ],
            },
          },
        ],
      };
  }
}
