// Which path a rotation takes, decided by a chain of small checks over one inspection. Each check either decides (a path
// and its reason code) or adds a note and passes; the chain's order is data. The order matters: an unreachable server
// makes every other fact uncertain; an expired or missing current certificate is an outage and beats everything else; a
// staged next certificate is somebody's work in progress to finish, not to replace; missing copies of the current
// certificate are repaired before anything is rotated.
import type { OrganizationSnapshot, RotationPath } from '../rotation';
import {
  daysUntilCurrentExpires,
  isCurrentExpired,
  isCurrentMissingEverywhere,
  isCurrentWithinRenewBefore,
  isNextMissingEverywhere,
  isNextStaged,
  nextUnusableBecause,
  serversMissingCurrent,
  serversMissingNext,
  unreachableServers,
} from './facts';
import { finding, type Finding } from './findings';

export interface PathPolicy {
  renewBeforeDays: number;
  force: boolean;
  ignoreUnreachableServers: boolean;
}

export type PathCode =
  | 'no-servers'
  | 'all-unreachable'
  | 'some-unreachable'
  | 'ignoring-unreachable'
  | 'current-missing'
  | 'current-expired'
  | 'staged-next-usable'
  | 'staged-next-unusable'
  | 'staged-next-on-no-server'
  | 'next-staged'
  | 'next-missing-on-some'
  | 'current-missing-on-some'
  | 'within-renew-before'
  | 'forced'
  | 'outside-renew-before';

export interface PathDecision {
  path: RotationPath;
  /** The check that decided. */
  code: PathCode;
  /** Every finding on the way, the deciding one last; their messages are what a person reads in the report. */
  findings: Array<Finding<PathCode>>;
  /** replace-now only: publish the staged next certificate (imported first where missing) rather than create one. */
  publishStaged?: boolean;
}

/** A check decides (a path, its finding, and findings that explain it), notes something and passes, or says nothing. */
type CheckResult =
  | { decide: RotationPath; finding: Finding<PathCode>; details?: Array<Finding<PathCode>>; publishStaged?: true }
  | { note: Finding<PathCode> }
  | null;
type PathCheck = (s: OrganizationSnapshot, policy: PathPolicy) => CheckResult;

const decide = (path: RotationPath, code: PathCode, message: string): CheckResult => ({
  decide: path,
  finding: finding(code, message),
});

const noServers: PathCheck = (s) =>
  s.servers.length === 0
    ? decide('stop-unreachable', 'no-servers', 'no Mailbox/Client Access server of Exchange version 15 was found')
    : null;

const allUnreachable: PathCheck = (s) => {
  const unreachable = unreachableServers(s);
  // Ignoring every server would leave nothing to reason about, let alone to change.
  return unreachable.length === s.servers.length
    ? decide('stop-unreachable', 'all-unreachable', `no server is reachable: ${unreachable.join(', ')}`)
    : null;
};

const someUnreachable: PathCheck = (s, policy) => {
  const unreachable = unreachableServers(s);
  if (unreachable.length === 0) return null;
  if (policy.ignoreUnreachableServers) {
    return { note: finding('ignoring-unreachable', `ignoring unreachable servers: ${unreachable.join(', ')}`) };
  }
  return decide(
    'stop-unreachable',
    'some-unreachable',
    `servers unreachable: ${unreachable.join(', ')} (set ignoreUnreachableServers to carry on without them)`,
  );
};

/** An outage: a usable staged next certificate is published at once instead of creating one (it is there already). */
function replaceNow(s: OrganizationSnapshot, policy: PathPolicy, code: PathCode, message: string): CheckResult {
  const staged = s.authConfig.nextCertificateThumbprint;
  const unusable = nextUnusableBecause(s, policy.renewBeforeDays);
  const outage = finding(code, message);
  if (unusable !== null) {
    if (!isNextStaged(s)) return { decide: 'replace-now', finding: outage };
    const why = `the staged next certificate ${staged} is not published instead: ${unusable}`;
    return { decide: 'replace-now', finding: outage, details: [finding('staged-next-unusable', why)] };
  }
  const missing = serversMissingNext(s);
  const where =
    missing.length > 0 ? ` and missing on ${missing.join(', ')} (imported there first)` : ' and on every server';
  const use =
    `the staged next certificate ${staged} is valid until ${s.next?.notAfter}${where}: publishing it now instead of ` +
    'creating one';
  return { decide: 'replace-now', finding: outage, details: [finding('staged-next-usable', use)], publishStaged: true };
}

