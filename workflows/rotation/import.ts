// The import path: the current certificate is missing on some servers. It is exported from one that has it and
// imported where it is missing; then the organisation is inspected again, since it may also be due for rotation.
import { serversMissingCurrent } from '../../common/policy';
import { changes } from './proxies';
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
  const results = await changes.copyCertificate({ thumbprint, source, targets });
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
