// A scenario from a seed: the organisation a rotation may meet, what the operator types, and what happens meanwhile.
// Each concern draws from its own stream of the seed's generator, so the same seed always gives the same scenario and a
// change to one distribution leaves the others alone. Polls are drawn so that a run's history stays small (a few hundred
// activities at most); extreme values still appear, in the combinations where they stay cheap.
import { DEFAULT_EFFECTIVE_HOURS } from '../../common/names';
import { DEFAULT_RENEW_BEFORE_DAYS } from '../../common/rotation';
import { hcwCompletedSignal, hcwSkippedSignal } from '../../workflows/messages';
import { LIFETIME_YEARS } from './organisation';
import { Prng } from './prng';
import {
  CurrentState,
  DAY,
  FaultProfile,
  HcwAnswer,
  HOUR,
  InputSpec,
  MINUTE,
  OrgSpec,
  Scenario,
  ServerSpec,
  TimelineEvent,
} from './scenario';

/** Cmdlets an access-denied fault may hit: what the rotation changes with, and some of what it reads with. */
export const DENIABLE_CMDLETS = [
  'Set-AuthConfig',
  'New-ExchangeCertificate',
  'Import-ExchangeCertificate',
  'Export-ExchangeCertificate',
  'Enable-ExchangeCertificate',
  'Restart-Service',
  'Restart-WebAppPool',
  'Get-ExchangeCertificate',
  'Get-WinEvent',
  'Get-ExchangeDiagnosticInfo',
  'Get-CimInstance',
  'Test-OAuthConnectivity',
] as const;

/** Cmdlets a higher transient probability may be given to. */
const FLAKY_CMDLETS = [
  'Get-ExchangeCertificate',
  'Get-AuthConfig',
  'Set-AuthConfig',
  'Get-WinEvent',
  'Import-ExchangeCertificate',
  'Get-ExchangeServer',
  'Restart-WebAppPool',
  'New-ExchangeCertificate',
];

/** How many polls a wait may take at most: keeps a scenario to seconds. */
const MAX_POLLS = 120;

