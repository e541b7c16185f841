// rotateAuthCertificate: carries an Exchange organisation from one Auth certificate to the next over two or more days.
// Each step is a small phase function that reads and writes one RotationState; the state is what continue-as-new
// carries, so every phase can resume from it. Decisions are the pure checks of common/policy.ts.
//
//   inspect → decide ─┬─ dry run / nothing to do / unreachable ─────────────────────────────────────→ finish
//                     ├─ import → inspect (again)
//                     ├─ rotate:      generate → stage (+49 h) → replicate → wait for the date → [restart host]
//                     │               → await publication (servicelet; diagnose when late) → recycle → sign-in → HCW
//                     ├─ resume:      (staged already) → replicate → ... as rotate
//                     └─ replace now: generate (or keep a usable staged one) → stage (now) → replicate → publish
//                                     → restart host → recycle → sign-in → record event 2014 → HCW
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  ContinueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { RotationActivities } from '../activities';
import { recordRotationMetrics } from './metrics';
import { NON_RETRYABLE_ERROR_TYPES, ROTATION_ERROR_TYPES } from '../common/failures';
import { AUTH_ADMIN_CYCLE_HOURS, MIN_RECOMMENDED_EFFECTIVE_HOURS } from '../common/names';
import {
  authAdminBlockedWarning,
  crossSiteServersLacking,
  decidePath,
  isPublicationOverdue,
  isUnreachable,
  plannedSteps,
  serversMissingCurrent,
  serversInScope,
  waitsForServicelet,
} from '../common/policy';
import {
  DEFAULT_REPLICATION_DEADLINE_MS,
  parseRotationInput,
  rotationPlacementIssues,
  type NotificationKind,
  type RotationInput,
  type RotationOutcome,
  type RotationPhase,
  type RotationReport,
  type ServerIdentity,
} from '../common/rotation';
import { organizationSearchAttribute, outcomeSearchAttribute, phaseSearchAttribute } from '../common/search-attributes';
import {
  HCW_COMPLETED_EXAMPLE,
  HCW_SKIPPED_EXAMPLE,
  hcwCompletedSignal,
  hcwSkippedSignal,
  reportQuery,
  statusQuery,
} from './messages';
import {
  detailsOf,
  hcwInstructions,
  initialState,
  serverOutcome,
  statusOf,
  type RotationState,
  type Step,
} from './state';

// One proxy per retry profile. Every activity heartbeats (activities/heartbeat.ts), so a dead worker is noticed within
// the heartbeat timeout even when a whole-organisation loop may legitimately run for many minutes. Reads are safe to
// repeat, so they retry quickly and often; changes look before acting and may repeat too, but slowly and fewer times;
// notifications must never fail a rotation.
const reads = proxyActivities<RotationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 15,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});
const changes = proxyActivities<RotationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '30s',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});
const notifications = proxyActivities<RotationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', maximumAttempts: 5 },
});

const RECYCLE_ROUNDS = 3;
const EMERGENCY_EVENTS_PATCH = 'emergency-records-event-2014';
const KNOWN_CERTIFICATES_PATCH = 'generate-knows-existing-auth-certificates';
const PLACEMENT_PATCH = 'rotation-placed-by-organisation';
const REPLICATION_CUTOFF_PATCH = 'replication-stops-before-effective-date';
const EARLY_HCW_ANSWER_PATCH = 'hcw-answer-accepted-after-publication';
const EMERGENCY_PUBLISHES_STAGED_PATCH = 'emergency-publishes-usable-staged-certificate';
const CHILD_DOMAIN_WARNING_PATCH = 'child-domain-warned-at-planning';
/** Time left for a person to import the certificate where replication did not bring it. */
const REPLICATION_MARGIN_MS = 2 * 60 * 60 * 1000;
const MAX_IMPORT_ROUNDS = 2;
const MAX_EFFECTIVE_DATE_TIMERS = 20;

/** Passed to the next run by continue-as-new; the first run starts without it. */
export interface CarriedState {
  state: RotationState;
}

const signalSchemas = {
  completed: z.object({ by: z.string().trim().min(1), note: z.string().optional() }),
  skipped: z.object({ by: z.string().trim().min(1), reason: z.string().trim().min(1) }),
};

export async function rotateAuthCertificate(rawInput: unknown, carried?: CarriedState): Promise<RotationReport> {
  const parsed = parseRotationInput(rawInput);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.message, ROTATION_ERROR_TYPES.invalidInput);
  const input = parsed.input;
  const info = workflowInfo();
  // Rotations recorded before this check ran under test IDs; they replay without it.
  if (patched(PLACEMENT_PATCH)) {
    const issues = rotationPlacementIssues(input.organization, info);
    if (issues.length > 0) {
      throw ApplicationFailure.nonRetryable(issues.join('\n'), ROTATION_ERROR_TYPES.invalidInput);
    }
  }
  const state = carried?.state ?? initialState(input.organization, info.workflowId, nowIso());
  const run = new Rotation(input, state, rawInput);
  return run.execute();
}

