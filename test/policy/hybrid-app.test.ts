// The dedicated hybrid application's rules in tables: a person's answer, the next key before the date, the previous
// key after the grace period.
import {
  checkHybridAppAnswer,
  DATE_MOVE_STEP_MS,
  HOUR_MS,
  hybridAppRemoval,
  hybridAppUpdatedSchema,
  malformedHybridAppAnswer,
  MAX_DATE_MOVES,
  nextHybridAppAddStep,
  type HybridAppAddContext,
  type HybridAppAnswerContext,
} from '../../common/policy';

const waiting: HybridAppAnswerContext = { dedicated: true, status: 'waiting', phase: 'updating-hybrid-app' };

test.each([
  ['the run asked and waits', waiting, 'accepted'],
  [
    'before the run asked (certificate not staged)',
    { ...waiting, status: 'pending', phase: 'replicating' },
    'not-asked',
  ],
  ['before inspection', { ...waiting, dedicated: null, status: null, phase: 'inspecting' }, 'not-asked'],
  ['classic hybrid organisation', { ...waiting, dedicated: false, status: null }, 'not-dedicated'],
  ['Graph shows it already', { ...waiting, status: 'on-app' }, 'already-answered'],
  ['confirmed already', { ...waiting, status: 'confirmed' }, 'already-answered'],
] as Array<[string, HybridAppAnswerContext, string]>)('answer: %s → %s', (_, context, code) => {
  expect(checkHybridAppAnswer(context).code).toBe(code);
});

test('a malformed answer names the field and the example', () => {
  const parsed = hybridAppUpdatedSchema.safeParse({ by: ' ', extra: 1 });
  expect(parsed.success).toBe(false);
  if (parsed.success) return;
  const verdict = malformedHybridAppAnswer(parsed.error, '{"by": "<your name>"}');
  expect(verdict.code).toBe('malformed');
  expect(verdict.message).toMatch(/by: must name who updated/);
  expect(verdict.message).toMatch(/send \{"by": "<your name>"\}/);
});

const NOW = '2026-06-01T00:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR_MS).toISOString();
const base: HybridAppAddContext = {
  serverNow: NOW,
  effectiveDate: at(48),
  marginMs: 6 * HOUR_MS,
  onApp: false,
  answered: false,
  movesSoFar: 0,
  currentNotAfter: at(24 * 60),
  pollMs: HOUR_MS,
};

test.each([
  ['Graph shows it', { onApp: true }, 'on-app'],
  ['Graph shows it, even unanswered, past the cutoff', { onApp: true, serverNow: at(47) }, 'on-app'],
  ['no Graph read access and a person said so', { onApp: null, answered: true }, 'confirmed-unverified'],
  ['a person said so but Graph shows it missing', { onApp: false, answered: true }, 'waiting'],
  ['missing, before the cutoff', {}, 'waiting'],
  ['no Graph, nobody answered, before the cutoff', { onApp: null }, 'waiting'],
  ['missing at the cutoff', { serverNow: at(42) }, 'move-date'],
  ['missing, the date moved too often', { serverNow: at(42), movesSoFar: MAX_DATE_MOVES }, 'cannot-move'],
  ['missing, the current certificate expires first', { serverNow: at(42), currentNotAfter: at(50) }, 'cannot-move'],
] as Array<[string, Partial<HybridAppAddContext>, string]>)('next key: %s → %s', (_, overrides, code) => {
  expect(nextHybridAppAddStep({ ...base, ...overrides }).code).toBe(code);
});

test('waiting looks again every poll, never past the cutoff; a move keeps the certificate, a later date', () => {
  const early = nextHybridAppAddStep(base);
  expect(early).toMatchObject({ code: 'waiting', waitServerMs: HOUR_MS });
  const close = nextHybridAppAddStep({ ...base, serverNow: at(41.5) });
  expect(close).toMatchObject({ code: 'waiting', waitServerMs: HOUR_MS / 2 });
  const moved = nextHybridAppAddStep({ ...base, serverNow: at(42) });
  expect(moved).toMatchObject({
    code: 'move-date',
    to: new Date(Date.parse(at(48)) + DATE_MOVE_STEP_MS).toISOString(),
  });
  expect(moved.message).toMatch(/not on the dedicated hybrid application 6 hours before the effective date: moved/);
});

test.each([
  ['no previous certificate', { previousThumbprint: null }, 'no-previous', 0],
  ['within the grace period', {}, 'wait-grace', 47 * HOUR_MS],
  ['the grace period has passed', { serverNow: at(48) }, 'remove', 0],
] as Array<[string, Partial<Parameters<typeof hybridAppRemoval>[0]>, string, number]>)(
  'previous key: %s → %s',
  (_, overrides, code, wait) => {
    const step = hybridAppRemoval({
      previousThumbprint: 'A'.repeat(40),
      publishedAt: at(-1),
      serverNow: NOW,
      graceMs: 48 * HOUR_MS,
      ...overrides,
    });
    expect(step.code).toBe(code);
    expect(step.waitServerMs).toBe(wait);
  },
);
