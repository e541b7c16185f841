// How the CLI shows a rotation to a person at a terminal: the status, the plan of a dry run, one line of progress, the
// action a person must take (as the CLI command that answers it, not the Temporal UI's signal), and what a stopped
// rotation leaves in Exchange. Pure functions of what the workflow reports.
import { CLI_COMMAND } from '../common/names';
import { ROTATION_PHASES } from '../common/rotation';
import type { RotationPhase, RotationReport, RotationStatus } from '../common/rotation';
import { HCW_ACTION } from '../workflows/rotation/status';
import type { Actor } from '../common/situation';
import type { FleetEntry } from './fleet';
import type { RotationView } from './rotation';

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** Columns padded to their widest cell; the last column is left as it is. */
export function pad(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
}

/**
 * What a person must do now, in terms of this CLI: while the run waits for the HCW answer, the workflow's text also
 * names the signal to send from the Temporal UI; here the answer is `approve-hcw` (or `skip-hcw`) alone.
 */
export function actionText(status: RotationStatus): string | null {
  const text = status.actionRequired;
  if (!text || status.hcw.status !== 'waiting' || !text.startsWith(HCW_ACTION)) return text;
  const org = status.organization;
  return (
    `${HCW_ACTION} Then record it: ${CLI_COMMAND} approve-hcw ${org} --by "<your name>" [--note "..."]` +
    ` (or ${CLI_COMMAND} skip-hcw ${org} --by "<your name>" --reason "...")`
  );
}

/** The steps of a dry run's plan, numbered; nothing for any other report (they are not what happened). */
export function planLines(report: Partial<RotationReport>): string[] {
  if (report.outcome !== 'dry-run') return [];
  const lines = [`  plan (dry run: nothing was changed)${report.path ? `, path ${report.path}` : ''}`];
  for (const reason of report.reasons ?? []) lines.push(`    because ${reason}`);
  (report.plan ?? []).forEach((step, i) =>
    lines.push(`    ${i + 1}. ${step.title}${step.skipped ? ` (left out: ${step.skipped})` : ''}`),
  );
  return lines;
}

export function renderView(view: RotationView): string {
  const lines = [
    `${view.workflowId}  ${view.execution}  started ${view.startTime}${view.closeTime ? `  closed ${view.closeTime}` : ''}`,
  ];
  const s = view.status;
  if (s) {
    lines.push(`  phase        ${s.phase}${s.path ? ` (path ${s.path})` : ''}`);
    if (s.newThumbprint)
      lines.push(`  new cert     ${s.newThumbprint}${s.effectiveDate ? `  effective ${s.effectiveDate}` : ''}`);
    if (s.nextCheckAt && view.execution === 'RUNNING') lines.push(`  next check   ${s.nextCheckAt}`);
    const hcw = s.hcw;
    if (hcw.status !== 'not-needed') {
      const who = hcw.by ? ` by ${hcw.by}${hcw.at ? ` at ${hcw.at}` : ''}` : '';
      lines.push(
        `  HCW          ${hcw.status}${who}${hcw.reason ? ` (${hcw.reason})` : ''}${hcw.note ? ` (${hcw.note})` : ''}`,
      );
    }
    if (s.servers.length) {
      lines.push('  servers');
      const rows = [['    SERVER', 'SITE', 'NEW CERT', 'EVENT 2014', 'POOLS RECYCLED', '']];
      for (const v of s.servers) {
        rows.push([
          `    ${v.name}`,
          v.site,
          yesNo(v.hasNewCertificate),
          yesNo(v.event2014),
          yesNo(v.poolsRecycled),
          // Worded as the Temporal UI's details: an ignored server is outside the run's progress.
          v.unreachable ? `unreachable${v.ignored ? ', ignored' : ''}: ${v.unreachable}` : '',
        ]);
      }
      lines.push(...pad(rows).map((l) => l.trimEnd()));
    }
    const action = actionText(s);
    if (action && view.execution === 'RUNNING') lines.push(`  ACTION REQUIRED: ${action}`);
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
  } else if (view.execution === 'RUNNING') {
    lines.push('  (no worker answered the status query: is a worker running for this organisation?)');
  }
  if (view.failure) lines.push(`  failure: ${view.failure}`);
  const report = view.result as Partial<RotationReport> | undefined;
  if (report && typeof report === 'object') {
    lines.push(`  outcome      ${report.outcome}${report.stopReason ? `: ${report.stopReason}` : ''}`);
    if (report.previousThumbprint !== undefined || report.newThumbprint !== undefined) {
      lines.push(`  certificate  ${report.previousThumbprint ?? '-'} -> ${report.newThumbprint ?? '-'}`);
    }
    lines.push(...planLines(report));
    lines.push('  (the full report: status --json)');
  }
  return lines.join('\n');
}

