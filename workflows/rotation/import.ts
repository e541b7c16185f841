// The import path: the current certificate is missing on some servers. It is exported from one that has it and
// imported where it is missing; then the organisation is inspected again, since it may also be due for rotation. On the
// emergency path the new certificate is imported where it is missing before it is staged for now.
import { AUTH_ADMIN_CYCLE_HOURS } from '../../common/names';
import { copySource, copyTargets, HOUR_MS, lackingServers, serversMissingCurrent } from '../../common/policy';
import type { Rotation } from './context';
import { copyCertificate } from './copy';
import { generate } from './generate';
import type { StepResult } from './steps';
import { need } from './state';

const MAX_IMPORT_ROUNDS = 2;
/** Tries of the emergency import before the certificate is staged for now, at most a minute apart (sign-in is down). */
const IMPORT_FIRST_ROUNDS = 3;
const IMPORT_FIRST_PAUSE_MS = 60_000;

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
  const results = await copyCertificate(r, { thumbprint, source, targets });
  for (const result of results) {
    if (result.outcome === 'failed') {
      r.warn(`importing the current certificate on ${result.server} failed: ${result.detail}`);
    }
  }
  if (results.length > 0) {
    r.report.reasons.push(
      `imported the current certificate on: ${results.map((x) => `${x.server} (${x.outcome})`).join(', ')}`,
    );
  }
  return 'reinspect';
}

/**
 * The emergency path: the certificate (kept or just created) is imported on every server that lacks it BEFORE it is
 * staged for now, since Set-AuthConfig fails on a server without it and the servicelet may publish it at its next run,
 * breaking sign-in wherever it is missing (explorer seeds 179 and 182). An import that failed is tried again a few
 * times (a transient AD error is not a verdict: seed 420). A kept staged certificate that still cannot be imported
 * everywhere is replaced by a new one, so it is never published onto servers that lack it; a new one that cannot is
 * staged all the same (sign-in is broken everywhere already) and people are told which servers need it, and by when.
 */
export async function importFirst(r: Rotation): Promise<StepResult> {
  r.enterPhase('importing');
  const { certificate, decision } = need(r.facts, 'certificate', 'decision');
  const lacking = await importEverywhere(r);
  if (lacking.length === 0) return 'next';
  if (certificate.madeByThisRun) return tellLacking(r, lacking);
  r.warn(
    `the staged certificate ${certificate.thumbprint} could not be imported on ${lacking.join('; ')}: a new ` +
      'certificate is created and staged now in its place, so it is not published onto servers that lack it',
  );
  r.facts.decision = { path: decision.path, code: decision.code };
  delete r.facts.certificate;
  r.report.newThumbprint = null;
  const made = await generate(r);
  if (made !== 'next') return made;
  r.enterPhase('importing');
  const still = await importEverywhere(r);
  return still.length === 0 ? 'next' : tellLacking(r, still);
}

/** Imports where missing, and again after a pause while some server still lacks it; the servers still lacking it. */
async function importEverywhere(r: Rotation, when = 'before staging it now'): Promise<string[]> {
  let lacking = await importWhereMissing(r, when);
  for (let round = 1; lacking.length > 0 && round < IMPORT_FIRST_ROUNDS; round++) {
    const pause = Math.min(r.input.replicationPollInterval, IMPORT_FIRST_PAUSE_MS);
    await r.pause(pause, `importing again on ${lacking.join('; ')}`);
    lacking = await importWhereMissing(r, when);
  }
  return lacking;
}

async function tellLacking(r: Rotation, lacking: string[]): Promise<StepResult> {
  const { certificate } = need(r.facts, 'certificate');
  const { serverTime } = await r.reads.readServerClock();
  const latest = new Date(Date.parse(serverTime) + AUTH_ADMIN_CYCLE_HOURS * HOUR_MS).toISOString();
  const text =
    `${certificate.thumbprint} is staged now and becomes current at each server's next AuthAdmin run, by ${latest} ` +
    `at the latest; it could not be imported on ${lacking.join('; ')}. Import it there before then, or sign-in ` +
    'stays broken on those servers.';
  r.warn(text);
  await r.tell('action-required', 'Import the new Auth certificate where it is missing', text);
  return 'next';
}

/**
 * The resume path moving a date a person set: Set-AuthConfig fails on a server without the certificate, and if the move
 * fails the servicelet publishes at the person's date onto servers that lack it (explorer seed 972). It is imported
 * where it is missing first; the servers still lacking it.
 */
export async function importBeforeMovingDate(r: Rotation): Promise<string[]> {
  return importEverywhere(r, 'before moving its effective date');
}

/** Looks, copies the certificate where it is missing, looks again; the servers still lacking it, with why. */
async function importWhereMissing(r: Rotation, when: string): Promise<string[]> {
  const { certificate, servers } = need(r.facts, 'certificate', 'servers');
  const thumbprint = certificate.thumbprint;
  const before = await r.reads.checkReplication({ thumbprint, servers });
  if (lackingServers(before.servers).length === 0) return [];
  const source = copySource(before.servers, servers, certificate.server);
  const names = source ? copyTargets(before.servers, source, 'all-missing') : [];
  const targets = servers.filter((s) => names.includes(s.name));
  const failures = new Map<string, string>();
  if (source && targets.length > 0) {
    const results = await copyCertificate(r, { thumbprint, source, targets });
    for (const result of results) {
      if (result.outcome === 'failed') failures.set(result.server, result.detail ?? 'failed');
    }
    if (results.length > 0) {
      r.report.reasons.push(
        `imported ${thumbprint} ${when}, from ${source.name} on: ` +
          results.map((x) => `${x.server} (${x.outcome})`).join(', '),
      );
    }
  }
  // Look again: the organisation, not the import's answer, says whether every server has it now.
  const after = await r.reads.checkReplication({ thumbprint, servers });
  return lackingServers(after.servers).map((s) => `${s.server} (${failures.get(s.server) ?? s.state})`);
}
