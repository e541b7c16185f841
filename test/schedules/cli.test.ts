// The operations commands (schedule ..., list, follow) through Commander against the dev server, as client/cli.ts
// registers them.
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { buildProgram, main } from '../../client/cli';
import { renderView } from '../../client/render';
import { registerOperationsCommands } from '../../client/schedule-commands';
import {
  dailyCheckScheduleId,
  ROTATE_WORKFLOW_TYPE,
  rotationWorkflowId,
  activityTaskQueueFor,
  yearlyRotationScheduleId,
} from '../../common/names';
import {
  organizationSearchAttribute,
  outcomeSearchAttribute,
  phaseSearchAttribute,
} from '../../common/search-attributes';
import { hcwCompletedSignal } from '../../workflows/messages';
import { initialState } from '../../workflows/rotation/state';
import { detailsOf, hcwInstructions, statusOf } from '../../workflows/rotation/status';
import { setStatusSignal } from './workflows';
import { createDevServerEnv, endRun } from '../helpers/temporal';
import { uniqueOrganization } from '../helpers/ids';
import { eventually } from '../helpers/eventually';
import { nth, present } from '../helpers/present';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

let standIns: Promise<string> | undefined;

/** A worker on the organisation's task queue running the stand-ins of ./workflows.ts (bundled once per file). */
async function standInWorker(org: string): Promise<Worker> {
  standIns ??= bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'workflows.ts'),
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error },
  }).then((bundle) => bundle.code);
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: activityTaskQueueFor(org),
    workflowBundle: { code: await standIns },
  });
}

async function run(...argv: string[]): Promise<{ out: string[]; error?: Error }> {
  const out: string[] = [];
  const program = new Command('cli')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: () => undefined });
  registerOperationsCommands(program, { out: (l) => out.push(l), client: async () => env.client });
  const silence = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: () => undefined });
    c.commands.forEach(silence);
  };
  silence(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  }
}

