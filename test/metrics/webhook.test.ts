// Webhook bodies per chat tool, as tables: what each format must carry for the person reading it.
import { webhookBody, WEBHOOK_FORMATS } from '../../worker/webhook';
import type { RotationNotification } from '../../common/rotation';

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

test('teams: an Adaptive Card attachment, marked for attention when a person is needed', () => {
  const body = webhookBody('teams', hcw) as {
    type: string;
    attachments: Array<{ contentType: string; content: { type: string; body: Array<{ color?: string }> } }>;
  };
  expect(body.type).toBe('message');
  expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(body.attachments[0].content.type).toBe('AdaptiveCard');
  expect(body.attachments[0].content.body[0].color).toBe('Attention');
  const done = webhookBody('teams', { ...hcw, kind: 'finished' }) as typeof body;
  expect(done.attachments[0].content.body[0].color).toBe('Default');
});
