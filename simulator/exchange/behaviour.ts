// Exchange's background behaviour, applied lazily: whenever the state is loaded, everything that would have happened
// between `processedUntil` and now is computed in one deterministic catch-up (no timers, no daemon), so any number of
// processes and an accelerated clock see the same history.
import { Certificate, EventRecord, findCertificate, Organisation, Server } from './model';

export const HOUR_MS = 3_600_000;
export const AUTH_ADMIN_PROVIDER = 'MSExchange AuthAdmin';
export const AUTH_ADMIN_EVENT_ID = 2014;
export const APPLICATION_LOG = 'Application';
export const OWA_POOL = 'MSExchangeOWAAppPool';
export const ECP_POOL = 'MSExchangeECPAppPool';
export const SERVICE_HOST = 'MSExchangeServiceHost';
/** The AuthAdmin servicelet runs when the service host starts and then every 12 hours. */
export const AUTH_ADMIN_INTERVAL_MS = 12 * HOUR_MS;
/** Event level Information. */
const INFORMATION = 4;
const MAX_EVENTS_PER_SERVER = 100;

export function simulatedNow(org: Organisation, realNow: number = Date.now()): number {
  const { anchorReal, anchorSim, acceleration } = org.clock;
  return Math.floor(anchorSim + (realNow - anchorReal) * acceleration);
}

/** Moves simulated time forward; the anchor is re-based so that later real time keeps flowing from the new point. */
export function advanceClock(org: Organisation, byMs: number, realNow: number = Date.now()): void {
  const now = simulatedNow(org, realNow);
  org.clock = { anchorReal: realNow, anchorSim: now + byMs, acceleration: org.clock.acceleration };
}

export function setAcceleration(org: Organisation, acceleration: number, realNow: number = Date.now()): void {
  org.clock = { anchorReal: realNow, anchorSim: simulatedNow(org, realNow), acceleration };
}

export function event2014Message(thumbprint: string): string {
  return `The current signing certificate for Exchange has been updated to certificate with thumbprint ${thumbprint}.`;
}

export function writeEvent(
  org: Organisation,
  server: Server,
  e: Omit<EventRecord, 'recordId' | 'logName'> & { logName?: string },
): void {
  server.events.push({ logName: APPLICATION_LOG, ...e, recordId: org.nextRecordId++ });
  server.events.sort((a, b) => a.time - b.time || a.recordId - b.recordId);
  if (server.events.length > MAX_EVENTS_PER_SERVER)
    server.events.splice(0, server.events.length - MAX_EVENTS_PER_SERVER);
}

/** The servicelet on `server` announces the current certificate with event 2014. */
export function announceCurrent(org: Organisation, server: Server, at: number): void {
  const current = org.authConfig.currentCertificateThumbprint;
  if (!current) return;
  server.serviceHost.announcedCurrent = current;
  writeEvent(org, server, {
    time: at,
    providerName: AUTH_ADMIN_PROVIDER,
    id: AUTH_ADMIN_EVENT_ID,
    level: INFORMATION,
    message: event2014Message(current),
  });
}

/** Whether the AuthAdmin servicelet can start at all (child domain without the read session cannot). */
export function authAdminCanRun(org: Organisation): boolean {
  if (org.behaviour.authAdminPaused) return false;
  return !org.organizationConfig.serversInChildDomain || org.organizationConfig.enableAuthAdminReadSession;
}

/** The servicelet runs at service start and then every interval: the first run at or after `t`. */
export function nextAuthAdminRun(org: Organisation, server: Server, t: number): number {
  const start = server.serviceHost.lastStart;
  if (t <= start) return start;
  const interval = org.behaviour.authAdminIntervalMs;
  return start + Math.ceil((t - start) / interval) * interval;
}

/** The servicelet's last run at or before `t`; null before the service host started. */
export function lastRunAtOrBefore(org: Organisation, server: Server, t: number): number | null {
  const start = server.serviceHost.lastStart;
  if (t < start) return null;
  const interval = org.behaviour.authAdminIntervalMs;
  return start + Math.floor((t - start) / interval) * interval;
}

/** Copies a certificate as the certificate servicelet does: same key, same flags, no services bound. */
function copyCertificate(c: Certificate, at: number, how: Certificate['installedBy']): Certificate {
  return { ...c, services: [], installedAt: at, installedBy: how };
}

/**
 * Replication to a fixpoint: a server lacking a distributed certificate receives it `delay` after it became available
 * on a server of the same site (or of another site, when cross-site replication happens at all). A server that does
 * not answer neither receives nor passes on anything; once it answers again, the copies it missed arrive at the next
 * catch-up. Returns whether any copy arrived.
 */