describe('schedule commands', () => {
  test('create twice is one schedule; update, pause, resume, list --json, delete', async () => {
    const org = uniqueOrganization();
    expect((await run('schedule', 'create', 'daily', org, '--hour', '4', '--no-worker-ok')).out).toEqual([
      `created ${dailyCheckScheduleId(org)}`,
    ]);
    expect((await run('schedule', 'create', 'daily', org, '--hour', '5', '--no-worker-ok')).out).toEqual([
      `updated ${dailyCheckScheduleId(org)}`,
    ]);
    expect(
      (await run('schedule', 'create', 'yearly', org, '--month', 'oct', '--day', '1', '--no-worker-ok')).out,
    ).toEqual([`created ${yearlyRotationScheduleId(org)}`]);
    expect(
      (await run('schedule', 'update', 'yearly', org, '--month', '11', '--day', '2', '--jitter', '2h')).out,
    ).toEqual([`updated ${yearlyRotationScheduleId(org)}`]);
    expect((await run('schedule', 'pause', 'daily', org, '--note', 'freeze')).out).toEqual([
      `paused ${dailyCheckScheduleId(org)}`,
    ]);
    const listed = JSON.parse((await run('schedule', 'list', org, '--json')).out.join('\n'));
    expect(listed).toHaveLength(2);
    expect(listed).toEqual([
      expect.objectContaining({
        kind: 'daily-check',
        paused: true,
        note: 'freeze',
        when: 'every day at 05:00 UTC (jitter 30m)',
      }),
      expect.objectContaining({
        kind: 'yearly-rotation',
        paused: false,
        when: 'every year on NOVEMBER 2 at 09:00 UTC (jitter 120m)',
      }),
    ]);
    expect((await run('schedule', 'resume', 'daily', org)).out).toEqual([`resumed ${dailyCheckScheduleId(org)}`]);
    expect((await run('schedule', 'list', org)).out.join('\n')).toContain(
      `${dailyCheckScheduleId(org)}  daily-check  active`,
    );
    expect((await run('schedule', 'delete', 'daily', org)).out).toEqual([`deleted ${dailyCheckScheduleId(org)}`]);
    expect((await run('schedule', 'delete', 'yearly', org)).out).toEqual([`deleted ${yearlyRotationScheduleId(org)}`]);
    expect((await run('schedule', 'list', org)).out).toEqual(['no schedules']);
  });

  test('update changes only the flags given: time zone, jitter, renewBeforeDays, minute, month and day stay', async () => {
    const org = uniqueOrganization();
    const yearly = ['--month', '3', '--day', '15', '--minute', '30', '--timezone', 'Europe/Berlin', '--jitter', '2h'];
    await run('schedule', 'create', 'yearly', org, ...yearly, '--renew-before-days', '90', '--no-worker-ok');
    await run(
      'schedule',
      'create',
      'daily',
      org,
      '--hour',
      '4',
      '--minute',
      '15',
      '--timezone',
      'Asia/Tokyo',
      '--no-worker-ok',
    );
    expect((await run('schedule', 'update', 'yearly', org, '--hour', '10')).out).toEqual([
      `updated ${yearlyRotationScheduleId(org)}`,
    ]);
    expect((await run('schedule', 'update', 'daily', org, '--jitter', '5m')).out).toEqual([
      `updated ${dailyCheckScheduleId(org)}`,
    ]);
    const listed = JSON.parse((await run('schedule', 'list', org, '--json')).out.join('\n'));
    expect(listed).toEqual([
      expect.objectContaining({
        kind: 'daily-check',
        when: 'every day at 04:15 Asia/Tokyo (jitter 5m)',
        input: { organization: org, renewBeforeDays: 60, force: false },
      }),
      expect.objectContaining({
        kind: 'yearly-rotation',
        when: 'every year on MARCH 15 at 10:30 Europe/Berlin (jitter 120m)',
        input: { organization: org, renewBeforeDays: 90, force: true },
      }),
    ]);
    const refused = await run('schedule', 'update', 'daily', org, '--day', '3');
    expect(refused.error?.message).toBe('--month and --day are for a yearly schedule; a daily one runs every day');
    await run('schedule', 'delete', 'daily', org);
    await run('schedule', 'delete', 'yearly', org);
  });

  test.each([
    [['schedule', 'create', 'yearly', 'contoso'], 'a yearly schedule needs --month and --day'],
    [['schedule', 'create', 'weekly', 'contoso'], 'kind "weekly": must be yearly'],
    [['schedule', 'create', 'daily', 'contoso', '--hour', '25'], '--hour "25": must be 0-23'],
    [['schedule', 'create', 'yearly', 'contoso', '--month', '2', '--day', '30'], '--day: must exist in every year'],
    [['schedule', 'update', 'daily', 'nobody-here'], 'no schedule found: check-auth-cert-daily.nobody-here'],
    [['schedule', 'pause', 'daily', 'nobody-here'], 'no schedule found: check-auth-cert-daily.nobody-here'],
    [['list', '--outcome', 'great'], '--outcome "great": must be one of'],
  ])('%j is refused: %s', async (argv, message) => {
    const { error } = await run(...argv);
    expect(error?.message).toContain(message);
  });
});

describe('list and follow', () => {
  test('list finds rotations by organisation and outcome; follow ends with the run', async () => {
    const org = uniqueOrganization();
    const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId: rotationWorkflowId(org),
      taskQueue: activityTaskQueueFor(org),
      args: [{ organization: org }],
      typedSearchAttributes: [
        { key: organizationSearchAttribute, value: org.toLowerCase() },
        { key: outcomeSearchAttribute, value: 'hcw-pending' },
      ],
    });
    // Visibility is eventually consistent: the list finds the run once the server has indexed it.
    const entries = await eventually(
      async () =>
        JSON.parse(
          (await run('list', '--organization', org, '--outcome', 'hcw-pending', '--json')).out.join('\n'),
        ) as Array<{ workflowId: string; outcome: string }>,
      (found) => found.length > 0,
      { intervalMs: 200 },
    );
    expect(entries).toEqual([expect.objectContaining({ workflowId: rotationWorkflowId(org), outcome: 'hcw-pending' })]);
    expect(
      JSON.parse((await run('list', '--organization', org, '--outcome', 'completed', '--json')).out.join('')),
    ).toEqual([]);

    await endRun(handle);
    const { out } = await run('follow', org);
    expect(out[out.length - 1]).toBe(`${rotationWorkflowId(org)} TERMINATED`);
  });
});

