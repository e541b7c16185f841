// Pure decisions over an OrganizationSnapshot, each named after the state it detects (cert-manager style). The workflow
// calls them on the inspect activity's answer; the tests check them in tables. No I/O, no clock: time comes in.
import { ECP_APP_POOL, OWA_APP_POOL, SERVICE_HOST_SERVICE } from './names';
import type { ChildDomainFacts, OrganizationSnapshot, PresenceState, RotationPath, ServerSnapshot } from './rotation';

const DAY_MS = 24 * 60 * 60 * 1000;

const serverNow = (s: OrganizationSnapshot) => Date.parse(s.serverTime);

/** Servers that could not be asked about a certificate: the run cannot reason about them. */
export function unreachableServers(s: OrganizationSnapshot): string[] {
  return s.servers.filter(isUnreachable).map((server) => server.name);
}

export function isUnreachable(server: ServerSnapshot): boolean {
  return server.current === 'unreachable' || server.next === 'unreachable' || server.unreachableReason !== undefined;
}

/** The servers that count: all of them, or only the reachable ones when the input says to ignore the others. */
export function serversInScope(s: OrganizationSnapshot, ignoreUnreachable: boolean): ServerSnapshot[] {
  return ignoreUnreachable ? s.servers.filter((server) => !isUnreachable(server)) : s.servers;
}

export function isCurrentExpired(s: OrganizationSnapshot): boolean {
  return s.current !== null && Date.parse(s.current.notAfter) <= serverNow(s);
}

/** AuthConfig names no current certificate, or no server that answered has it. */
export function isCurrentMissingEverywhere(s: OrganizationSnapshot): boolean {
  if (s.authConfig.currentCertificateThumbprint === null) return true;
  const answered = s.servers.filter((server) => server.current === 'present' || server.current === 'missing');
  return answered.length > 0 && answered.every((server) => server.current === 'missing');
}

export function daysUntilCurrentExpires(s: OrganizationSnapshot): number | null {
  return s.current === null ? null : (Date.parse(s.current.notAfter) - serverNow(s)) / DAY_MS;
}

export function isCurrentWithinRenewBefore(s: OrganizationSnapshot, renewBeforeDays: number): boolean {
  const days = daysUntilCurrentExpires(s);
  return days !== null && days <= renewBeforeDays;
}

/** A next certificate is staged (by an earlier run or a person) and not yet current: continue from there. */
export function isNextStaged(s: OrganizationSnapshot): boolean {
  const { nextCertificateThumbprint: next, currentCertificateThumbprint: current } = s.authConfig;
  return next !== null && next !== current;
}

/** The staged next certificate is on no server that answered: nothing to carry on with, so a new one is staged. */
export function isNextMissingEverywhere(s: OrganizationSnapshot): boolean {
  if (!isNextStaged(s)) return false;
  const answered = s.servers.filter((server) => server.next === 'present' || server.next === 'missing');
  return answered.length > 0 && answered.every((server) => server.next === 'missing');
}

function serversWhere(servers: ServerSnapshot[], pick: (server: ServerSnapshot) => PresenceState | null): string[] {
  return servers.filter((server) => pick(server) === 'missing').map((server) => server.name);
}

export function serversMissingCurrent(s: OrganizationSnapshot): string[] {
  return serversWhere(s.servers, (server) => server.current);
}

export function serversMissingNext(s: OrganizationSnapshot): string[] {
  return isNextStaged(s) ? serversWhere(s.servers, (server) => server.next) : [];
}

/**
 * The staged next certificate could be made current now: a server has it (so its validity is known), it is valid now,
 * and it stays valid for more than `minValidDays`. One that would itself be due for renewal is not worth publishing.
 */
export function isNextUsable(s: OrganizationSnapshot, minValidDays: number): boolean {
  return nextUnusableBecause(s, minValidDays) === null;
}

