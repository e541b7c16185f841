// The import path: the current certificate is missing on some servers. It is exported from one that has it and
// imported where it is missing; then the organisation is inspected again, since it may also be due for rotation. On the
// emergency path a kept staged certificate is imported where it is missing before it is staged for now.
import { copySource, copyTargets, describeLacking, lackingServers, serversMissingCurrent } from '../../common/policy';
import { nowIso, type Rotation } from './context';
import type { StepResult } from './steps';
import { need } from './state';

const MAX_IMPORT_ROUNDS = 2;

export async function importMissing(r: Rotation): Promise<StepResult> {
  r.enterPhase('importing');
  const { snapshot, servers } = need(r.facts, 'snapshot', 'servers');
  const thumbprint = snapshot.authConfig.currentCertificateThumbprint;
  const missing = serversMissingCurrent(snapshot);
  const source = servers.find((s) => snapshot.servers.find((x) => x.name === s.name)?.current === 'present');
  if (thumbprint === null || !source) {
    return r.stop(`no reachable server has the current certificate ${thumbprint ?? '(none)'} to export`);
  }
  if (r.state.progress.importRounds >= MAX_IMPORT_ROUNDS) {
    return r.stop(`the current certificate is still missing on ${missing.join(', ')} after importing it`);
  }
  r.state.progress.importRounds += 1;
  const targets = servers.filter((s) => missing.includes(s.name));
  const results = await r.changes.copyCertificate({ thumbprint, source, targets });
  for (const result of results) {
    const outcome = r.serverOutcome(result.server);
    if (result.outcome === 'imported' && outcome) outcome.importedAt = nowIso();
    if (result.outcome === 'failed') {
      r.warn(`importing the current certificate on ${result.server} failed: ${result.detail}`);
    }
  }
  r.report.reasons.push(
    `imported the current certificate on: ${results.map((x) => `${x.server} (${x.outcome})`).join(', ')}`,
  );
  return 'reinspect';
}

/**
 * The emergency path keeps a staged certificate that some servers lack: it is imported there BEFORE it is staged for
 * now, since Set-AuthConfig fails on a server without it and publishing it would break sign-in where it is missing.
 * Where it cannot be imported, a new certificate is created and staged now in its place, so the staged one is never
 * published onto servers that lack it (and the outage is still ended).
 */
export async function importStaged(r: Rotation): Promise<StepResult> {
  r.enterPhase('importing');
  const { certificate, decision, servers } = need(r.facts, 'certificate', 'decision', 'servers');
  const thumbprint = certificate.thumbprint;
  const before = await r.reads.checkReplication({ thumbprint, servers });
  if (lackingServers(before.servers).length === 0) return 'next';
  const source = copySource(before.servers, servers);
  const names = source ? copyTargets(before.servers, source, 'all-missing') : [];
  const targets = servers.filter((s) => names.includes(s.name));
  const failures: string[] = [];
  if (source && targets.length > 0) {
    const results = await r.changes.copyCertificate({ thumbprint, source, targets });
    for (const result of results) {
      const outcome = r.serverOutcome(result.server);
      if (result.outcome === 'imported' && outcome) outcome.importedAt = nowIso();
      if (result.outcome === 'failed') failures.push(`${result.server}: ${result.detail}`);
    }
    r.report.reasons.push(
      `imported the staged certificate ${thumbprint} before staging it now, from ${source.name} on: ` +
        results.map((x) => `${x.server} (${x.outcome})`).join(', '),
    );
  }
  // Look again: the organisation, not the import's answer, says whether every server has it now.
  const after = await r.reads.checkReplication({ thumbprint, servers });
  const lacking = lackingServers(after.servers);
  if (lacking.length === 0) return 'next';
  r.warn(
    `the staged certificate ${thumbprint} could not be imported on ${describeLacking(lacking)}` +
      `${failures.length > 0 ? ` (${failures.join('; ')})` : ''}: a new certificate is created and staged now in its ` +
      'place, so it is not published onto servers that lack it',
  );
  r.facts.decision = { path: decision.path, code: decision.code };
  delete r.facts.certificate;
  r.report.newThumbprint = null;
  return 'next';
}
