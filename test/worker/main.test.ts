// The worker alone (`node dist/worker/main.js`, `npm run worker`) against an existing cluster, as on a Windows host
// next to Exchange: configured by its environment, stopped by SIGTERM.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityTaskQueueFor, WORKFLOW_TASK_QUEUE } from '../../common/names';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { freePort } from '../../worker/dev-server';
import { eventually } from '../helpers/eventually';
import { createDevServerEnv, pollerCount, REPO_ROOT } from '../helpers/temporal';

const MAIN = path.join(REPO_ROOT, 'dist', 'worker', 'main.js');

function run(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exit, out: () => out };
}

/** Activity pollers of the organisation's queue, asked until there are some (or `gaveUp`, e.g. the worker exited). */
function pollersOf(env: TestWorkflowEnvironment, organization: string, gaveUp = () => false): Promise<number> {
  return eventually(
    () => pollerCount(env, activityTaskQueueFor(organization), 'activity'),
    (n) => n > 0,
    { giveUp: gaveUp },
  );
}

describe('worker/main.js', () => {
  let env: TestWorkflowEnvironment;
  let sim: SimulatedOrganization;
  beforeAll(async () => {
    env = await createDevServerEnv();
    sim = await createSimulatedOrganization('healthy', { acceleration: 0 });
  });
  afterAll(async () => {
    await env?.teardown();
    sim?.cleanup();
  });

  test('polls its organisation task queue on the given cluster and stops cleanly on SIGTERM', async () => {
    const organization = uniqueOrganization();
    const w = run({
      TEMPORAL_ADDRESS: env.address,
      EXCHANGE_ORGANIZATION: organization,
      EXCHANGE_SIM_STATE: sim.stateFile,
      LOG_LEVEL: 'WARN',
    });
    try {
      const pollers = await pollersOf(env, organization, () => w.child.exitCode !== null);
      expect({ pollers: pollers > 0, out: w.out() }).toEqual({ pollers: true, out: expect.any(String) });
      expect(await pollerCount(env, WORKFLOW_TASK_QUEUE, 'workflow')).toBeGreaterThan(0);
      expect(w.out()).toContain(
        `worker: ${organization}'s activities on task queue ${activityTaskQueueFor(organization)} at ${env.address} ` +
          '(simulated Exchange)',
      );
      w.child.kill('SIGTERM');
      expect(await w.exit).toBe(0);
      expect(w.out()).toContain('SIGTERM: stopping the worker');
      expect(w.out()).toContain('worker stopped');
    } finally {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  }, 60_000);

  test('retries a Temporal that does not answer yet with one clear line, and polls once it does', async () => {
    const organization = uniqueOrganization();
    const port = await freePort();
    const w = run({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      EXCHANGE_ORGANIZATION: organization,
      EXCHANGE_SIM_STATE: sim.stateFile,
      LOG_LEVEL: 'WARN',
    });
    let late: TestWorkflowEnvironment | undefined;
    try {
      const refused = `cannot reach Temporal at 127.0.0.1:${port}: Connection refused; retrying in 1s`;
      await eventually(
        async () => w.out(),
        (out) => out.includes(refused),
        { giveUp: () => w.child.exitCode !== null },
      );
      expect(w.out()).toContain(`${refused} (check TEMPORAL_ADDRESS; Ctrl-C to stop)`);
      expect(w.out()).not.toContain('tonic');
      expect(w.child.exitCode).toBeNull();

      // The server comes up on that port: the worker connects and polls.
      late = await createDevServerEnv({ port });
      expect(await pollersOf(late, organization)).toBeGreaterThan(0);
      expect(w.out()).toContain(`connected to Temporal at 127.0.0.1:${port}`);
      w.child.kill('SIGTERM');
      expect(await w.exit).toBe(0);
    } finally {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await late?.teardown();
    }
  }, 120_000);

  test('a signal while Temporal does not answer stops the attempts at once', async () => {
    const port = await freePort();
    const w = run({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      EXCHANGE_ORGANIZATION: uniqueOrganization(),
      EXCHANGE_SIM_STATE: sim.stateFile,
    });
    try {
      await eventually(
        async () => w.out(),
        (out) => out.includes('retrying in'),
        { giveUp: () => w.child.exitCode !== null },
      );
      w.child.kill('SIGTERM');
      expect(await w.exit).toBe(0);
      expect(w.out()).toContain(`stopped before Temporal at 127.0.0.1:${port} answered`);
    } finally {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  }, 60_000);

  test.each([
    [
      {},
      'invalid configuration: EXCHANGE_ORGANIZATION: is required: the organisation this worker serves, e.g. contoso',
    ],
    [
      { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_CONNECTION: 'remote' },
      'invalid configuration: EXCHANGE_SERVER: is required when EXCHANGE_CONNECTION=remote (or set EXCHANGE_URI)',
    ],
  ])('a bad environment is one line naming the variable, exit 1: %j', async (vars, message) => {
    const w = run(vars);
    expect(await w.exit).toBe(1);
    expect(w.out().trim()).toBe(message);
  });
});
