// The one HCW rule, in a table: the same verdict for the signals and the update.
import { checkHcwAnswer, hcwAnswerSchema, malformedHcwAnswer, type HcwAnswerContext } from '../../common/policy';

const waiting: HcwAnswerContext = { status: 'waiting', hybrid: true, published: true, phase: 'awaiting-hcw' };

test.each([
  ['the run waits for it', waiting, 'accepted'],
  [
    'after publication, before the run asks (pools recycling)',
    { ...waiting, status: 'not-needed', phase: 'recycling' },
    'accepted',
  ],
  [
    'before publication',
    { ...waiting, status: 'not-needed', published: false, phase: 'replicating' },
    'not-published-yet',
  ],
  [
    'before the inspection told whether hybrid',
    { ...waiting, status: 'not-needed', hybrid: null, published: false },
    'not-published-yet',
  ],
  ['no hybrid configuration', { ...waiting, status: 'not-needed', hybrid: false }, 'not-hybrid'],
  ['answered already', { ...waiting, status: 'completed', by: 'ann' }, 'already-answered'],
  ['skipped already', { ...waiting, status: 'skipped', by: 'bob' }, 'already-answered'],
  ['given up on (hcw-pending)', { ...waiting, status: 'pending' }, 'already-answered'],
] as Array<[string, HcwAnswerContext, string]>)('%s → %s', (_, context, code) => {
  expect(checkHcwAnswer(context).code).toBe(code);
});

test('a malformed answer names the field and shows the example', () => {
  const parsed = hcwAnswerSchema.safeParse({ decision: 'completed', note: 'forgot by' });
  expect(parsed.success).toBe(false);
  if (parsed.success) return;
  const verdict = malformedHcwAnswer(parsed.error, '{"decision": "completed", "by": "<your name>"}');
  expect(verdict.code).toBe('malformed');
  expect(verdict.message).toMatch(/^by: .*; send \{"decision": "completed", "by": "<your name>"\}$/);
  expect(hcwAnswerSchema.safeParse({ decision: 'skipped', by: 'ann' }).success).toBe(false);
  expect(hcwAnswerSchema.safeParse({ decision: 'skipped', by: 'ann', reason: 'no hybrid any more' }).success).toBe(
    true,
  );
});
