// Wait for the date and publication (workflows/rotation/wait-date.ts, publication.ts): the servicelet's run, the child
// domain, a silent servicelet, AuthConfig as the proof.
import type { RotationStatus } from '../../../common/rotation';
import { StubOrganisation } from '../stub-activities';
import { scenario, run, planned, until, org, useRotationEnv } from './fixture';

useRotationEnv();

test('an accelerated server clock: the timer to the effective date is divided by serverClockRate', async () => {
  // Replication is immediate: a 10-minute poll would be 600 server hours at this rate.
  const stub = new StubOrganisation(scenario({ clockRate: 3600, replicationPolls: 0 }));
  const { report } = await run(stub, { organization: org() });
  expect(report.outcome).toBe('completed');
  const waiting = report.phases.find((p) => p.phase === 'waiting-for-effective-date')!;
  const waitedMs = Date.parse(waiting.endedAt!) - Date.parse(waiting.startedAt);
  // 49 server hours at 3600 server seconds per second: about 49 seconds of Temporal time, not 49 hours.
  expect(waitedMs).toBeGreaterThanOrEqual(45_000);
  expect(waitedMs).toBeLessThan(5 * 60_000);
  expect(stub.count('readServerClock')).toBeLessThanOrEqual(3);
});

describe('servers in a child domain without EnableAuthAdminReadSession', () => {
  test('a person is told at planning, before the wait for the effective date; the diagnosis gets the facts', async () => {
    const stub = new StubOrganisation(scenario({ childDomain: true, servicelet: 'after-diagnosis' }));
    const { report } = await run(stub, { organization: org() });
    expect(report.outcome).toBe('completed');
    const warning = report.warnings.find((w) => /EnableAuthAdminReadSession is off/.test(w));
    expect(warning).toMatch(/^The Exchange servers are in corp\.contoso\.test, a child of the forest root domain/);
    const told = stub.notifications.find((n) => n.kind === 'action-required');
    expect(told).toMatchObject({ text: warning, subject: expect.stringMatching(/EnableAuthAdminReadSession/) });
    // Told before anything was created, let alone waited for.
    const names = stub.calls.map((c) => c.name);
    expect(names.indexOf('notify')).toBeLessThan(names.indexOf('generateAuthCertificate'));
    expect(names.indexOf('notify')).toBe(names.indexOf('inspectOrganization') + 1);
    expect(planned(report)).toEqual(
      expect.arrayContaining([expect.stringMatching(/EnableAuthAdminReadSession \$true before the effective date/)]),
    );
    const diagnose = stub.calls.find((c) => c.name === 'diagnoseServicelet')!.args;
    expect(diagnose).toMatchObject({
      childDomain: { forestRootDomain: 'contoso.test', serverDomains: ['corp.contoso.test'] },
    });
  });

  test('a dry run warns in its report and tells nobody; an emergency does not wait for the servicelet', async () => {
    const dry = new StubOrganisation(scenario({ childDomain: true }));
    const { report } = await run(dry, { organization: org(), force: true, dryRun: true });
    expect(report.warnings.join('\n')).toMatch(/EnableAuthAdminReadSession is off/);
    expect(dry.notifications.filter((n) => n.kind === 'action-required')).toEqual([]);
    const emergency = new StubOrganisation(scenario({ childDomain: true, currentExpiresInDays: -1 }));
    const replaced = await run(emergency, { organization: org() });
    expect(replaced.report.path).toBe('replace-now');
    expect(replaced.report.warnings.join('\n')).not.toMatch(/EnableAuthAdminReadSession/);
  });
});

describe('servicelet silent', () => {
  test('diagnoses after one cycle plus the margin, tells a person, never publishes by force, gives up as stopped', async () => {
    const stub = new StubOrganisation(scenario({ servicelet: 'silent' }));
    let seen: RotationStatus | undefined;
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          seen = await until(handle, (s) => s.actionRequired !== null);
        },
      },
    );
    expect(seen?.phase).toBe('publishing');
    expect(seen?.actionRequired).toMatch(/servicelet/);
    expect(stub.count('diagnoseServicelet')).toBe(1);
    expect(stub.count('publishCertificateNow')).toBe(0);
    expect(report.outcome).toBe('stopped');
    expect(report.stopReason).toMatch(/publication-overdue/);
    expect(report.diagnosis?.advice.length).toBeGreaterThan(0);
    expect(stub.notifications.some((n) => n.kind === 'action-required' && /overdue/.test(n.subject))).toBe(true);
    // Overdue means: the date plus one 12 h cycle plus the 2 h margin had passed on the server's clock.
    expect(stub.diagnosedAt).toBeGreaterThanOrEqual(Date.parse(report.effectiveDate!) + 14 * 3_600_000);
    expect(stub.diagnosedAt).toBeLessThan(Date.parse(report.effectiveDate!) + 15 * 3_600_000);
  });

  test('publication that comes after a person acts on the diagnosis completes the rotation', async () => {
    const stub = new StubOrganisation(scenario({ servicelet: 'after-diagnosis' }));
    const { report } = await run(stub, { organization: org() });
    expect(report.outcome).toBe('completed');
    expect(report.diagnosis).toBeDefined();
    expect(report.servers.every((s) => s.event2014)).toBe(true);
  });
});

test('published, but one server never logs event 2014: AuthConfig is the proof, so nothing waits for it', async () => {
  const stub = new StubOrganisation(scenario({ silentEventsOn: ['EX2'] }));
  const { report } = await run(stub, { organization: org(), publicationGiveUpAfter: '6h' });
  expect(report.outcome).toBe('completed');
  expect(report.diagnosis).toBeUndefined();
  expect(report.warnings.join('\n')).not.toMatch(/event 2014/);
  expect(report.servers.map((s) => [s.name, s.event2014, s.poolsRecycledAfterPublication])).toEqual([
    ['EX1', true, true],
    ['EX2', false, true],
    ['EX3', true, true],
  ]);
});
