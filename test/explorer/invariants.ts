// What must hold whatever the scenario, judged on the organisation (the truth) and on what the run said. Each invariant
// is a pure function of a Trace returning the ways it was broken, one line each; the unit tests run them on
// hand-written traces. The names are the issue's (issue 8, "Invariants").
import { msToNumber } from '@temporalio/common/lib/time';
import type { CallRecord, OrgView, Trace } from './trace';

export const INVARIANTS = [
  'no-outage',
  'one-certificate',
  'smtp-untouched',
  'nothing-published-early',
  'it-ends',
  'honest-report',
  'clean-history',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: InvariantName;
  detail: string;
}

/** Cmdlets that change Exchange: a dry run, a refused input and nothing-to-do run none of them. */
export const CHANGING_CMDLETS = [
  'New-ExchangeCertificate',
  'Enable-ExchangeCertificate',
  'Import-ExchangeCertificate',
  'Set-AuthConfig',
  'Set-OrganizationConfig',
  'Restart-Service',
  'Restart-WebAppPool',
];
const CHANGING = new Set(CHANGING_CMDLETS.map((c) => c.toLowerCase()));

const AUTH_SUBJECT = /Microsoft Exchange Server Auth Certificate/i;
const ISO_DATE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

const iso = (ms: number) => new Date(ms).toISOString();

export function reportOf(trace: Trace) {
  return trace.result.report ?? trace.result.queriedReport;
}

function holds(view: OrgView, server: string, thumbprint: string, at = view.at): boolean {
  const s = view.servers.find((x) => x.name === server);
  return !!s?.certificates.some((c) => c.thumbprint === thumbprint && c.installedAt <= at);
}

function certificate(view: OrgView, thumbprint: string | null) {
  if (thumbprint === null) return undefined;
  for (const s of view.servers) {
    const c = s.certificates.find((x) => x.thumbprint === thumbprint);
    if (c) return c;
  }
  return undefined;
}

function changing(call: CallRecord): boolean {
  return call.cmdlets.some((c) => CHANGING.has(c.name.toLowerCase()));
}

function publishesByForce(call: CallRecord): boolean {
  return call.cmdlets.some((c) => c.name === 'Set-AuthConfig' && c.params.includes('PublishCertificate'));
}

function stages(call: CallRecord): boolean {
  return call.cmdlets.some((c) => c.name === 'Set-AuthConfig' && c.params.includes('NewCertificateThumbprint'));
}

/** The publication poll interval of the run's input, in ms (its default when not given or not valid). */
function pollOf(trace: Trace): number {
  const value = trace.scenario.input.publicationPollInterval ?? '30m';
  try {
    return msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    return 30 * 60_000;
  }
}

/** The organisation as the call's attempt started (before anything that attempt did). */
function viewBefore(trace: Trace, call: CallRecord): OrgView {
  return trace.attempts.find((a) => a.seq === call.seq)?.before ?? trace.initial;
}

/** The organisation as the attempt started. */
function attemptView(trace: Trace, seq: number): OrgView {
  return trace.attempts.find((a) => a.seq === seq)?.before ?? trace.initial;
}

export interface Publication {
  from: string | null;
  to: string | null;
  at: number;
  view: OrgView;
}

/** Every change of the current certificate, with its instant (AuthConfig's WhenChanged, within the two views). */
export function publications(trace: Trace): Publication[] {
  const found: Publication[] = [];
  for (let i = 1; i < trace.views.length; i++) {
    const [a, b] = [trace.views[i - 1], trace.views[i]];
    if (!a || !b) continue;
    if (a.authConfig.current === b.authConfig.current) continue;
    const when = b.authConfig.whenChanged;
    const at = when >= a.at && when <= b.at ? when : b.at;
    found.push({ from: a.authConfig.current, to: b.authConfig.current, at, view: b });
  }
  return found;
}