function replicate(org: Organisation, from: number, now: number): boolean {
  let copied = false;
  const { sameSiteReplicationDelayMs: same, crossSiteReplicationDelayMs: cross } = org.behaviour;
  for (const [thumbprint, since] of Object.entries(org.replicating)) {
    for (;;) {
      let best: { target: Server; source: Certificate; at: number } | undefined;
      for (const target of org.servers) {
        if (target.roles.includes('Edge') || !target.reachable || findCertificate(target, thumbprint)) continue;
        for (const source of org.servers) {
          if (!source.reachable) continue;
          const c = findCertificate(source, thumbprint);
          if (!c) continue;
          const delay = source.site === target.site ? same : cross;
          if (delay === null) continue;
          const at = Math.max(c.installedAt, since) + delay;
          if (at <= now && (!best || at < best.at)) best = { target, source: c, at };
        }
      }
      if (!best) break;
      best.target.certificates.push(copyCertificate(best.source, Math.max(best.at, from), 'replication'));
      copied = true;
    }
  }
  return copied;
}

function publish(org: Organisation, at: number): void {
  const a = org.authConfig;
  if (!a.nextCertificateThumbprint) return;
  a.previousCertificateThumbprint = a.currentCertificateThumbprint;
  a.currentCertificateThumbprint = a.nextCertificateThumbprint;
  a.nextCertificateThumbprint = null;
  a.nextCertificateEffectiveDate = null;
  a.whenChanged = at;
}

/**
 * Event 2014 from the servicelet whose run published the current certificate: the only one, when the organisation
 * says only the publishing server writes it (no other server ever announces this certificate then).
 */
function announcePublication(org: Organisation, publisher: Server, at: number): void {
  announceCurrent(org, publisher, at);
  if (org.behaviour.event2014On !== 'publishing-server') return;
  for (const s of org.servers) s.serviceHost.announcedCurrent = org.authConfig.currentCertificateThumbprint;
}

/**
 * AuthAdmin: the first run (on any server) at or after the effective date publishes next as current, and that server
 * writes event 2014. With `event2014On: 'every-server'` every other server's servicelet announces a current certificate
 * it has not announced yet at its next run too (also one set by Set-AuthConfig directly). Returns whether anything
 * changed.
 */
function runAuthAdmin(org: Organisation, from: number, now: number, publishedAt: number | null): boolean {
  if (!authAdminCanRun(org)) return false;
  let changed = false;
  const a = org.authConfig;
  let changedAt = publishedAt ?? from;
  const everyServer = org.behaviour.event2014On === 'every-server';
  if (a.nextCertificateThumbprint && a.nextCertificateEffectiveDate !== null) {
    const earliest = Math.max(a.nextCertificateEffectiveDate, from + 1);
    let first: { server: Server; at: number } | undefined;
    for (const s of org.servers) {
      if (s.roles.includes('Edge')) continue;
      const at = nextAuthAdminRun(org, s, earliest);
      if (!first || at < first.at) first = { server: s, at };
    }
    if (first && first.at <= now) {
      publish(org, first.at);
      changedAt = first.at;
      changed = true;
      if (!everyServer) announcePublication(org, first.server, first.at);
    }
  }
  const announcements: Array<{ server: Server; at: number }> = [];
  for (const s of org.servers) {
    if (s.roles.includes('Edge')) continue;
    const last = lastRunAtOrBefore(org, s, now);
    if (last !== null && last > from - 1 && s.serviceHost.authAdminLastRun !== last) {
      s.serviceHost.authAdminLastRun = last;
      changed = true;
    }
    if (
      everyServer &&
      a.currentCertificateThumbprint &&
      s.serviceHost.announcedCurrent !== a.currentCertificateThumbprint
    ) {
      const at = nextAuthAdminRun(org, s, Math.max(changedAt, from + 1));
      if (at <= now) announcements.push({ server: s, at });
    }
  }
  // Record ids follow time, as in a real log, whatever order the servers are visited in.
  announcements.sort((x, y) => x.at - y.at);
  for (const { server, at } of announcements) announceCurrent(org, server, at);
  return changed || announcements.length > 0;
}

/**
 * Brings the organisation up to `now`. Idempotent: a second call with the same `now` changes nothing. Returns whether
 * anything but the catch-up marker (`processedUntil`) changed, i.e. whether the result is worth writing.
 */
