// The CLI against a real dev server. Starting without a worker (--no-worker-ok), refusing a duplicate and the usage
// errors need no worker: the server alone decides them. With a real worker and a simulated organisation: the refusal
// when no worker polls, plan, cancel and terminate, and what a cancelled rotation leaves in Exchange (read from the
// organisation itself). The full rotation is in rotation.test.ts.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main } from '../../client/cli';
import {
  activityTaskQueueFor,
  ROTATE_WORKFLOW_TYPE,
  rotationWorkflowId,
  WORKFLOW_TASK_QUEUE,
} from '../../common/names';
import type { RotationStatus } from '../../common/rotation';
import { statusQuery } from '../../workflows/messages';
import { createDevServerEnv, endRun } from '../helpers/temporal';
import { uniqueOrganization } from '../helpers/ids';
import type { SimulatedOrganization } from '../helpers/simulated-org';
import { startSimulatedWorker, SimulatedWorker } from '../helpers/simulated-worker';
import { eventually, statusEventually } from '../helpers/eventually';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    client: async () => env.client,
  });
  return { code, out, err };
}

describe('cli', () => {
  test('start, then a second start is refused with "already running: <workflow id>"', async () => {
    const org = uniqueOrganization();
    const first = await cli('start', org, '--input-json', '{"force": true}', '--no-worker-ok');
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(
      new RegExp(`^started ${rotationWorkflowId(org).replace(/\./g, '\\.')} \\(run [0-9a-f-]+\\)$`),
    );

    const second = await cli('start', org, '--no-worker-ok');
    expect(second).toEqual({ code: 1, out: [], err: [`cli: already running: ${rotationWorkflowId(org)}`] });

    // The input reached the workflow as one object with the organisation, ready for the workflow's own validation.
    const history = await env.client.workflow.getHandle(rotationWorkflowId(org)).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    expect(JSON.parse(Buffer.from(payload!.data!).toString())).toEqual({ force: true, organization: org });
    // The UI's Summary line says what the run is and who started it.
    const description = await env.client.workflow.getHandle(rotationWorkflowId(org)).describe();
    expect(await description.staticSummary()).toBe(
      `Exchange Auth certificate rotation of ${org} (forced), started by ${env.client.options.identity}`,
    );
    await endRun(env.client.workflow.getHandle(rotationWorkflowId(org)));
  });

  test('--dry-run is passed as dryRun: true', async () => {
    const org = uniqueOrganization();
    expect((await cli('start', org, '--dry-run', '--no-worker-ok')).out[0]).toMatch(/as a dry run$/);
    const history = await env.client.workflow.getHandle(rotationWorkflowId(org)).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(JSON.parse(Buffer.from(payload!.data!).toString())).toEqual({ organization: org, dryRun: true });
    await endRun(env.client.workflow.getHandle(rotationWorkflowId(org)));
  });

  test("status of a running rotation without a worker still shows Temporal's view", async () => {
    const org = uniqueOrganization();
    await cli('start', org, '--no-worker-ok');
    const { code, out } = await cli('status', org, '--json');
    expect(code).toBe(0);
    const view = JSON.parse(out.join('\n'));
    expect(view).toMatchObject({ workflowId: rotationWorkflowId(org), execution: 'RUNNING' });
    expect(view.status).toBeUndefined();
    const human = await cli('status', org);
    expect(human.out.join('\n')).toContain('no worker answered the status query');
    await endRun(env.client.workflow.getHandle(rotationWorkflowId(org)));
    expect((await cli('status', org)).out[0]).toContain('TERMINATED');
  });

  test.each([
    [['status', 'nobody-here'], 1, 'cli: no rotation found: rotate-auth-cert.nobody-here'],
    [['approve-hcw', 'nobody-here', '--by', 'ann'], 1, 'cli: no rotation found: rotate-auth-cert.nobody-here'],
    [
      ['skip-hcw', 'nobody-here', '--by', 'ann', '--reason', 'no hybrid'],
      1,
      'cli: no rotation found: rotate-auth-cert.nobody-here',
    ],
    [
      ['start', 'con toso'],
      2,
      'cli: organization "con toso": must be 1-63 letters, digits, ".", "-" or "_", starting with a letter or digit',
    ],
    [['approve-hcw', 'contoso'], 2, "cli: required option '--by <name>' not specified (see cli approve-hcw --help)"],
    [['approve-hcw', 'contoso', '--by', '  '], 2, 'cli: --by "  ": must not be empty'],
    [
      ['skip-hcw', 'contoso', '--by', 'ann'],
      2,
      "cli: required option '--reason <text>' not specified (see cli skip-hcw --help)",
    ],
    [['start', 'contoso', '--input-json', '{nope'], 2, expect.stringMatching(/^cli: --input-json is not JSON: /)],
    [['start', 'contoso', '--input-json', '[1]'], 2, 'cli: --input-json must be a JSON object, e.g. {"force": true}'],
    [
      ['start', 'contoso', '--input-json', '{"organization":"fabrikam"}'],
      2,
      'cli: --input-json names organization "fabrikam" but the argument is contoso',
    ],
    [
      ['start', 'contoso', '--input-json', '{"effectiveDateHours": 12, "colour": "red"}'],
      2,
      'cli: input: Unrecognized key: "colour" (colour); input.effectiveDateHours: must be at least 48 unless acknowledgeShortEffectiveDate is true',
    ],
    [['frobnicate'], 2, "cli: unknown command 'frobnicate' (see cli --help)"],
    [
      [],
      2,
      'cli: a command is required: start, plan, status, approve-hcw, skip-hcw, cancel, terminate, fleet, schedule, list, follow or help (see cli --help)',
    ],
  ])('%j exits %i with one line: %s', async (argv, code, line) => {
    const result = await cli(...(argv as string[]));
    expect(result.code).toBe(code);
    expect(result.err).toEqual([line]);
  });

  test('approving a rotation that is no longer running says so', async () => {
    const org = uniqueOrganization();
    await cli('start', org, '--no-worker-ok');
    await endRun(env.client.workflow.getHandle(rotationWorkflowId(org)));
    expect((await cli('approve-hcw', org, '--by', 'ann')).err).toEqual([
      `cli: the rotation ${rotationWorkflowId(org)} is not running (TERMINATED)`,
    ]);
  });
});

