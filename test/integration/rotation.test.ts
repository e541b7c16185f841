// A whole planned rotation through every real part: the dev server, the worker as `npm start` builds it, the real
// ExchangeClient, node-powershell and the simulated Exchange Management Shell, against a hybrid simulated organisation
// whose clock runs fast. The HCW step is approved by signal, as a person would.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main as cli } from '../../client/cli';
import { RotationAlreadyRunningError, rotationHandle, startRotation } from '../../client/rotation';
import { rotationWorkflowId } from '../../common/names';
import type { RotationReport, RotationStatus } from '../../common/rotation';
import { demoSummary } from '../../scripts/demo-summary';
import { demoInput } from '../../scripts/demo';
import { loadOrganization, signInProbe } from 'simulated-exchange';
import { loadWorkerConfig } from '../../worker/config';
import { createRotationWorkers, RotationWorkers } from '../../worker/worker';
import { statusQuery } from '../../workflows/messages';
import { uniqueOrganization } from '../helpers/ids';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { createDevServerEnv, workflowBundlePath } from '../helpers/temporal';

/** Exchange seconds per real second: the 49-hour effective date passes in about 14 s. */
const CLOCK_RATE = 12_000;

let env: TestWorkflowEnvironment;
let sim: SimulatedOrganization;
let workers: RotationWorkers;
let running: Promise<void>;
const organization = uniqueOrganization('hybrid');

beforeAll(async () => {
  env = await createDevServerEnv();
  sim = await createSimulatedOrganization('hybrid', { acceleration: CLOCK_RATE });
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATION: organization,
    EXCHANGE_SIM_STATE: sim.stateFile,
    EXCHANGE_CLOCK_RATE: String(CLOCK_RATE),
    WORKER_SHUTDOWN_GRACE: '10s',
  });
  workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
  });
  running = workers.run();
});

afterAll(async () => {
  workers?.shutdown();
  await running;
  await env?.teardown();
  sim?.cleanup();
});

async function waitForStatus(predicate: (s: RotationStatus) => boolean, timeoutMs: number): Promise<RotationStatus> {
  const handle = rotationHandle(env.client, organization);
  const deadline = Date.now() + timeoutMs;
  let last: RotationStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // the first workflow task may not have run yet
    }
    // Polling a query, not sleeping for a duration under test: the workflow's own timers decide when it moves.
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
}

test('a planned rotation of a hybrid organisation ends with every server on the new certificate and HCW approved', async () => {
  const handle = await startRotation(env.client, demoInput(organization));
  expect(handle.workflowId).toBe(rotationWorkflowId(organization));

  // One rotation per organisation: a second start while this one runs is refused by name.
  const duplicate = await startRotation(env.client, { organization }).catch((e: unknown) => e);
  expect(duplicate).toBeInstanceOf(RotationAlreadyRunningError);
  expect((duplicate as Error).message).toBe(`already running: ${rotationWorkflowId(organization)}`);

  // Too early: the rotation's update validator refuses the answer at once and says why; nothing enters history.
  const early: string[] = [];
  const earlyIo = {
    out: (l: string) => early.push(l),
    err: (l: string) => early.push(l),
    client: async () => env.client,
  };
  expect(await cli(['approve-hcw', organization, '--by', 'too-early'], earlyIo)).toBe(1);
  expect(early).toEqual([
    expect.stringMatching(
      new RegExp(
        `^cli: the rotation ${rotationWorkflowId(organization).replace(/\./g, '\\.')} did not take the answer: [a-z-]+: the wizard only helps once the new certificate is current`,
      ),
    ),
  ]);

  const waiting = await waitForStatus(
    (s) => s.phase === 'awaiting-hcw' || s.phase === 'done' || s.phase === 'failed',
    150_000,
  );
  if (waiting.phase !== 'awaiting-hcw') {
    throw new Error(
      `expected the HCW step, got: ${JSON.stringify(await handle.result().catch((e: Error) => e.message))}`,
    );
  }
  expect(waiting.hcw.status).toBe('waiting');
  expect(waiting.actionRequired).toMatch(/Hybrid Configuration Wizard/i);

  // As a person would: the CLI shows what to do, then records the approval by signal.
  const out: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => out.push(`ERR ${l}`),
    client: async () => env.client,
  };
  expect(await cli(['status', organization, '--json'], io)).toBe(0);
  const view = JSON.parse(out.splice(0).join('\n'));
  expect(view).toMatchObject({ execution: 'RUNNING', status: { phase: 'awaiting-hcw', hcw: { status: 'waiting' } } });
  expect(await cli(['status', organization], io)).toBe(0);
  const human = out.splice(0).join('\n');
  expect(human).toContain('phase        awaiting-hcw (path rotate)');
  expect(human).toContain('HCW          waiting');
  expect(human).toMatch(/ACTION REQUIRED: Re-run the Hybrid Configuration Wizard/);
  expect(human).toMatch(/EX1 +\S+ +yes +yes +yes/);
  expect(await cli(['approve-hcw', organization, '--by', 'integration-test', '--note', 'HCW re-run'], io)).toBe(0);
  expect(out).toEqual([`recorded HCW completed by integration-test on ${rotationWorkflowId(organization)}`]);
  const report = (await handle.result()) as RotationReport;
  expect(report.warnings).toEqual([]);

  expect(report.outcome).toBe('completed');
  expect(report.path).toBe('rotate');
  expect(report.hcw).toMatchObject({ status: 'completed', by: 'integration-test', note: 'HCW re-run' });
  expect(report.publishedByForce).toBe(false);
  expect(report.newThumbprint).toMatch(/^[0-9A-F]{40}$/);
  expect(report.previousThumbprint).toBe(sim.org.authConfig.currentCertificateThumbprint);

  // The organisation itself, not the workflow's account of it.
  const { org, now } = loadOrganization(sim.stateFile);
  const summary = demoSummary(
    organization,
    org,
    report,
    (name) =>
      signInProbe(
        org,
        org.servers.find((s) => s.name === name)!,
        now,
      ).works,
  );
  expect(summary.problems).toEqual([]);
  expect(summary.servers.length).toBeGreaterThanOrEqual(2);
  for (const server of summary.servers) {
    expect(server).toMatchObject({
      currentThumbprint: report.newThumbprint,
      hasNewCertificate: true,
      event2014: true,
      poolsRecycledAfterPublication: true,
      signIn: true,
    });
  }
  expect(org.authConfig.previousCertificateThumbprint).toBe(report.previousThumbprint);
  // Exactly one new auth certificate was made, however often activities were retried.
  const newCerts = new Set(
    org.servers.flatMap((s) => s.certificates.filter((c) => c.installedBy === 'new').map((c) => c.thumbprint)),
  );
  expect([...newCerts]).toEqual([report.newThumbprint]);
}, 240_000);