/** The plan command's answer: the dry run's report as a person reads it. */
export function renderPlan(organization: string, report: RotationReport): string {
  const lines = [`${organization}: ${report.path ?? 'no path'}`, ...planLines(report)];
  for (const w of report.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

/**
 * One line of progress: phase, servers done out of those in scope (as the UI counts), next check; a person's action
 * only as a short reminder, since followRotation prints its text once on a line of its own.
 */
export function progressLine(view: RotationView): string {
  const s: RotationStatus | undefined = view.status;
  if (!s) return `${view.execution}${view.failure ? `: ${view.failure}` : ''}`;
  const inScope = s.servers.filter((x) => !x.ignored);
  const done = inScope.filter((x) => x.hasNewCertificate && x.event2014 && x.poolsRecycled).length;
  const parts = [`phase ${s.phase}`, `servers done ${done}/${inScope.length}`];
  if (s.nextCheckAt) parts.push(`next check ${s.nextCheckAt}`);
  if (s.actionRequired) parts.push('waiting for you (action above)');
  return parts.join(' · ');
}

/** The phases in the order a planned rotation passes them (common/rotation lists them so): how far a stopped one got. */
const ORDER: readonly RotationPhase[] = ROTATION_PHASES.filter((p) => p !== 'failed');
const reached = (s: RotationStatus, phase: RotationPhase) => ORDER.indexOf(s.phase) >= ORDER.indexOf(phase);

/**
 * What a rotation stopped in `status` (cancelled or terminated) leaves in Exchange, and what a person may do about it
 * (docs/operations.md, "Cancelling and rolling back", says the same at length). Without a status, nothing is known.
 */
export function leftInExchange(status: RotationStatus | undefined, organization: string): string[] {
  if (!status) {
    return [
      'Its last state is unknown (no worker answered): look at AuthConfig (Get-AuthConfig) before doing anything.',
    ];
  }
  const t = status.newThumbprint;
  const published = status.servers.some((s) => s.event2014) || reached(status, 'recycling');
  if (published && t) {
    const unrecycled = status.servers.filter((s) => !s.poolsRecycled && !s.ignored).map((s) => s.name);
    return [
      `${t} is the current Auth certificate (published).`,
      ...(unrecycled.length > 0
        ? [
            `Recycle MSExchangeOWAAppPool and MSExchangeECPAppPool on ${unrecycled.join(', ')}: OWA/EAC sign-in needs it.`,
          ]
        : []),
      ...(status.hcw.status === 'waiting' ? ['Re-run the Hybrid Configuration Wizard (hybrid organisation).'] : []),
    ];
  }
  if (status.effectiveDate && t) {
    return [
      `${t} stays staged as the next certificate, effective ${status.effectiveDate}: the AuthAdmin servicelet ` +
        'publishes it then, with nobody watching.',
      `The daily check resumes a staged certificate: pause it (${CLI_COMMAND} schedule pause daily ${organization}) ` +
        `if you do not want that, or start again later (${CLI_COMMAND} start ${organization}).`,
      'To replace the staged certificate, stage another one with Set-AuthConfig -NewCertificateThumbprint ' +
        '-NewCertificateEffectiveDate (docs/operations.md, "Cancelling and rolling back").',
    ];
  }
  if (t || reached(status, 'generating')) {
    return [
      `${t ? `The new certificate ${t}` : 'A new certificate'} may exist on a server but is not staged: nothing ` +
        'uses it and a new rotation makes its own; remove it with Remove-ExchangeCertificate -Server <server> ' +
        '-Thumbprint <thumbprint> if you like.',
    ];
  }
  return ['Nothing was changed in Exchange.'];
}

const ACTORS: Record<Actor, string> = {
  person: 'a person',
  exchange: 'Exchange',
  clock: 'nobody (a date)',
  worker: 'the worker',
};

/** The fleet as a table: one organisation a line, whoever must act first. */
export function renderFleet(entries: FleetEntry[]): string {
  if (entries.length === 0) return 'no organisations: no rotation, check or schedule in this namespace';
  const rows = [['ORGANIZATION', 'EXPIRES IN', 'ROTATION', 'WHO MUST ACT', 'WAITING FOR']];
  for (const e of entries) {
    const c = e.certificate;
    const days =
      c === null
        ? 'unknown'
        : c.daysUntilExpiry === null
          ? 'NO CERTIFICATE'
          : `${c.daysUntilExpiry.toFixed(1)} days${c.beforeLatestRotation ? ' (before the last rotation)' : ''}`;
    const r = e.rotation;
    const rotation =
      r === null
        ? '-'
        : r.execution === 'RUNNING'
          ? `running: ${r.phase ?? '?'}`
          : `${r.outcome ?? r.execution.toLowerCase()} ${(r.closeTime ?? r.startTime).slice(0, 10)}`;
    rows.push([e.organization, days, rotation, e.whoMustAct ? ACTORS[e.whoMustAct] : '-', e.waitingFor ?? '-']);
  }
  return pad(rows)
    .map((l) => l.trimEnd())
    .join('\n');
}
