// Delivering to a webhook that answers with an error, against a real HTTP server on localhost: a refusal (4xx but 408
// and 429) is final and asked once, whatever the caller's retry policy; anything else is retried. The notify activity
// runs in a real worker on the time-skipping test server, so the retries (and their backoff) are Temporal's own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { NotificationRejectedError } from '../../activities/errors';
import type { RotationNotification } from '../../common/rotation';
import { createWebhookNotifier, WebhookError } from '../../worker/notify';
import { MemoryExchange } from '../activities/memory-exchange';
import { uniqueId, uniqueTaskQueue } from '../helpers/ids';
import { createTimeSkippingEnv } from '../helpers/temporal';

const notification: RotationNotification = {
  organization: 'contoso',
  workflowId: 'rotate-auth-cert.contoso',
  kind: 'action-required',
  subject: 'Re-run the Hybrid Configuration Wizard',
  text: 'Then send hcwCompletedSignal {"by": "<your name>"}.',
};

let server: http.Server;
let base: string;
/** Requests per path; the path is the status the server answers with: /404 answers 404. */
const requests = new Map<string, number>();
let env: TestWorkflowEnvironment;
let code: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.set(req.url!, (requests.get(req.url!) ?? 0) + 1);
      res.statusCode = Number(req.url!.split('/')[1]);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await createTimeSkippingEnv();
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
  ({ code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet }));
}, 180_000);
afterAll(async () => {
  await env?.teardown();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A path of its own per case, so the counts of one case are not another's. */
const hook = (status: number) => `/${status}/${uniqueId('hook')}`;

test.each([400, 401, 403, 404, 410, 413])('%i: the webhook refuses; NotificationRejectedError', async (status) => {
  const error = await createWebhookNotifier({ webhookUrl: `${base}${hook(status)}` })(notification).catch((e) => e);
  expect(error).toBeInstanceOf(NotificationRejectedError);
  expect(error.message).toMatch(new RegExp(`^notification webhook answered ${status} .*: it refuses the notification`));
});

test.each([408, 429, 500, 502, 503])('%i: may pass later; a WebhookError, retried', async (status) => {
  const error = await createWebhookNotifier({ webhookUrl: `${base}${hook(status)}` })(notification).catch((e) => e);
  expect(error).toBeInstanceOf(WebhookError);
  expect(error).not.toBeInstanceOf(NotificationRejectedError);
});

test.each([
  [404, 1, 'NotificationRejectedError', 'Not Found'],
  [410, 1, 'NotificationRejectedError', 'Gone'],
  [503, 5, 'NotificationFailedError', 'Service Unavailable'],
  [429, 5, 'NotificationFailedError', 'Too Many Requests'],
])(
  'the notify activity under a policy that lists no permanent failures: %i is sent %i time(s), %s naming the answer',
  async (status, sent, type, reason) => {
    const path = hook(status);
    const exchange = new MemoryExchange();
    const taskQueue = uniqueTaskQueue('notify');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { code },
      activities: createActivities({
        exchange,
        clock: () => new Date(exchange.now),
        log: { info: () => undefined, warn: () => undefined },
        notify: createWebhookNotifier({ webhookUrl: `${base}${path}` }),
      }),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('notifyWithPlainRetries', {
        taskQueue,
        workflowId: uniqueId('notify'),
        args: [notification],
      }),
    );
    // The cause is in the message the workflow (and the Temporal UI) shows, not only in the worker's log.
    expect(result).toMatchObject({
      delivered: false,
      type,
      message: expect.stringContaining(
        `could not deliver "${notification.subject}": notification webhook answered ${status} ${reason}`,
      ),
    });
    expect(requests.get(path)).toBe(sent);
  },
);
