// Rules defined once and used everywhere: the organisation name's, renewBeforeDays' and a duration's rules at every
// boundary, one authentication list, one usage error class for every CLI command, and the --outcome values from the
// rotation's own list. No server: every case fails before one.
import fs from 'node:fs';
import path from 'node:path';
import { parseShellSettings } from '../../activities/powershell/settings';
import { buildProgram } from '../../client/cli';
import { dailyCheckSchedule, yearlyRotationSchedule } from '../../client/schedules';
import { UsageError } from '../../client/usage';
import { DURATION_EXAMPLES } from '../../common/duration';
import { EXCHANGE_AUTHENTICATIONS } from '../../common/exchange-values';
import { organizationSchema } from '../../common/names';
import { parseRotationInput, renewBeforeDaysSchema, ROTATION_OUTCOMES } from '../../common/rotation';
import { loadWorkerConfig } from '../../worker/config';
import { parseCheckInput } from '../../common/check-input';
import { nth } from '../helpers/present';

const RULE = nth(organizationSchema.safeParse('con toso').error!.issues, 0, 'issue').message;

async function parse(...argv: string[]): Promise<unknown> {
  const program = buildProgram({
    out: () => undefined,
    client: async () => {
      throw new Error('no server in this test');
    },
  });
  const quiet = (c: typeof program): void => {
    c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program.parseAsync(argv, { from: 'user' }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

test.each([
  ['the CLI', async () => ((await parse('status', 'con toso')) as Error).message],
  ['a schedule command', async () => ((await parse('schedule', 'pause', 'daily', 'con toso')) as Error).message],
  ['the schedule settings', () => catchMessage(() => dailyCheckSchedule({ organization: 'con toso' }))],
  ['the check input', () => catchMessage(() => parseCheckInput({ organization: 'con toso' }))],
  [
    'the rotation input',
    () => {
      const parsed = parseRotationInput({ organization: 'con toso' });
      return parsed.ok ? '' : parsed.message;
    },
  ],
  [
    'the worker configuration',
    () => catchMessage(() => loadWorkerConfig({ EXCHANGE_ORGANIZATION: 'con toso', EXCHANGE_SIM_STATE: '/tmp/x' })),
  ],
])('the organisation rule reads the same in %s', async (_, message) => {
  expect(await message()).toContain(RULE);
});

const renewBeforeRule = (value: unknown) =>
  nth(renewBeforeDaysSchema.safeParse(value).error!.issues, 0, 'issue').message;

test.each([0, 3651, 1.5, 'sixty'])(
  'renewBeforeDays %j is refused with the same rule by the rotation input, the check input and the schedule settings',
  (value) => {
    const rule = renewBeforeRule(value);
    const rotation = parseRotationInput({ organization: 'contoso', renewBeforeDays: value });
    expect(rotation.ok ? '' : rotation.message).toBe(`input.renewBeforeDays: ${rule}`);
    expect(catchMessage(() => parseCheckInput({ organization: 'contoso', renewBeforeDays: value }))).toBe(
      `input.renewBeforeDays: ${rule}`,
    );
    expect(
      catchMessage(() => dailyCheckSchedule({ organization: 'contoso', renewBeforeDays: value as number })),
    ).toContain(`renewBeforeDays: ${rule}`);
  },
);

test.each([0, 3651, 1.5])('--renew-before-days %j states the same rule', async (value) => {
  const error = (await parse('schedule', 'create', 'daily', 'contoso', '--renew-before-days', String(value))) as Error;
  expect(error.message).toBe(`--renew-before-days "${value}": ${renewBeforeRule(value)}`);
});

test('renewBeforeDays defaults alike for the rotation and the check', () => {
  const rotation = parseRotationInput({ organization: 'contoso' });
  expect(rotation.ok && rotation.input.renewBeforeDays).toBe(
    parseCheckInput({ organization: 'contoso' }).renewBeforeDays,
  );
});

function catchMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

test.each([
  [['schedule', 'create', 'weekly', 'contoso']],
  [['schedule', 'create', 'daily', 'contoso', '--hour', '24']],
  [['list', '--outcome', 'great']],
  [['approve-hcw', 'contoso', '--by', ' ']],
  [['start', 'contoso', '--input-json', '[]']],
])('%j: one UsageError class for every command', async (argv) => {
  expect(await parse(...argv)).toBeInstanceOf(UsageError);
});

test('--outcome takes exactly the outcomes a rotation records', async () => {
  const error = (await parse('list', '--outcome', 'great')) as Error;
  expect(error.message).toBe(`--outcome "great": must be one of ${ROTATION_OUTCOMES.join(', ')}`);
  for (const outcome of ROTATION_OUTCOMES) {
    // Valid: the command gets as far as the server.
    expect(((await parse('list', '--outcome', outcome)) as Error).message).toBe('no server in this test');
  }
});

describe('one duration rule for the rotation input, the schedule settings and the worker environment', () => {
  const rotation = (value: unknown) => parseRotationInput({ organization: 'contoso', hcwReminderInterval: value });
  const jitter = (value: string) =>
    yearlyRotationSchedule({ organization: 'contoso', month: 3, day: 1, jitter: value });
  const grace = (value: string) =>
    loadWorkerConfig({ EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_SIM_STATE: '/tmp/x', WORKER_SHUTDOWN_GRACE: value });

  test.each([
    ['90s', 90_000],
    ['1500ms', 1500],
    ['2 days', 172_800_000],
    [' 5m ', 300_000],
    ['1.5h', 5_400_000],
  ])('%j is %i ms everywhere', (text, ms) => {
    const parsed = rotation(text);
    expect(parsed.ok && parsed.input.hcwReminderInterval).toBe(ms);
    expect(jitter(text).spec.jitter).toBe(ms);
    expect(grace(text).shutdownGraceMs).toBe(ms);
  });

  test.each(['soon', '-5m', ''])('%j is refused with the same words everywhere', (text) => {
    const rule = `duration such as ${DURATION_EXAMPLES}`;
    const parsed = rotation(text);
    expect(parsed.ok ? '' : parsed.message).toBe(`input.hcwReminderInterval: must be a positive ${rule}`);
    expect(catchMessage(() => jitter(text))).toBe(`jitter: must be a ${rule}`);
    // An empty variable counts as unset: the default applies.
    if (text !== '') expect(catchMessage(() => grace(text))).toContain(`WORKER_SHUTDOWN_GRACE: must be a ${rule}`);
  });
});

test.each(EXCHANGE_AUTHENTICATIONS)('authentication %s is accepted by the worker and by the shell settings', (auth) => {
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATION: 'contoso',
    EXCHANGE_CONNECTION: 'remote',
    EXCHANGE_SERVER: 'ex1.contoso.com',
    EXCHANGE_AUTHENTICATION: auth,
  });
  expect(parseShellSettings(config.exchange.contoso)).toMatchObject({ authentication: auth });
});

test('an unknown field is named alike by the rotation input and the check input', () => {
  const rotation = parseRotationInput({ organization: 'contoso', colour: 'red' });
  const check = catchMessage(() => parseCheckInput({ organization: 'contoso', colour: 'red' }));
  expect(rotation.ok ? '' : rotation.message).toBe(check);
  expect(check).toBe('input: Unrecognized key: "colour" (colour)');
});

test('the CLI shares nothing with the worker but through common/', () => {
  const dir = path.join(__dirname, '..', '..', 'client');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    expect({
      file,
      imports: fs.readFileSync(path.join(dir, file), 'utf8').match(/from '\.\.\/worker\/[^']*'/g),
    }).toEqual({
      file,
      imports: null,
    });
  }
});
