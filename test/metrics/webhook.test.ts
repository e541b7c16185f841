// Webhook bodies per chat tool, as tables: what each format must carry for the person reading it.
import { webhookBody, WEBHOOK_FORMATS } from '../../worker/webhook';
import type { RotationNotification } from '../../common/rotation';
import { hcwInstructions } from '../../workflows/rotation/status';
import { nth } from '../helpers/present';

const hcw: RotationNotification = {
  organization: 'contoso',
  workflowId: 'rotate-auth-cert.contoso',
  kind: 'action-required',
  subject: 'Re-run the Hybrid Configuration Wizard',
  text: 'The new Auth certificate is current. Then send hcwCompletedSignal.',
};

test.each(WEBHOOK_FORMATS)(
  '%s: the subject, the text, the organisation and the workflow reach the reader',
  (format) => {
    const body = JSON.stringify(webhookBody(format, hcw));
    for (const part of [hcw.subject, 'hcwCompletedSignal', 'contoso', 'rotate-auth-cert.contoso'])
      expect(body).toContain(part);
  },
);

test('json keeps the notification fields and adds text', () => {
  expect(webhookBody('json', hcw)).toEqual({ ...hcw, text: `${hcw.subject}\n\n${hcw.text}` });
});

test('slack: Block Kit with a fallback text', () => {
  const body = webhookBody('slack', hcw) as { text: string; blocks: Array<{ type: string }> };
  expect(body.text).toBe('Action required: Re-run the Hybrid Configuration Wizard');
  expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
});

interface CardElement {
  type: string;
  text?: string;
  inlines?: Array<{ type: string; text: string; color?: string }>;
}
type TeamsBody = {
  type: string;
  attachments: Array<{ contentType: string; content: { type: string; body: CardElement[] } }>;
};

test('teams: an Adaptive Card attachment, marked for attention when a person is needed', () => {
  const body = webhookBody('teams', hcw) as TeamsBody;
  expect(body.type).toBe('message');
  const attachment = nth(body.attachments, 0, 'attachment');
  expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(attachment.content.type).toBe('AdaptiveCard');
  expect(nth(attachment.content.body, 0, 'card element').inlines?.[0]?.color).toBe('Attention');
  const done = webhookBody('teams', { ...hcw, kind: 'finished' }) as TeamsBody;
  expect(nth(nth(done.attachments, 0, 'attachment').content.body, 0, 'card element').inlines?.[0]?.color).toBe(
    'Default',
  );
});

describe('the HCW instructions arrive as typed, <your name> and all', () => {
  const tricky: RotationNotification = {
    ...hcw,
    subject: 'contoso: R&D <lab> *urgent*',
    text: `${hcwInstructions('rotate-auth-cert.contoso', 'contoso')}\nTom & Jerry _were_ here`,
  };

  test('slack: &, < and > are entity-escaped in every mrkdwn text (Slack reads <...> as a link)', () => {
    const body = webhookBody('slack', tricky) as {
      text: string;
      blocks: Array<{ type: string; text?: { type: string; text: string }; elements?: Array<{ text: string }> }>;
    };
    const section = body.blocks.find((b) => b.type === 'section')!.text!;
    expect(section.type).toBe('mrkdwn');
    expect(section.text).toContain('hcwCompletedSignal {"by": "&lt;your name&gt;", "note": "..."}');
    expect(section.text).toContain('Tom &amp; Jerry');
    expect(section.text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
    expect(body.text).toBe('Action required: contoso: R&amp;D &lt;lab&gt; *urgent*');
    // plain_text is not parsed: escaping it would show the entities.
    const header = body.blocks.find((b) => b.type === 'header')!.text!;
    expect(header).toEqual({ type: 'plain_text', text: 'Action required: contoso: R&D <lab> *urgent*' });
  });

  test('slack: a long text is cut to 3000 characters without leaving half an entity', () => {
    const body = webhookBody('slack', { ...hcw, text: `${'x'.repeat(2998)}<b>` }) as {
      blocks: Array<{ type: string; text?: { text: string } }>;
    };
    expect(nth(body.blocks, 1, 'block').text!.text).toBe('x'.repeat(2998));
  });

  test('teams: every text is in TextRuns (never Markdown), one block per line, unchanged', () => {
    const body = nth((webhookBody('teams', tricky) as TeamsBody).attachments, 0, 'attachment').content.body;
    expect(body.filter((e) => e.type === 'TextBlock')).toEqual([]);
    const runs = body.filter((e) => e.type === 'RichTextBlock').map((e) => e.inlines!.map((r) => r.text).join(''));
    expect(runs).toEqual([
      'Action required: contoso: R&D <lab> *urgent*',
      hcwInstructions('rotate-auth-cert.contoso', 'contoso'),
      'Tom & Jerry _were_ here',
    ]);
  });

  test('json: data, not markup: subject and text exactly as the workflow wrote them', () => {
    const body = webhookBody('json', tricky);
    expect(body).toMatchObject({ subject: tricky.subject, text: `${tricky.subject}\n\n${tricky.text}` });
    expect(body.text).toContain('{"by": "<your name>", "note": "..."}');
  });
});

describe('every format links to the run in the Temporal UI', () => {
  const url = 'http://temporal.corp:8233/namespaces/default/workflows/rotate-auth-cert.contoso';

  test('json: a url field', () => {
    expect(webhookBody('json', hcw, url)).toMatchObject({ url });
    expect(webhookBody('json', hcw)).not.toHaveProperty('url');
  });

  test('slack: the workflow ID in the context line is the link', () => {
    const body = JSON.stringify(webhookBody('slack', hcw, url));
    expect(body).toContain(`<${url}|rotate-auth-cert.contoso>`);
  });

  test('teams: an Open in Temporal action', () => {
    const body = webhookBody('teams', hcw, url) as {
      attachments: Array<{ content: { actions?: Array<{ type: string; url: string }> } }>;
    };
    expect(nth(body.attachments, 0, 'attachment').content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open in Temporal', url },
    ]);
  });
});
