// Publication. The planned paths never publish by force: the AuthAdmin servicelet publishes at its first run after the
// effective date (at once after a service host restart), AuthConfig naming the certificate current is the proof, event
// 2014 corroborates it where it appears, and a late publication is diagnosed for a person. The emergency path publishes
// with -PublishCertificate once every server holds the certificate.
import { AUTH_ADMIN_CYCLE_HOURS } from '../../common/names';
import { HOUR_MS, isPublicationOverdue, nextPublicationLook, publicationTime } from '../../common/policy';
import type { PublicationCheck } from '../../common/rotation';
import { changes, reads } from './proxies';
import { nowIso, type Rotation } from './context';
import type { StepResult } from './steps';
import { need } from './state';

export async function restartServiceHost(r: Rotation): Promise<StepResult> {
  r.enterPhase('restarting-service-host');
  const { servers, decision } = need(r.facts, 'servers', 'decision');
  const pending = servers.filter((s) => !r.serverOutcome(s.name)?.serviceHostRestartedAt);
  // A service host started after this (server clock) has run its servicelets since: restarting it gains nothing.
  const notBefore = decision.path === 'replace-now' ? r.report.publishedAt : r.facts.staging?.effectiveDate;
  const results = await changes.restartServiceHost({ servers: pending, ...(notBefore ? { notBefore } : {}) });
  for (const result of results) {
    const outcome = r.serverOutcome(result.server);
    if (result.ok && outcome) outcome.serviceHostRestartedAt = result.at ?? nowIso();
    if (result.alreadyRestarted) {
      r.report.reasons.push(
        `MSExchangeServiceHost on ${result.server} had started at ${result.at}, after ${notBefore}: not restarted again`,
      );
    }
    if (!result.ok) r.warn(`restarting MSExchangeServiceHost on ${result.server} failed: ${result.error}`);
  }
  return 'next';
}

/** Events naming the certificate count from the inspection on: none can be older than the certificate. */
function eventsSince(r: Rotation): string {
  return need(r.facts, 'snapshot').snapshot.serverTime;
}

export async function awaitPublication(r: Rotation): Promise<StepResult> {
  r.enterPhase('publishing');
  const { certificate, servers, staging } = need(r.facts, 'certificate', 'servers', 'staging');
  const thumbprint = certificate.thumbprint;
  for (;;) {
    const check = await reads.checkPublication({ thumbprint, servers, since: eventsSince(r) });
    recordPublication(r, check);
    if (check.currentThumbprint === thumbprint) {
      const publishedAt = publicationTime(
        r.report.servers.map((s) => s.event2014At),
        check.serverTime,
      );
      r.facts.publication = { publishedAt };
      r.report.publishedAt = publishedAt;
      r.state.actionRequired = null;
      return 'next';
    }
    if (check.nextThumbprint !== thumbprint) {
      return r.stop(
        `${thumbprint} is neither current nor staged any more (AuthConfig: current ${check.currentThumbprint}, ` +
          `next ${check.nextThumbprint}): somebody changed AuthConfig; inspect and start again`,
      );
    }
    const overdue = isPublicationOverdue(
      staging.effectiveDate,
      check.serverTime,
      AUTH_ADMIN_CYCLE_HOURS,
      r.input.publicationMargin,
    );
    if (overdue && r.state.progress.overdueAt === null) await reportOverdue(r, check.serverTime);
    const overdueAt = r.state.progress.overdueAt;
    const giveUpAt = overdueAt === null ? null : Date.parse(overdueAt) + r.input.publicationGiveUpAfter;
    if (giveUpAt !== null && Date.parse(check.serverTime) >= giveUpAt) {
      return r.stop('publication-overdue: the new certificate was not published; see the diagnosis');
    }
    const overdueFrom =
      Date.parse(staging.effectiveDate) + AUTH_ADMIN_CYCLE_HOURS * HOUR_MS + r.input.publicationMargin;
    const schedule = await reads.readServiceletSchedule({ servers });
    const look = nextPublicationLook({
      effectiveDate: staging.effectiveDate,
      serverNow: schedule.serverTime,
      lastRuns: schedule.lastRuns.map((run) => run.lastRun),
      cycleHours: AUTH_ADMIN_CYCLE_HOURS,
      pollMs: r.input.publicationPollInterval,
      lookBy: new Date(giveUpAt ?? overdueFrom).toISOString(),
    });
    const why =
      look.nextRunAt === null
        ? 'the AuthAdmin servicelet to publish the certificate (its schedule is unknown: looking at the poll interval)'
        : `the AuthAdmin servicelet's next run at ${look.nextRunAt} (server clock), which publishes the certificate`;
    await r.pause(r.temporalMs(look.waitMs), why);
  }
}

/** Where the servicelet logged event 2014 for it, and what each server's AuthConfig view now names current. */
export function recordPublication(r: Rotation, check: PublicationCheck): void {
  for (const outcome of r.inScopeOutcomes()) outcome.currentThumbprint = check.currentThumbprint;
  for (const s of check.servers) {
    const outcome = r.serverOutcome(s.server);
    if (outcome && s.event2014At && !outcome.event2014) {
      outcome.event2014 = true;
      outcome.event2014At = s.event2014At;
    }
  }
}

async function reportOverdue(r: Rotation, serverTime: string): Promise<void> {
  r.state.progress.overdueAt = serverTime;
  const { servers, snapshot } = need(r.facts, 'servers', 'snapshot');
  const diagnosis = await reads.diagnoseServicelet({
    servers,
    ...(snapshot.childDomain === undefined ? {} : { childDomain: snapshot.childDomain }),
  });
  r.report.diagnosis = diagnosis;
  r.warn(
    `publication overdue: not published within one ${AUTH_ADMIN_CYCLE_HOURS}-hour servicelet cycle plus the margin`,
  );
  await r.askPerson('Auth certificate publication overdue', diagnosis.advice.join(' '));
}

/** Emergency only: the certificate is on every server (replication confirmed it); publish it now. */
export async function publishNow(r: Rotation): Promise<StepResult> {
  r.enterPhase('publishing');
  const { certificate, servers } = need(r.facts, 'certificate', 'servers');
  const result = await changes.publishCertificateNow({
    thumbprint: certificate.thumbprint,
    servers,
    replacing: r.report.previousThumbprint,
  });
  // A retry after a crash finds it current already; `published` says whether an earlier attempt did that.
  r.report.publishedByForce = result.published;
  r.report.previousCleared = result.previousCleared;
  r.facts.publication = { publishedAt: result.serverTime };
  r.report.publishedAt = result.serverTime;
  for (const outcome of r.inScopeOutcomes()) outcome.currentThumbprint = result.currentThumbprint;
  return 'next';
}

/** Emergency only: published by force; record which servers logged event 2014 (no waiting for it). */
export async function confirmEvents(r: Rotation): Promise<StepResult> {
  const { certificate, servers } = need(r.facts, 'certificate', 'servers');
  const check = await reads.checkPublication({ thumbprint: certificate.thumbprint, servers, since: eventsSince(r) });
  recordPublication(r, check);
  return 'next';
}