class Rotation {
  constructor(
    private readonly input: RotationInput,
    private readonly state: RotationState,
    private readonly rawInput: unknown,
  ) {}

  private get report(): RotationReport {
    return this.state.report;
  }

  async execute(): Promise<RotationReport> {
    this.registerHandlers();
    upsertSearchAttributes([
      { key: organizationSearchAttribute, value: this.input.organization.toLowerCase() },
      { key: phaseSearchAttribute, value: this.state.phase },
    ]);
    this.publishDetails();
    try {
      while (this.state.step !== 'finish') {
        await this.maybeContinueAsNew();
        this.state.step = await this.runStep(this.state.step);
      }
      return this.finish();
    } catch (error) {
      if (error instanceof ContinueAsNew) throw error;
      if (isCancellation(error)) {
        // A person cancelled: say so where rotations are searched for; whatever was done stays in the history.
        this.endUnfinished('cancelled');
        throw error;
      }
      this.enterPhase('failed');
      this.endUnfinished('failed');
      await this.tell('finished', 'rotation failed', errorText(error));
      throw error;
    }
  }

  /** A run that ends by failing or being cancelled returns no report, but is searched for and counted all the same. */
  private endUnfinished(outcome: Extract<RotationOutcome, 'failed' | 'cancelled'>): void {
    const now = nowIso();
    const open = this.report.phases.at(-1);
    if (open && open.endedAt === undefined) open.endedAt = now;
    this.report.outcome = outcome;
    this.report.finishedAt = now;
    upsertSearchAttributes([{ key: outcomeSearchAttribute, value: outcome }]);
    recordRotationMetrics(this.report);
  }

