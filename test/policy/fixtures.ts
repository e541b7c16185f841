// Organisation states for the policy tables: a snapshot as the inspect activity reports it, built from a few facts.
import type { PathPolicy } from '../../common/policy';
import type { OrganizationSnapshot, PresenceState, ServerSnapshot } from '../../common/rotation';

export const NOW = '2026-11-25T06:00:00.000Z';
export const DAY = 24 * 60 * 60 * 1000;
export const CURRENT = 'A'.repeat(40);
export const NEXT = 'B'.repeat(40);

export const inDays = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString();

export function server(
  name: string,
  current: PresenceState | null,
  next: PresenceState | null = null,
  site = 'S1',
): ServerSnapshot {
  return {
    name,
    fqdn: `${name}.contoso.test`,
    site,
    current,
    next,
    ...(current === 'unreachable' || next === 'unreachable' ? { unreachableReason: 'RPC server is unavailable' } : {}),
  };
}

export interface Org {
  expiresInDays?: number;
  current?: string | null;
  next?: string | null;
  /** The staged next certificate's validity, from now, in days (as read from a server that has it). */
  nextValidFromDays?: number;
  nextExpiresInDays?: number;
  nextEffectiveInDays?: number;
  servers?: ServerSnapshot[];
}

export function snapshot({
  expiresInDays = 300,
  current = CURRENT,
  next = null,
  nextValidFromDays = -1,
  nextExpiresInDays = 5 * 365,
  nextEffectiveInDays = 1,
  servers,
}: Org = {}): OrganizationSnapshot {
  const list = servers ?? [
    server('EX1', 'present', next ? 'present' : null),
    server('EX2', 'present', next ? 'present' : null),
  ];
  const present = list.some((s) => s.current === 'present');
  const nextPresent = list.some((s) => s.next === 'present');
  return {
    serverTime: NOW,
    serverClockRate: 1,
    authConfig: {
      currentCertificateThumbprint: current,
      previousCertificateThumbprint: null,
      nextCertificateThumbprint: next,
      nextCertificateEffectiveDate: next ? inDays(nextEffectiveInDays) : null,
    },
    servers: list,
    current:
      current && present ? { thumbprint: current, notBefore: inDays(-1000), notAfter: inDays(expiresInDays) } : null,
    next:
      next && nextPresent
        ? { thumbprint: next, notBefore: inDays(nextValidFromDays), notAfter: inDays(nextExpiresInDays) }
        : null,
    hybrid: false,
    enableAuthAdminReadSession: false,
  };
}

/** The current certificate expired three days ago and NEXT is staged, on EX1 and EX2 as given. */
export const expiredWithNext = (nextOn: [PresenceState, PresenceState] = ['present', 'present'], over: Org = {}) =>
  snapshot({
    expiresInDays: -3,
    next: NEXT,
    servers: [server('EX1', 'present', nextOn[0]), server('EX2', 'present', nextOn[1])],
    ...over,
  });

export const policy: PathPolicy = { renewBeforeDays: 60, force: false, ignoreUnreachableServers: false };