const currentMissing: PathCheck = (s, policy) => {
  if (!isCurrentMissingEverywhere(s)) return null;
  const thumbprint = s.authConfig.currentCertificateThumbprint;
  const message =
    thumbprint === null
      ? 'AuthConfig names no current certificate'
      : `current certificate ${thumbprint} is on no server`;
  return replaceNow(s, policy, 'current-missing', message);
};

const currentExpired: PathCheck = (s, policy) =>
  isCurrentExpired(s)
    ? replaceNow(
        s,
        policy,
        'current-expired',
        `current certificate ${s.current?.thumbprint} expired at ${s.current?.notAfter}`,
      )
    : null;

const stagedOnNoServer: PathCheck = (s) =>
  isNextMissingEverywhere(s)
    ? decide(
        'rotate',
        'staged-next-on-no-server',
        `the staged next certificate ${s.authConfig.nextCertificateThumbprint} is on no server: staging a new one instead`,
      )
    : null;

const nextStaged: PathCheck = (s) => {
  if (!isNextStaged(s)) return null;
  const missing = serversMissingNext(s);
  const date = s.authConfig.nextCertificateEffectiveDate ?? 'an unknown date';
  const lacking = missing.length > 0 ? `; servers lacking it: ${missing.join(', ')}` : '';
  return decide(
    'resume',
    missing.length > 0 ? 'next-missing-on-some' : 'next-staged',
    `next certificate ${s.authConfig.nextCertificateThumbprint} is already staged for ${date}${lacking}`,
  );
};

const currentMissingOnSome: PathCheck = (s) => {
  const missing = serversMissingCurrent(s);
  return missing.length > 0
    ? decide('import', 'current-missing-on-some', `current certificate missing on: ${missing.join(', ')}`)
    : null;
};

const expiryText = (s: OrganizationSnapshot) => {
  const days = daysUntilCurrentExpires(s);
  return `current certificate expires in ${days === null ? 'unknown' : days.toFixed(1)} days`;
};

const withinRenewBefore: PathCheck = (s, policy) =>
  isCurrentWithinRenewBefore(s, policy.renewBeforeDays)
    ? decide('rotate', 'within-renew-before', `${expiryText(s)} (renew before ${policy.renewBeforeDays})`)
    : null;

const forced: PathCheck = (s, policy) =>
  policy.force ? decide('rotate', 'forced', `${expiryText(s)}; rotating because force is set`) : null;

const outsideRenewBefore: PathCheck = (s, policy) =>
  decide(
    'nothing-to-do',
    'outside-renew-before',
    `${expiryText(s)}, outside renewBefore (${policy.renewBeforeDays} days)`,
  );

/** The decision chain, in order. */
export const PATH_CHECKS: readonly PathCheck[] = [
  noServers,
  allUnreachable,
  someUnreachable,
  currentMissing,
  currentExpired,
  stagedOnNoServer,
  nextStaged,
  currentMissingOnSome,
  withinRenewBefore,
  forced,
  outsideRenewBefore,
];

export function decidePath(s: OrganizationSnapshot, policy: PathPolicy): PathDecision {
  const findings: Array<Finding<PathCode>> = [];
  for (const check of PATH_CHECKS) {
    const result = check(s, policy);
    if (result === null) continue;
    if ('note' in result) {
      findings.push(result.note);
      continue;
    }
    findings.push(result.finding, ...(result.details ?? []));
    return {
      path: result.decide,
      code: result.finding.code,
      findings,
      ...(result.publishStaged ? { publishStaged: true } : {}),
    };
  }
  // outsideRenewBefore always decides.
  throw new Error('decidePath: the chain ended without a decision');
}
