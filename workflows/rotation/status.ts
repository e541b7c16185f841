// How a rotation shows itself: the status query, the one-line summary and the Temporal UI's current details, all
// rendered from the state alone, so the details, the query and the CLI (which reads the query) cannot disagree.
import type { RotationState as State } from './state';
import type { RotationStatus, ServerOutcome, StepState } from '../../common/rotation';
import { HCW_COMPLETED_EXAMPLE, HCW_SKIPPED_EXAMPLE, hcwCompletedSignal, hcwSkippedSignal } from '../messages';

function stepsOf(state: State): RotationStatus['steps'] {
  const plan = state.report.plan ?? [];
  const finished = state.phase === 'done' || state.phase === 'failed';
  return plan.map((step, index) => {
    let at: StepState;
    if (step.skipped !== undefined) at = 'skipped';
    else if (index < state.cursor.index || (finished && state.report.outcome === 'completed')) at = 'done';
    else if (index === state.cursor.index && !finished) at = 'running';
    else at = 'pending';
    return {
      id: step.id,
      title: step.title,
      state: at,
      ...(step.skipped === undefined ? {} : { skipped: step.skipped }),
    };
  });
}

export function statusOf(state: State): RotationStatus {
  const { report } = state;
  return {
    organization: report.organization,
    workflowId: report.workflowId,
    phase: state.phase,
    path: report.path,
    summary: summaryOf(state),
    steps: stepsOf(state),
    servers: report.servers.map((s) => ({
      name: s.name,
      site: s.site,
      hasNewCertificate: s.hasNewCertificate,
      event2014: s.event2014,
      poolsRecycled: s.poolsRecycledAfterPublication,
      ...(s.unreachable ? { unreachable: s.unreachable } : {}),
      ...(s.ignored ? { ignored: true as const } : {}),
    })),
    newThumbprint: report.newThumbprint,
    effectiveDate: report.effectiveDate ?? null,
    nextCheckAt: state.nextCheckAt,
    waitingFor: state.waitingFor,
    actionRequired: state.actionRequired,
    lastRefusedAnswer: state.lastRefusedAnswer ? { ...state.lastRefusedAnswer } : null,
    warnings: [...report.warnings],
    hcw: { ...report.hcw },
  };
}

function count(state: State, pick: (s: ServerOutcome) => boolean): string {
  const inScope = state.report.servers.filter((s) => !s.ignored);
  return `${inScope.filter(pick).length}/${inScope.length}`;
}

export function summaryOf(state: State): string {
  const { report } = state;
  const parts = [`${report.organization}: ${state.phase}`];
  if (report.path) parts.push(`path ${report.path}`);
  if (report.newThumbprint) parts.push(`new ${report.newThumbprint.slice(0, 8)}…`);
  if (report.servers.length > 0) {
    parts.push(`certificate on ${count(state, (s) => s.hasNewCertificate)}`);
    parts.push(`event 2014 on ${count(state, (s) => s.event2014)}`);
    parts.push(`pools recycled on ${count(state, (s) => s.poolsRecycledAfterPublication)}`);
  }
  return parts.join(' · ');
}

/**
 * Text for markdown. The UI renders details as sanitised HTML, so a placeholder such as `<your name>` would vanish as an
 * unknown tag, and a `|` would split a table cell: both are backslash-escaped, as are the characters that start
 * emphasis (not as HTML entities: the UI shows `&lt;` literally). A JSON object such as a signal's argument becomes a
 * code span, which the UI neither typesets with curly quotes nor parses, so a person can copy it into the signal dialog.
 */
export function markdownText(text: string): string {
  return text
    .split(/(\{[^{}`|]*\})/)
    .map((part, i) => (i % 2 === 1 ? `\`${part}\`` : part.replace(/[\\|*_`[\]<>]/g, (c) => `\\${c}`)))
    .join('');
}

const STEP_MARKS: Record<StepState, string> = { done: '✓', running: '▶', pending: '·', skipped: '–' };

/** Markdown for the Temporal UI's "current details", rendered from the status alone. */
export function detailsOf(state: State): string {
  const status = statusOf(state);
  const lines = [`**${markdownText(status.summary)}**`, ''];
  if (status.actionRequired) lines.push(`**Action required:** ${markdownText(status.actionRequired)}`, '');
  if (status.lastRefusedAnswer) {
    lines.push(
      `**Answer not taken** (${status.lastRefusedAnswer.at}): ${markdownText(status.lastRefusedAnswer.reason)}`,
      '',
    );
  }
  if (status.waitingFor) lines.push(`Waiting for: ${markdownText(status.waitingFor)}`);
  if (status.effectiveDate) lines.push(`Effective date (server clock): ${status.effectiveDate}`);
  if (status.nextCheckAt) lines.push(`Next check: ${status.nextCheckAt}`);
  if (status.steps.length > 0) {
    lines.push('', 'Steps:');
    for (const step of status.steps) {
      const why = step.skipped ? ` (left out: ${markdownText(step.skipped)})` : '';
      lines.push(`- ${STEP_MARKS[step.state]} ${markdownText(step.title)}${why}`);
    }
  }
  if (status.servers.length > 0) {
    lines.push('', '| server | site | new certificate | event 2014 | pools recycled |', '|---|---|---|---|---|');
    const mark = (v: boolean) => (v ? 'yes' : 'no');
    for (const s of status.servers) {
      const note = s.ignored ? ' (unreachable, ignored)' : s.unreachable ? ' (unreachable)' : '';
      lines.push(
        `| ${markdownText(s.name)}${note} | ${markdownText(s.site)} | ${mark(s.hasNewCertificate)} | ${mark(s.event2014)} | ${mark(s.poolsRecycled)} |`,
      );
    }
  }
  if (status.warnings.length > 0) lines.push('', 'Warnings:', ...status.warnings.map((w) => `- ${markdownText(w)}`));
  return lines.join('\n');
}

export function hcwInstructions(workflowId: string, organization: string): string {
  return (
    'Re-run the Hybrid Configuration Wizard now that the new Auth certificate is current (and upload the new ' +
    'certificate to Entra ID if the organisation uses the dedicated hybrid app). Then run ' +
    `"npm run cli -- approve-hcw ${organization} --by <your name>", or send ${hcwCompletedSignal.name} ` +
    `${HCW_COMPLETED_EXAMPLE} to workflow ${workflowId}; if it need not run, "skip-hcw" or ${hcwSkippedSignal.name} ` +
    `${HCW_SKIPPED_EXAMPLE}.`
  );
}
