// The worker as main.ts and `npm start` build it: one task queue per organisation, and a graceful shutdown that lets a
// running activity finish before the Exchange sessions close.
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { createExchangeClient } from '../../activities/powershell';
import type { ExchangeClient } from '../../activities/powershell';
import { startRotation } from '../../client/rotation';
import { activityTaskQueueFor, WORKFLOW_TASK_QUEUE } from '../../common/names';
import { loadWorkerConfig } from '../../worker/config';
import { createRotationWorkers, type RotationWorkers } from '../../worker/worker';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { eventually } from '../helpers/eventually';
import { createDevServerEnv, endRun, pollerCount, workflowBundlePath } from '../helpers/temporal';
import { nth } from '../helpers/present';

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

/** Workers for `orgs` (each a copy of one simulated organisation) with `env` on top; stopped after `use`. */
async function withWorkers(
  orgs: string[],
  extraEnv: Record<string, string>,
  use: (workers: RotationWorkers) => Promise<void>,
): Promise<void> {
  const sim = await createSimulatedOrganization('healthy', { acceleration: 0 });
  sims.push(sim);
  for (const org of orgs) fs.copyFileSync(sim.stateFile, path.join(sim.dir, `${org.toLowerCase()}.json`));
  const config = loadWorkerConfig({
    ...extraEnv,
    ...(orgs.length === 0
      ? {}
      : { EXCHANGE_ORGANIZATIONS: orgs.join(','), EXCHANGE_SIM_STATE: `${sim.dir}/{organization}.json` }),
  });
  const workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
  });
  const running = workers.run();
  try {
    await use(workers);
  } finally {
    workers.shutdown();
    await running;
  }
}

test('one workflow worker on the central queue, one activity worker per organisation on its own queue', async () => {
  const orgs = [uniqueOrganization('a'), uniqueOrganization('b')];
  await withWorkers(orgs, {}, async (workers) => {
    expect(workers.workers.map(({ taskQueue, serves }) => ({ taskQueue, serves }))).toEqual([
      { taskQueue: WORKFLOW_TASK_QUEUE, serves: 'workflows' },
      ...orgs.map((org) => ({ taskQueue: activityTaskQueueFor(org), serves: 'activities' })),
    ]);
    const polled = (queue: string, kind: 'workflow' | 'activity') =>
      eventually(
        () => pollerCount(env, queue, kind),
        (n) => n > 0,
      );
    expect(await polled(WORKFLOW_TASK_QUEUE, 'workflow')).toBeGreaterThan(0);
    for (const org of orgs) expect(await polled(activityTaskQueueFor(org), 'activity')).toBeGreaterThan(0);
    // No workflow poller on an organisation's queue unless asked to serve runs from before the central queue.
    expect(await pollerCount(env, activityTaskQueueFor(nth(orgs, 0, 'organization')), 'workflow')).toBe(0);
  });
});

test.each([
  [{ WORKER_ROLE: 'activities' }, 2, ['activities', 'activities']],
  [{ WORKER_ROLE: 'activities', WORKER_LEGACY_WORKFLOW_QUEUES: 'true' }, 1, ['workflows and activities']],
  [{ WORKER_ROLE: 'workflows' }, 0, ['workflows']],
])('the role decides what one process serves: %j', async (roleEnv, count, serves) => {
  const orgs = Array.from({ length: count }, (_, i) => uniqueOrganization(`r${i}`));
  await withWorkers(orgs, roleEnv, async (workers) => {
    expect(workers.workers.map((w) => w.serves)).toEqual(serves);
  });
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
  await endRun(handle);
});

test('the Exchange probe reports the server clock, or the error of a connection that cannot work', async () => {
  const good = await createSimulatedOrganization('healthy', { acceleration: 0 });
  sims.push(good);
  const orgs = [uniqueOrganization('good'), uniqueOrganization('bad')];
  fs.copyFileSync(good.stateFile, path.join(good.dir, `${nth(orgs, 0, 'organization').toLowerCase()}.json`));
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
