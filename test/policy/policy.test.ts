// The path decision and the checks it is made of, in tables: each row is one organisation state.
import {
  crossSiteServersLacking,
  decidePath,
  isCurrentExpired,
  isCurrentMissingEverywhere,
  isCurrentWithinRenewBefore,
  isNextStaged,
  isPublicationOverdue,
  type PathPolicy,
  plannedSteps,
  serversInScope,
  serversMissingCurrent,
  serversMissingNext,
  unreachableServers,
} from '../../common/policy';
import type { OrganizationSnapshot, PresenceState, ServerSnapshot } from '../../common/rotation';

const NOW = '2026-11-25T06:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;
const CURRENT = 'A'.repeat(40);
const NEXT = 'B'.repeat(40);

const inDays = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString();

function server(
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

interface Org {
  expiresInDays?: number;
  current?: string | null;
  next?: string | null;
  servers?: ServerSnapshot[];
}

function snapshot({ expiresInDays = 300, current = CURRENT, next = null, servers }: Org = {}): OrganizationSnapshot {
  const list = servers ?? [
    server('EX1', 'present', next ? 'present' : null),
    server('EX2', 'present', next ? 'present' : null),
  ];
  const present = list.some((s) => s.current === 'present');
  return {
    serverTime: NOW,
    serverClockRate: 1,
    authConfig: {
      currentCertificateThumbprint: current,
      previousCertificateThumbprint: null,
      nextCertificateThumbprint: next,
      nextCertificateEffectiveDate: next ? inDays(1) : null,
    },
    servers: list,
    current:
      current && present ? { thumbprint: current, notBefore: inDays(-1000), notAfter: inDays(expiresInDays) } : null,
    next: null,
    hybrid: false,
    enableAuthAdminReadSession: false,
  };
}

const policy: PathPolicy = { renewBeforeDays: 60, force: false, ignoreUnreachableServers: false };

describe('checks', () => {
  test.each([
    ['expired yesterday', snapshot({ expiresInDays: -1 }), true],
    ['expires this instant', snapshot({ expiresInDays: 0 }), true],
    ['expires tomorrow', snapshot({ expiresInDays: 1 }), false],
    ['no current certificate found', snapshot({ servers: [server('EX1', 'missing')] }), false],
  ])('isCurrentExpired: %s', (_, s, expected) => {
    expect(isCurrentExpired(s)).toBe(expected);
  });

  test.each([
    ['AuthConfig names none', snapshot({ current: null, servers: [server('EX1', null)] }), true],
    ['missing on every server', snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'missing')] }), true],
    ['missing on one', snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'present')] }), false],
    [
      'missing on one, the other unreachable',
      snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'unreachable')] }),
      true,
    ],
    ['every server unreachable: unknown, not missing', snapshot({ servers: [server('EX1', 'unreachable')] }), false],
  ])('isCurrentMissingEverywhere: %s', (_, s, expected) => {
    expect(isCurrentMissingEverywhere(s)).toBe(expected);
  });

  test.each([
    [61, 60, false],
    [60, 60, true],
    [10, 60, true],
    [10, 5, false],
  ])('isCurrentWithinRenewBefore: %d days left, renew before %d', (days, renewBefore, expected) => {
    expect(isCurrentWithinRenewBefore(snapshot({ expiresInDays: days }), renewBefore)).toBe(expected);
  });

  test.each([
    ['no next', snapshot(), false],
    ['next staged', snapshot({ next: NEXT }), true],
    ['next equals current (already published, not cleared)', snapshot({ next: CURRENT }), false],
  ])('isNextStaged: %s', (_, s, expected) => {
    expect(isNextStaged(s)).toBe(expected);
  });

  test('servers missing current or next, unreachable servers, servers in scope', () => {
    const s = snapshot({
      next: NEXT,
      servers: [
        server('EX1', 'present', 'present'),
        server('EX2', 'missing', 'missing'),
        server('EX3', 'unreachable', 'unreachable'),
      ],
    });
    expect(serversMissingCurrent(s)).toEqual(['EX2']);
    expect(serversMissingNext(s)).toEqual(['EX2']);
    expect(unreachableServers(s)).toEqual(['EX3']);
    expect(serversInScope(s, true).map((x) => x.name)).toEqual(['EX1', 'EX2']);
    expect(serversInScope(s, false).map((x) => x.name)).toEqual(['EX1', 'EX2', 'EX3']);
    expect(serversMissingNext(snapshot())).toEqual([]);
  });

  test.each([
    [
      { site: 'Tokyo' },
      [
        { server: 'EX2', site: 'Tokyo' },
        { server: 'EX3', site: 'Osaka' },
      ],
      ['EX3'],
    ],
    [{ site: 'Tokyo' }, [{ server: 'EX2', site: 'Tokyo' }], []],
  ])('crossSiteServersLacking from %j', (source, lacking, expected) => {
    expect(crossSiteServersLacking(source, lacking)).toEqual(expected);
  });

  test.each([
    ['one cycle after the date, no margin left', 12, 0, true],
    ['one cycle after the date, inside a 2 h margin', 12, 2, false],
    ['one cycle and the margin after', 14, 2, true],
    ['before the date', -1, 0, false],
  ])('isPublicationOverdue: %s', (_, hoursAfter, marginHours, expected) => {
    const effective = NOW;
    const serverTime = new Date(Date.parse(NOW) + hoursAfter * 3_600_000).toISOString();
    expect(isPublicationOverdue(effective, serverTime, 12, marginHours * 3_600_000)).toBe(expected);
  });
});

