// The path decision and the checks it is made of, in tables: each row is one organisation state.
import {
  authAdminBlockedWarning,
  crossSiteServersLacking,
  decidePath,
  isCurrentExpired,
  isCurrentMissingEverywhere,
  isAuthAdminBlockedByChildDomain,
  isCurrentWithinRenewBefore,
  isNextStaged,
  isNextUsable,
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
  /** The staged next certificate's validity, from now, in days (as read from a server that has it). */
  nextValidFromDays?: number;
  nextExpiresInDays?: number;
  nextEffectiveInDays?: number;
  servers?: ServerSnapshot[];
}

function snapshot({
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
const expiredWithNext = (nextOn: [PresenceState, PresenceState] = ['present', 'present'], over: Org = {}) =>
  snapshot({
    expiresInDays: -3,
    next: NEXT,
    servers: [server('EX1', 'present', nextOn[0]), server('EX2', 'present', nextOn[1])],
    ...over,
  });

const policy: PathPolicy = { renewBeforeDays: 60, force: false, ignoreUnreachableServers: false };
/** replace-now publishing the staged next certificate instead of creating one. */
const STAGED = 'replace-now, publishing the staged certificate';

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

  test.each([
    ['valid for five years, on every server', snapshot({ next: NEXT }), true],
    [
      'valid, missing on one server (an import brings it there)',
      snapshot({ next: NEXT, servers: [server('EX1', 'present', 'present'), server('EX2', 'present', 'missing')] }),
      true,
    ],
    ['none staged', snapshot(), false],
    [
      'on no server: its validity is unknown',
      snapshot({ next: NEXT, servers: [server('EX1', 'present', 'missing'), server('EX2', 'present', 'missing')] }),
      false,
    ],
    ['expired', snapshot({ next: NEXT, nextExpiresInDays: -1 }), false],
    ['expires within the margin (60 days)', snapshot({ next: NEXT, nextExpiresInDays: 60 }), false],
    ['expires just past the margin', snapshot({ next: NEXT, nextExpiresInDays: 61 }), true],
    ['not yet valid', snapshot({ next: NEXT, nextValidFromDays: 1 }), false],
    ['the next is the current one', snapshot({ next: CURRENT }), false],
  ])('isNextUsable (60 days): %s', (_, s, expected) => {
    expect(isNextUsable(s, 60)).toBe(expected);
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
    ['expired beats a staged next: the staged one is published now', expiredWithNext(), policy, STAGED],
    [
      'missing everywhere, a usable next staged: published now',
      snapshot({ next: NEXT, servers: [server('EX1', 'missing', 'present'), server('EX2', 'missing', 'present')] }),
      policy,
      STAGED,
    ],
    [
      'AuthConfig names no current, a usable next staged: published now',
      snapshot({ current: null, next: NEXT, servers: [server('EX1', null, 'present')] }),
      policy,
      STAGED,
    ],
    [
      'expired, the usable staged next missing on one server: imported there, then published',
      expiredWithNext(['present', 'missing']),
      policy,
      STAGED,
    ],
    [
      'expired, the usable staged next on the reachable servers, one ignored as unreachable',
      snapshot({
        expiresInDays: -3,
        next: NEXT,
        servers: [server('EX1', 'present', 'present'), server('EX2', 'unreachable', 'unreachable')],
      }),
      { ...policy, ignoreUnreachableServers: true },
      STAGED,
    ],
    [
      'expired, the staged next on no server: a new one is created',
      expiredWithNext(['missing', 'missing']),
      policy,
      'replace-now',
    ],
    [
      'expired, the staged next expired too',
      expiredWithNext(undefined, { nextExpiresInDays: -1 }),
      policy,
      'replace-now',
    ],
    [
      'expired, the staged next expires within renewBefore',
      expiredWithNext(undefined, { nextExpiresInDays: 30 }),
      policy,
      'replace-now',
    ],
    [
      'expired, the staged next not valid yet',
      expiredWithNext(undefined, { nextValidFromDays: 2 }),
      policy,
      'replace-now',
    ],
    [
      'expired, a usable staged next, but decided as before publishUsableNext existed',
      expiredWithNext(),
      { ...policy, publishUsableNext: false },
      'replace-now',
    ],
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
    expect(decision.path).toBe(expected === STAGED ? 'replace-now' : expected);
    expect(decision.publishStaged ?? false).toBe(expected === STAGED);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  test('an emergency says which staged certificate it publishes, where it imports it, or why it cannot use it', () => {
    const lacking = decidePath(expiredWithNext(['present', 'missing']), policy);
    expect(lacking.reasons.at(-1)).toBe(
      `the staged next certificate ${NEXT} is valid until ${inDays(5 * 365)} and missing on EX2 (imported there ` +
        'first): publishing it now instead of creating one',
    );
    const everywhere = decidePath(expiredWithNext(), policy);
    expect(everywhere.reasons.at(-1)).toMatch(/and on every server: publishing it now instead of creating one$/);
    const soon = decidePath(expiredWithNext(undefined, { nextExpiresInDays: 30 }), policy);
    expect(soon.reasons.at(-1)).toBe(
      `the staged next certificate ${NEXT} is not published instead: it expires at ${inDays(30)}, within ` +
        'renewBefore (60 days)',
    );
    const nowhere = decidePath(expiredWithNext(['missing', 'missing']), policy);
    expect(nowhere.reasons.at(-1)).toMatch(/is not published instead: it is on no server$/);
    expect(decidePath(snapshot({ expiresInDays: -3 }), policy).reasons).toHaveLength(1);
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
    expect(plannedSteps({ path: 'rotate' }, s, 49, false).join('\n')).toMatch(/49 hours/);
    expect(plannedSteps({ path: 'rotate' }, s, 49, false).join('\n')).not.toMatch(/restart/);
    expect(plannedSteps({ path: 'rotate' }, s, 49, true).join('\n')).toMatch(/restart MSExchangeServiceHost/);
    expect(plannedSteps({ path: 'rotate' }, s, 49, false).join('\n')).not.toMatch(/Hybrid/);
    expect(plannedSteps({ path: 'rotate' }, { ...s, hybrid: true }, 49, false).join('\n')).toMatch(
      /Hybrid Configuration Wizard/,
    );
  });

  test('replace-now publishes; the planned paths never do', () => {
    const s = snapshot();
    expect(plannedSteps({ path: 'replace-now' }, s, 49, false).join('\n')).toMatch(/-PublishCertificate/);
    expect(plannedSteps({ path: 'rotate' }, s, 49, false).join('\n')).not.toMatch(/PublishCertificate/);
    expect(plannedSteps({ path: 'resume' }, snapshot({ next: NEXT }), 49, false).join('\n')).toMatch(new RegExp(NEXT));
  });

  test('replace-now with a usable staged certificate: no creation; its date moved to now; imports where missing', () => {
    const s = expiredWithNext(['present', 'missing']);
    const steps = plannedSteps({ path: 'replace-now', publishStaged: true }, s, 49, false);
    expect(steps.slice(0, 4)).toEqual([
      `keep the staged certificate ${NEXT}: no new certificate is created`,
      'move its effective date to now (-Force)',
      'import it on EX2 and confirm every server has it',
      'Set-AuthConfig -PublishCertificate, then -ClearPreviousCertificate',
    ]);
    expect(steps.join('\n')).not.toMatch(/create a new Auth certificate/);
    // Staged for a date already past, on every server: nothing to move, nothing to import.
    const due = expiredWithNext(undefined, { nextEffectiveInDays: -1 });
    expect(plannedSteps({ path: 'replace-now', publishStaged: true }, due, 49, false).slice(1, 2)).toEqual([
      'confirm every server has it',
    ]);
    expect(plannedSteps({ path: 'replace-now' }, s, 49, false)[0]).toMatch(/create a new Auth certificate/);
  });
});

describe('child domain', () => {
  const child = { forestRootDomain: 'contoso.com', serverDomains: ['corp.contoso.com'] };
  test.each([
    ['servers in a child domain, switch off', { childDomain: child, enableAuthAdminReadSession: false }, true],
    ['servers in a child domain, switch on', { childDomain: child, enableAuthAdminReadSession: true }, false],
    ['servers in a child domain, switch unknown', { childDomain: child, enableAuthAdminReadSession: null }, true],
    ['servers in the root domain', { childDomain: null, enableAuthAdminReadSession: false }, false],
    ['domains not known', { enableAuthAdminReadSession: false }, false],
  ])('isAuthAdminBlockedByChildDomain: %s', (_, over, expected) => {
    const s = { ...snapshot({ expiresInDays: 30 }), ...over };
    expect(isAuthAdminBlockedByChildDomain(s)).toBe(expected);
    expect(authAdminBlockedWarning(s) !== null).toBe(expected);
  });

  test('a switch Exchange did not return is unknown, not off, and the warning says so', () => {
    const s = { ...snapshot({ expiresInDays: 30 }), childDomain: child, enableAuthAdminReadSession: null };
    expect(authAdminBlockedWarning(s)).toMatch(
      /EnableAuthAdminReadSession could not be read \(Get-OrganizationConfig did not return it\): if it is off, the AuthAdmin servicelet cannot run/,
    );
  });

  test('the warning names the domains and the switch; the plan has the person turn it on before the date', () => {
    const s = { ...snapshot({ expiresInDays: 30 }), childDomain: child };
    expect(authAdminBlockedWarning(s)).toBe(
      'The Exchange servers are in corp.contoso.com, a child of the forest root domain contoso.com, and ' +
        'EnableAuthAdminReadSession is off: the AuthAdmin servicelet cannot run, so the new certificate will not be ' +
        'published at its effective date until a person runs Set-OrganizationConfig -EnableAuthAdminReadSession $true ' +
        '(then restarts MSExchangeServiceHost)',
    );
    const step = /EnableAuthAdminReadSession \$true before the effective date/;
    const rotate = plannedSteps({ path: 'rotate' }, s, 49, false);
    expect(rotate.findIndex((x) => step.test(x))).toBe(rotate.indexOf('wait for the effective date') - 1);
    expect(
      plannedSteps({ path: 'resume' }, { ...s, ...snapshot({ next: NEXT }), childDomain: child }, 49, false),
    ).toEqual(expect.arrayContaining([expect.stringMatching(step)]));
    // The emergency publishes by itself; with the switch on, or in the root domain, there is nothing to do.
    expect(plannedSteps({ path: 'replace-now' }, s, 49, false).join('\n')).not.toMatch(step);
    expect(
      plannedSteps({ path: 'rotate' }, { ...s, enableAuthAdminReadSession: true }, 49, false).join('\n'),
    ).not.toMatch(step);
    expect(plannedSteps({ path: 'rotate' }, { ...s, childDomain: null }, 49, false).join('\n')).not.toMatch(step);
  });
});
