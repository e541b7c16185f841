// The path decision in a table: each row an organisation state, the path and the reason code of the check that chose
// it (codes, not wording: the wording is for people and may change).
import { decidePath, PATH_CHECKS, type PathCode, type PathPolicy } from '../../common/policy';
import type { OrganizationSnapshot, RotationPath } from '../../common/rotation';
import { expiredWithNext, inDays, NEXT, policy, server, snapshot } from './fixtures';

type Row = [string, OrganizationSnapshot, PathPolicy, RotationPath, PathCode, { publishStaged?: boolean }?];

const table: Row[] = [
  ['valid, far from expiry', snapshot(), policy, 'nothing-to-do', 'outside-renew-before'],
  ['valid, far from expiry, forced', snapshot(), { ...policy, force: true }, 'rotate', 'forced'],
  ['within renewBefore', snapshot({ expiresInDays: 30 }), policy, 'rotate', 'within-renew-before'],
  // Valid but close: still the planned path (its date comes in front of the expiry), never a publish by force.
  ['expires in 1 day', snapshot({ expiresInDays: 1 }), policy, 'rotate', 'within-renew-before'],
  [
    'expires in 1 day, a next is staged: finish that',
    snapshot({ expiresInDays: 1, next: NEXT }),
    policy,
    'resume',
    'next-staged',
  ],
  ['expired', snapshot({ expiresInDays: -3 }), policy, 'replace-now', 'current-expired'],
  [
    'expired beats a staged next: the staged one is published now',
    expiredWithNext(),
    policy,
    'replace-now',
    'current-expired',
    { publishStaged: true },
  ],
  [
    'missing everywhere, a usable next staged: published now',
    snapshot({ next: NEXT, servers: [server('EX1', 'missing', 'present'), server('EX2', 'missing', 'present')] }),
    policy,
    'replace-now',
    'current-missing',
    { publishStaged: true },
  ],
  [
    'AuthConfig names no current, a usable next staged: published now',
    snapshot({ current: null, next: NEXT, servers: [server('EX1', null, 'present')] }),
    policy,
    'replace-now',
    'current-missing',
    { publishStaged: true },
  ],
  [
    'expired, the usable staged next missing on one server: imported there, then published',
    expiredWithNext(['present', 'missing']),
    policy,
    'replace-now',
    'current-expired',
    { publishStaged: true },
  ],
  [
    'expired, the usable staged next on the reachable servers, one ignored as unreachable',
    snapshot({
      expiresInDays: -3,
      next: NEXT,
      servers: [server('EX1', 'present', 'present'), server('EX2', 'unreachable', 'unreachable')],
    }),
    { ...policy, ignoreUnreachableServers: true },
    'replace-now',
    'current-expired',
    { publishStaged: true },
  ],
  [
    'expired, the staged next on no server',
    expiredWithNext(['missing', 'missing']),
    policy,
    'replace-now',
    'current-expired',
  ],
  [
    'expired, the staged next expired too',
    expiredWithNext(undefined, { nextExpiresInDays: -1 }),
    policy,
    'replace-now',
    'current-expired',
  ],
  [
    'expired, the staged next expires within renewBefore',
    expiredWithNext(undefined, { nextExpiresInDays: 30 }),
    policy,
    'replace-now',
    'current-expired',
  ],
  [
    'expired, the staged next not valid yet',
    expiredWithNext(undefined, { nextValidFromDays: 2 }),
    policy,
    'replace-now',
    'current-expired',
  ],
  [
    'missing everywhere',
    snapshot({ servers: [server('EX1', 'missing'), server('EX2', 'missing')] }),
    policy,
    'replace-now',
    'current-missing',
  ],
  [
    'AuthConfig names none',
    snapshot({ current: null, servers: [server('EX1', null)] }),
    policy,
    'replace-now',
    'current-missing',
  ],
  ['next staged', snapshot({ next: NEXT, expiresInDays: 300 }), policy, 'resume', 'next-staged'],
  [
    'next staged, missing on one server',
    snapshot({ next: NEXT, servers: [server('EX1', 'present', 'present'), server('EX2', 'present', 'missing')] }),
    policy,
    'resume',
    'next-missing-on-some',
  ],
  [
    'next staged but on no server: a new one replaces it',
    snapshot({ next: NEXT, servers: [server('EX1', 'present', 'missing'), server('EX2', 'present', 'missing')] }),
    policy,
    'rotate',
    'staged-next-on-no-server',
  ],
  [
    'current missing on one server',
    snapshot({ servers: [server('EX1', 'present'), server('EX2', 'missing')] }),
    policy,
    'import',
    'current-missing-on-some',
  ],
  [
    'current missing on one server, also due: import first',
    snapshot({ expiresInDays: 10, servers: [server('EX1', 'present'), server('EX2', 'missing')] }),
    policy,
    'import',
    'current-missing-on-some',
  ],
  [
    'unreachable server',
    snapshot({ servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
    policy,
    'stop-unreachable',
    'some-unreachable',
  ],
  [
    'unreachable server, expired: still stop (nothing is certain)',
    snapshot({ expiresInDays: -1, servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
    policy,
    'stop-unreachable',
    'some-unreachable',
  ],
  ['no server at all', snapshot({ servers: [] }), policy, 'stop-unreachable', 'no-servers'],
  [
    'every server unreachable, even when told to ignore them',
    snapshot({ servers: [server('EX1', 'unreachable'), server('EX2', 'unreachable')] }),
    { ...policy, ignoreUnreachableServers: true },
    'stop-unreachable',
    'all-unreachable',
  ],
  [
    'unreachable server ignored, due',
    snapshot({ expiresInDays: 10, servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
    { ...policy, ignoreUnreachableServers: true },
    'rotate',
    'within-renew-before',
  ],
];

test.each(table)('%s', (_, s, p, path, code, extra = {}) => {
  const decision = decidePath(s, p);
  expect({ path: decision.path, code: decision.code, publishStaged: decision.publishStaged ?? false }).toEqual({
    path,
    code,
    publishStaged: extra.publishStaged ?? false,
  });
  expect(decision.findings.at(0)).toBeDefined();
});

test('the chain is data: every check is named, the last always decides', () => {
  expect(PATH_CHECKS.map((c) => c.name)).toEqual([
    'noServers',
    'allUnreachable',
    'someUnreachable',
    'currentMissing',
    'currentExpired',
    'stagedOnNoServer',
    'nextStaged',
    'currentMissingOnSome',
    'withinRenewBefore',
    'forced',
    'outsideRenewBefore',
  ]);
});

test('findings explain the decision: a note before it, the details after it', () => {
  const ignored = decidePath(
    snapshot({ expiresInDays: 10, servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
    { ...policy, ignoreUnreachableServers: true },
  );
  expect(ignored.findings.map((f) => f.code)).toEqual(['ignoring-unreachable', 'within-renew-before']);
  expect(decidePath(expiredWithNext(['present', 'missing']), policy).findings.map((f) => f.code)).toEqual([
    'current-expired',
    'staged-next-usable',
  ]);
  expect(decidePath(expiredWithNext(undefined, { nextExpiresInDays: 30 }), policy).findings.map((f) => f.code)).toEqual(
    ['current-expired', 'staged-next-unusable'],
  );
});

test('the words a person reads name the servers, the certificate and the rule', () => {
  const lacking = decidePath(expiredWithNext(['present', 'missing']), policy);
  expect(lacking.findings.at(-1)?.message).toBe(
    `the staged next certificate ${NEXT} is valid until ${inDays(5 * 365)} and missing on EX2 (imported there ` +
      'first): publishing it now instead of creating one',
  );
  const unreachable = decidePath(
    snapshot({ servers: [server('EX1', 'present'), server('EX2', 'unreachable')] }),
    policy,
  );
  expect(unreachable.findings[0]?.message).toMatch(/EX2.*ignoreUnreachableServers/);
  expect(decidePath(snapshot(), policy).findings[0]?.message).toMatch(/outside renewBefore \(60 days\)/);
});
