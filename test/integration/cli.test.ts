// The CLI against a real dev server. Starting, refusing a duplicate and the usage errors need no worker: the server
// alone decides them. (The full rotation with a worker is in rotation.test.ts.)
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { main } from '../../client/cli';
import { rotationWorkflowId } from '../../common/names';
import { createDevServerEnv } from '../helpers/temporal';
import { uniqueOrganization } from '../helpers/ids';

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
    const first = await cli('start', org, '--input-json', '{"force": true}');
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(
      new RegExp(`^started ${rotationWorkflowId(org).replace(/\./g, '\\.')} \\(run [0-9a-f-]+\\)$`),
    );

    const second = await cli('start', org);
    expect(second).toEqual({ code: 1, out: [], err: [`cli: already running: ${rotationWorkflowId(org)}`] });

    // The input reached the workflow as one object with the organisation, ready for the workflow's own validation.
    const history = await env.client.workflow.getHandle(rotationWorkflowId(org)).fetchHistory();
    const started = history.events?.[0].workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    expect(JSON.parse(Buffer.from(payload!.data!).toString())).toEqual({ force: true, organization: org });
    await env.client.workflow.getHandle(rotationWorkflowId(org)).terminate('test over');
  });

  test('--dry-run is passed as dryRun: true', async () => {
    const org = uniqueOrganization();
    expect((await cli('start', org, '--dry-run')).out[0]).toMatch(/as a dry run$/);
    const history = await env.client.workflow.getHandle(rotationWorkflowId(org)).fetchHistory();
    const payload = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(JSON.parse(Buffer.from(payload!.data!).toString())).toEqual({ organization: org, dryRun: true });
    await env.client.workflow.getHandle(rotationWorkflowId(org)).terminate('test over');
  });

  test("status of a running rotation without a worker still shows Temporal's view", async () => {
    const org = uniqueOrganization();
    await cli('start', org);
    const { code, out } = await cli('status', org, '--json');
    expect(code).toBe(0);
    const view = JSON.parse(out.join('\n'));
    expect(view).toMatchObject({ workflowId: rotationWorkflowId(org), execution: 'RUNNING' });
    expect(view.status).toBeUndefined();
    const human = await cli('status', org);
    expect(human.out.join('\n')).toContain('no worker answered the status query');
    await env.client.workflow.getHandle(rotationWorkflowId(org)).terminate('test over');
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
      'cli: a command is required: start, status, approve-hcw, skip-hcw, schedule, list, follow or help (see cli --help)',
    ],
  ])('%j exits %i with one line: %s', async (argv, code, line) => {
    const result = await cli(...(argv as string[]));
    expect(result.code).toBe(code);
    expect(result.err).toEqual([line]);
  });

  test('approving a rotation that is no longer running says so', async () => {
    const org = uniqueOrganization();
    await cli('start', org);
    await env.client.workflow.getHandle(rotationWorkflowId(org)).terminate('test over');
    expect((await cli('approve-hcw', org, '--by', 'ann')).err).toEqual([
      `cli: the rotation ${rotationWorkflowId(org)} is not running (TERMINATED)`,
    ]);
  });
});
