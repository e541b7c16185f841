// The one rule for an answer to the Hybrid Configuration Wizard step, whether it comes as a signal (the Temporal UI's
// dialog; a refused one is recorded and shown, since a signal cannot be refused) or as an update (the CLI; a refused
// one is refused at once by the validator and never enters history).
import { z } from 'zod';
import type { HcwStatus } from '../rotation';
import { finding, type Finding } from './findings';

export const hcwCompletedSchema = z.strictObject({
  by: z.string().trim().min(1, 'must name who re-ran the wizard').max(200),
  note: z.string().max(2000).optional(),
});
export const hcwSkippedSchema = z.strictObject({
  by: z.string().trim().min(1, 'must name who decided').max(200),
  reason: z.string().trim().min(1, 'must say why the wizard need not run').max(2000),
});

/** The update's argument: one answer, completed or skipped. */
export const hcwAnswerSchema = z.discriminatedUnion('decision', [
  hcwCompletedSchema.extend({ decision: z.literal('completed') }),
  hcwSkippedSchema.extend({ decision: z.literal('skipped') }),
]);
export type HcwAnswer = z.infer<typeof hcwAnswerSchema>;

export type HcwAnswerCode = 'accepted' | 'malformed' | 'already-answered' | 'not-hybrid' | 'not-published-yet';

/** What the rule looks at: the rotation's HCW record, whether the organisation is hybrid, and publication. */
export interface HcwAnswerContext {
  status: HcwStatus;
  by?: string;
  /** Null until the inspection has told. */
  hybrid: boolean | null;
  /** The new certificate is current (the wizard only helps from then on). */
  published: boolean;
  phase: string;
}

/**
 * An answer is taken once the new certificate is current in a hybrid organisation and none was taken before: while the
 * run waits for it, and also when it comes early, after publication but before the run asks (a person ran the wizard
 * while the pools recycled), so the HCW phase then has nothing to wait for.
 */
export function checkHcwAnswer(context: HcwAnswerContext): Finding<HcwAnswerCode> {
  if (context.status === 'completed' || context.status === 'skipped' || context.status === 'pending') {
    const by = context.by ? ` by ${context.by}` : '';
    return finding('already-answered', `the HCW step is already ${context.status}${by}`);
  }
  if (context.hybrid === false) {
    return finding('not-hybrid', `${context.phase}: the organisation has no hybrid configuration`);
  }
  if (context.status !== 'waiting' && !(context.published && context.hybrid === true)) {
    return finding(
      'not-published-yet',
      `${context.phase}: the wizard only helps once the new certificate is current; answer when the rotation asks`,
    );
  }
  return finding('accepted', 'answer recorded');
}

/** Zod's complaint about a malformed answer, one line naming the fields. */
export function malformedHcwAnswer(error: z.ZodError, example: string): Finding<HcwAnswerCode> {
  const problems = error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
  return finding('malformed', `${problems}; send ${example}`);
}
