// How a run ends or hands over: the report's last fields, the outcome search attribute, the metrics, the "finished"
// notification; a failure that names what it left behind; and continue-as-new when the history grows long.
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RotationOutcome } from '../../common/rotation';
import { outcomeSearchAttribute } from '../../common/search-attributes';
import { recordRotationMetrics } from '../metrics';
import { failureText, nowIso, type Rotation } from './context';

/** The run ended normally (completed, stopped, nothing to do, dry run, hcw-pending): its report is the result. */
export async function finish(r: Rotation) {
  r.enterPhase('done');
  r.report.finishedAt = nowIso();
  const outcome = r.report.outcome;
  upsertSearchAttributes([{ key: outcomeSearchAttribute, value: outcome }]);
  const approver = r.report.hcw.by ? ` (HCW ${r.report.hcw.status} by ${r.report.hcw.by})` : '';
  const text =
    r.report.stopReason ?? `${outcome}${r.report.newThumbprint ? `: ${r.report.newThumbprint}` : ''}${approver}`;
  await r.tell('finished', `Auth certificate rotation ${outcome}`, withLeftover(r, text));
  r.publishDetails();
  recordRotationMetrics(r.report);
  return r.report;
}

/** A certificate this run made but never staged, in words for a failure or a stop. */
function withLeftover(r: Rotation, text: string): string {
  const left = r.report.unstagedCertificate;
  if (!left) return text;
  return (
    `${text}\nThe certificate ${left.thumbprint} created on ${left.server} was never staged: stage it with ` +
    `Set-AuthConfig -NewCertificateThumbprint ${left.thumbprint}, or remove it with Remove-ExchangeCertificate ` +
    `-Server ${left.server} -Thumbprint ${left.thumbprint}.`
  );
}

/**
 * A run that fails returns no report: it is counted, a person is told, and the failure itself carries what they must
 * know beyond the error (a certificate made and never staged).
 */
export async function failed(r: Rotation, error: unknown): Promise<unknown> {
  r.enterPhase('failed');
  endUnfinished(r, 'failed');
  const message = withLeftover(r, failureText(error));
  await r.tell('finished', 'rotation failed', message);
  if (r.report.unstagedCertificate === undefined) return error;
  const inner = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : error;
  return ApplicationFailure.create({
    type: (inner instanceof ApplicationFailure ? inner.type : undefined) ?? 'RotationFailed',
    message,
    nonRetryable: true,
    ...(error instanceof Error ? { cause: error } : {}),
  });
}

/** A person cancelled: say so where rotations are searched for; whatever was done stays in the history. */
export function cancelled(r: Rotation): void {
  endUnfinished(r, 'cancelled');
}

function endUnfinished(r: Rotation, outcome: Extract<RotationOutcome, 'failed' | 'cancelled'>): void {
  const now = nowIso();
  const open = r.report.phases.at(-1);
  if (open && open.endedAt === undefined) open.endedAt = now;
  r.report.outcome = outcome;
  r.report.finishedAt = now;
  upsertSearchAttributes([{ key: outcomeSearchAttribute, value: outcome }]);
  recordRotationMetrics(r.report);
}

/** Past maxHistoryEvents (or when the server suggests it) the run hands its state to a fresh one. */
export async function maybeContinueAsNew(r: Rotation): Promise<void> {
  const info = workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < r.input.maxHistoryEvents) return;
  r.report.continuedAsNew += 1;
  await continueAsNew<(input: unknown, carried: { state: typeof r.state }) => Promise<unknown>>(r.rawInput, {
    state: r.state,
  });
}