export function catchUp(org: Organisation, now: number): boolean {
  if (now <= org.processedUntil) return false;
  const from = org.processedUntil;
  const copied = replicate(org, from, now);
  const ran = runAuthAdmin(org, from, now, null);
  org.processedUntil = now;
  return copied || ran;
}

/** Restart-Service MSExchangeServiceHost: the servicelets start again and AuthAdmin runs at once. */
export function restartServiceHost(org: Organisation, server: Server, now: number): void {
  catchUp(org, now);
  server.serviceHost.lastStart = now;
  if (!authAdminCanRun(org)) return;
  server.serviceHost.authAdminLastRun = now;
  const a = org.authConfig;
  if (a.nextCertificateThumbprint && a.nextCertificateEffectiveDate !== null && a.nextCertificateEffectiveDate <= now) {
    publish(org, now);
    announcePublication(org, server, now);
  } else if (
    org.behaviour.event2014On === 'every-server' &&
    server.serviceHost.announcedCurrent !== a.currentCertificateThumbprint
  ) {
    announceCurrent(org, server, now);
  }
}

/**
 * Serialized data signing signs with the current Auth certificate: while that is missing or expired, an
 * ExchangeCertificate object cannot be serialized whole and reaches a remote client as RawData only.
 */
export function serializationBroken(org: Organisation, now: number): boolean {
  if (!org.organizationConfig.serializedDataSigning) return false;
  const current = org.authConfig.currentCertificateThumbprint;
  const cert = current ? org.servers.map((s) => findCertificate(s, current)).find(Boolean) : undefined;
  return !cert || cert.notAfter <= now;
}

/** IIS starts a new worker process, which loads the auth certificate that is current now (if it can). */
export function recyclePool(org: Organisation, server: Server, poolName: string, now: number): boolean {
  const pool = server.appPools.find((p) => p.name.toLowerCase() === poolName.toLowerCase());
  if (!pool) return false;
  pool.lastRecycle = now;
  pool.state = 'Started';
  const current = org.authConfig.currentCertificateThumbprint;
  pool.cachedCertificate = current && findCertificate(server, current) ? current : null;
  return true;
}

/** ok: nothing to do; stale: sign-in works but a pool still holds the previous certificate; broken: sign-in fails. */
export type SignInStatus = 'ok' | 'stale' | 'broken';
export const STALE_POOL_REASON = 'stale: recycle recommended';

export interface SignInProbe {
  server: string;
  status: SignInStatus;
  /** Sign-in works (ok or stale). */
  works: boolean;
  reason: string;
}

/**
 * OWA/ECP sign-in on one server: a valid current auth certificate installed there, and pools caching a certificate
 * they can still sign with. A planned rotation is a smooth transition: a pool caching the previous certificate (still
 * listed as Previous, installed and within its validity) keeps working until it is recycled, and only a cached
 * certificate that is missing, expired, or neither current nor previous breaks sign-in.
 */
export function signInProbe(org: Organisation, server: Server, now: number): SignInProbe {
  const fail = (reason: string): SignInProbe => ({ server: server.name, status: 'broken', works: false, reason });
  const { currentCertificateThumbprint: current, previousCertificateThumbprint: previous } = org.authConfig;
  if (!current) return fail('no current auth certificate is configured');
  const cert = findCertificate(server, current);
  if (!cert) return fail(`current auth certificate ${current} is not installed on ${server.name}`);
  if (cert.notAfter <= now) return fail(`current auth certificate ${current} expired`);
  if (cert.notBefore > now) return fail(`current auth certificate ${current} is not valid yet`);
  const stale: string[] = [];
  for (const pool of server.appPools) {
    if (pool.state !== 'Started') return fail(`${pool.name} is stopped`);
    const cached = pool.cachedCertificate;
    if (cached === current) continue;
    if (cached === null || cached !== previous) {
      return fail(
        `${pool.name} caches ${cached ?? 'no certificate'}, neither the current ${current} nor the previous certificate (recycle it)`,
      );
    }
    const held = findCertificate(server, cached);
    if (!held)
      return fail(`${pool.name} caches the previous certificate ${cached}, which is not installed (recycle it)`);
    if (held.notAfter <= now)
      return fail(`${pool.name} caches the previous certificate ${cached}, which expired (recycle it)`);
    stale.push(pool.name);
  }
  if (stale.length) {
    return {
      server: server.name,
      status: 'stale',
      works: true,
      reason: `${STALE_POOL_REASON}: ${stale.join(', ')} still cache the previous certificate ${previous}`,
    };
  }
  return { server: server.name, status: 'ok', works: true, reason: 'OWA and ECP sign-in work' };
}