/** Why the staged next certificate cannot be made current now, or null when it can. */
function nextUnusableBecause(s: OrganizationSnapshot, minValidDays: number): string | null {
  if (!isNextStaged(s)) return 'none is staged';
  const { next } = s;
  if (next === null || next.thumbprint !== s.authConfig.nextCertificateThumbprint) return 'it is on no server';
  const now = serverNow(s);
  if (Date.parse(next.notBefore) > now) return `it is not valid before ${next.notBefore}`;
  if (Date.parse(next.notAfter) - now <= minValidDays * DAY_MS) {
    return `it expires at ${next.notAfter}, within renewBefore (${minValidDays} days)`;
  }
  return null;
}

/** The staged next certificate's effective date is still ahead on the server's clock. */
export function isNextEffectiveLater(s: OrganizationSnapshot): boolean {
  const date = s.authConfig.nextCertificateEffectiveDate;
  return isNextStaged(s) && (date === null || Date.parse(date) > serverNow(s));
}

/**
 * The Exchange servers are in a child domain and EnableAuthAdminReadSession is off: the AuthAdmin servicelet cannot
 * read the system mailbox in the root domain, so it never runs and never publishes a staged certificate.
 */
export function isAuthAdminBlockedByChildDomain(s: OrganizationSnapshot): boolean {
  // Unknown (null) counts as off: a person is told to check, rather than the run waiting for a publication in vain.
  return !!s.childDomain && s.enableAuthAdminReadSession !== true;
}

/** The child-domain facts in words, for warnings and advice; `readSession` null: the switch could not be read. */
export function childDomainBlocksAuthAdmin(facts: ChildDomainFacts, readSession: boolean | null = false): string {
  const where =
    `The Exchange servers are in ${facts.serverDomains.join(', ')}, a child of the forest root domain ` +
    `${facts.forestRootDomain}`;
  return readSession === null
    ? `${where}, and EnableAuthAdminReadSession could not be read (Get-OrganizationConfig did not return it): if it is ` +
        'off, the AuthAdmin servicelet cannot run'
    : `${where}, and EnableAuthAdminReadSession is off: the AuthAdmin servicelet cannot run`;
}

/** The paths that wait for the AuthAdmin servicelet to publish (the emergency publishes by itself). */
export function waitsForServicelet(path: RotationPath): boolean {
  return path === 'rotate' || path === 'resume';
}

/** Said at planning time, before the wait for the effective date, when the servicelet cannot publish. */
export function authAdminBlockedWarning(s: OrganizationSnapshot): string | null {
  if (!s.childDomain || !isAuthAdminBlockedByChildDomain(s)) return null;
  return (
    `${childDomainBlocksAuthAdmin(s.childDomain, s.enableAuthAdminReadSession)}, so the new certificate will not be published at its effective date ` +
    `until a person runs Set-OrganizationConfig -EnableAuthAdminReadSession $true (then restarts ${SERVICE_HOST_SERVICE})`
  );
}

export interface PathPolicy {
  renewBeforeDays: number;
  force: boolean;
  ignoreUnreachableServers: boolean;
  /** How far ahead a planned rotation stages its certificate; a current one expiring sooner cannot wait for it. */
  effectiveDateHours?: number;
  /**
   * An emergency publishes a usable staged next certificate instead of creating one (default). False only for
   * rotations that decided before this existed and replay that way.
   */
  publishUsableNext?: boolean;
}

/** The current certificate expires before a certificate staged now would take effect: an outage the plan cannot avoid. */
export function isCurrentExpiringBeforeEffectiveDate(s: OrganizationSnapshot, effectiveDateHours: number): boolean {
  const days = daysUntilCurrentExpires(s);
  return days !== null && days * 24 <= effectiveDateHours;
}

export interface PathDecision {
  path: RotationPath;
  /** Why, in words a person reads in the report. */
  reasons: string[];
  /** replace-now only: publish the staged next certificate (importing it where missing) rather than create one. */
  publishStaged?: boolean;
}

/**
 * The order matters: an unreachable server makes every other fact uncertain; an expired or missing current certificate
 * is an outage and beats everything else; a staged next certificate is somebody's work in progress to finish, not
 * to replace; missing copies are repaired before anything is rotated.
 */