describe('follow counts the servers in scope, as the UI does', () => {
  test('from the status alone: a server marked ignored is not counted, an unreachable one it waits for is', async () => {
    const org = uniqueOrganization();
    const server = (name: string, done: boolean) => ({
      name,
      site: 'Default-First-Site-Name',
      hasNewCertificate: done,
      event2014: done,
      poolsRecycled: done,
    });
    const status = {
      organization: org,
      workflowId: rotationWorkflowId(org),
      phase: 'recycling',
      path: 'rotate',
      summary: '',
      servers: [
        server('EX1', true),
        server('EX2', true),
        { ...server('EX3', false), unreachable: 'WinRM', ignored: true },
        // Unreachable but not ignored: the run waits for it, so it counts.
        { ...server('EX4', false), unreachable: 'WinRM' },
      ],
      newThumbprint: null,
      effectiveDate: null,
      nextCheckAt: null,
      actionRequired: null,
      warnings: [],
      hcw: { status: 'not-needed', remindersSent: 0 },
    };
    const worker = await standInWorker(org);
    const lines: string[] = [];
    let terminated: Promise<unknown> = Promise.resolve();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
        workflowId: rotationWorkflowId(org),
        taskQueue: activityTaskQueueFor(org),
        args: [{ status }],
      });
      const code = await main(['follow', org, '--interval', '1'], {
        out: (line) => {
          lines.push(line);
          // One progress line is all this test needs: end the run, and with it the follow. A look before the run's
          // first workflow task has completed gets no status (a bare RUNNING line); the next look does.
          if (/ phase /.test(line) && lines.filter((l) => / phase /.test(l)).length === 1) {
            terminated = handle.terminate('test over');
          }
        },
        client: async () => env.client,
      });
      expect(code).toBe(0);
      await terminated;
    });
    expect(lines.filter((l) => / phase /.test(l))).toEqual([
      expect.stringMatching(/ {2}phase recycling · servers done 2\/3$/),
    ]);
  });
});

