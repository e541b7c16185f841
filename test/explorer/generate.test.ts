// The generator: a seed always gives the same scenario, the organisation it describes is a valid simulator state, and
// the fixed set of `npm test` covers what issue 8 asks for (organisation shapes, certificate states, flags, extremes,
// timeline events), so a change to the distributions cannot quietly stop exploring something.
import { msToNumber } from '@temporalio/common/lib/time';
import { parseRotationInput } from '../../common/rotation';
import { generateScenario } from './generate';
import { buildOrganisation } from './organisation';
import { SEEDED_SCENARIOS } from './seeded';
import { Prng } from './prng';

const ms = (v: string | number | undefined) =>
  v === undefined ? undefined : msToNumber(v as Parameters<typeof msToNumber>[0]);
const seeds = Array.from({ length: SEEDED_SCENARIOS }, (_, i) => i + 1);
const scenarios = seeds.map(generateScenario);

test('a seed gives the same scenario every time, and different seeds different ones', () => {
  expect(generateScenario(42)).toEqual(generateScenario(42));
  expect(JSON.stringify(generateScenario(42))).not.toEqual(JSON.stringify(generateScenario(43)));
});

test('the generator is seeded: no Math.random', () => {
  const random = jest.spyOn(Math, 'random');
  generateScenario(7);
  expect(random).not.toHaveBeenCalled();
  random.mockRestore();
});

test('named streams are independent and reproducible', () => {
  const a = new Prng('x');
  const b = new Prng('x');
  expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
  expect(new Prng('x').fork('one').next()).not.toEqual(new Prng('x').fork('two').next());
});

test('every organisation of the fixed set is a valid simulator state', () => {
  for (const scenario of scenarios) expect(() => buildOrganisation(scenario, Date.UTC(2031, 5, 1))).not.toThrow();
});

test('the fixed set covers the organisations, inputs and timelines issue 8 lists', () => {
  const has = (pick: (s: (typeof scenarios)[number]) => boolean) => scenarios.filter(pick).length;
  const servers = new Set(scenarios.map((s) => s.org.servers.length));
  const sites = new Set(scenarios.map((s) => new Set(s.org.servers.map((x) => x.site)).size));
  expect({
    oneServer: servers.has(1),
    twelveServers: servers.has(12),
    threeSites: sites.has(3),
  }).toEqual({ oneServer: true, twelveServers: true, threeSites: true });
  const counts = {
    currentFar: has((s) => s.org.current.state === 'far'),
    currentRenew: has((s) => s.org.current.state === 'renew'),
    currentSoon: has((s) => s.org.current.state === 'soon'),
    currentExpired: has((s) => s.org.current.state === 'expired'),
    currentNone: has((s) => s.org.current.state === 'none'),
    currentMissingOnSome: has(
      (s) => s.org.current.missingOn.length > 0 && s.org.current.missingOn.length < s.org.servers.length,
    ),
    currentMissingEverywhere: has(
      (s) => s.org.current.missingOn.length === s.org.servers.length && s.org.current.state !== 'none',
    ),
    nextFar: has((s) => (s.org.next?.effectiveInHours ?? 0) > 48),
    nextNear: has((s) => !!s.org.next && s.org.next.effectiveInHours > 0 && s.org.next.effectiveInHours <= 48),
    nextPast: has((s) => !!s.org.next && s.org.next.effectiveInHours < 0),
    nextOnAll: has((s) => s.org.next?.presentOn.length === s.org.servers.length),
    nextOnSome: has(
      (s) => !!s.org.next && s.org.next.presentOn.length > 0 && s.org.next.presentOn.length < s.org.servers.length,
    ),
    nextOnNone: has((s) => s.org.next?.presentOn.length === 0),
    transportIsAuth: has((s) => s.org.servers.some((x) => x.transport === 'auth')),
    childDomainWithReadSession: has((s) => s.org.childDomain && s.org.enableAuthAdminReadSession),
    childDomainWithout: has((s) => s.org.childDomain && !s.org.enableAuthAdminReadSession),
    hybrid: has((s) => s.org.hybrid),
    dedicatedHybridApp: has((s) => s.org.dedicatedApp === true),
    graphOutage: has((s) => s.timeline.some((e) => e.kind === 'graph-outage')),
    dryRun: has((s) => s.input.dryRun === true),
    force: has((s) => s.input.force === true),
    ignoreUnreachable: has((s) => s.input.ignoreUnreachableServers === true),
    shortAcknowledged: has(
      (s) => (s.input.effectiveDateHours ?? 49) < 48 && s.input.acknowledgeShortEffectiveDate === true,
    ),
    tinyEffectiveDate: has((s) => (s.input.effectiveDateHours ?? 49) < 0.01 + 1e-9),
    hugeEffectiveDate: has((s) => (s.input.effectiveDateHours ?? 49) >= 5000),
    renewBeforeExtreme: has((s) => s.input.renewBeforeDays === 1 || s.input.renewBeforeDays === 3650),
    smallHistory: has((s) => s.input.maxHistoryEvents === 200),
    secondPollInterval: has((s) => ms(s.input.replicationPollInterval) === 1000),
    refusedInput: has((s) => !parseRotationInput({ ...s.input, organization: 'x' }).ok),
    transientFaults: has((s) => s.faults.transient.probability >= 0.1),
    shellDeaths: has((s) => s.faults.shellDeath > 0),
    workerKills: has((s) => s.faults.kill.max > 0),
    unreachableWindow: has((s) => s.timeline.some((e) => e.kind === 'reachable' && !e.reachable)),
    serviceletLate: has((s) => s.timeline.some((e) => e.kind === 'authadmin' || e.kind === 'service-host-restart')),
    accessDenied: has((s) => s.timeline.some((e) => e.kind === 'access-denied')),
    hcwEarly: has((s) => s.hcw.some((a) => a.atMs < (s.input.effectiveDateHours ?? 49) * 3_600_000)),
    hcwTwice: has((s) => s.hcw.filter((a) => a.valid).length >= 2),
    hcwMalformed: has((s) => s.hcw.some((a) => !a.valid)),
    hcwNever: has((s) => s.org.hybrid && s.hcw.length === 0),
    hcwSkipped: has((s) => s.hcw.some((a) => a.signal === 'hcwSkippedSignal' && a.valid)),
  };
  const missing = Object.entries(counts)
    .filter(([, n]) => n === 0)
    .map(([name]) => name);
  expect(missing).toEqual([]);
});