/** A duration as the input carries it: a string such as "90m" or "2.5h", or milliseconds. */
function duration(prng: Prng, ms: number): string | number {
  const form = prng.int(0, 3);
  if (form === 0) return Math.round(ms);
  if (ms % DAY === 0 && form === 1) return `${ms / DAY} days`;
  if (ms >= HOUR && form !== 3) return `${Number((ms / HOUR).toFixed(3))}h`;
  if (ms >= MINUTE) return `${Number((ms / MINUTE).toFixed(2))}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

function roundTo(ms: number, unit: number): number {
  return Math.max(unit, Math.round(ms / unit) * unit);
}

function generateServers(prng: Prng): ServerSpec[] {
  const count = Number(prng.weighted({ 1: 14, 2: 24, 3: 16, 4: 14, 5: 8, 6: 6, 8: 6, 10: 6, 12: 6 }));
  const siteCount = Math.min(count, Number(prng.weighted({ 1: 50, 2: 35, 3: 15 })));
  const sites = ['Site-A', 'Site-B', 'Site-C'].slice(0, siteCount);
  return Array.from({ length: count }, (_, i) => ({
    name: `EX${i + 1}`,
    // Every site gets a server first; the rest are spread at random.
    site: sites[i] ?? prng.pick(sites),
    serviceletPhaseMinutes: prng.int(0, 719),
    transport: prng.weighted({ own: 85, auth: 10, none: 5 }),
  }));
}

function generateInput(prng: Prng): InputSpec {
  const input: InputSpec = {};
  if (prng.chance(0.08)) input.dryRun = true;
  if (prng.chance(0.35)) input.force = true;
  if (prng.chance(0.25)) input.ignoreUnreachableServers = true;

  const effective = prng.weighted({ absent: 40, usual: 25, long: 10, short: 13, huge: 7, unacknowledged: 5 });
  let hours = DEFAULT_EFFECTIVE_HOURS;
  if (effective === 'usual') hours = Number(prng.real(48, 100).toFixed(2));
  else if (effective === 'long') hours = prng.int(100, 720);
  else if (effective === 'short' || effective === 'unacknowledged')
    hours = prng.pick([0.0001, 0.01, 0.25, 1, 6, 24, 47.5]);
  else if (effective === 'huge') hours = prng.pick([1000, 5000, 8760, 20000]);
  if (effective !== 'absent') input.effectiveDateHours = hours;
  if (effective === 'short' || prng.chance(0.05)) input.acknowledgeShortEffectiveDate = true;

  if (prng.chance(0.5)) input.renewBeforeDays = prng.pick([1, 7, 30, 45, 60, 90, 365, 3650]);

  // Replication: the time it may take is bounded by the wait for the effective date; polls stay under MAX_POLLS.
  const waitMs = Math.min(hours * HOUR, 40 * HOUR);
  if (prng.chance(0.7)) {
    // A poll every second only where the wait is short enough to stay cheap.
    const tiny = waitMs <= 6 * HOUR && prng.chance(0.3);
    const poll = tiny ? 1000 : roundTo(prng.logReal(Math.max(60_000, waitMs / MAX_POLLS), 4 * HOUR), 1000);
    input.replicationPollInterval = duration(prng, Math.max(poll, waitMs / MAX_POLLS, 1000));
  }
  if (prng.chance(0.5))
    input.crossSiteImportAfter = duration(prng, roundTo(prng.logReal(5 * MINUTE, 24 * HOUR), MINUTE));
  if (prng.chance(0.25) && hours > 1) {
    input.replicationDeadline = duration(prng, roundTo(prng.real(0.2, 0.95) * hours * HOUR, 1000));
  }
  if (prng.chance(0.4))
    input.emergencyReplicationDeadline = duration(prng, roundTo(prng.logReal(MINUTE, 6 * HOUR), 1000));

  // Publication: overdue after 12 h + margin, then watched for publicationGiveUpAfter.
  const margin = prng.chance(0.5) ? roundTo(prng.logReal(MINUTE, 8 * HOUR), MINUTE) : 2 * HOUR;
  if (margin !== 2 * HOUR) input.publicationMargin = duration(prng, margin);
  const giveUp = prng.chance(0.5) ? roundTo(prng.logReal(10 * MINUTE, 72 * HOUR), MINUTE) : 36 * HOUR;
  if (giveUp !== 36 * HOUR) input.publicationGiveUpAfter = duration(prng, giveUp);
  const watched = 12 * HOUR + margin + giveUp;
  const pollFloor = Math.max(1000, watched / MAX_POLLS);
  const poll = prng.chance(0.4) ? 30 * MINUTE : roundTo(prng.logReal(pollFloor, Math.max(pollFloor, 8 * HOUR)), 1000);
  if (prng.chance(0.6) || poll < pollFloor || 30 * MINUTE < pollFloor) {
    input.publicationPollInterval = duration(prng, Math.max(poll, pollFloor));
  }
  if (prng.chance(0.3)) input.restartServiceHostAfterEffectiveDate = true;

  // The HCW wait: reminders every hcwReminderInterval until hcwTimeout.
  const timeout = prng.chance(0.5) ? roundTo(prng.logReal(HOUR, 30 * DAY), MINUTE) : 14 * DAY;
  if (timeout !== 14 * DAY) input.hcwTimeout = duration(prng, timeout);
  if (prng.chance(0.5) || timeout / DAY > 60) {
    input.hcwReminderInterval = duration(prng, roundTo(Math.max(timeout / 60, prng.logReal(HOUR, 3 * DAY)), MINUTE));
  }
  if (prng.chance(0.5)) input.probeMailbox = prng.pick(['probe@contoso.com', 'healthmailbox@contoso.com']);
  if (prng.chance(0.2)) {
    input.notifications = {
      actionRequired: prng.chance(0.8),
      reminders: prng.chance(0.5),
      finished: prng.chance(0.7),
    };
  }
  if (prng.chance(0.2)) input.maxHistoryEvents = prng.pick([200, 250, 400, 1000, 5000]);
  return input;
}

function generateOrg(prng: Prng, input: InputSpec): OrgSpec {
  const servers = generateServers(prng.fork('servers'));
  const names = servers.map((s) => s.name);
  const renewBefore = input.renewBeforeDays ?? DEFAULT_RENEW_BEFORE_DAYS;
  const state: CurrentState = prng.weighted({ far: 36, renew: 22, soon: 12, expired: 18, none: 5 });
  // A certificate made at least a month ago expires within its lifetime: a renewBeforeDays past that makes a current
  // certificate "far" impossible (explorer seeds 966, 1041 drew one installed years in the future). Clamped, not
  // redrawn, so every other seed keeps its draws.
  const lifetimeLeft = (hours: number) => Math.min(hours, (LIFETIME_YEARS * 365 - 30) * 24);
  const expiresInHours = {
    far: () => lifetimeLeft(prng.real(renewBefore * 24 + 1, Math.max(renewBefore * 24 + 2, 1500 * 24))),
    renew: () => lifetimeLeft(prng.real(72, Math.max(73, renewBefore * 24))),
    soon: () => prng.logReal(0.05, 72),
    expired: () => -prng.logReal(0.05, 400 * 24),
    none: () => 0,
  }[state]();
  const missing = prng.weighted({ none: 68, some: 22, all: 10 });
  const missingOn =
    state === 'none'
      ? []
      : missing === 'all'
        ? names
        : missing === 'some'
          ? prng.subset(names, 0.4).slice(0, Math.max(0, names.length - 1))
          : [];

  let next: OrgSpec['next'] = null;
  if (prng.chance(0.3)) {
    const when = prng.weighted({ far: 35, near: 35, past: 30 });
    const presence = prng.weighted({ all: 50, some: 30, none: 20 });
    next = {
      stagedBy: prng.chance(0.5) ? 'person' : 'earlier-run',
      effectiveInHours:
        when === 'far'
          ? prng.real(49, 30 * 24)
          : when === 'near'
            ? prng.logReal(0.05, 48)
            : -prng.logReal(0.05, 30 * 24),
      presentOn:
        presence === 'all' ? names : presence === 'none' ? [] : prng.subset(names, 0.5).slice(0, names.length - 1),
      replicatingForHours: prng.chance(0.75) ? prng.logReal(0.1, 72) : null,
      validDays: prng.chance(0.9) ? prng.real(365, 5 * 365) : prng.real(1, 120),
    };
    if (next.presentOn.length === 0 && presence === 'some') next.presentOn = names.slice(0, 1);
  }
  const childDomain = prng.chance(0.15);
  return {
    servers,
    sameSiteReplicationMinutes: prng.pick([15, 30, 60, 60, 60, 120, 180]),
    crossSiteReplicationHours: prng.chance(0.4) ? null : prng.pick([1, 2, 2, 6, 12]),
    current: { state, expiresInHours, missingOn },
    previous: prng.chance(0.3),
    next,
    strayAuthOn: prng.chance(0.1) ? prng.subset(names, 0.5) : [],
    hybrid: prng.chance(0.35),
    childDomain,
    enableAuthAdminReadSession: childDomain ? prng.chance(0.5) : prng.chance(0.1),
  };
}

function generateTimeline(prng: Prng, org: OrgSpec, horizonMs: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const names = org.servers.map((s) => s.name);
  const at = () => (prng.chance(0.3) ? 0 : roundTo(prng.real(0, horizonMs), MINUTE));
  if (prng.chance(0.22)) {
    for (let i = prng.int(1, 2); i > 0; i--) {
      const server = prng.pick(names);
      const from = at();
      events.push({ atMs: from, kind: 'reachable', server, reachable: false });
      if (prng.chance(0.85)) {
        events.push({
          atMs: from + roundTo(prng.logReal(5 * MINUTE, 40 * HOUR), MINUTE),
          kind: 'reachable',
          server,
          reachable: true,
        });
      }
    }
  }
  if (prng.chance(0.15)) {
    for (let i = prng.int(1, 3); i > 0; i--) {
      events.push({ atMs: Math.max(MINUTE, at()), kind: 'service-host-restart', server: prng.pick(names) });
    }
  }
  if (prng.chance(0.12)) {
    const from = at();
    events.push({ atMs: from, kind: 'authadmin', paused: true });
    events.push({ atMs: from + roundTo(prng.logReal(HOUR, 60 * HOUR), MINUTE), kind: 'authadmin', paused: false });
  }
  if (prng.chance(0.1)) {
    events.push({ atMs: at(), kind: 'access-denied', cmdlet: prng.pick(DENIABLE_CMDLETS), once: prng.chance(0.6) });
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

function generateFaults(prng: Prng): FaultProfile {
  const transient = prng.weighted({ none: 50, low: 30, high: 20 });
  const probability = transient === 'none' ? 0 : transient === 'low' ? prng.real(0.01, 0.1) : prng.real(0.1, 0.35);
  const byCmdlet: Record<string, number> = {};
  if (prng.chance(0.15)) byCmdlet[prng.pick(FLAKY_CMDLETS)] = prng.real(0.2, 0.6);
  const killing = prng.chance(0.4);
  return {
    transient: { probability, byCmdlet },
    shellDeath: prng.chance(0.3) ? prng.real(0.005, 0.05) : 0,
    kill: {
      probability: killing ? prng.real(0.02, 0.15) : 0,
      max: killing ? prng.int(1, 4) : 0,
      minDowntimeMs: MINUTE,
      maxDowntimeMs: prng.pick([10 * MINUTE, 2 * HOUR, DAY, 3 * DAY]),
    },
  };
}

const MALFORMED_ANSWERS: unknown[] = [{}, { by: '' }, { by: '   ' }, 'done', null, { who: 'alice' }, { by: 7 }];

function generateHcw(prng: Prng, input: InputSpec, hybrid: boolean): HcwAnswer[] {
  const hours = input.effectiveDateHours ?? DEFAULT_EFFECTIVE_HOURS;
  const published = Math.min(hours, 24 * 400) * HOUR + 12 * HOUR;
  const completed = (atMs: number): HcwAnswer => ({
    atMs,
    signal: hcwCompletedSignal.name as HcwAnswer['signal'],
    payload: prng.chance(0.5) ? { by: 'alice' } : { by: 'bob', note: 'HCW re-run, OAuth checked' },
    valid: true,
  });
  const skipped = (atMs: number): HcwAnswer => ({
    atMs,
    signal: hcwSkippedSignal.name as HcwAnswer['signal'],
    payload: { by: 'carol', reason: 'dedicated hybrid app updated by hand' },
    valid: true,
  });
  const malformed = (atMs: number): HcwAnswer => ({
    atMs,
    signal: prng.pick([hcwCompletedSignal.name, hcwSkippedSignal.name]) as HcwAnswer['signal'],
    payload: prng.pick(MALFORMED_ANSWERS),
    valid: false,
  });
  const early = () => roundTo(prng.real(MINUTE, Math.max(2 * MINUTE, hours * HOUR * 0.8)), 1000);
  const onTime = () => roundTo(published + prng.logReal(HOUR, 3 * DAY), 1000);
  const late = () => roundTo(published + prng.logReal(3 * DAY, 40 * DAY), 1000);
  const kind = prng.weighted({ never: 18, onTime: 34, late: 10, early: 10, twice: 10, malformed: 10, skipped: 8 });
  if (!hybrid && prng.chance(0.8)) return [];
  switch (kind) {
    case 'never':
      return [];
    case 'onTime':
      return [completed(onTime())];
    case 'late':
      return [completed(late())];
    case 'early':
      return [completed(early()), ...(prng.chance(0.5) ? [completed(onTime())] : [])];
    case 'twice': {
      const first = onTime();
      return [completed(first), prng.chance(0.5) ? skipped(first + HOUR) : completed(first + prng.int(1, 3600) * 1000)];
    }
    case 'malformed':
      return [malformed(onTime()), ...(prng.chance(0.6) ? [completed(onTime() + 2 * HOUR)] : [])];
    case 'skipped':
      return [skipped(onTime())];
  }
}

export function generateScenario(seed: number): Scenario {
  const root = new Prng(`scenario:${seed}`);
  const input = generateInput(root.fork('input'));
  const org = generateOrg(root.fork('org'), input);
  const hours = input.effectiveDateHours ?? DEFAULT_EFFECTIVE_HOURS;
  const horizon = Math.min(hours, 24 * 30) * HOUR + 24 * HOUR;
  const scenario: Scenario = {
    seed,
    org,
    input,
    timeline: generateTimeline(root.fork('timeline'), org, horizon),
    faults: generateFaults(root.fork('faults')),
    scripted: [],
    hcw: generateHcw(root.fork('hcw'), input, org.hybrid),
  };
  // Its own stream, so that seeds drawn before the dedicated application existed keep their organisation and timeline.
  const app = root.fork('hybrid-app');
  if (org.hybrid && app.chance(0.4)) {
    org.dedicatedApp = true;
    if (app.chance(0.6)) {
      const event: TimelineEvent = {
        atMs: roundTo(app.real(0, horizon), MINUTE),
        kind: 'graph-outage',
        requests: app.int(1, 12),
      };
      scenario.timeline = [...scenario.timeline, event].sort((a, b) => a.atMs - b.atMs);
    }
  }
  // Now and then a second argument no rotation would carry: a person's mistake with `temporal workflow start`.
  const odd = root.fork('carried');
  if (odd.chance(0.01)) scenario.carried = odd.pick([{ state: {} }, { state: null }, { steps: [] }, 'resume']);
  return scenario;
}
