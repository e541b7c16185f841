// Webhook bodies for chat tools. worker/notify.ts posts them; NOTIFY_WEBHOOK_FORMAT picks one:
// - json: the notification itself plus `text` (subject and text), all as data: no markup, nothing escaped, for a
//   receiver that reads fields (Power Automate, a script). Slack and Teams read `text` as markup: use their formats;
// - slack: Slack's Block Kit (a header and the text as mrkdwn), with `text` as the notification fallback;
// - teams: an Adaptive Card in a message attachment, what Teams' Workflows ("Post to a channel when a webhook request
//   is received") and the retiring Office 365 connectors accept.
// The texts carry things like `{"by": "<your name>"}` that must arrive as typed: Slack's mrkdwn reads <...> as a link
// or mention and & as an entity, so those three are escaped; a Teams TextBlock is Markdown, so the texts go in
// RichTextBlock runs, which Adaptive Cards show as they are.
import type { RotationNotification } from '../common/rotation';

export const WEBHOOK_FORMATS = ['json', 'slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const MARK: Record<RotationNotification['kind'], string> = {
  'action-required': 'Action required',
  reminder: 'Reminder',
  finished: 'Finished',
};

function plainText(n: RotationNotification): string {
  return `${n.subject}\n\n${n.text}`;
}

/** Slack's own escaping: only these three are control characters of its markup. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` characters of escaped text, never ending in half an entity. */
function slackTruncate(escaped: string, max: number): string {
  return escaped.length <= max ? escaped : escaped.slice(0, max).replace(/&[a-z]*$/, '');
}

/** One RichTextBlock per line: a TextRun is never read as Markdown, and a block per line keeps the line breaks. */
function teamsLines(text: string, run: Record<string, unknown> = {}): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: line, ...run }] }));
}

export function webhookBody(format: WebhookFormat, n: RotationNotification): Record<string, unknown> {
  switch (format) {
    case 'json':
      return { ...n, text: plainText(n) };
    case 'slack':
      return {
        // The fallback `text` is mrkdwn too; the header is plain_text, which Slack does not parse.
        text: slackEscape(`${MARK[n.kind]}: ${n.subject}`),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: `${MARK[n.kind]}: ${n.subject}`.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: slackTruncate(slackEscape(n.text), 3000) } },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `organisation *${slackEscape(n.organization)}* · workflow \`${slackEscape(n.workflowId)}\``,
              },
            ],
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
                ...teamsLines(`${MARK[n.kind]}: ${n.subject}`, {
                  weight: 'Bolder',
                  size: 'Medium',
                  color: n.kind === 'action-required' ? 'Attention' : 'Default',
                }),
                ...teamsLines(n.text),
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
