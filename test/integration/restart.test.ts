// Durability through real processes: the worker (dist/worker/main.js) is killed outright during the durable wait for
// the effective date, a new worker process takes over, and the rotation finishes as if nothing had happened, with
// exactly one new certificate in the organisation.
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rotationHandle, startRotation } from '../../client/rotation';
import type { RotationReport, RotationStatus } from '../../common/rotation';
import { loadOrganization, signInProbe } from 'simulated-exchange';
import { statusQuery } from '../../workflows/messages';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { createDevServerEnv, REPO_ROOT } from '../helpers/temporal';

const CLOCK_RATE = 12_000;
let env: TestWorkflowEnvironment;
let sim: SimulatedOrganization;
const organization = uniqueOrganization('restart');
const children: ChildProcess[] = [];

function startWorker(): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'worker', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: env.address,
      EXCHANGE_ORGANIZATION: organization,
      EXCHANGE_SIM_STATE: sim.stateFile,
      EXCHANGE_CLOCK_RATE: String(CLOCK_RATE),
      LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return { child, output: () => output };
}

beforeAll(async () => {
  env = await createDevServerEnv();
  sim = await createSimulatedOrganization('healthy', { acceleration: CLOCK_RATE });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await env?.teardown();
  sim?.cleanup();
});

async function phaseOf(): Promise<RotationStatus | undefined> {
  try {
    return await rotationHandle(env.client, organization).query(statusQuery);
  } catch {
    return undefined;
  }
}

test('a worker killed during the wait is replaced and the rotation completes with one new certificate', async () => {
  const first = startWorker();
  const handle = await startRotation(env.client, {
    organization,
    force: true,
    replicationPollInterval: '1s',
    publicationPollInterval: '1s',
  });

  // Kill only inside the durable timer: no activity is in flight, so nothing waits for a heartbeat timeout.
  let status: RotationStatus | undefined;
  for (let i = 0; i < 600 && status?.phase !== 'waiting-for-effective-date'; i++) {
    status = await phaseOf();
    if (status?.phase !== 'waiting-for-effective-date') await new Promise((r) => setTimeout(r, 100));
  }
  expect({ phase: status?.phase, worker: first.output() }).toEqual({
    phase: 'waiting-for-effective-date',
    worker: expect.any(String),
  });
  const staged = loadOrganization(sim.stateFile).org.authConfig.nextCertificateThumbprint;
  expect(staged).toBe(status!.newThumbprint);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const second = startWorker();
  const report = (await handle.result()) as RotationReport;
  expect({ outcome: report.outcome, worker: second.output() }).toEqual({
    outcome: 'completed',
    worker: expect.any(String),
  });
  expect(report.newThumbprint).toBe(staged);

  const { org, now } = loadOrganization(sim.stateFile);
  expect(org.authConfig.currentCertificateThumbprint).toBe(staged);
  const made = new Set(
    org.servers.flatMap((s) => s.certificates.filter((c) => c.installedBy === 'new').map((c) => c.thumbprint)),
  );
  expect([...made]).toEqual([staged]);
  expect(org.servers.map((s) => signInProbe(org, s, now)).filter((p) => !p.works)).toEqual([]);

  second.child.kill('SIGTERM');
  expect(await new Promise((r) => second.child.once('exit', r))).toBe(0);
}, 180_000);
