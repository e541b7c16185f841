// Inspect and decide: one look at the organisation, the path the policy chain chooses, and the plan that path makes for
// this organisation. Servers that did not answer are asked again before that is taken as a verdict.
import { planOf } from '../../common/paths';
import {
  authAdminBlockedWarning,
  decidePath,
  HOUR_MS,
  isUnreachable,
  planNewDate,
  planStagedDate,
  serversInScope,
  serversMissingNext,
  unreachableServers,
} from '../../common/policy';
import { reads } from './proxies';
import type { Rotation } from './context';
import { need } from './state';

/** Looks again at servers that did not answer, this far apart, before stopping for them. */
export const UNREACHABLE_LOOKS = 3;
export const UNREACHABLE_LOOK_INTERVAL_MS = HOUR_MS / 6;

export async function inspect(r: Rotation): Promise<void> {
  r.enterPhase('inspecting');
  const snapshot = await reads.inspectOrganization();
  r.state.progress.inspections += 1;
  r.facts.snapshot = snapshot;
  r.facts.servers = serversInScope(snapshot, r.input.ignoreUnreachableServers).map(({ name, fqdn, site }) => ({
    name,
    fqdn,
    site,
  }));
  r.report.previousThumbprint = snapshot.authConfig.currentCertificateThumbprint;
  const earlier = r.report.servers;
  r.report.servers = snapshot.servers.map((s) => {
    const importedAt = earlier.find((e) => e.name === s.name)?.importedAt;
    return {
      name: s.name,
      fqdn: s.fqdn,
      site: s.site,
      hasNewCertificate: false,
      event2014: false,
      poolsRecycledAfterPublication: false,
      currentThumbprint: snapshot.authConfig.currentCertificateThumbprint,
      ...(isUnreachable(s) ? { unreachable: s.unreachableReason ?? 'unreachable' } : {}),
      ...(isUnreachable(s) && r.input.ignoreUnreachableServers ? { ignored: true } : {}),
      // An import round inspects again; what it imported stays in the report.
      ...(importedAt ? { importedAt } : {}),
    };
  });
}

/** What the run does after deciding: follow the path, finish, or look again at servers that did not answer. */
export type Decided = 'follow-path' | 'finish' | 'look-again';

export async function decide(r: Rotation): Promise<Decided> {
  r.enterPhase('planning');
  const { snapshot } = need(r.facts, 'snapshot');
  const decision = decidePath(snapshot, r.input);
  const unanswered = unreachableServers(snapshot);
  if (
    decision.path === 'stop-unreachable' &&
    unanswered.length > 0 &&
    !r.input.dryRun &&
    r.state.progress.unreachableLooks < UNREACHABLE_LOOKS
  ) {
    r.state.progress.unreachableLooks += 1;
    const look = `${r.state.progress.unreachableLooks} of ${UNREACHABLE_LOOKS}`;
    await r.pause(
      r.temporalMs(UNREACHABLE_LOOK_INTERVAL_MS),
      `${unanswered.join(', ')} to answer (look ${look} before stopping)`,
    );
    return 'look-again';
  }
  r.report.path = decision.path;
  r.report.decisionCode = decision.code;
  r.report.reasons.push(...decision.findings.map((f) => f.message));
  r.facts.decision = {
    path: decision.path,
    code: decision.code,
    ...(decision.publishStaged ? { publishStaged: true } : {}),
  };
  r.facts.datePlan = datePlanFor(r);
  r.report.plan = planOf({ snapshot, decision, input: r.input, datePlan: r.facts.datePlan });
  r.state.cursor = { path: decision.path, index: 0 };
  for (const s of r.report.servers.filter((s) => s.ignored)) {
    r.warn(`${s.name} is unreachable and was left out of the rotation: check it has the new certificate`);
  }
  const blocked = decision.path === 'rotate' || decision.path === 'resume' ? authAdminBlockedWarning(snapshot) : null;
  if (blocked !== null) r.warn(blocked);
  if (decision.path === 'replace-now' && !r.input.probeMailbox) {
    r.warn('sign-in was not checked: the input names no probeMailbox');
  }
  if (r.facts.datePlan && r.facts.datePlan.finding.code !== 'as-wanted') r.warn(r.facts.datePlan.finding.message);
  if (r.input.dryRun) {
    r.report.outcome = 'dry-run';
    return 'finish';
  }
  switch (decision.path) {
    case 'stop-unreachable':
      r.stop(decision.findings.map((f) => f.message).join('; '));
      return 'finish';
    case 'nothing-to-do':
      // After an import round "nothing more to do" means the import was the work, and it is done.
      if (r.state.progress.importRounds > 0) {
        r.report.path = 'import';
        r.report.outcome = 'completed';
      } else {
        r.report.outcome = 'nothing-to-do';
      }
      return 'finish';
    default:
      return 'follow-path';
  }
}

/** A planned path's effective date: the new one (rotate), or a staged one that must move (resume); else null. */
function datePlanFor(r: Rotation) {
  const { snapshot, decision } = need(r.facts, 'snapshot', 'decision');
  const currentNotAfter = snapshot.current?.notAfter ?? null;
  if (decision.path === 'rotate') return planNewDate(snapshot.serverTime, r.input.effectiveDateHours, currentNotAfter);
  if (decision.path !== 'resume') return null;
  const inScope = new Set((r.facts.servers ?? []).map((s) => s.name));
  return planStagedDate({
    serverNow: snapshot.serverTime,
    stagedDate: snapshot.authConfig.nextCertificateEffectiveDate,
    lacking: serversMissingNext(snapshot).filter((name) => inScope.has(name)),
    currentNotAfter,
  });
}
