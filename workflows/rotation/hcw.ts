// The Hybrid Configuration Wizard step: a person re-runs the wizard once the new certificate is current, and says so.
// The rotation waits, reminds, and never fails for want of an answer. Answers come as signals (the Temporal UI's
// dialog) or as an update (the CLI); both go through the one rule of common/policy/hcw.ts.
import { condition, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import {
  checkHcwAnswer,
  hcwAnswerSchema,
  hcwCompletedSchema,
  hcwSkippedSchema,
  malformedHcwAnswer,
  type HcwAnswer,
  type HcwAnswerCode,
} from '../../common/policy';
import type { Finding } from '../../common/policy';
import type { HcwRecord } from '../../common/rotation';
import {
  HCW_ANSWER_EXAMPLE,
  HCW_COMPLETED_EXAMPLE,
  HCW_SKIPPED_EXAMPLE,
  hcwAnswerUpdate,
  hcwCompletedSignal,
  hcwSkippedSignal,
} from '../messages';
import { nowIso, type Rotation } from './context';
import { maybeContinueAsNew } from './finish';
import type { StepResult } from './steps';
import { hcwInstructions } from './status';

export async function awaitHcw(r: Rotation): Promise<StepResult> {
  const hcw = r.report.hcw;
  if (hcw.status === 'completed' || hcw.status === 'skipped') return 'next';
  r.enterPhase('awaiting-hcw');
  if (r.state.progress.hcwWaitStartedAt === null) {
    r.state.progress.hcwWaitStartedAt = Date.now();
    hcw.status = 'waiting';
    await r.askPerson(
      'Re-run the Hybrid Configuration Wizard',
      hcwInstructions(r.report.workflowId, r.input.organization),
    );
  }
  const deadline = r.state.progress.hcwWaitStartedAt + r.input.hcwTimeout;
  while (r.report.hcw.status === 'waiting') {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const wait = Math.min(r.input.hcwReminderInterval, remaining);
    r.state.nextCheckAt = new Date(Date.now() + wait).toISOString();
    r.state.waitingFor = 'a person to re-run the Hybrid Configuration Wizard and say so (approve-hcw or skip-hcw)';
    r.publishDetails();
    const answered = await condition(() => r.report.hcw.status !== 'waiting', wait, {
      summary: 'the HCW answer, or the next reminder',
    });
    if (!answered && Date.now() < deadline) {
      hcw.remindersSent += 1;
      await r.tell(
        'reminder',
        'Reminder: re-run the Hybrid Configuration Wizard',
        `Still waiting for the HCW answer (reminder ${hcw.remindersSent}); see the rotation's details for how to answer.`,
      );
    }
    await maybeContinueAsNew(r);
  }
  r.state.nextCheckAt = null;
  r.state.waitingFor = null;
  r.state.actionRequired = null;
  if (r.report.hcw.status === 'waiting') {
    r.report.hcw.status = 'pending';
    r.warn('nobody confirmed the Hybrid Configuration Wizard in time: re-run it and record it outside this run');
    r.report.outcome = 'hcw-pending';
  }
  return 'next';
}

/** What the rule looks at, from the run's state now. */
function verdictFor(r: Rotation): Finding<HcwAnswerCode> {
  return checkHcwAnswer({
    status: r.report.hcw.status,
    ...(r.report.hcw.by ? { by: r.report.hcw.by } : {}),
    hybrid: r.facts.snapshot?.hybrid ?? null,
    published: r.facts.publication !== undefined,
    phase: r.state.phase,
  });
}

function record(r: Rotation, answer: HcwAnswer): HcwRecord {
  const { decision, by } = answer;
  const at = nowIso();
  const hcw = r.report.hcw;
  const details = decision === 'completed' ? (answer.note ? { note: answer.note } : {}) : { reason: answer.reason };
  Object.assign(hcw, { status: decision, by, at, ...details });
  r.state.lastRefusedAnswer = null;
  r.publishDetails();
  return { ...hcw };
}

/** A signal cannot be refused: one the rule does not take is recorded as a warning and shown while the run goes on. */
function refuseSignal(r: Rotation, name: string, reason: string): void {
  r.warn(`ignored ${name}: ${reason}`);
  r.state.lastRefusedAnswer = { at: nowIso(), reason: `${name}: ${reason}` };
  r.publishDetails();
}

function signalHandler<S extends z.ZodType>(
  r: Rotation,
  name: string,
  schema: S,
  example: string,
  decision: HcwAnswer['decision'],
) {
  return (payload: unknown) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return refuseSignal(r, name, malformedHcwAnswer(parsed.error, example).message);
    const verdict = verdictFor(r);
    if (verdict.code !== 'accepted') return refuseSignal(r, name, verdict.message);
    record(r, { ...(parsed.data as object), decision } as HcwAnswer);
  };
}

export function registerHcwHandlers(r: Rotation): void {
  setHandler(
    hcwCompletedSignal,
    signalHandler(r, hcwCompletedSignal.name, hcwCompletedSchema, HCW_COMPLETED_EXAMPLE, 'completed'),
    {
      description: `The Hybrid Configuration Wizard was re-run after the new certificate became current: ${HCW_COMPLETED_EXAMPLE}`,
    },
  );
  setHandler(
    hcwSkippedSignal,
    signalHandler(r, hcwSkippedSignal.name, hcwSkippedSchema, HCW_SKIPPED_EXAMPLE, 'skipped'),
    {
      description: `Finish without re-running the Hybrid Configuration Wizard: ${HCW_SKIPPED_EXAMPLE}`,
    },
  );
  setHandler(hcwAnswerUpdate, (answer) => record(r, hcwAnswerSchema.parse(answer)), {
    // Refused here, the answer never enters history and the caller hears why at once.
    validator: (answer) => {
      const parsed = hcwAnswerSchema.safeParse(answer);
      if (!parsed.success) throw new Error(malformedHcwAnswer(parsed.error, HCW_ANSWER_EXAMPLE).message);
      const verdict = verdictFor(r);
      if (verdict.code !== 'accepted') throw new Error(verdict.message);
    },
    description: `Answer the HCW step (the CLI's approve-hcw and skip-hcw): ${HCW_ANSWER_EXAMPLE}`,
  });
}
