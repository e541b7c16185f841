// Facts read off an OrganizationSnapshot, each named after the state it detects. Pure: time comes in with the snapshot.
import { SERVICE_HOST_SERVICE } from '../names';
import type { ChildDomainFacts, OrganizationSnapshot, PresenceState, ServerSnapshot } from '../rotation';
import { DAY_MS } from './findings';

export const serverNow = (s: OrganizationSnapshot): number => Date.parse(s.serverTime);

export function isUnreachable(server: ServerSnapshot): boolean {
  return server.current === 'unreachable' || server.next === 'unreachable' || server.unreachableReason !== undefined;
}

/** Servers that could not be asked about a certificate: the run cannot reason about them. */
export function unreachableServers(s: OrganizationSnapshot): string[] {
  return s.servers.filter(isUnreachable).map((server) => server.name);
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

/** Why the staged next certificate cannot be made current now, or null when it can. */
export function nextUnusableBecause(s: OrganizationSnapshot, minValidDays: number): string | null {
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

/**
 * The staged next certificate could be made current now: a server has it (so its validity is known), it is valid now,
 * and it stays valid for more than `minValidDays`. One that would itself be due for renewal is not worth publishing.
 */
export function isNextUsable(s: OrganizationSnapshot, minValidDays: number): boolean {
  return nextUnusableBecause(s, minValidDays) === null;
}

/** The staged next certificate's effective date is still ahead on the server's clock. */
export function isNextEffectiveLater(s: OrganizationSnapshot): boolean {
  const date = s.authConfig.nextCertificateEffectiveDate;
  return isNextStaged(s) && (date === null || Date.parse(date) > serverNow(s));
}

/**
 * The Exchange servers are in a child domain and EnableAuthAdminReadSession is not on: the AuthAdmin servicelet cannot
 * read the system mailbox in the root domain, so it never runs and never publishes a staged certificate.
 */
export function isAuthAdminBlockedByChildDomain(s: OrganizationSnapshot): boolean {
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

/** Said at planning time, before the wait for the effective date, when the servicelet cannot publish. */
export function authAdminBlockedWarning(s: OrganizationSnapshot): string | null {
  if (!s.childDomain || !isAuthAdminBlockedByChildDomain(s)) return null;
  return (
    `${childDomainBlocksAuthAdmin(s.childDomain, s.enableAuthAdminReadSession)}, so the new certificate will not be ` +
    'published at its effective date ' +
    `until a person runs Set-OrganizationConfig -EnableAuthAdminReadSession $true (then restarts ${SERVICE_HOST_SERVICE})`
  );
}