describe('follow prints what a person must do once, as the CLI command that answers it', () => {
  test('the HCW action: its text once, then progress lines that point back at it', async () => {
    const org = uniqueOrganization();
    const state = initialState(org, rotationWorkflowId(org), '2026-11-25T06:00:00.000Z');
    state.phase = 'awaiting-hcw';
    state.report.hcw = { status: 'waiting', remindersSent: 0 };
    state.actionRequired = hcwInstructions(rotationWorkflowId(org), org);
    state.nextCheckAt = '2026-11-26T06:00:00.000Z';
    const worker = await standInWorker(org);
    const lines: string[] = [];
    let next: Promise<unknown> = Promise.resolve();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
        workflowId: rotationWorkflowId(org),
        taskQueue: activityTaskQueueFor(org),
        args: [{ status: statusOf(state) }],
      });
      const exit = await main(['follow', org, '--interval', '1'], {
        out: (line) => {
          lines.push(line);
          const progress = lines.filter((l) => / phase /.test(l)).length;
          // A reminder went out and the next check moved: a second progress line, the same action.
          if (/ phase /.test(line) && progress === 1) {
            state.report.hcw.remindersSent = 1;
            state.nextCheckAt = '2026-11-27T06:00:00.000Z';
            next = handle.signal(setStatusSignal, statusOf(state));
          }
          if (/ phase /.test(line) && progress === 2) next = handle.terminate('test over');
        },
        client: async () => env.client,
      });
      expect(exit).toBe(0);
      await next;
    });
    const actions = lines.filter((l) => l.startsWith('ACTION REQUIRED'));
    expect(actions).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ACTION REQUIRED: Re-run the Hybrid Configuration Wizard .* Then record it: npm run cli -- approve-hcw ${org} --by "<your name>"`,
        ),
      ),
    ]);
    expect(lines.join('\n')).not.toContain(hcwCompletedSignal.name);
    expect(lines.filter((l) => / phase /.test(l))).toEqual([
      expect.stringMatching(
        /phase awaiting-hcw · servers done 0\/0 · next check 2026-11-26T06:00:00.000Z · waiting for you \(action above\)$/,
      ),
      expect.stringMatching(/next check 2026-11-27T06:00:00.000Z · waiting for you \(action above\)$/),
    ]);
  });
});

describe('fleet', () => {
  test('every organisation with its certificate, its rotation, what that waits for and who must act', async () => {
    const waiting = uniqueOrganization('fleet');
    const checked = uniqueOrganization('fleet');
    const scheduled = uniqueOrganization('fleet');
    const state = initialState(waiting, rotationWorkflowId(waiting), '2026-11-25T06:00:00.000Z');
    state.phase = 'awaiting-hcw';
    state.report.hcw = { status: 'waiting', remindersSent: 0 };
    state.actionRequired = hcwInstructions(rotationWorkflowId(waiting), waiting);
    const queue = (org: string) => activityTaskQueueFor(org);
    const workers = await Promise.all([waiting, checked].map(standInWorker));
    const notAfter = new Date(Date.now() + 41.5 * 86_400_000).toISOString();
    const run = async () => {
      const rotation = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
        workflowId: rotationWorkflowId(waiting),
        taskQueue: queue(waiting),
        args: [{ status: statusOf(state) }],
        typedSearchAttributes: [
          { key: organizationSearchAttribute, value: waiting },
          { key: phaseSearchAttribute, value: 'awaiting-hcw' },
        ],
      });
      await env.client.workflow.execute('checkAuthCertificate', {
        workflowId: `check-${checked}`,
        taskQueue: queue(checked),
        args: [{ organization: checked, currentNotAfter: notAfter, checkedAt: new Date().toISOString() }],
        typedSearchAttributes: [{ key: organizationSearchAttribute, value: checked }],
      });
      await main(['schedule', 'create', 'daily', scheduled, '--no-worker-ok'], {
        client: async () => env.client,
        out: () => undefined,
      });
      const ours = await eventually(
        async () => {
          const out: string[] = [];
          await main(['fleet', '--json'], { out: (l) => out.push(l), client: async () => env.client });
          const all = JSON.parse(out.join('\n')) as Array<Record<string, unknown> & { organization: string }>;
          return all.filter((e) => [waiting, checked, scheduled].includes(e.organization));
        },
        (found) => found.length >= 3,
        { intervalMs: 200 },
      );
      const text: string[] = [];
      await main(['fleet'], { out: (l) => text.push(l), client: async () => env.client });
      await endRun(rotation);
      await main(['schedule', 'delete', 'daily', scheduled], { client: async () => env.client, out: () => undefined });
      return { ours, text: text.join('\n').split('\n') };
    };
    const [first, second] = [nth(workers, 0, 'worker'), nth(workers, 1, 'worker')];
    const { ours, text } = await first.runUntil(second.runUntil(run()));
    const byOrg = Object.fromEntries(ours.map((e) => [e.organization, e]));
    expect(byOrg[waiting]).toMatchObject({
      rotation: { execution: 'RUNNING', phase: 'awaiting-hcw' },
      whoMustAct: 'person',
      waitingFor: 'a person to re-run the Hybrid Configuration Wizard, then approve-hcw',
      certificate: null,
    });
    expect(byOrg[checked]).toMatchObject({
      rotation: null,
      whoMustAct: null,
      certificate: { source: 'check', expiresAt: notAfter },
    });
    expect((present(byOrg[checked], checked).certificate as { daysUntilExpiry: number }).daysUntilExpiry).toBeCloseTo(
      41.5,
      1,
    );
    expect(byOrg[scheduled]).toMatchObject({ schedules: ['daily-check'], rotation: null, certificate: null });
    expect(text[0]).toMatch(/^ORGANIZATION +EXPIRES IN +ROTATION +WHO MUST ACT +WAITING FOR$/);
    expect(text.find((l) => l.startsWith(waiting))).toMatch(/running: awaiting-hcw +a person +a person to re-run/);
    expect(text.find((l) => l.startsWith(checked))).toMatch(/^\S+ +41\.\d days +- +- +-$/);
    // Whoever must act comes first.
    expect(text.findIndex((l) => l.startsWith(waiting))).toBeLessThan(text.findIndex((l) => l.startsWith(checked)));
  });
});

test('status of a finished rotation shows its outcome, not its plan; a dry run shows its plan, numbered', () => {
  const report = {
    outcome: 'completed',
    path: 'rotate',
    reasons: ['current certificate expires in 41.0 days'],
    previousThumbprint: 'A'.repeat(40),
    newThumbprint: 'B'.repeat(40),
    plan: [
      { id: 'generate', title: 'create a new Auth certificate' },
      { id: 'stage', title: 'stage it' },
      { id: 'restart', title: 'restart MSExchangeServiceHost', skipped: 'not asked for' },
    ],
  };
  const view = { workflowId: 'rotate-auth-cert.contoso', runId: 'r', execution: 'COMPLETED', startTime: 't' };
  const completed = renderView({ ...view, result: report });
  expect(completed).toContain(`  certificate  ${'A'.repeat(40)} -> ${'B'.repeat(40)}`);
  expect(completed).not.toMatch(/would:|plan|create a new Auth certificate/);
  expect(renderView({ ...view, result: { ...report, outcome: 'dry-run', newThumbprint: null } }).split('\n')).toEqual(
    expect.arrayContaining([
      '  plan (dry run: nothing was changed), path rotate',
      '    because current certificate expires in 41.0 days',
      '    1. create a new Auth certificate',
      '    2. stage it',
      '    3. restart MSExchangeServiceHost (left out: not asked for)',
    ]),
  );
});

test('status marks the servers the run ignores as the Temporal UI details do', () => {
  const state = initialState('contoso', 'rotate-auth-cert.contoso', '2026-11-25T06:00:00.000Z');
  const server = { site: 'Tokyo', hasNewCertificate: false, event2014: false, poolsRecycledAfterPublication: false };
  state.report.servers = [
    { ...server, name: 'EX1', fqdn: 'ex1' },
    { ...server, name: 'EX2', fqdn: 'ex2', unreachable: 'WinRM' },
    { ...server, name: 'EX3', fqdn: 'ex3', unreachable: 'RPC', ignored: true },
  ];
  const view = {
    workflowId: 'rotate-auth-cert.contoso',
    runId: 'r',
    execution: 'RUNNING',
    startTime: '2026-11-25T06:00:00.000Z',
    status: statusOf(state),
  };
  const lines = renderView(view).split('\n');
  expect(detailsOf(state)).toContain('| EX2 (unreachable) |');
  expect(lines.find((l) => l.includes('EX2'))).toMatch(/unreachable: WinRM$/);
  expect(detailsOf(state)).toContain('| EX3 (unreachable, ignored) |');
  expect(lines.find((l) => l.includes('EX3'))).toMatch(/unreachable, ignored: RPC$/);
});

describe('through client/cli.ts', () => {
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), client: async () => env.client });
    return { code, out, err };
  }

  test('the operations commands are registered; status --follow ends with the run; errors are one line', async () => {
    const org = uniqueOrganization();
    expect(await cli('schedule', 'create', 'daily', org, '--no-worker-ok')).toEqual({
      code: 0,
      out: [`created ${dailyCheckScheduleId(org)}`],
      err: [],
    });
    expect(JSON.parse((await cli('schedule', 'list', org, '--json')).out.join('\n'))).toHaveLength(1);
    expect(await cli('schedule', 'delete', 'daily', org)).toMatchObject({ code: 0 });
    expect(await cli('schedule', 'pause', 'daily', org)).toEqual({
      code: 1,
      out: [],
      err: [`cli: no schedule found: ${dailyCheckScheduleId(org)}`],
    });
    expect(await cli('schedule', 'create', 'yearly', org, '--no-worker-ok')).toEqual({
      code: 2,
      out: [],
      err: ['cli: a yearly schedule needs --month and --day'],
    });

    const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId: rotationWorkflowId(org),
      taskQueue: activityTaskQueueFor(org),
      args: [{ organization: org }],
    });
    await endRun(handle);
    const followed = await cli('status', org, '--follow');
    expect(followed.code).toBe(0);
    expect(followed.out[followed.out.length - 1]).toBe(`${rotationWorkflowId(org)} TERMINATED`);
  });
});

describe('every command checks its arguments before it connects', () => {
  const LONG_NOTE = 'n'.repeat(501);
  async function offline(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    let connected = false;
    const code = await main(argv, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      client: async () => {
        connected = true;
        throw new Error('cannot reach Temporal at 127.0.0.1:1: connection refused');
      },
    });
    return { code, out, err, connected };
  }

  test.each(
    [
      [['schedule', 'create', 'yearly', 'x', '--month', '13', '--day', '1'], '--month "13": must be a month: 1-12'],
      [['schedule', 'create', 'yearly', 'x', '--month', '2', '--day', '30'], '--day: must exist in every year'],
      [['schedule', 'create', 'yearly', 'x', '--month', '2'], 'a yearly schedule needs --month and --day'],
      [
        ['schedule', 'create', 'daily', 'x', '--timezone', 'Mars/Olympus'],
        '--timezone "Mars/Olympus": must be an IANA',
      ],
      [['schedule', 'create', 'daily', 'x', '--jitter', 'soon'], '--jitter "soon": must be a duration'],
      // The value is cut short in the message, which stays one readable line.
      [
        ['schedule', 'create', 'daily', 'x', '--note', LONG_NOTE],
        `--note "${'n'.repeat(80)}…": must be at most 500 characters`,
      ],
      [
        ['schedule', 'pause', 'daily', 'x', '--note', LONG_NOTE],
        `--note "${'n'.repeat(80)}…": must be at most 500 characters`,
      ],
      [
        ['schedule', 'resume', 'daily', 'x', '--note', LONG_NOTE],
        `--note "${'n'.repeat(80)}…": must be at most 500 characters`,
      ],
      [['schedule', 'update', 'yearly', 'x', '--hour', 'ten'], '--hour "ten": must be a whole number'],
      [['schedule', 'update', 'yearly', 'x', '--minute', '60'], '--minute "60": must be 0-59'],
      [['schedule', 'update', 'daily', 'x', '--renew-before-days', '0'], '--renew-before-days "0": must be at least 1'],
      [['schedule', 'update', 'daily', 'x', '--day', '3'], '--month and --day are for a yearly schedule'],
      [['schedule', 'pause', 'daily', 'con toso'], 'organization "con toso": must be'],
      [['schedule', 'resume', 'weekly', 'x'], 'kind "weekly": must be yearly'],
      [['schedule', 'delete', 'daily', 'con toso'], 'organization "con toso": must be'],
      [['schedule', 'list', 'con toso'], 'organization "con toso": must be'],
      [['list', '--outcome', 'great'], '--outcome "great": must be one of'],
      [['list', '--limit', '0'], '--limit "0": must be 1-1000'],
      [['follow', 'x', '--interval', '0'], '--interval "0": must be 1-3600'],
      [['status', 'con toso'], 'organization "con toso": must be'],
      [['start', 'x', '--input-json', '{"renewBeforeDays": 0}'], 'input.renewBeforeDays'],
      [['approve-hcw', 'x', '--by', ' '], '--by " ": must not be empty'],
      [['skip-hcw', 'x', '--by', 'ann', '--reason', ' '], '--reason " ": must not be empty'],
      [['approve-hcw', 'x'], "required option '--by <name>' not specified (see cli approve-hcw --help)"],
      [['start'], "missing required argument 'organization' (see cli start --help)"],
      [['schedule', 'create', 'daily'], "missing required argument 'organization' (see cli schedule create --help)"],
      [['status', 'x', '--frobnicate'], "unknown option '--frobnicate' (see cli status --help)"],
      [['rotate', 'x'], "unknown command 'rotate' (see cli --help)"],
    ].map(([argv, message]) => [(argv as string[]).join(' ').slice(0, 70), message as string, argv as string[]]),
  )('%s: refused (exit 2) without connecting: %s', async (_, message, argv) => {
    const result = await offline(...argv);
    expect(result).toMatchObject({ code: 2, out: [], connected: false });
    expect(result.err).toEqual([expect.stringContaining(`cli: ${message}`)]);
  });

  test('valid flags do reach for the server (the check above is not vacuous)', async () => {
    const result = await offline('schedule', 'create', 'yearly', 'x', '--month', 'March', '--day', '15');
    expect(result).toMatchObject({ code: 1, connected: true });
    expect(result.err).toEqual(['cli: cannot reach Temporal at 127.0.0.1:1: connection refused']);
  });
});

describe('help', () => {
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      client: async () => {
        throw new Error('help needs no server');
      },
    });
    return { code, out: out.join('\n'), err };
  }

  const pathsOf = (c: Command, path: string[] = []): string[][] =>
    c.commands.flatMap((sub) => [[...path, sub.name()], ...pathsOf(sub, [...path, sub.name()])]);
  const every = pathsOf(buildProgram({ out: () => undefined, client: async () => Promise.reject(new Error('none')) }));

  test('every command is reached: the list comes from the program itself', () => {
    expect(every.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['start', 'status', 'approve-hcw', 'skip-hcw', 'list', 'follow', 'help']),
    );
    expect(every.filter((p) => p[0] === 'schedule')).toHaveLength(7);
  });

  test.each(every.map((p) => [p.join(' ')]))(
    '%s: --help and help <command> show its own help, exit 0',
    async (name) => {
      const path = name.split(' ');
      const flag = await cli(...path, '--help');
      expect(flag).toMatchObject({ code: 0, err: [] });
      expect(flag.out).toMatch(new RegExp(`^Usage: cli ${name} `));
      expect(await cli('help', ...path)).toEqual(flag);
    },
  );

  test.each(every.map((p) => [p.join(' ')]))('%s: its help marks exactly the required options', async (name) => {
    const path = name.split(' ');
    let command = buildProgram({ out: () => undefined, client: async () => Promise.reject(new Error('none')) });
    for (const part of path) command = command.commands.find((c) => c.name() === part)!;
    const { out } = await cli(...path, '--help');
    for (const option of command.options) {
      const line = out.split('\n').find((l) => l.trimStart().startsWith(option.flags))!;
      // A description that wraps puts the mark on the option's last line.
      const text = nth(out.slice(out.indexOf(line)).split(/\n(?= {2}\S)/), 0, 'help text');
      expect([option.flags, text.includes('(required)')]).toEqual([option.flags, option.mandatory]);
    }
  });

  test('every command that acts on one organisation describes <organization> alike', () => {
    const program = buildProgram({ out: () => undefined, client: async () => Promise.reject(new Error('none')) });
    const all = (c: Command): Command[] => c.commands.flatMap((sub) => [sub, ...all(sub)]);
    const described = all(program).flatMap((c) =>
      c.registeredArguments.filter((a) => a.name() === 'organization' && a.required).map((a) => a.description),
    );
    expect(described.length).toBeGreaterThanOrEqual(8);
    expect(new Set(described)).toEqual(new Set([expect.stringContaining('EXCHANGE_ORGANIZATION')]));
  });

  test('approve-hcw and skip-hcw say --by (and --reason) are required', async () => {
    expect((await cli('approve-hcw', '--help')).out).toMatch(/--by <name> +who re-ran the wizard \(required\)/);
    expect((await cli('skip-hcw', '--help')).out).toMatch(
      /--reason <text> +why the wizard need not be re-run \(required\)/,
    );
  });

  test("help alone is the program's help, exit 0", async () => {
    const help = await cli('help');
    expect(help).toMatchObject({ code: 0, err: [] });
    expect(help.out).toMatch(/^Usage: cli \[options\] \[command\]/);
    expect(await cli('--help')).toEqual(help);
  });

  test.each([
    [
      [],
      'cli: a command is required: start, plan, status, approve-hcw, skip-hcw, cancel, terminate, fleet, schedule, list, follow or help (see cli --help)',
    ],
    [
      ['schedule'],
      'cli schedule: a command is required: create, update, pause, resume, delete or list (see cli schedule --help)',
    ],
    [['help', 'schedule', 'nope'], "cli: unknown command 'schedule nope' (see cli help)"],
  ])('%j exits 2 with one line naming what is missing: %s', async (argv, line) => {
    expect(await cli(...argv)).toEqual({ code: 2, out: '', err: [line] });
  });
});
