// Replication: every server in scope must hold the new certificate before it becomes current. Each look is followed by
// the policy's next step: wait and look again, copy it where it is missing (across sites after a while, everywhere at
// the last chance), move the date when it is still missing close to it, or stop and say exactly what a person must do.
import { copySource, copyTargets, nextReplicationStep, type CopyScope, type ServerPresence } from '../../common/policy';
import type { Rotation } from './context';
import { copyCertificate } from './copy';
import { recordStaging } from './generate';
import type { StepResult } from './steps';
import { need } from './state';

export async function replicate(r: Rotation): Promise<StepResult> {
  r.enterPhase('replicating');
  const { certificate, decision, servers } = need(r.facts, 'certificate', 'decision', 'servers');
  const emergency = decision.path === 'replace-now';
  const thumbprint = certificate.thumbprint;
  // Where the date had to move because servers lacked it, it is imported there at once.
  let copyNow: CopyScope | null = r.facts.datePlan?.finding.code === 'staged-date-too-close' ? 'all-missing' : null;
  for (;;) {
    const check = await r.reads.checkReplication({ thumbprint, servers });
    recordPresence(r, check.servers, check.serverTime);
    const startedAt = (r.state.progress.replicationStartedAt ??= check.serverTime);
    const staging = r.facts.staging;
    const step = nextReplicationStep({
      servers: check.servers,
      serverNow: check.serverTime,
      emergency,
      elapsedMs: Date.parse(check.serverTime) - Date.parse(startedAt),
      deadlineMs: emergency ? r.input.emergencyReplicationDeadline : (r.input.replicationDeadline ?? Infinity),
      pollMs: r.input.replicationPollInterval,
      crossSiteImportAfterMs: r.input.crossSiteImportAfter,
      ...(staging && !emergency
        ? {
            staging: {
              effectiveDate: staging.effectiveDate,
              stagedAt: staging.stagedAt,
              dateMoves: staging.dateMoves,
              currentNotAfter: r.facts.snapshot?.current?.notAfter ?? null,
            },
          }
        : {}),
    });
    switch (step.code) {
      case 'complete':
        r.state.actionRequired = null;
        return 'next';
      case 'waiting':
        await copyWhereMissing(r, check.servers, copyNow ?? step.copy);
        copyNow = null;
        await r.pause(r.temporalMs(step.pollServerMs), `every server to hold ${thumbprint.slice(0, 8)}… (replication)`);
        break;
      case 'move-date':
        await copyWhereMissing(r, check.servers, step.copy);
        await moveDate(r, step.to, step.finding.message);
        break;
      case 'deadline-passed':
      case 'cutoff-reached':
        return stopLacking(r, step.finding.message, check.servers);
    }
  }
}

function recordPresence(r: Rotation, servers: Array<ServerPresence & { detail?: string }>, serverTime: string): void {
  for (const s of servers) {
    const outcome = r.serverOutcome(s.server);
    if (!outcome) continue;
    if (s.state === 'present' && !outcome.hasNewCertificate) {
      outcome.hasNewCertificate = true;
      outcome.newCertificateSeenAt = serverTime;
    }
    if (s.state === 'unreachable') outcome.unreachable = s.detail ?? 'unreachable';
    else if (!outcome.ignored) delete outcome.unreachable;
  }
}

/** Export the certificate once and import it where the scope says it is missing. */
async function copyWhereMissing(r: Rotation, servers: ServerPresence[], scope: CopyScope | null): Promise<void> {
  if (scope === null) return;
  const { certificate, servers: inScope } = need(r.facts, 'certificate', 'servers');
  const source = copySource(servers, inScope, certificate.server);
  if (!source) return;
  const names = copyTargets(servers, source, scope);
  const targets = inScope.filter((s) => names.includes(s.name));
  if (targets.length === 0) return;
  const results = await copyCertificate(r, { thumbprint: certificate.thumbprint, source, targets });
  for (const result of results) {
    if (result.outcome === 'imported') {
      r.report.reasons.push(`imported the new certificate on ${result.server} (from ${source.name})`);
    }
  }
}

/** The same certificate, a later date: the servicelet must not publish it before every server has it. */
export async function moveDate(
  r: Rotation,
  to: string,
  why: string,
  goingOn = 'The rotation goes on replicating.',
): Promise<void> {
  const { certificate, staging } = need(r.facts, 'certificate', 'staging');
  const result = await r.changes.stageCertificate({
    thumbprint: certificate.thumbprint,
    effectiveDate: { kind: 'absolute', iso: to },
    force: true,
  });
  recordStaging(r, result, staging.restartAtDate);
  r.facts.staging = { ...need(r.facts, 'staging').staging, dateMoves: staging.dateMoves + 1 };
  if (result.state === 'current') {
    r.warn(`${certificate.thumbprint} became current before its date could move: ${why}`);
    return;
  }
  r.report.dateChanges.push({ to: result.effectiveDate, code: 'move-date', reason: why });
  r.warn(why);
  await r.tell('action-required', 'Auth certificate effective date moved', `${why}. ${goingOn}`);
}

/**
 * Servers still lack the certificate and the date cannot move: stop, with advice read from AuthConfig as it is now
 * (not as the run remembers it), while the date is still ahead.
 */
async function stopLacking(r: Rotation, why: string, servers: ServerPresence[]): Promise<StepResult> {
  const { certificate, decision } = need(r.facts, 'certificate', 'decision');
  const thumbprint = certificate.thumbprint;
  const lacking = servers.filter((s) => s.state !== 'present').map((s) => s.server);
  if (decision.path === 'replace-now') return r.stop(why);
  const { authConfig, serverTime } = await r.reads.readAuthConfig();
  let advice: string;
  if (authConfig.currentCertificateThumbprint === thumbprint) {
    advice = `it is current already (server time ${serverTime}): import it on ${lacking.join(', ')} now, where sign-in fails`;
  } else if (authConfig.nextCertificateThumbprint === thumbprint) {
    const date = authConfig.nextCertificateEffectiveDate ?? 'an unknown date';
    advice =
      `it stays staged for ${date} (server clock), when it becomes current: import it on ${lacking.join(', ')} ` +
      'before then, or stage another certificate';
  } else {
    advice = `it is no longer staged (AuthConfig names ${authConfig.nextCertificateThumbprint ?? 'no'} next certificate)`;
  }
  await r.askPerson('Auth certificate not on every server before its effective date', `${thumbprint}: ${advice}.`);
  return r.stop(`${why}; ${advice}`);
}
