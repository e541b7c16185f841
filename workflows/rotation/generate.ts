// Generate and stage: keep a certificate somebody staged already, or create one exactly as Microsoft specifies without
// letting it take the SMTP role (and never a second one), then stage it for its date. Staging looks at AuthConfig first
// and reports what it found, so a retry after a crash, or after the servicelet published meanwhile, reads the truth.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { EXCHANGE_NON_RETRYABLE_ERROR_TYPES } from '../../common/failures';
import { MIN_RECOMMENDED_EFFECTIVE_HOURS } from '../../common/names';
import type { StagingResult } from '../../common/rotation';
import { failureText, type Rotation } from './context';
import { keyBeforeStagingNow } from './hybrid-app';
import { importBeforeMovingDate } from './import';
import { isPatched } from './patches';
import type { StepResult } from './steps';
import { need } from './state';

/** Carry through the certificate a person or an earlier run staged; no new certificate is created. */
export async function adoptStaged(r: Rotation): Promise<StepResult> {
  const { snapshot, decision } = need(r.facts, 'snapshot', 'decision');
  const thumbprint = snapshot.authConfig.nextCertificateThumbprint;
  if (thumbprint === null) return r.stop('internal: no staged certificate to keep');
  r.facts.certificate = { thumbprint, madeByThisRun: false };
  r.report.newThumbprint = thumbprint;
  const date = snapshot.authConfig.nextCertificateEffectiveDate;
  // On the emergency path the stage step brings its date to now; on resume the date stands unless the plan moves it.
  if (decision.path === 'resume' && date !== null) {
    r.facts.staging = { effectiveDate: date, stagedAt: snapshot.serverTime, dateMoves: 0, restartAtDate: false };
    r.report.effectiveDate = date;
  }
  return 'next';
}

export async function generate(r: Rotation): Promise<StepResult> {
  r.enterPhase('generating');
  const { snapshot, servers } = need(r.facts, 'snapshot', 'servers');
  const creator = servers[0];
  if (!creator) return r.stop('no reachable Mailbox/Client Access server of version 15 to create the certificate on');
  const records = await r.reads.recordTransportCertificates(servers);
  const { authConfig } = snapshot;
  const exclude = [
    authConfig.currentCertificateThumbprint,
    authConfig.previousCertificateThumbprint,
    authConfig.nextCertificateThumbprint,
  ].filter((t): t is string => t !== null);
  // What the creating server holds before creation, kept in history: a retry that lost its heartbeat adopts what is
  // new rather than making a second certificate.
  const existing = await r.reads.listAuthCertificates({ server: creator });
  const made = await r.changes.generateAuthCertificate({ server: creator, existing, exclude });
  r.facts.certificate = { thumbprint: made.thumbprint, server: made.server, madeByThisRun: true };
  r.report.newThumbprint = made.thumbprint;
  r.report.newCertificateReused = made.reused;
  // Named until it is staged: a run that ends before then says which certificate it left behind.
  r.report.unstagedCertificate = { thumbprint: made.thumbprint, server: made.server };
  const checked = await r.changes.verifyTransportCertificates({ servers, records });
  for (const check of checked) {
    const outcome = r.serverOutcome(check.server);
    if (outcome) outcome.transport = check;
    if (check.restored) {
      r.warn(`creating the certificate moved SMTP on ${check.server}; ${check.before} was enabled for SMTP again`);
    }
    if (check.before !== check.after) {
      r.warn(`the internal transport certificate on ${check.server} is ${check.after}, was ${check.before}`);
    }
  }
  return 'next';
}

/** Stage the certificate: now (emergency), for the planned date (rotate), or at a moved date (resume). */
export async function stage(r: Rotation): Promise<StepResult> {
  r.enterPhase('staging');
  const { certificate, decision } = need(r.facts, 'certificate', 'decision');
  const emergency = decision.path === 'replace-now';
  const plan = r.facts.datePlan ?? null;
  const wanted = r.input.effectiveDateHours;
  const effectiveDate = emergency
    ? ({ kind: 'now' } as const)
    : (plan?.effectiveDate ?? ({ kind: 'relative', hours: wanted } as const));
  const plain = effectiveDate.kind === 'relative' && effectiveDate.hours >= MIN_RECOMMENDED_EFFECTIVE_HOURS;
  const moving = decision.path === 'resume' && plan !== null && isPatched('resume-import-before-moving-date');
  const lacking = moving ? await importBeforeMovingDate(r) : [];
  if (emergency && isPatched('emergency-key-before-staging')) await keyBeforeStagingNow(r);
  let result: StagingResult;
  try {
    result = await r.changes.stageCertificate({ thumbprint: certificate.thumbprint, effectiveDate, force: !plain });
  } catch (error) {
    if (!moving || !isCertificateNotFound(error)) throw error;
    // The date a person set still stands and the servicelet will publish at it: people must hear it while it is ahead.
    const date = r.facts.staging?.effectiveDate ?? 'its date';
    const text =
      `${certificate.thumbprint} stays staged for ${date}, which could not be moved (${failureText(error)}); it is ` +
      `missing on ${lacking.length > 0 ? lacking.join('; ') : 'the server Set-AuthConfig ran on'}. Import it there ` +
      'before then, or move the date with Set-AuthConfig on a server that has it, or sign-in breaks there.';
    await r.askPerson('A staged Auth certificate becomes current where it is missing', text);
    return r.stop(`the staged certificate's date could not be moved: ${failureText(error)}`);
  }
  recordStaging(r, result, plan?.restartAtDate ?? false);
  if (!emergency && effectiveDate.kind === 'relative') {
    r.report.effectiveDateHours = effectiveDate.hours;
    if (effectiveDate.hours < MIN_RECOMMENDED_EFFECTIVE_HOURS) {
      r.report.shortEffectiveDateAcknowledged = true;
      r.warn(
        `effective date only ${effectiveDate.hours} hours ahead (under ${MIN_RECOMMENDED_EFFECTIVE_HOURS}), as acknowledged in the input`,
      );
    }
  }
  if (result.state !== 'current' && plan) {
    r.report.dateChanges.push({ to: result.effectiveDate, code: plan.finding.code, reason: plan.finding.message });
  }
  return 'next';
}

/**
 * What AuthConfig said after staging, as the run's facts: staged for a date, or current already (the servicelet
 * published while a retry was pending; publication then finds it current at once).
 */
export function recordStaging(r: Rotation, result: StagingResult, restartAtDate: boolean): void {
  const dateMoves = r.facts.staging?.dateMoves ?? 0;
  const effectiveDate = result.effectiveDate ?? result.serverTime;
  r.facts.staging = { effectiveDate, stagedAt: result.serverTime, dateMoves, restartAtDate };
  // Current before this run's staging took (killed before Set-AuthConfig ran): it was published at the date AuthConfig
  // held when the run looked, a person's (explorer seed 1244), not at the time the retry saw it. The facts keep the
  // retry's time, a safe bound for what waits on it.
  const authConfig = r.facts.snapshot?.authConfig;
  const held =
    authConfig?.nextCertificateThumbprint === result.thumbprint ? authConfig.nextCertificateEffectiveDate : null;
  r.report.effectiveDate = result.effectiveDate ?? held ?? effectiveDate;
  delete r.report.unstagedCertificate;
}

const CERTIFICATE_NOT_FOUND: (typeof EXCHANGE_NON_RETRYABLE_ERROR_TYPES)[number] = 'CertificateNotFoundError';

function isCertificateNotFound(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === CERTIFICATE_NOT_FOUND
  );
}
