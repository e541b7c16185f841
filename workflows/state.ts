// The rotation's state: what it carries across continue-as-new, and how it shows itself (status query, the details
// line in the Temporal UI). Pure functions only; the workflow owns the one mutable instance.
import type { Thumbprint } from '../common/exchange';
import type {
  GeneratedCertificate,
  HcwRecord,
  OrganizationSnapshot,
  RotationPhase,
  RotationReport,
  RotationStatus,
  ServerIdentity,
  ServerOutcome,
  StagingResult,
} from '../common/rotation';
import { HCW_COMPLETED_EXAMPLE, HCW_SKIPPED_EXAMPLE, hcwCompletedSignal, hcwSkippedSignal } from './messages';

/** Where the workflow resumes after continue-as-new; each step is a phase function. */
export type Step =
  | 'inspect'
  | 'decide'
  | 'import'
  | 'generate'
  | 'stage'
  | 'replicate'
  | 'wait-effective-date'
  | 'restart-service-host'
  | 'await-publication'
  | 'publish-now'
  | 'recycle'
  | 'sign-in'
  | 'confirm-events'
  | 'hcw'
  | 'finish';

export interface RotationState {
  step: Step;
  phase: RotationPhase;
  /** The first run's start; only rotations that generated before listAuthCertificates existed compare it to NotBefore. */
  runStartedAt: string;
  snapshot: OrganizationSnapshot | null;
  /** The servers the rotation acts on (reachable ones only, when unreachable ones are ignored). */
  servers: ServerIdentity[];
  emergency: boolean;
  importRounds: number;
  certificate: Pick<GeneratedCertificate, 'thumbprint'> & Partial<GeneratedCertificate>;
  staging: StagingResult | null;
  replication: { startedAt: number | null; copyAttempts: number };
  publication: { overdueAt: number | null };
  hcwWaitStartedAt: number | null;
  nextCheckAt: string | null;
  actionRequired: string | null;
  report: RotationReport;
}

export function initialState(organization: string, workflowId: string, now: string): RotationState {
  return {
    step: 'inspect',
    phase: 'inspecting',
    runStartedAt: now,
    snapshot: null,
    servers: [],
    emergency: false,
    importRounds: 0,
    certificate: { thumbprint: '' },
    staging: null,
    replication: { startedAt: null, copyAttempts: 0 },
    publication: { overdueAt: null },
    hcwWaitStartedAt: null,
    nextCheckAt: null,
    actionRequired: null,
    report: {
      organization,
      workflowId,
      path: null,
      outcome: 'stopped',
      reasons: [],
      previousThumbprint: null,
      newThumbprint: null,
      publishedByForce: false,
      servers: [],
      phases: [],
      warnings: [],
      hcw: { status: 'not-needed', remindersSent: 0 },
      startedAt: now,
      continuedAsNew: 0,
    },
  };
}

export function serverOutcome(state: RotationState, name: string): ServerOutcome | undefined {
  return state.report.servers.find((s) => s.name === name);
}

export function statusOf(state: RotationState): RotationStatus {
  const { report } = state;
  return {
    organization: report.organization,
    workflowId: report.workflowId,
    phase: state.phase,
    path: report.path,
    summary: summaryOf(state),
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
    actionRequired: state.actionRequired,
    warnings: [...report.warnings],
    hcw: { ...report.hcw },
  };
}

function count(state: RotationState, pick: (s: ServerOutcome) => boolean): string {
  const inScope = state.report.servers.filter((s) => !s.ignored);
  return `${inScope.filter(pick).length}/${inScope.length}`;
}

export function summaryOf(state: RotationState): string {
  const { report } = state;
  const parts = [`${report.organization}: ${state.phase}`];
  if (report.path) parts.push(`path ${report.path}`);
  if (report.newThumbprint) parts.push(`new ${short(report.newThumbprint)}`);
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

/**
 * Markdown for the Temporal UI's "current details". Rendered from the status alone, so the details and the statusQuery
 * (and the CLI, which reads it) cannot disagree about a server.
 */
export function detailsOf(state: RotationState): string {
  const status = statusOf(state);
  const lines = [`**${markdownText(status.summary)}**`, ''];
  if (status.actionRequired) lines.push(`**Action required:** ${markdownText(status.actionRequired)}`, '');
  if (status.effectiveDate) lines.push(`Effective date (server clock): ${status.effectiveDate}`);
  if (status.nextCheckAt) lines.push(`Next check: ${status.nextCheckAt}`);
  if (status.servers.length > 0) {
    lines.push('', '| server | site | new certificate | event 2014 | pools recycled |', '|---|---|---|---|---|');
    for (const s of status.servers) {
      const mark = (v: boolean) => (v ? 'yes' : 'no');
      const note = s.ignored ? ' (unreachable, ignored)' : s.unreachable ? ' (unreachable)' : '';
      lines.push(
        `| ${markdownText(s.name)}${note} | ${markdownText(s.site)} | ${mark(s.hasNewCertificate)} | ${mark(s.event2014)} | ${mark(s.poolsRecycled)} |`,
      );
    }
  }
  if (status.warnings.length > 0) lines.push('', 'Warnings:', ...status.warnings.map((w) => `- ${markdownText(w)}`));
  return lines.join('\n');
}

function short(thumbprint: Thumbprint): string {
  return `${thumbprint.slice(0, 8)}…`;
}

export function hcwInstructions(workflowId: string): string {
  return (
    'Re-run the Hybrid Configuration Wizard now that the new Auth certificate is current (and upload the new ' +
    `certificate to Entra ID if the organisation uses the dedicated hybrid app). Then send ${hcwCompletedSignal.name} ` +
    `${HCW_COMPLETED_EXAMPLE} to workflow ${workflowId}, or ${hcwSkippedSignal.name} ${HCW_SKIPPED_EXAMPLE}.`
  );
}

export type { HcwRecord };