export function decidePath(s: OrganizationSnapshot, policy: PathPolicy): PathDecision {
  const unreachable = unreachableServers(s);
  const reasons: string[] = [];
  if (s.servers.length === 0) {
    return { path: 'stop-unreachable', reasons: ['no Mailbox/Client Access server of Exchange version 15 was found'] };
  }
  if (unreachable.length === s.servers.length) {
    // Ignoring every server would leave nothing to reason about, let alone to change.
    return { path: 'stop-unreachable', reasons: [`no server is reachable: ${unreachable.join(', ')}`] };
  }
  if (unreachable.length > 0) {
    if (!policy.ignoreUnreachableServers) {
      return {
        path: 'stop-unreachable',
        reasons: [
          `servers unreachable: ${unreachable.join(', ')} (set ignoreUnreachableServers to carry on without them)`,
        ],
      };
    }
    reasons.push(`ignoring unreachable servers: ${unreachable.join(', ')}`);
  }
  if (isCurrentMissingEverywhere(s)) {
    const thumbprint = s.authConfig.currentCertificateThumbprint;
    reasons.push(
      thumbprint === null
        ? 'AuthConfig names no current certificate'
        : `current certificate ${thumbprint} is on no server`,
    );
    return replaceNow(s, policy, reasons);
  }
  if (isCurrentExpired(s)) {
    reasons.push(`current certificate ${s.current?.thumbprint} expired at ${s.current?.notAfter}`);
    return replaceNow(s, policy, reasons);
  }
  if (
    policy.effectiveDateHours !== undefined &&
    !isNextStaged(s) &&
    isCurrentExpiringBeforeEffectiveDate(s, policy.effectiveDateHours)
  ) {
    reasons.push(
      `current certificate ${s.current?.thumbprint} expires at ${s.current?.notAfter}, before a certificate staged ` +
        `now would take effect (${policy.effectiveDateHours} hours): replacing it now`,
    );
    return { path: 'replace-now', reasons };
  }
  if (isNextMissingEverywhere(s)) {
    reasons.push(
      `the staged next certificate ${s.authConfig.nextCertificateThumbprint} is on no server: staging a new one instead`,
    );
    return { path: 'rotate', reasons };
  }
  if (isNextStaged(s)) {
    reasons.push(
      `next certificate ${s.authConfig.nextCertificateThumbprint} is already staged for ${s.authConfig.nextCertificateEffectiveDate ?? 'an unknown date'}`,
    );
    const missing = serversMissingNext(s);
    if (missing.length > 0) reasons.push(`servers lacking it: ${missing.join(', ')}`);
    return { path: 'resume', reasons };
  }
  const missingCurrent = serversMissingCurrent(s);
  if (missingCurrent.length > 0) {
    reasons.push(`current certificate missing on: ${missingCurrent.join(', ')}`);
    return { path: 'import', reasons };
  }
  const days = daysUntilCurrentExpires(s);
  const daysText = days === null ? 'unknown' : days.toFixed(1);
  if (isCurrentWithinRenewBefore(s, policy.renewBeforeDays)) {
    reasons.push(`current certificate expires in ${daysText} days (renew before ${policy.renewBeforeDays})`);
    return { path: 'rotate', reasons };
  }
  if (policy.force) {
    reasons.push(`current certificate expires in ${daysText} days; rotating because force is set`);
    return { path: 'rotate', reasons };
  }
  reasons.push(`current certificate expires in ${daysText} days, outside renewBefore (${policy.renewBeforeDays} days)`);
  return { path: 'nothing-to-do', reasons };
}

/**
 * An outage: a staged next certificate that is usable is published at once (imported first where it is missing), which
 * ends the outage sooner than creating one and waiting for it to replicate.
 */
function replaceNow(s: OrganizationSnapshot, policy: PathPolicy, reasons: string[]): PathDecision {
  const staged = s.authConfig.nextCertificateThumbprint;
  const unusable = nextUnusableBecause(s, policy.renewBeforeDays);
  if (unusable !== null || policy.publishUsableNext === false) {
    if (unusable !== null && isNextStaged(s)) {
      reasons.push(`the staged next certificate ${staged} is not published instead: ${unusable}`);
    }
    return { path: 'replace-now', reasons };
  }
  const missing = serversMissingNext(s);
  reasons.push(
    `the staged next certificate ${staged} is valid until ${s.next?.notAfter}` +
      (missing.length > 0 ? ` and missing on ${missing.join(', ')} (imported there first)` : ' and on every server') +
      ': publishing it now instead of creating one',
  );
  return { path: 'replace-now', reasons, publishStaged: true };
}