describe('cli with a real worker and a simulated organisation', () => {
  let worker: SimulatedWorker;
  let sim: SimulatedOrganization;
  const org = uniqueOrganization('cli');

  beforeAll(async () => {
    // Real time: a forced rotation stages its certificate, then waits an hour for the servicelet to replicate it.
    worker = await startSimulatedWorker(env, { organization: org, scenario: 'healthy', acceleration: 1 });
    sim = worker.sim;
  });
  afterAll(async () => {
    await worker?.stop();
  });

  test('no worker for the organisation: start and schedule create refuse, say how to fix it, and start nothing', async () => {
    const typo = uniqueOrganization('typo');
    const why =
      `no worker polls task queue ${activityTaskQueueFor(typo)}, so nothing would run: is "${typo}" the organisation a ` +
      `worker serves (its EXCHANGE_ORGANIZATION)? Start that worker (EXCHANGE_ORGANIZATION=${typo} npm run worker, ` +
      'or npm start) and try again, or pass --no-worker-ok to go ahead anyway (it waits for a worker)';
    expect(await cli('start', typo)).toEqual({ code: 1, out: [], err: [`cli: ${why}`] });
    expect(await cli('schedule', 'create', 'daily', typo)).toEqual({ code: 1, out: [], err: [`cli: ${why}`] });
    expect((await cli('status', typo)).err).toEqual([`cli: no rotation found: ${rotationWorkflowId(typo)}`]);
    expect((await cli('schedule', 'list', typo)).out).toEqual(['no schedules']);

    // The organisation a worker serves: the same commands go ahead.
    expect(await cli('schedule', 'create', 'daily', org)).toMatchObject({ code: 0, err: [] });
    await cli('schedule', 'delete', 'daily', org);
  });

  test('plan: a dry run against the organisation, its steps numbered, nothing changed', async () => {
    const before = sim.summary();
    const { code, out: printed, err } = await cli('plan', org, '--input-json', '{"force": true}');
    const out = printed.join('\n').split('\n');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe(`${org}: rotate`);
    expect(out).toContain('  plan (dry run: nothing was changed), path rotate');
    expect(out).toContainEqual(expect.stringMatching(/^ {4}\d+\. create a new Auth certificate/));
    expect(out).toContainEqual(expect.stringMatching(/^ {4}\d+\. .* \(left out: .+\)$/));
    expect(sim.summary().authConfig).toEqual(before.authConfig);
  });

  test('cancel in the middle: the run ends cancelled and says the certificate stays staged, as Exchange shows', async () => {
    const started = await cli('start', org, '--input-json', '{"force": true}');
    expect(started.code).toBe(0);
    expect(started.out[1]).toBe(`  http://localhost:8233/namespaces/default/workflows/${rotationWorkflowId(org)}`);
    const status = await waitForStatus(org, (s) => s.effectiveDate !== null);

    expect(await cli('cancel', org)).toMatchObject({
      code: 2,
      err: ["cli: required option '--reason <text>' not specified (see cli cancel --help)"],
    });
    const cancelled = await cli('cancel', org, '--reason', 'change freeze');
    expect(cancelled.err).toEqual([]);
    expect(cancelled.out.slice(0, 3)).toEqual([
      `cancellation requested for ${rotationWorkflowId(org)}`,
      'What it leaves in Exchange:',
      `  ${status.newThumbprint} stays staged as the next certificate, effective ${status.effectiveDate}: the ` +
        'AuthAdmin servicelet publishes it then, with nobody watching.',
    ]);
    const handle = env.client.workflow.getHandle(rotationWorkflowId(org));
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    // The organisation is the truth: the certificate is staged there.
    expect(sim.summary().authConfig.next).toBe(status.newThumbprint);

    expect((await cli('cancel', org, '--reason', 'again')).err).toEqual([
      `cli: the rotation ${rotationWorkflowId(org)} is not running (CANCELLED)`,
    ]);
  });

  test('terminate ends a running rotation at once, with the reason in its history', async () => {
    // The staged certificate of the cancelled run: this one resumes it.
    await cli('start', org);
    await waitForStatus(org, (s) => s.phase === 'replicating');
    const terminated = await cli('terminate', org, '--reason', 'stuck, see ticket 42');
    expect(terminated.out[0]).toBe(`terminated ${rotationWorkflowId(org)}`);
    const handle = env.client.workflow.getHandle(rotationWorkflowId(org));
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    const history = await handle.fetchHistory();
    const last = history.events?.at(-1)?.workflowExecutionTerminatedEventAttributes;
    expect(last?.reason).toBe('stuck, see ticket 42');
  });

  test('bad input from outside the CLI fails at once, naming the field, and list --outcome failed finds it', async () => {
    // The UI's form or another client: the CLI would refuse this input before starting anything.
    const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId: rotationWorkflowId(org),
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [{ organization: org, renewBeforeDays: 0 }],
    });
    const failure = await handle.result().then(
      () => 'completed',
      (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
    );
    expect(failure).toBe('input.renewBeforeDays: must be at least 1');
    // Visibility follows the run a moment later: ask until the run is listed (or the deadline passes).
    type Entry = { runId: string; outcome: string | null; phase: string | null };
    const listed = await eventually(
      async () =>
        JSON.parse(
          (await cli('list', '--organization', org, '--outcome', 'failed', '--json')).out.join('\n'),
        ) as Entry[],
      (entries) => entries.some((e) => e.runId === handle.firstExecutionRunId),
      { intervalMs: 500 },
    );
    expect(listed.find((e) => e.runId === handle.firstExecutionRunId)).toMatchObject({
      outcome: 'failed',
      phase: 'failed',
    });
  });
});

/** The rotation's status, polled until `predicate` holds: the workflow's own timers decide when it moves. */
function waitForStatus(org: string, predicate: (s: RotationStatus) => boolean): Promise<RotationStatus> {
  const handle = env.client.workflow.getHandle(rotationWorkflowId(org));
  return statusEventually<RotationStatus>(handle, statusQuery, predicate, { timeoutMs: 120_000, intervalMs: 200 });
}