  private runStep(step: Exclude<Step, 'finish'>): Promise<Step> {
    switch (step) {
      case 'inspect':
        return this.inspect();
      case 'decide':
        return this.decide();
      case 'import':
        return this.importMissing();
      case 'generate':
        return this.generate();
      case 'stage':
        return this.stage();
      case 'replicate':
        return this.replicate();
      case 'wait-effective-date':
        return this.waitForEffectiveDate();
      case 'restart-service-host':
        return this.restartServiceHost();
      case 'await-publication':
        return this.awaitPublication();
      case 'publish-now':
        return this.publishNow();
      case 'recycle':
        return this.recycle();
      case 'sign-in':
        return this.checkSignIn();
      case 'confirm-events':
        return this.confirmEvents();
      case 'hcw':
        return this.awaitHcw();
    }
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Phases

  private async inspect(): Promise<Step> {
    this.enterPhase('inspecting');
    const snapshot = await reads.inspectOrganization();
    this.state.snapshot = snapshot;
    this.state.servers = serversInScope(snapshot, this.input.ignoreUnreachableServers).map(({ name, fqdn, site }) => ({
      name,
      fqdn,
      site,
    }));
    this.report.previousThumbprint = snapshot.authConfig.currentCertificateThumbprint;
    const earlier = this.report.servers;
    this.report.servers = snapshot.servers.map((s) => ({
      name: s.name,
      fqdn: s.fqdn,
      site: s.site,
      hasNewCertificate: false,
      event2014: false,
      poolsRecycledAfterPublication: false,
      currentThumbprint: snapshot.authConfig.currentCertificateThumbprint,
      ...(isUnreachable(s) ? { unreachable: s.unreachableReason ?? 'unreachable' } : {}),
      ...(isUnreachable(s) && this.input.ignoreUnreachableServers ? { ignored: true } : {}),
      // An import round inspects again; what it imported stays in the report.
      ...pickImported(earlier.find((e) => e.name === s.name)),
    }));
    return 'decide';
  }

  private async decide(): Promise<Step> {
    this.enterPhase('planning');
    const snapshot = this.snapshot();
    let decision = decidePath(snapshot, this.input);
    // Emergencies decided before a usable staged certificate was published instead created one; they replay that way.
    if (decision.publishStaged && !patched(EMERGENCY_PUBLISHES_STAGED_PATCH)) {
      decision = decidePath(snapshot, { ...this.input, publishUsableNext: false });
    }
    this.report.path = decision.path;
    this.report.reasons.push(...decision.reasons);
    const steps = plannedSteps(
      decision,
      snapshot,
      this.input.effectiveDateHours,
      this.input.restartServiceHostAfterEffectiveDate,
    );
    this.report.plannedSteps = steps;
    if (this.input.ignoreUnreachableServers) {
      for (const s of this.report.servers.filter((s) => s.ignored)) {
        this.warn(`${s.name} is unreachable and was left out of the rotation: check it has the new certificate`);
      }
    }
    const blocked = waitsForServicelet(decision.path) ? authAdminBlockedWarning(snapshot) : null;
    if (blocked !== null) {
      this.warn(blocked);
      // Now, not when publication is overdue two days later: the person has the whole wait to turn the switch on.
      // Rotations planned before this check replay without the notification.
      if (!this.input.dryRun && patched(CHILD_DOMAIN_WARNING_PATCH)) {
        await this.tell('action-required', 'Turn on EnableAuthAdminReadSession before the effective date', blocked);
      }
    }
    if (this.input.dryRun) {
      this.report.outcome = 'dry-run';
      return 'finish';
    }
    switch (decision.path) {
      case 'stop-unreachable':
        return this.stop(decision.reasons.join('; '));
      case 'nothing-to-do':
        // After an import round "nothing more to do" means the import was the work, and it is done.
        if (this.state.importRounds > 0) {
          this.report.path = 'import';
          this.report.outcome = 'completed';
        } else {
          this.report.outcome = 'nothing-to-do';
        }
        return 'finish';
      case 'import':
        return 'import';
      case 'replace-now':
        this.state.emergency = true;
        return decision.publishStaged ? this.adoptStagedCertificate() : 'generate';
      case 'resume':
        return this.adoptStagedCertificate();
      case 'rotate':
        return 'generate';
    }
  }

  /**
   * Somebody (an earlier run, a person) already staged a next certificate; carry it through. An emergency brings its
   * date forward to now and publishes it; otherwise its own date stands.
   */
  private adoptStagedCertificate(): Step {
    const { authConfig, serverTime, next } = this.snapshot();
    const thumbprint = authConfig.nextCertificateThumbprint!;
    this.state.certificate = { thumbprint, ...(next ?? {}) };
    this.report.newThumbprint = thumbprint;
    this.state.staging = {
      thumbprint,
      effectiveDate: authConfig.nextCertificateEffectiveDate ?? serverTime,
      serverTime,
      alreadyStaged: true,
    };
    this.report.effectiveDate = this.state.staging.effectiveDate;
    return this.state.emergency ? 'stage' : 'replicate';
  }

  private async importMissing(): Promise<Step> {
    this.enterPhase('importing');
    const snapshot = this.snapshot();
    const thumbprint = snapshot.authConfig.currentCertificateThumbprint!;
    const missing = serversMissingCurrent(snapshot);
    const source = this.state.servers.find(
      (s) => snapshot.servers.find((x) => x.name === s.name)?.current === 'present',
    );
    if (!source) return this.stop(`no reachable server has the current certificate ${thumbprint} to export`);
    if (this.state.importRounds >= MAX_IMPORT_ROUNDS) {
      return this.stop(`the current certificate is still missing on ${missing.join(', ')} after importing it`);
    }
    this.state.importRounds += 1;
    const targets = this.state.servers.filter((s) => missing.includes(s.name));
    const results = await changes.copyCertificate({ thumbprint, source, targets });
    for (const r of results) {
      const outcome = serverOutcome(this.state, r.server);
      if (r.outcome === 'imported' && outcome) outcome.importedAt = nowIso();
      if (r.outcome === 'failed') this.warn(`importing the current certificate on ${r.server} failed: ${r.detail}`);
    }
    // Look again: with every copy in place the organisation may also be due for rotation.
    this.report.reasons.push(
      `imported the current certificate on: ${results.map((r) => `${r.server} (${r.outcome})`).join(', ')}`,
    );
    return 'inspect';
  }

  private async generate(): Promise<Step> {
    this.enterPhase('generating');
    const snapshot = this.snapshot();
    const creator = this.state.servers[0];
    if (!creator)
      return this.stop('no reachable Mailbox/Client Access server of version 15 to create the certificate on');
    const records = await reads.recordTransportCertificates(this.state.servers);
    const { authConfig } = snapshot;
    const exclude = [
      authConfig.currentCertificateThumbprint,
      authConfig.previousCertificateThumbprint,
      authConfig.nextCertificateThumbprint,
    ].filter((t): t is string => t !== null);
    // What the creating server holds before creation, kept in history: a retry that lost its heartbeat adopts what is
    // new rather than making a second certificate. Earlier rotations compared NotBefore with runStartedAt instead.
    const made = await changes.generateAuthCertificate(
      patched(KNOWN_CERTIFICATES_PATCH)
        ? { server: creator, existing: await reads.listAuthCertificates({ server: creator }), exclude }
        : { server: creator, runStartedAt: this.state.runStartedAt, exclude },
    );
    this.state.certificate = made;
    this.report.newThumbprint = made.thumbprint;
    this.report.newCertificateReused = made.reused;
    const checked = await changes.verifyTransportCertificates({ servers: this.state.servers, records });
    for (const check of checked) {
      const outcome = serverOutcome(this.state, check.server);
      if (outcome) outcome.transport = check;
      if (check.restored) {
        this.warn(`creating the certificate moved SMTP on ${check.server}; ${check.before} was enabled for SMTP again`);
      }
      if (check.before !== check.after) {
        this.warn(`the internal transport certificate on ${check.server} is ${check.after}, was ${check.before}`);
      }
    }
    return 'stage';
  }

  private async stage(): Promise<Step> {
    this.enterPhase('staging');
    const hours = this.input.effectiveDateHours;
    const short = hours < MIN_RECOMMENDED_EFFECTIVE_HOURS;
    const staging = await changes.stageCertificate({
      thumbprint: this.state.certificate.thumbprint,
      effectiveDate: this.state.emergency ? { kind: 'now' } : { kind: 'relative', hours },
      force: this.state.emergency || short,
    });
    this.state.staging = staging;
    this.report.effectiveDate = staging.effectiveDate;
    if (!this.state.emergency) {
      this.report.effectiveDateHours = hours;
      if (short) {
        this.report.shortEffectiveDateAcknowledged = true;
        this.warn(
          `effective date only ${hours} hours ahead (under ${MIN_RECOMMENDED_EFFECTIVE_HOURS}), as acknowledged in the input`,
        );
      }
    }
    return 'replicate';
  }

  private async replicate(): Promise<Step> {
    this.enterPhase('replicating');
    const thumbprint = this.state.certificate.thumbprint;
    const deadline = this.state.emergency
      ? this.input.emergencyReplicationDeadline
      : (this.input.replicationDeadline ?? DEFAULT_REPLICATION_DEADLINE_MS);
    const importAfter = this.state.emergency ? 0 : this.input.crossSiteImportAfter;
    // Rotations that were replicating before the cut-off existed replay their polls up to the deadline alone.
    const cutoff = this.state.emergency || !patched(REPLICATION_CUTOFF_PATCH) ? null : this.replicationCutoff();
    this.state.replication.startedAt ??= Date.now();
    for (;;) {
      const check = await reads.checkReplication({ thumbprint, servers: this.state.servers });
      for (const s of check.servers) {
        const outcome = serverOutcome(this.state, s.server);
        if (!outcome) continue;
        if (s.state === 'present' && !outcome.hasNewCertificate) {
          outcome.hasNewCertificate = true;
          outcome.newCertificateSeenAt = check.serverTime;
        }
        if (s.state === 'unreachable') outcome.unreachable = s.detail ?? 'unreachable';
        else if (!outcome.ignored) delete outcome.unreachable;
      }
      const lacking = check.servers.filter((s) => s.state !== 'present');
      if (lacking.length === 0) break;
      const names = lacking.map((s) => `${s.server} (${s.state})`).join(', ');
      const elapsed = Date.now() - this.state.replication.startedAt;
      if (elapsed >= deadline) return this.stopReplication('replication deadline passed', names, cutoff !== null);
      // Server clock, like the effective date; a timer runs on Temporal's, which an accelerated server outpaces.
      const untilCutoff = cutoff === null ? Infinity : this.temporalMs(cutoff - Date.parse(check.serverTime));
      if (untilCutoff <= 0) {
        const why = `replication not complete by ${new Date(cutoff!).toISOString()} (server clock), shortly before the effective date`;
        return this.stopReplication(why, names, true);
      }
      // The last poll before the cut-off copies across sites whatever crossSiteImportAfter says: it is the last chance.
      const poll = Math.min(this.input.replicationPollInterval, untilCutoff);
      if (elapsed >= importAfter || poll === untilCutoff) await this.copyAcrossSites(check.servers);
      await this.pause(poll);
      await this.maybeContinueAsNew();
    }
    this.state.actionRequired = null;
    return this.state.emergency ? 'publish-now' : 'wait-effective-date';
  }

  /**
   * The server time by which every server must have the new certificate: the effective date less a margin for a
   * person to import it where it is missing (at most half the time from staging, so a short effective date still
   * leaves replication its time).
   */
  private replicationCutoff(): number {
    const staging = this.state.staging!;
    const effective = Date.parse(staging.effectiveDate);
    const window = effective - Date.parse(staging.serverTime);
    return effective - Math.max(0, Math.min(REPLICATION_MARGIN_MS, window / 2));
  }

  /** A span of server time as Temporal time; never a timer under a second. */
  private temporalMs(serverMs: number, rate = this.snapshot().serverClockRate): number {
    return serverMs <= 0 ? 0 : Math.max(Math.ceil(serverMs / rate), 1000);
  }

  /**
   * Servers still lack the certificate and time is up. On the planned path the certificate stays staged and the
   * servicelet will make it current at the date regardless, so a person must import it there first or stage another.
   */
  private async stopReplication(why: string, names: string, tellPerson: boolean): Promise<Step> {
    const stopped = `${why}; servers lacking the new certificate: ${names}`;
    if (this.state.emergency) return this.stop(stopped);
    const date = this.report.effectiveDate;
    if (tellPerson) {
      this.state.actionRequired =
        `Import the new Auth certificate ${this.state.certificate.thumbprint} on ${names} before ${date} (server ` +
        'clock), when it becomes current, or stage another certificate: this rotation has stopped.';
      await this.tell(
        'action-required',
        'Auth certificate not on every server before its effective date',
        this.state.actionRequired,
      );
    }
    return this.stop(
      `${stopped}; the certificate stays staged for ${date}: import it there before then, or stage another`,
    );
  }

  /** Where another AD site still lacks the certificate, export it once and import it there (emergency: everywhere). */
  private async copyAcrossSites(servers: Array<{ server: string; site: string; state: string }>): Promise<void> {
    const sourceName = servers.find((s) => s.state === 'present' && s.server === this.state.certificate.server)?.server;
    const source =
      this.state.servers.find((s) => s.name === sourceName) ??
      this.state.servers.find((s) => servers.find((x) => x.server === s.name)?.state === 'present');
    if (!source) return;
    const missing = servers.filter((s) => s.state === 'missing');
    const targetNames = this.state.emergency ? missing.map((s) => s.server) : crossSiteServersLacking(source, missing);
    const targets = this.state.servers.filter((s) => targetNames.includes(s.name));
    if (targets.length === 0) return;
    this.state.replication.copyAttempts += 1;
    const results = await changes.copyCertificate({ thumbprint: this.state.certificate.thumbprint, source, targets });
    for (const r of results) {
      const outcome = serverOutcome(this.state, r.server);
      if (r.outcome === 'imported' && outcome) {
        outcome.importedAt = nowIso();
        this.report.reasons.push(`imported the new certificate on ${r.server} (another AD site than ${source.name})`);
      }
    }
  }

  /** A Temporal timer to the effective date on the server's clock; then confirm the server agrees. */
  private async waitForEffectiveDate(): Promise<Step> {
    this.enterPhase('waiting-for-effective-date');
    const effective = Date.parse(this.state.staging!.effectiveDate);
    for (let timers = 0; ; timers += 1) {
      const clock = await reads.readServerClock();
      const remaining = effective - Date.parse(clock.serverTime);
      if (remaining <= 0) break;
      if (timers >= MAX_EFFECTIVE_DATE_TIMERS) {
        this.warn(
          `the server clock did not reach the effective date after ${timers} timers; watching for publication anyway`,
        );
        break;
      }
      // An accelerated (simulated) server clock passes the date sooner in real time.
      await this.pause(this.temporalMs(remaining, clock.serverClockRate));
    }
    return this.input.restartServiceHostAfterEffectiveDate ? 'restart-service-host' : 'await-publication';
  }

  private async restartServiceHost(): Promise<Step> {
    this.enterPhase('restarting-service-host');
    const pending = this.state.servers.filter((s) => !serverOutcome(this.state, s.name)?.serviceHostRestartedAt);
    // A service host started after this (server clock) has run its servicelets since: restarting it again gains nothing.
    const notBefore = this.state.emergency ? this.report.publishedAt : this.state.staging?.effectiveDate;
    const results = await changes.restartServiceHost({ servers: pending, notBefore });
    for (const r of results) {
      const outcome = serverOutcome(this.state, r.server);
      if (r.ok && outcome) outcome.serviceHostRestartedAt = r.at ?? nowIso();
      if (r.alreadyRestarted) {
        this.report.reasons.push(
          `MSExchangeServiceHost on ${r.server} had started at ${r.at}, after ${notBefore}: not restarted again`,
        );
      }
      if (!r.ok) this.warn(`restarting MSExchangeServiceHost on ${r.server} failed: ${r.error}`);
    }
    return this.state.emergency ? 'recycle' : 'await-publication';
  }

  /** The planned path never publishes by force: it waits for the servicelet, and asks a person when it is late. */
  private async awaitPublication(): Promise<Step> {
    this.enterPhase('publishing');
    const thumbprint = this.state.certificate.thumbprint;
    const effectiveDate = this.state.staging!.effectiveDate;
    const since = new Date(Date.parse(effectiveDate) - 60 * 60 * 1000).toISOString();
    let checkedAt = effectiveDate;
    for (;;) {
      const check = await reads.checkPublication({ thumbprint, servers: this.state.servers, since });
      checkedAt = check.serverTime;
      this.recordPublication(check.currentThumbprint, check.servers);
      const everywhere = this.state.servers.every((s) => serverOutcome(this.state, s.name)?.event2014);
      if (check.currentThumbprint === thumbprint && everywhere) break;
      const overdue = isPublicationOverdue(
        effectiveDate,
        check.serverTime,
        AUTH_ADMIN_CYCLE_HOURS,
        this.input.publicationMargin,
      );
      if (overdue && this.state.publication.overdueAt === null) await this.reportOverduePublication();
      if (
        this.state.publication.overdueAt !== null &&
        Date.now() - this.state.publication.overdueAt >= this.input.publicationGiveUpAfter
      ) {
        if (check.currentThumbprint !== thumbprint) {
          return this.stop('publication-overdue: the new certificate was not published; see the diagnosis');
        }
        // Current, but some servers never logged it: their pools still need the recycle, and a person a warning.
        const silent = this.state.servers.filter((s) => !serverOutcome(this.state, s.name)?.event2014);
        this.warn(`no event 2014 on ${silent.map((s) => s.name).join(', ')}: check the AuthAdmin servicelet there`);
        break;
      }
      await this.pause(this.input.publicationPollInterval);
      await this.maybeContinueAsNew();
    }
    this.state.actionRequired = null;
    // The first event 2014 is when the servicelet published it (server clock); without any, when it was seen current.
    this.report.publishedAt =
      this.report.servers
        .map((s) => s.event2014At)
        .filter((t): t is string => t !== undefined)
        .sort()[0] ?? checkedAt;
    return 'recycle';
  }

  private recordPublication(current: string | null, servers: Array<{ server: string; event2014At: string | null }>) {
    for (const outcome of this.report.servers.filter((s) => !s.ignored)) outcome.currentThumbprint = current;
    for (const s of servers) {
      const outcome = serverOutcome(this.state, s.server);
      if (outcome && s.event2014At && !outcome.event2014) {
        outcome.event2014 = true;
        outcome.event2014At = s.event2014At;
      }
    }
  }

  private async reportOverduePublication(): Promise<void> {
    this.state.publication.overdueAt = Date.now();
    const { childDomain } = this.snapshot();
    const diagnosis = await reads.diagnoseServicelet({
      servers: this.state.servers,
      ...(childDomain === undefined ? {} : { childDomain }),
    });
    this.report.diagnosis = diagnosis;
    this.state.actionRequired = diagnosis.advice.join(' ');
    this.warn(
      `publication overdue: not published within one ${AUTH_ADMIN_CYCLE_HOURS}-hour servicelet cycle plus the margin`,
    );
    await this.tell('action-required', 'Auth certificate publication overdue', this.state.actionRequired);
  }

  /** Emergency only: the next certificate is on every server (replication confirmed it); publish it now. */
  private async publishNow(): Promise<Step> {
    this.enterPhase('publishing');
    const result = await changes.publishCertificateNow({
      thumbprint: this.state.certificate.thumbprint,
      servers: this.state.servers,
      replacing: this.report.previousThumbprint,
    });
    // A retry after a crash finds it current already; `published` says whether an earlier attempt did that.
    this.report.publishedByForce = result.published ?? !result.alreadyCurrent;
    this.report.previousCleared = result.previousCleared;
    // Server clock, as on the planned path (event 2014); the restart that follows is measured against it.
    this.report.publishedAt = result.serverTime ?? nowIso();
    for (const outcome of this.report.servers.filter((s) => !s.ignored))
      outcome.currentThumbprint = result.currentThumbprint;
    return 'restart-service-host';
  }

  private async recycle(): Promise<Step> {
    this.enterPhase('recycling');
    for (let round = 1; ; round += 1) {
      const alreadyRecycled = this.report.servers.filter((s) => s.poolsRecycledAfterPublication).map((s) => s.name);
      // A pool whose worker process started after this (server clock) already serves the new certificate.
      const notBefore = this.report.publishedAt;
      const results = await changes.recycleAuthAppPools({ servers: this.state.servers, alreadyRecycled, notBefore });
      for (const r of results) {
        const outcome = serverOutcome(this.state, r.server);
        if (outcome && r.verified && !r.skipped) {
          outcome.poolsRecycledAfterPublication = true;
          outcome.poolsRecycledAt = r.recycledAt ?? nowIso();
        }
        for (const p of r.alreadyRecycled ?? []) {
          this.report.reasons.push(
            `${p.pool} on ${r.server} had started a worker process at ${p.startedAt}, after ${notBefore}: not recycled again`,
          );
        }
      }
      const failed = results.filter((r) => !r.verified);
      if (failed.length === 0) break;
      if (round >= RECYCLE_ROUNDS) {
        for (const r of failed) this.warn(`recycling the OWA/ECP pools on ${r.server} did not verify: ${r.detail}`);
        break;
      }
      await this.pause(60_000);
    }
    return 'sign-in';
  }

  private async checkSignIn(): Promise<Step> {
    const mailbox = this.input.probeMailbox;
    if (!mailbox) {
      if (this.state.emergency) this.warn('sign-in was not checked: the input names no probeMailbox');
      return this.afterSignIn();
    }
    this.enterPhase('verifying-sign-in');
    const results = await reads.checkSignIn({ servers: this.state.servers, mailbox });
    for (const r of results) {
      const outcome = serverOutcome(this.state, r.server);
      if (outcome) outcome.signIn = { ok: r.ok, detail: r.detail };
      if (!r.ok) this.warn(`OAuth sign-in check failed on ${r.server}: ${r.detail}`);
    }
    return this.afterSignIn();
  }

  private afterSignIn(): Step {
    // Added after emergency rotations had run: histories without the marker keep their old course.
    return this.state.emergency && patched(EMERGENCY_EVENTS_PATCH) ? 'confirm-events' : 'hcw';
  }

  /** Emergency only: the certificate was published by force; record which servers logged it (no waiting for it). */
  private async confirmEvents(): Promise<Step> {
    const check = await reads.checkPublication({
      thumbprint: this.state.certificate.thumbprint,
      servers: this.state.servers,
      since: this.state.staging?.serverTime ?? this.report.startedAt,
    });
    this.recordPublication(check.currentThumbprint, check.servers);
    const missing = this.state.servers.filter((s) => !serverOutcome(this.state, s.name)?.event2014);
    if (missing.length > 0) {
      this.warn(
        `event 2014 not yet seen on ${missing.map((s) => s.name).join(', ')}: publishing can take up to an hour to take effect`,
      );
    }
    return 'hcw';
  }

  /** A person re-runs the Hybrid Configuration Wizard; the rotation waits, reminds, and never fails for want of it. */
  private async awaitHcw(): Promise<Step> {
    const hcw = this.report.hcw;
    if (!this.snapshot().hybrid) {
      hcw.status = 'not-needed';
      this.report.outcome = 'completed';
      return 'finish';
    }
    if (hcw.status === 'completed' || hcw.status === 'skipped') {
      // Answered after publication, before this phase asked: nothing to wait for or to remind of.
      this.report.outcome = 'completed';
      return 'finish';
    }
    this.enterPhase('awaiting-hcw');
    if (this.state.hcwWaitStartedAt === null) {
      this.state.hcwWaitStartedAt = Date.now();
      hcw.status = 'waiting';
      this.state.actionRequired = hcwInstructions(this.report.workflowId);
      this.publishDetails();
      await this.tell('action-required', 'Re-run the Hybrid Configuration Wizard', this.state.actionRequired);
    }
    const deadline = this.state.hcwWaitStartedAt + this.input.hcwTimeout;
    while (hcw.status === 'waiting') {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const wait = Math.min(this.input.hcwReminderInterval, remaining);
      this.state.nextCheckAt = new Date(Date.now() + wait).toISOString();
      this.publishDetails();
      const answered = await condition(() => hcw.status !== 'waiting', wait);
      if (!answered && Date.now() < deadline) {
        hcw.remindersSent += 1;
        if (this.input.notifications.reminders) {
          await this.tell(
            'reminder',
            'Reminder: re-run the Hybrid Configuration Wizard',
            this.state.actionRequired ?? '',
          );
        }
      }
      await this.maybeContinueAsNew();
    }
    this.state.nextCheckAt = null;
    this.state.actionRequired = null;
    if (hcw.status === 'waiting') {
      hcw.status = 'pending';
      this.warn('nobody confirmed the Hybrid Configuration Wizard in time: re-run it and record it outside this run');
      this.report.outcome = 'hcw-pending';
    } else {
      this.report.outcome = 'completed';
    }
    return 'finish';
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Plumbing

  private registerHandlers(): void {
    setHandler(statusQuery, () => statusOf(this.state), {
      description: 'Phase, servers, next check and what a person must do now',
    });
    setHandler(reportQuery, () => this.report);
    setHandler(
      hcwCompletedSignal,
      (payload) => {
        const parsed = signalSchemas.completed.safeParse(payload);
        if (!this.acceptHcwAnswer(parsed.success, `${hcwCompletedSignal.name} needs ${HCW_COMPLETED_EXAMPLE}`)) return;
        const { by, note } = parsed.data!;
        Object.assign(this.report.hcw, { status: 'completed', by, at: nowIso(), ...(note ? { note } : {}) });
      },
      {
        description: `The Hybrid Configuration Wizard was re-run after the new certificate became current: ${HCW_COMPLETED_EXAMPLE}`,
      },
    );
    setHandler(
      hcwSkippedSignal,
      (payload) => {
        const parsed = signalSchemas.skipped.safeParse(payload);
        if (!this.acceptHcwAnswer(parsed.success, `${hcwSkippedSignal.name} needs ${HCW_SKIPPED_EXAMPLE}`)) return;
        const { by, reason } = parsed.data!;
        Object.assign(this.report.hcw, { status: 'skipped', by, at: nowIso(), reason });
      },
      {
        description: `Finish without re-running the Hybrid Configuration Wizard: ${HCW_SKIPPED_EXAMPLE}`,
      },
    );
  }

  /**
   * Signals cannot fail, so a wrong or early one is recorded as a warning and otherwise ignored. An answer that comes
   * once the certificate is published but before the rotation asks (a person ran the wizard while pools recycled) is
   * kept: the HCW phase then has nothing to wait for.
   */
  private acceptHcwAnswer(valid: boolean, rule: string): boolean {
    const { status } = this.report.hcw;
    if (!valid) {
      this.warn(`ignored an HCW signal: ${rule}`);
      return false;
    }
    const published = this.report.publishedAt !== undefined;
    const early = status === 'not-needed' && published && this.state.snapshot?.hybrid === true;
    // Older histories ignored such an answer and waited; they replay that way.
    if (status !== 'waiting' && !(early && patched(EARLY_HCW_ANSWER_PATCH))) {
      const why =
        status !== 'not-needed'
          ? `HCW is ${status}`
          : published
            ? `${this.state.phase}: the organisation has no hybrid configuration`
            : `${this.state.phase}: the wizard only helps once the new certificate is current`;
      this.warn(`ignored an HCW signal while ${why}`);
      return false;
    }
    this.publishDetails();
    return true;
  }

  private enterPhase(phase: RotationPhase): void {
    const now = nowIso();
    const open = this.report.phases.at(-1);
    if (open && open.phase === phase && open.endedAt === undefined) return;
    if (open && open.endedAt === undefined) open.endedAt = now;
    this.state.phase = phase;
    this.state.nextCheckAt = null;
    if (phase !== 'done' && phase !== 'failed') this.report.phases.push({ phase, startedAt: now });
    upsertSearchAttributes([{ key: phaseSearchAttribute, value: phase }]);
    this.publishDetails();
  }

  private async pause(ms: number): Promise<void> {
    this.state.nextCheckAt = new Date(Date.now() + ms).toISOString();
    this.publishDetails();
    await sleep(ms);
  }

  private stop(reason: string): Step {
    this.report.outcome = 'stopped';
    this.report.stopReason = reason;
    return 'finish';
  }

  private warn(warning: string): void {
    if (!this.report.warnings.includes(warning)) this.report.warnings.push(warning);
  }

  private async finish(): Promise<RotationReport> {
    this.enterPhase('done');
    this.report.finishedAt = nowIso();
    const outcome: RotationOutcome = this.report.outcome;
    upsertSearchAttributes([{ key: outcomeSearchAttribute, value: outcome }]);
    const text =
      this.report.stopReason ?? `${outcome}${this.report.newThumbprint ? `: ${this.report.newThumbprint}` : ''}`;
    await this.tell('finished', `Auth certificate rotation ${outcome}`, text);
    this.publishDetails();
    recordRotationMetrics(this.report);
    return this.report;
  }

  private async tell(kind: NotificationKind, subject: string, text: string): Promise<void> {
    const wanted =
      kind === 'reminder'
        ? this.input.notifications.reminders
        : kind === 'finished'
          ? this.input.notifications.finished
          : this.input.notifications.actionRequired;
    if (!wanted) return;
    try {
      await notifications.notify({
        organization: this.input.organization,
        workflowId: this.report.workflowId,
        kind,
        subject: `${this.input.organization}: ${subject}`,
        text,
      });
    } catch (error) {
      // A webhook that is down must not fail a rotation; the status query and the log still say it.
      this.warn(`notification "${subject}" not delivered: ${errorText(error)}`);
    }
  }

  private publishDetails(): void {
    setCurrentDetails(detailsOf(this.state));
  }

  private snapshot() {
    if (!this.state.snapshot)
      throw ApplicationFailure.nonRetryable('internal: no inspection yet', 'RotationStateError');
    return this.state.snapshot;
  }

  private async maybeContinueAsNew(): Promise<void> {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < this.input.maxHistoryEvents) return;
    this.report.continuedAsNew += 1;
    await continueAsNew<typeof rotateAuthCertificate>(this.rawInput, { state: this.state });
  }
}

function pickImported(outcome: { importedAt?: string } | undefined): { importedAt?: string } {
  return outcome?.importedAt ? { importedAt: outcome.importedAt } : {};
}

function nowIso(): string {
  return new Date().toISOString();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { ServerIdentity };
