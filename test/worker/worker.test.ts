// The worker as main.ts and `npm start` build it: one task queue per organisation, and a graceful shutdown that lets a
// running activity finish before the Exchange sessions close.
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { createExchangeClient } from '../../activities/powershell';
import type { ExchangeClient } from '../../activities/powershell';
import { startRotation } from '../../client/rotation';
import { taskQueueFor } from '../../common/names';
import { loadWorkerConfig } from '../../worker/config';
import { createRotationWorkers } from '../../worker/worker';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { createDevServerEnv, workflowBundlePath } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
const sims: SimulatedOrganization[] = [];

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  sims.forEach((s) => s.cleanup());
});

/**
 * The real ExchangeClient, with its first call held until the test lets it go: an activity that is demonstrably
 * running when the shutdown begins.
 */
function heldClient(settings: unknown) {
  const real = createExchangeClient(settings);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const firstCallStarted = new Promise<void>((r) => (started = r));
  let held = false;
  let closedAt: number | undefined;
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'close') {
        return async () => {
          closedAt = Date.now();
          return target.close();
        };
      }
      return async (...args: unknown[]) => {
        if (!held) {
          held = true;
          started();
          await released;
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  }) as ExchangeClient;
  return { client, release, firstCallStarted, closedAt: () => closedAt };
}

test('one worker per organisation, each polling its own task queue', async () => {
  const orgs = [uniqueOrganization('a'), uniqueOrganization('b')];
  const first = await createSimulatedOrganization('healthy', { acceleration: 0 });
  sims.push(first);
  const dir = first.dir;
  for (const org of orgs) fs.copyFileSync(first.stateFile, path.join(dir, `${org.toLowerCase()}.json`));
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATIONS: orgs.join(','),
    EXCHANGE_SIM_STATE: `${dir}/{organization}.json`,
  });
  const workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
  });
  const running = workers.run();
  try {
    expect(workers.workers.map((w) => w.taskQueue)).toEqual(orgs.map(taskQueueFor));
    for (const org of orgs) {
      let pollers = 0;
      for (let i = 0; i < 50 && pollers === 0; i++) {
        const r = await env.client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueueFor(org) },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        pollers = r.pollers?.length ?? 0;
        if (pollers === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(pollers).toBeGreaterThan(0);
    }
  } finally {
    workers.shutdown();
    await running;
  }
});

test('shutdown lets the running activity finish, then closes the Exchange session', async () => {
  const organization = uniqueOrganization('shutdown');
  const sim = await createSimulatedOrganization('hybrid', { acceleration: 0 });
  sims.push(sim);
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATION: organization,
    EXCHANGE_SIM_STATE: sim.stateFile,
    WORKER_SHUTDOWN_GRACE: '60s',
  });
  let held: ReturnType<typeof heldClient> | undefined;
  const workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
    createExchange: (_org, settings) => (held = heldClient(settings)).client,
  });
  const running = workers.run();
  let stoppedAt: number | undefined;
  void running.then(() => (stoppedAt = Date.now()));

  const handle = await startRotation(env.client, { organization, dryRun: true });
  await held!.firstCallStarted;
  workers.shutdown();
  // The worker waits for the activity it is running; nothing is closed under it.
  await new Promise((r) => setTimeout(r, 1000));
  expect(stoppedAt).toBeUndefined();
  expect(held!.closedAt()).toBeUndefined();

  const releasedAt = Date.now();
  held!.release();
  await running;
  expect(held!.closedAt()).toBeGreaterThanOrEqual(releasedAt);

  // The activity that was running when the shutdown began completed; its result is in the history.
  const history = await handle.fetchHistory();
  const types = history.events!.map((e) => e.eventType);
  expect(types).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  expect(types).not.toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
  await handle.terminate('test over');
});

test('the Exchange probe reports the server clock, or the error of a connection that cannot work', async () => {
  const good = await createSimulatedOrganization('healthy', { acceleration: 0 });
  sims.push(good);
  const orgs = [uniqueOrganization('good'), uniqueOrganization('bad')];
  fs.copyFileSync(good.stateFile, path.join(good.dir, `${orgs[0].toLowerCase()}.json`));
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATIONS: orgs.join(','),
    EXCHANGE_SIM_STATE: path.join(good.dir, '{organization}.json'),
  });
  const workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
  });
  try {
    const [ok, bad] = await workers.probe();
    expect(ok).toEqual({ organization: orgs[0], ok: true, serverTime: expect.any(String) });
    // A frozen simulated clock: the server time is exactly where the scenario started it.
    expect(Date.parse((ok as { serverTime: string }).serverTime)).toBe(good.org.clock.anchorSim);
    expect(bad).toEqual({ organization: orgs[1], ok: false, error: expect.any(String) });
  } finally {
    workers.shutdown();
    await workers.run();
  }
});