describe('decidePath', () => {
  const table: Array<[string, OrganizationSnapshot, typeof policy, string]> = [
    ['valid, far from expiry', snapshot(), policy, 'nothing-to-do'],
    ['valid, far from expiry, forced', snapshot(), { ...policy, force: true }, 'rotate'],
    ['within renewBefore', snapshot({ expiresInDays: 30 }), policy, 'rotate'],
    ['expired', snapshot({ expiresInDays: -3 }), policy, 'replace-now'],
    [
      'expires in 1 day: staging 49 h ahead comes too late',
      snapshot({ expiresInDays: 1 }),
      { ...policy, effectiveDateHours: 49 },
      'replace-now',
    ],
    [
      'expires in 3 days: time enough for 49 h',
      snapshot({ expiresInDays: 3 }),
      { ...policy, effectiveDateHours: 49 },
      'rotate',
    ],
    [
      'expires in 1 day but a next is staged: finish that',
      snapshot({ expiresInDays: 1, next: NEXT }),
      { ...policy, effectiveDateHours: 49 },
      'resume',
    ],
    ['expired beats a staged next', snapshot({ expiresInDays: -3, next: NEXT }), policy, 'replace-now'],
    [
      'missing everywhere',
      snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'missing')] }),
      policy,
      'replace-now',
    ],
    ['AuthConfig names none', snapshot({ current: null, servers: [server('EX1', null)] }), policy, 'replace-now'],
    ['next staged', snapshot({ next: NEXT, expiresInDays: 300 }), policy, 'resume'],
    [
      'next staged, missing on one server',
      snapshot({ next: NEXT, servers: [server('EX1', 'present', 'present'), server('EX2', 'present', 'missing')] }),
      policy,
      'resume',
    ],
    [
      'next staged but on no server: a new one replaces it',
      snapshot({ next: NEXT, servers: [server('EX1', 'present', 'missing'), server('EX2', 'present', 'missing')] }),
      policy,
      'rotate',
    ],
    [
      'current missing on one server',
      snapshot({ servers: [server('EX1', 'present'), server('EX2', 'missing')] }),
      policy,
      'import',
    ],
    [
      'current missing on one server, also due: import first',
      snapshot({ expiresInDays: 10, servers: [server('EX1', 'present'), server('EX2', 'missing')] }),
      policy,
      'import',
    ],
    [
      'unreachable server',
      snapshot({ servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
      policy,
      'stop-unreachable',
    ],
    [
      'unreachable server, expired: still stop (nothing is certain)',
      snapshot({ expiresInDays: -1, servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
      policy,
      'stop-unreachable',
    ],
    ['no server at all', snapshot({ servers: [] }), policy, 'stop-unreachable'],
    [
      'every server unreachable, even when told to ignore them',
      snapshot({ servers: [server('EX1', 'unreachable'), server('EX2', 'unreachable')] }),
      { ...policy, ignoreUnreachableServers: true },
      'stop-unreachable',
    ],
    [
      'unreachable server ignored, due',
      snapshot({ expiresInDays: 10, servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
      { ...policy, ignoreUnreachableServers: true },
      'rotate',
    ],
  ];
  test.each(table.map(([name, s, p, expected]) => [name, expected, s, p] as const))('%s → %s', (_, expected, s, p) => {
    const decision = decidePath(s, p);
    expect(decision.path).toBe(expected);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  test('reasons name the servers and the rule', () => {
    const unreachable = decidePath(
      snapshot({ servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
      policy,
    );
    expect(unreachable.reasons[0]).toMatch(/EX2.*ignoreUnreachableServers/);
    const ignored = decidePath(
      snapshot({ expiresInDays: 10, servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
      { ...policy, ignoreUnreachableServers: true },
    );
    expect(ignored.reasons[0]).toMatch(/ignoring unreachable servers: EX2/);
    expect(decidePath(snapshot(), policy).reasons[0]).toMatch(/outside renewBefore \(60 days\)/);
  });
});

describe('plannedSteps', () => {
  test('rotate: hours, optional restart, HCW only in hybrid', () => {
    const s = snapshot({ expiresInDays: 10 });
    expect(plannedSteps('rotate', s, 49, false).join('\n')).toMatch(/49 hours/);
    expect(plannedSteps('rotate', s, 49, false).join('\n')).not.toMatch(/restart/);
    expect(plannedSteps('rotate', s, 49, true).join('\n')).toMatch(/restart MSExchangeServiceHost/);
    expect(plannedSteps('rotate', s, 49, false).join('\n')).not.toMatch(/Hybrid/);
    expect(plannedSteps('rotate', { ...s, hybrid: true }, 49, false).join('\n')).toMatch(/Hybrid Configuration Wizard/);
  });

  test('replace-now publishes; the planned paths never do', () => {
    const s = snapshot();
    expect(plannedSteps('replace-now', s, 49, false).join('\n')).toMatch(/-PublishCertificate/);
    expect(plannedSteps('rotate', s, 49, false).join('\n')).not.toMatch(/PublishCertificate/);
    expect(plannedSteps('resume', snapshot({ next: NEXT }), 49, false).join('\n')).toMatch(new RegExp(NEXT));
  });
});