/** Thumbprints the run made its own: the one it reports, and every one it staged. */
function serviceThumbprints(trace: Trace): Set<string> {
  const mine = new Set<string>();
  const report = reportOf(trace);
  if (report?.newThumbprint) mine.add(report.newThumbprint.toUpperCase());
  for (const attempt of trace.attempts) {
    const staged = trace.calls.some((c) => c.seq === attempt.seq && stages(c));
    if (staged && attempt.after.authConfig.next) mine.add(attempt.after.authConfig.next);
  }
  return mine;
}

/** The run's first successful inspection: what it first knew of the organisation. */
function firstInspection(trace: Trace) {
  return trace.attempts.find((a) => a.activity === 'inspectOrganization' && a.outcome === 'ok');
}

function inScope(trace: Trace, view: OrgView): string[] {
  return view.servers.filter((s) => s.reachable && !trace.ignored.includes(s.name)).map((s) => s.name);
}

function reportText(trace: Trace): string {
  const report = reportOf(trace);
  const failure = trace.result.failure;
  return [
    ...(report?.warnings ?? []),
    report?.stopReason ?? '',
    ...(report?.reasons ?? []),
    failure?.message ?? '',
    failure?.cause ?? '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------

/**
 * Whenever the current certificate changes to one the run made, staged or adopted, every reachable server in scope
 * already holds it; else the run saw it coming and told people which servers and by when, while that was still ahead.
 */
export function noOutage(trace: Trace): string[] {
  const problems: string[] = [];
  const mine = serviceThumbprints(trace);
  const knewAt = firstInspection(trace)?.at ?? null;
  for (const p of publications(trace)) {
    if (p.to === null || !mine.has(p.to)) continue;
    // Published before the run had looked at the organisation: nothing it could have seen.
    if (knewAt === null || p.at <= knewAt) continue;
    const appKeys = p.view.hybridAppKeys;
    if (appKeys !== null && !appKeys.includes(p.to)) {
      // Exchange Online checks the organisation's tokens against the dedicated application's keys.
      const told = trace.notifications.some(
        ({ at, notification }) =>
          at < p.at &&
          notification.kind === 'action-required' &&
          `${notification.subject}\n${notification.text}`.includes('hybrid application'),
      );
      if (!told) {
        problems.push(
          `${p.to} became current at ${iso(p.at)} while the dedicated hybrid application lacked its key, and nobody was told beforehand`,
        );
      }
    }
    const lacking = inScope(trace, p.view).filter((s) => !holds(p.view, s, p.to!, p.at));
    if (lacking.length === 0) continue;
    const told = trace.notifications.some(
      ({ at, notification }) =>
        at < p.at &&
        notification.kind === 'action-required' &&
        lacking.every((s) => notification.text.includes(s)) &&
        (notification.text.match(ISO_DATE) ?? []).some((d) => Date.parse(d) > at),
    );
    if (!told) {
      problems.push(
        `${p.to} became current at ${iso(p.at)} while ${lacking.join(', ')} lacked it, and nobody was told beforehand`,
      );
    }
  }
  return problems;
}

/** At most one new Auth certificate per run; one made but not staged is removed, or named in the report. */
export function oneCertificate(trace: Trace): string[] {
  const problems: string[] = [];
  const last = trace.views.at(-1) ?? trace.end;
  const made = new Set<string>();
  for (const v of [trace.end, last]) {
    for (const s of v.servers) {
      for (const c of s.certificates)
        if (c.installedBy === 'new' && AUTH_SUBJECT.test(c.subject)) made.add(c.thumbprint);
    }
  }
  if (made.size > 1) problems.push(`${made.size} new Auth certificates were made: ${[...made].join(', ')}`);
  const text = reportText(trace);
  const { authConfig } = trace.end;
  for (const t of made) {
    if (t === authConfig.current || t === authConfig.next || t === authConfig.previous) continue;
    const still = trace.end.servers.filter((s) => s.certificates.some((c) => c.thumbprint === t)).map((s) => s.name);
    if (still.length > 0 && !text.includes(t)) {
      problems.push(`${t} was made but not staged, is still on ${still.join(', ')}, and the report does not say so`);
    }
  }
  return problems;
}

/** Every server's internal transport (SMTP) certificate ends as it began. */
export function smtpUntouched(trace: Trace): string[] {
  const problems: string[] = [];
  for (const s of trace.initial.servers) {
    for (const v of [trace.end, trace.views.at(-1) ?? trace.end]) {
      const after = v.servers.find((x) => x.name === s.name);
      if (after && after.transport !== s.transport) {
        problems.push(`${s.name}: the transport certificate was ${s.transport}, is ${after.transport} at ${iso(v.at)}`);
        break;
      }
    }
  }
  return problems;
}

/** Current expired or missing (configured on no server that answers), as the organisation was at `view`. */
export function isOutage(view: OrgView, at = view.at): boolean {
  const current = view.authConfig.current;
  if (current === null) return true;
  const reachable = view.servers.filter((s) => s.reachable);
  if (reachable.length > 0 && reachable.every((s) => !s.certificates.some((c) => c.thumbprint === current)))
    return true;
  const c = certificate(view, current);
  return c !== undefined && c.notAfter <= at;
}

/** The planned path never publishes by force; the emergency path runs only for an expired or missing certificate. */
export function nothingPublishedEarly(trace: Trace): string[] {
  const problems: string[] = [];
  for (const call of trace.calls.filter(publishesByForce)) {
    const view = viewBefore(trace, call);
    if (!isOutage(view, call.at)) {
      const c = certificate(view, view.authConfig.current);
      problems.push(
        `Set-AuthConfig -PublishCertificate at ${iso(call.at)} (${call.activity}) while the current certificate ` +
          `${view.authConfig.current} was on its servers and valid until ${c ? iso(c.notAfter) : 'an unknown date'}`,
      );
    }
  }
  const report = reportOf(trace);
  // The decision follows the last inspection (an import round inspects again).
  const inspected = [...trace.attempts]
    .reverse()
    .find((a) => a.activity === 'inspectOrganization' && a.outcome === 'ok');
  if (report?.path === 'replace-now' && inspected) {
    const view = attemptView(trace, inspected.seq);
    if (!isOutage(view, inspected.at)) {
      const c = certificate(view, view.authConfig.current);
      problems.push(
        `the emergency path (replace-now) was taken while the current certificate was on its servers and valid until ` +
          `${c ? iso(c.notAfter) : 'an unknown date'}`,
      );
    }
  }
  return problems;
}

const GENERIC_ERRORS = new Set([
  '',
  'Error',
  'TypeError',
  'ReferenceError',
  'RangeError',
  'SyntaxError',
  'UnknownError',
]);
const ENDINGS = new Set(['completed', 'stopped', 'hcw-pending', 'dry-run', 'nothing-to-do']);

/** The run ends (completed, stopped with a reason, failed with a named error, hcw-pending) within its bound. */
export function itEnds(trace: Trace): string[] {
  const problems: string[] = [];
  const { result, history } = trace;
  if (result.status === 'timed-out') {
    problems.push(`no end within ${Math.round(trace.boundMs / 3_600_000)} hours (the bound derived from the input)`);
  } else if (result.status === 'terminated') {
    problems.push(`stopped by the explorer: ${result.failure?.message ?? 'terminated'}`);
  } else if (result.status === 'failed') {
    const type = result.failure?.type ?? '';
    const causeType = /^(\w+):/.exec(result.failure?.cause ?? '')?.[1] ?? '';
    const named = [type, causeType].find((t) => !GENERIC_ERRORS.has(t) && t !== 'ActivityFailure');
    if (!named) problems.push(`failed without a named error: ${result.failure?.message ?? ''}`);
    if (type === 'InvalidRotationInput' || causeType === 'InvalidRotationInput') {
      const changed = trace.calls.filter(changing);
      if (changed.length > 0) problems.push('a refused input changed Exchange');
    }
  } else {
    const report = result.report!;
    if (!ENDINGS.has(report.outcome)) problems.push(`ended with outcome ${report.outcome}`);
    if (report.outcome === 'stopped' && !report.stopReason) problems.push('stopped without a reason');
  }
  const repeated = history.workflowTaskFailures.find((m, i) => history.workflowTaskFailures.indexOf(m) !== i);
  if (repeated !== undefined || history.maxWorkflowTaskAttempt >= 2) {
    problems.push(
      `a workflow task failed more than once on the same input: ${repeated ?? history.workflowTaskFailures[0] ?? `attempt ${history.maxWorkflowTaskAttempt}`}`,
    );
  }
  return problems;
}

/** `completed` means what it says, and every claim of the report and the status matches the organisation. */
export function honestReport(trace: Trace): string[] {
  const problems: string[] = [];
  const report = reportOf(trace);
  if (!report) return problems;
  const end = trace.end;
  const thumbprint = report.newThumbprint?.toUpperCase() ?? null;
  const warnings = report.warnings.join('\n');
  const published = publications(trace).find((p) => p.to === thumbprint);
  const scope = inScope(trace, end);

  if (report.outcome === 'completed' && report.path !== 'import') {
    if (end.authConfig.current !== thumbprint) {
      problems.push(`completed, but the current certificate is ${end.authConfig.current}, not ${thumbprint}`);
    } else {
      const lacking = scope.filter((s) => !holds(end, s, thumbprint!));
      if (lacking.length > 0) problems.push(`completed, but ${lacking.join(', ')} lack the new certificate`);
      for (const s of end.servers.filter((x) => scope.includes(x.name))) {
        const stale = s.pools.filter((p) => published && p.lastRecycle < published.at);
        if (stale.length > 0 && !warnings.includes(s.name)) {
          problems.push(
            `completed, but ${stale.map((p) => p.name).join(', ')} on ${s.name} were not recycled after publication`,
          );
        }
        if (s.signIn === 'broken' && !warnings.includes(s.name))
          problems.push(`completed, but sign-in fails on ${s.name}`);
      }
    }
    if (end.hybrid && end.hybridAppKeys !== null) {
      // The dedicated application replaces the HCW step: its keys, not a person's answer, are what must be true.
      const app = report.hybridApp;
      if (!app) problems.push('completed with a dedicated hybrid application, and the report says nothing of it');
      else if (app.next === 'on-app' && !end.hybridAppKeys.includes(thumbprint ?? '')) {
        problems.push(`the report says the hybrid application holds ${thumbprint}, but it does not`);
      } else if (!['on-app', 'confirmed', 'missing'].includes(app.next)) {
        problems.push(`completed, but the hybrid application's next certificate is still ${app.next}`);
      } else if (app.next === 'missing' && !warnings.includes('hybrid application')) {
        problems.push('the hybrid application lacks the new certificate, and no warning says so');
      }
    } else if (end.hybrid) {
      const answered = trace.signals.some((s) => s.valid && s.at <= trace.result.closedAt);
      if (!['completed', 'skipped'].includes(report.hcw.status) || !answered) {
        problems.push(`completed in a hybrid organisation without an HCW answer (hcw ${report.hcw.status})`);
      }
    }
  }
  if (report.outcome === 'completed' && report.path === 'import') {
    const lacking = scope.filter((s) => end.authConfig.current && !holds(end, s, end.authConfig.current));
    if (lacking.length > 0) problems.push(`import completed, but ${lacking.join(', ')} lack the current certificate`);
  }
  if (report.outcome === 'hcw-pending' && (!end.hybrid || end.authConfig.current !== thumbprint)) {
    problems.push('hcw-pending, but the new certificate is not current in a hybrid organisation');
  }
  if (report.outcome === 'dry-run' || report.outcome === 'nothing-to-do') {
    const changed = trace.calls.filter(changing);
    if (changed.length > 0) {
      problems.push(`${report.outcome}, yet it ran ${changed.flatMap((c) => c.cmdlets.map((x) => x.name)).join(', ')}`);
    }
  }
  if (report.outcome === 'stopped' && thumbprint && /stays staged/.test(report.stopReason ?? '')) {
    if (end.authConfig.next !== thumbprint) {
      problems.push(
        `the stop reason says ${thumbprint} stays staged, but AuthConfig has next ${end.authConfig.next} and current ${end.authConfig.current}`,
      );
    }
  }
  for (const s of report.servers) {
    const view = end.servers.find((x) => x.name === s.name);
    if (!view || !thumbprint) continue;
    if (s.hasNewCertificate && !holds(end, s.name, thumbprint))
      problems.push(`${s.name}: reported to hold ${thumbprint}, does not`);
    if (s.event2014 && !view.events2014.some((e) => e.thumbprint === thumbprint)) {
      problems.push(`${s.name}: reported event 2014 for ${thumbprint}, has none`);
    }
    if (s.poolsRecycledAfterPublication && published && view.pools.some((p) => p.lastRecycle < published.at)) {
      problems.push(`${s.name}: reported its pools recycled after publication, they were not`);
    }
  }
  // The effective date it reports is one AuthConfig held for its certificate.
  if (thumbprint && report.effectiveDate) {
    const held = new Set(
      trace.views
        .filter((v) => v.authConfig.next === thumbprint && v.authConfig.nextEffective !== null)
        .map((v) => v.authConfig.nextEffective!),
    );
    if (held.size > 0 && !held.has(Date.parse(report.effectiveDate))) {
      problems.push(
        `reports effective date ${report.effectiveDate}; AuthConfig had ${[...held].map(iso).join(', ')} for ${thumbprint}`,
      );
    }
  }
  // Published when it says: the first event 2014 comes within a servicelet cycle (and a poll) of the change.
  if (thumbprint && report.publishedAt && published) {
    const at = Date.parse(report.publishedAt);
    const slack = 13 * 3_600_000 + pollOf(trace);
    if (at < published.at - 60_000 || at > published.at + slack) {
      problems.push(
        `reports publication at ${report.publishedAt}; ${thumbprint} became current at ${iso(published.at)}`,
      );
    }
  }
  // A server reported unreachable was unreachable at some point of the run.
  for (const s of report.servers.filter((x) => x.unreachable && !x.ignored)) {
    const seen = trace.views.filter((v) => v.at >= trace.start && v.at <= trace.result.closedAt);
    if (seen.every((v) => v.servers.find((x) => x.name === s.name)?.reachable !== false)) {
      problems.push(
        `${s.name} is reported unreachable (${s.unreachable}) but answered throughout: a transient error taken as a verdict`,
      );
    }
  }
  if (report.publishedByForce && !trace.calls.some(publishesByForce)) {
    problems.push('reported published by force, but Set-AuthConfig -PublishCertificate never ran');
  }
  const status = trace.result.statusQuery;
  if (status) {
    if (status.newThumbprint !== report.newThumbprint) {
      problems.push(`status says new ${status.newThumbprint}, report ${report.newThumbprint}`);
    }
    if ((status.effectiveDate ?? null) !== (report.effectiveDate ?? null)) {
      problems.push(`status says effective ${status.effectiveDate}, report ${report.effectiveDate}`);
    }
    if (trace.result.status === 'completed' && status.phase !== 'done')
      problems.push(`ended, but status is ${status.phase}`);
  }
  return problems;
}

/** No secret material in the history, and the history replays under the current code. */
export function cleanHistory(trace: Trace): string[] {
  const problems: string[] = [];
  const text = trace.history.text;
  for (const secret of trace.secrets) {
    if (secret.length >= 8 && text.includes(secret))
      problems.push(`secret material in the history: ${secret.slice(0, 8)}…`);
  }
  if (!trace.history.replay.ok) problems.push(`the history does not replay: ${trace.history.replay.error}`);
  return problems;
}

const CHECKS: Record<InvariantName, (trace: Trace) => string[]> = {
  'no-outage': noOutage,
  'one-certificate': oneCertificate,
  'smtp-untouched': smtpUntouched,
  'nothing-published-early': nothingPublishedEarly,
  'it-ends': itEnds,
  'honest-report': honestReport,
  'clean-history': cleanHistory,
};

export function checkInvariants(trace: Trace): Violation[] {
  return INVARIANTS.flatMap((invariant) => CHECKS[invariant](trace).map((detail) => ({ invariant, detail })));
}
