// Generate and stage (workflows/rotation/generate.ts): a planned rotation from creation to its staged date; no second
// certificate after a crash; the date in front of an expiry.
import { ApplicationFailure } from '@temporalio/common';
import { StubOrganisation } from '../stub-activities';
import { scenario, run, firstAttemptFails, org, useRotationEnv } from './fixture';

useRotationEnv();

describe('planned rotation', () => {
  test('rotates, declines the SMTP overwrite, waits for the date and publication, recycles, no HCW outside hybrid', async () => {
    const stub = new StubOrganisation(scenario({ smtpMoves: true }));
    const { report } = await run(stub, { organization: org() });
    expect(report.path).toBe('rotate');
    expect(report.outcome).toBe('completed');
    expect(report.newThumbprint).toBe(stub.currentThumbprint);
    expect(report.previousThumbprint).not.toBe(report.newThumbprint);
    expect(stub.count('generateAuthCertificate')).toBe(1);
    expect(stub.count('publishCertificateNow')).toBe(0);
    expect(report.publishedByForce).toBe(false);
    expect(report.effectiveDateHours).toBe(49);
    expect(report.servers.every((s) => s.hasNewCertificate && s.event2014 && s.poolsRecycledAfterPublication)).toBe(
      true,
    );
    expect(report.servers.every((s) => s.transport?.restored)).toBe(false);
    expect(report.servers.find((s) => s.name === 'EX1')?.transport?.restored).toBe(true);
    expect(report.warnings.join('\n')).toMatch(/moved SMTP on EX1/);
    // Recycled after publication, never before: the stub's servicelet published at the effective date.
    const effective = Date.parse(report.effectiveDate!);
    for (const at of stub.recycledAt.values()) expect(at).toBeGreaterThanOrEqual(effective);
    expect(report.hcw.status).toBe('not-needed');
    expect(report.phases.map((p) => p.phase)).toEqual([
      'inspecting',
      'planning',
      'generating',
      'staging',
      'replicating',
      'waiting-for-effective-date',
      'publishing',
      'recycling',
    ]);
  });

  test('a crash right after New-ExchangeCertificate (heartbeat lost, NotBefore back-dated) makes no second certificate', async () => {
    const stub = new StubOrganisation(scenario({ notBeforeOffsetHours: -24 }));
    const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
    const { activities, counter } = firstAttemptFails(stub, 'generateAuthCertificate', crash, 'after');
    const { report } = await run(stub, { organization: org() }, { activities });
    expect(counter.attempts).toBe(2);
    expect(stub.madeThumbprints).toHaveLength(1);
    expect(report).toMatchObject({ outcome: 'completed', newCertificateReused: true });
    expect(report.newThumbprint).toBe(stub.madeThumbprints[0]);
    // What the creating server held was read before creation, so the retry knew what was new.
    const names = stub.calls.map((c) => c.name);
    expect(names.indexOf('listAuthCertificates')).toBeLessThan(names.indexOf('generateAuthCertificate'));
    const generate = stub.calls.find((c) => c.name === 'generateAuthCertificate')!.args as { existing?: string[] };
    expect(generate.existing).toEqual(['1'.padStart(40, '0')]);
  });

  test('under 48 hours only with the acknowledgement, recorded in the report; restart of the service host on request', async () => {
    const stub = new StubOrganisation(scenario());
    const { report } = await run(stub, {
      organization: org(),
      effectiveDateHours: 24,
      acknowledgeShortEffectiveDate: true,
      restartServiceHostAfterEffectiveDate: true,
    });
    expect(report.outcome).toBe('completed');
    expect(report.shortEffectiveDateAcknowledged).toBe(true);
    expect(report.effectiveDateHours).toBe(24);
    const stage = stub.calls.find((c) => c.name === 'stageCertificate')!.args as { force: boolean };
    expect(stage.force).toBe(true);
    expect(stub.restartedAt.size).toBe(3);
    for (const at of stub.restartedAt.values()) expect(at).toBeGreaterThanOrEqual(Date.parse(report.effectiveDate!));
  });

  test('a crash after restarting MSExchangeServiceHost: the retry restarts no server again', async () => {
    const stub = new StubOrganisation(scenario());
    const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
    const { activities, counter } = firstAttemptFails(stub, 'restartServiceHost', crash, 'after');
    const { report } = await run(
      stub,
      { organization: org(), restartServiceHostAfterEffectiveDate: true },
      { activities },
    );
    expect(report.outcome).toBe('completed');
    expect(counter.attempts).toBe(2);
    expect(stub.restarts).toEqual(['EX1', 'EX2', 'EX3']);
    const request = stub.calls.find((c) => c.name === 'restartServiceHost')!.args as { notBefore?: string };
    expect(request.notBefore).toBe(report.effectiveDate);
    expect(report.reasons.join('\n')).toMatch(/MSExchangeServiceHost on EX1 had started at .*: not restarted again/);
    expect(report.servers.every((s) => s.serviceHostRestartedAt !== undefined)).toBe(true);
  });

  test('nothing to do outside renewBefore; force rotates anyway', async () => {
    const quiet = new StubOrganisation(scenario({ currentExpiresInDays: 400 }));
    const { report } = await run(quiet, { organization: org() });
    expect(report.outcome).toBe('nothing-to-do');
    expect(report.path).toBe('nothing-to-do');
    expect(quiet.count('generateAuthCertificate')).toBe(0);

    const forced = new StubOrganisation(scenario({ currentExpiresInDays: 400 }));
    const { report: forcedReport } = await run(forced, { organization: org(), force: true });
    expect(forcedReport.path).toBe('rotate');
    expect(forcedReport.outcome).toBe('completed');
  });
});

test('a current certificate that expires before the wanted date: the date comes in front of the expiry, never a publish by force', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: 1 }));
  const { report } = await run(stub, { organization: org() });
  expect(report.path).toBe('rotate');
  expect(report.dateChanges[0]?.code).toBe('before-expiry');
  expect(report.publishedByForce).toBe(false);
  expect(stub.count('publishCertificateNow')).toBe(0);
  // The servicelet's next 12-hourly run could come after the expiry: the service host is restarted at the date.
  expect(stub.restarts.length).toBe(3);
  expect(Date.parse(report.effectiveDate!)).toBeLessThanOrEqual(Date.parse(report.startedAt) + 22 * 3_600_000 + 60_000);
  expect(report.outcome).toBe('completed');
});
