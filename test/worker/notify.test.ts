// The webhook notifier against a real HTTP server on localhost.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RotationNotification } from '../../common/rotation';
import { createWebhookNotifier, WebhookError } from '../../worker/notify';

const notification: RotationNotification = {
  organization: 'contoso',
  workflowId: 'rotate-auth-cert.contoso',
  kind: 'action-required',
  subject: 'Re-run the Hybrid Configuration Wizard',
  text: 'The new Auth certificate is published; re-run HCW, then approve.',
};

describe('webhook notifier', () => {
  let server: http.Server;
  let url: string;
  let status = 200;
  const received: Array<{ method?: string; type?: string; body: unknown }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('POSTs the notification as JSON with a chat-ready text', async () => {
    await createWebhookNotifier({ webhookUrl: url })(notification);
    expect(received.at(-1)).toEqual({
      method: 'POST',
      type: 'application/json',
      body: { ...notification, text: `${notification.subject}\n\n${notification.text}` },
    });
  });

  test('a refusing webhook is a WebhookError with the status', async () => {
    status = 500;
    await expect(createWebhookNotifier({ webhookUrl: url })(notification)).rejects.toThrow(
      new WebhookError('notification webhook answered 500 Internal Server Error'),
    );
    status = 200;
  });

  test('an unreachable webhook is a WebhookError that keeps its cause', async () => {
    const error = await createWebhookNotifier({ webhookUrl: 'http://127.0.0.1:1/hook' })(notification).catch((e) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect(error.message).toMatch(/^notification webhook unreachable: /);
    expect(error.cause).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });
});