/** The steps a path would take, for plan mode and the report. */
export function plannedSteps(
  decision: Pick<PathDecision, 'path' | 'publishStaged'>,
  s: OrganizationSnapshot,
  hours: number,
  restart: boolean,
): string[] {
  const hybrid = s.hybrid ? ['wait for a person to re-run the Hybrid Configuration Wizard (hcwCompletedSignal)'] : [];
  const recycle = `recycle ${OWA_APP_POOL} and ${ECP_APP_POOL} on every server once published`;
  // Without it the wait for publication is in vain: a person must act before the effective date.
  const enableReadSession = isAuthAdminBlockedByChildDomain(s)
    ? [
        'a person runs Set-OrganizationConfig -EnableAuthAdminReadSession $true before the effective date (child domain)',
      ]
    : [];
  const publishNow = [
    'Set-AuthConfig -PublishCertificate, then -ClearPreviousCertificate',
    `restart ${SERVICE_HOST_SERVICE} and recycle ${OWA_APP_POOL} and ${ECP_APP_POOL} on every server`,
    'check sign-in on every server',
    ...hybrid,
  ];
  switch (decision.path) {
    case 'stop-unreachable':
      return ['stop: some servers are unreachable'];
    case 'nothing-to-do':
      return ['nothing: the current certificate is valid and outside renewBefore'];
    case 'import':
      return [
        `export the current certificate and import it on ${serversMissingCurrent(s).join(', ')}`,
        'inspect again and decide',
      ];
    case 'replace-now': {
      if (!decision.publishStaged) {
        return [
          'create a new Auth certificate (-Services None; restore the SMTP certificate if it moved)',
          'stage it with the effective date now (-Force)',
          'wait until every server has it (import across sites if needed)',
          ...publishNow,
        ];
      }
      const missing = serversMissingNext(s);
      return [
        `keep the staged certificate ${s.authConfig.nextCertificateThumbprint}: no new certificate is created`,
        ...(isNextEffectiveLater(s) ? ['move its effective date to now (-Force)'] : []),
        missing.length > 0
          ? `import it on ${missing.join(', ')} and confirm every server has it`
          : 'confirm every server has it',
        ...publishNow,
      ];
    }
    case 'resume':
      return [
        `keep the staged certificate ${s.authConfig.nextCertificateThumbprint}`,
        'wait until every server has it (import across sites if needed)',
        ...enableReadSession,
        'wait for the effective date',
        ...(restart ? [`restart ${SERVICE_HOST_SERVICE}`] : []),
        'wait for publication (AuthConfig current and event 2014 on every server)',
        recycle,
        ...hybrid,
      ];
    case 'rotate':
      return [
        'create a new Auth certificate (-Services None; restore the SMTP certificate if it moved)',
        `stage it with the effective date ${hours} hours after the server's clock`,
        'wait until every server has it (import across sites if needed)',
        ...enableReadSession,
        'wait for the effective date',
        ...(restart ? [`restart ${SERVICE_HOST_SERVICE}`] : []),
        'wait for publication (AuthConfig current and event 2014 on every server)',
        recycle,
        ...hybrid,
      ];
  }
}

/** Servers of a site other than the source's that still lack a certificate: candidates for export and import. */
export function crossSiteServersLacking(
  source: { site: string },
  lacking: Array<{ server: string; site: string }>,
): string[] {
  return lacking.filter((entry) => entry.site !== source.site).map((entry) => entry.server);
}

/** Publication is overdue once a servicelet cycle plus the margin has passed since the effective date (server time). */
export function isPublicationOverdue(
  effectiveDate: string,
  serverTime: string,
  cycleHours: number,
  marginMs: number,
): boolean {
  return Date.parse(serverTime) >= Date.parse(effectiveDate) + cycleHours * 60 * 60 * 1000 + marginMs;
}
