// Inspect and decide (workflows/rotation/inspect.ts): the emergency path, unreachable servers, plan mode.
import { ApplicationFailure } from '@temporalio/common';
import type { RotationActivities } from '../../../activities';
import { hcwCompletedSignal } from '../../../workflows/messages';
import { StubOrganisation } from '../stub-activities';
import { scenario, run, planned, until, firstAttemptFails, org, useRotationEnv } from './fixture';

useRotationEnv();

describe('emergency', () => {
  test.each([
    ['expired', { currentExpiresInDays: -1 }],
    ['missing everywhere', { currentMissingOn: 'all' as const }],
  ])(
    'current %s: generate, stage now, publish, clear previous, restart, recycle, check sign-in, HCW',
    async (_, over) => {
      const stub = new StubOrganisation(scenario({ ...over, hybrid: true, isolatedSites: ['Osaka'] }));
      const { report } = await run(
        stub,
        { organization: org(), probeMailbox: 'probe@contoso.test' },
        {
          during: async (handle) => {
            await until(handle, (s) => s.phase === 'awaiting-hcw');
            await handle.signal(hcwCompletedSignal, { by: 'alice', note: 'HCW re-run' });
          },
        },
      );
      expect(report.path).toBe('replace-now');
      const stage = stub.calls.find((c) => c.name === 'stageCertificate')!.args as {
        effectiveDate: { kind: string };
        force: boolean;
      };
      expect(stage).toMatchObject({ effectiveDate: { kind: 'now' }, force: true });
      expect(report.publishedByForce).toBe(true);
      expect(stub.previousThumbprint).toBeNull();
      expect(stub.restartedAt.size).toBe(3);
      expect(stub.recycledAt.size).toBe(3);
      expect(stub.count('checkSignIn')).toBe(1);
      expect(report.servers.every((s) => s.signIn?.ok)).toBe(true);
      expect(report.hcw).toMatchObject({ status: 'completed', by: 'alice', note: 'HCW re-run' });
      expect(report.outcome).toBe('completed');
      // The isolated site was served at once: an outage does not wait for crossSiteImportAfter.
      expect(stub.count('copyCertificate')).toBeGreaterThanOrEqual(1);
      const names = stub.calls.map((c) => c.name);
      // Imported everywhere before it is staged for now: the servicelet may publish it at its next run (seed 182).
      expect(names.indexOf('copyCertificate')).toBeLessThan(names.indexOf('stageCertificate'));
      expect(names.indexOf('publishCertificateNow')).toBeLessThan(names.indexOf('restartServiceHost'));
      expect(names.indexOf('restartServiceHost')).toBeLessThan(names.indexOf('recycleAuthAppPools'));
      // The forced publication wrote event 2014 (the stub's servicelet does at publication): recorded per server.
      expect(report.servers.every((s) => s.event2014 && s.currentThumbprint === report.newThumbprint)).toBe(true);
    },
  );
});

test('emergency with a usable staged certificate: it is imported where missing and published now, none is created', async () => {
  const stub = new StubOrganisation(
    scenario({ currentExpiresInDays: -1, stagedNext: { effectiveInHours: 30, missingOn: ['EX3'] }, hybrid: true }),
  );
  const staged = '2'.padStart(40, '0');
  const expired = '1'.padStart(40, '0');
  const { report } = await run(
    stub,
    { organization: org(), probeMailbox: 'probe@contoso.test' },
    {
      during: async (handle) => {
        await until(handle, (s) => s.phase === 'awaiting-hcw');
        await handle.signal(hcwCompletedSignal, { by: 'alice' });
      },
    },
  );
  expect(report).toMatchObject({
    path: 'replace-now',
    outcome: 'completed',
    newThumbprint: staged,
    previousThumbprint: expired,
    publishedByForce: true,
    previousCleared: true,
  });
  expect(stub.madeThumbprints).toEqual([]);
  expect(stub.count('generateAuthCertificate') + stub.count('listAuthCertificates')).toBe(0);
  expect(stub.currentThumbprint).toBe(staged);
  expect(stub.previousThumbprint).toBeNull();
  // It was copied to the server that lacked it (seed 179: Set-AuthConfig fails on a server without it), then its date
  // 30 hours ahead was brought forward to now (-Force).
  const stage = stub.calls.find((c) => c.name === 'stageCertificate')!.args;
  expect(stage).toEqual({ thumbprint: staged, effectiveDate: { kind: 'now' }, force: true });
  expect(Date.parse(report.effectiveDate!)).toBeLessThan(Date.parse(report.startedAt) + 3_600_000);
  const copies = stub.calls.filter((c) => c.name === 'copyCertificate');
  expect(copies.map((c) => (c.args as { targets: Array<{ name: string }> }).targets.map((t) => t.name))).toEqual([
    ['EX3'],
  ]);
  const names = stub.calls.map((c) => c.name);
  expect(names.indexOf('copyCertificate')).toBeLessThan(names.indexOf('stageCertificate'));
  expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
  expect(names.indexOf('publishCertificateNow')).toBeLessThan(names.indexOf('restartServiceHost'));
  expect(names.indexOf('restartServiceHost')).toBeLessThan(names.indexOf('recycleAuthAppPools'));
  expect(stub.recycledAt.size).toBe(3);
  expect(report.servers.every((s) => s.signIn?.ok && s.event2014)).toBe(true);
  expect(report.phases.map((p) => p.phase)).not.toContain('generating');
  expect(report.reasons.join('\n')).toMatch(
    new RegExp(`staged next certificate ${staged} is valid until \\S+ and missing on EX3 \\(imported there first\\)`),
  );
  expect(planned(report).slice(0, 4)).toEqual([
    `keep the staged certificate ${staged}: no new certificate is created`,
    `import the staged certificate ${staged} on EX3 before staging it now (a new certificate replaces it where it ` +
      'cannot be imported)',
    'stage it with the effective date now (-Force)',
    'confirm every server has it',
  ]);
  expect(report.hcw.status).toBe('completed');
});

test('emergency with a staged certificate that cannot be imported where missing: a new one is staged in its place', async () => {
  const stub = new StubOrganisation(
    scenario({ currentExpiresInDays: -1, stagedNext: { effectiveInHours: 30, missingOn: ['EX3'] } }),
  );
  const staged = '2'.padStart(40, '0');
  const stubbed = stub.activities();
  // EX3 refuses the import of the staged certificate; later copies (of the new certificate) go through.
  const copyCertificate: RotationActivities['copyCertificate'] = async (request) =>
    request.thumbprint === staged
      ? request.targets.map((t) => ({ server: t.name, outcome: 'failed' as const, detail: 'Access is denied' }))
      : stubbed.copyCertificate(request);
  const { report } = await run(stub, { organization: org() }, { activities: { copyCertificate } });
  expect(report).toMatchObject({ path: 'replace-now', outcome: 'completed', publishedByForce: true });
  expect(stub.madeThumbprints).toHaveLength(1);
  expect(report.newThumbprint).toBe(stub.madeThumbprints[0]);
  expect(stub.currentThumbprint).toBe(stub.madeThumbprints[0]);
  // The staged certificate was never staged for now, nor published onto EX3 that lacks it.
  const stagings = stub.calls.filter((c) => c.name === 'stageCertificate').map((c) => c.args as { thumbprint: string });
  expect(stagings.map((x) => x.thumbprint)).toEqual([stub.madeThumbprints[0]]);
  expect(report.warnings.join('\n')).toMatch(
    new RegExp(`staged certificate ${staged} could not be imported on EX3 \\(Access is denied\\)`),
  );
  expect(report.phases.map((p) => p.phase)).toContain('generating');
  // The new certificate was imported on EX3 before it was staged now.
  const names = stub.calls.map((c) => c.name);
  expect(names.lastIndexOf('copyCertificate')).toBeLessThan(names.indexOf('stageCertificate'));
});

test('emergency with a staged certificate that expires within renewBefore: a new one is created instead', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: -1, stagedNext: { effectiveInHours: 30 } }));
  const { report } = await run(stub, { organization: org(), renewBeforeDays: 3650 });
  expect(report).toMatchObject({ path: 'replace-now', outcome: 'completed', publishedByForce: true });
  expect(stub.madeThumbprints).toHaveLength(1);
  expect(stub.currentThumbprint).toBe(stub.madeThumbprints[0]);
  expect(report.reasons.join('\n')).toMatch(
    /is not published instead: it expires at \S+, within renewBefore \(3650 days\)/,
  );
});

test('emergency: a crash right after publishing by force is still reported as published by force', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: -1 }));
  const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
  const { activities, counter } = firstAttemptFails(stub, 'publishCertificateNow', crash, 'after');
  const { report } = await run(stub, { organization: org() }, { activities });
  expect(counter.attempts).toBe(2);
  expect(report).toMatchObject({
    path: 'replace-now',
    outcome: 'completed',
    publishedByForce: true,
    previousCleared: true,
  });
  const request = stub.calls.find((c) => c.name === 'publishCertificateNow')!.args as { replacing?: string };
  expect(request.replacing).toBe(report.previousThumbprint);
});

describe('unreachable servers', () => {
  test('stop the run with a report', async () => {
    const stub = new StubOrganisation(scenario({ unreachable: ['EX2'] }));
    const { report } = await run(stub, { organization: org() });
    expect(report.outcome).toBe('stopped');
    expect(report.path).toBe('stop-unreachable');
    expect(report.stopReason).toMatch(/EX2/);
    expect(report.servers.find((s) => s.name === 'EX2')?.unreachable).toMatch(/RPC/);
    expect(stub.count('generateAuthCertificate')).toBe(0);
  });

  test('ignored on request: the rotation carries on with the others and says so', async () => {
    const stub = new StubOrganisation(scenario({ unreachable: ['EX2'] }));
    const { report } = await run(stub, { organization: org(), ignoreUnreachableServers: true });
    expect(report.outcome).toBe('completed');
    expect(report.servers.find((s) => s.name === 'EX2')).toMatchObject({
      ignored: true,
      poolsRecycledAfterPublication: false,
    });
    expect(report.warnings.join('\n')).toMatch(/EX2 is unreachable and was left out/);
    const recycle = stub.calls.find((c) => c.name === 'recycleAuthAppPools')!.args as {
      servers: Array<{ name: string }>;
    };
    expect(recycle.servers.map((s) => s.name)).toEqual(['EX1', 'EX3']);
  });
});

describe('plan mode', () => {
  test('dry run inspects, decides, reports the steps and changes nothing', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report } = await run(stub, { organization: org(), dryRun: true });
    expect(report.outcome).toBe('dry-run');
    expect(report.path).toBe('rotate');
    expect(planned(report).join('\n')).toMatch(/create a new Auth certificate/);
    expect(planned(report).join('\n')).toMatch(/Hybrid Configuration Wizard/);
    const changed = stub.calls.filter((c) => !['inspectOrganization', 'notify'].includes(c.name));
    expect(changed).toEqual([]);
  });
});

test('emergency keeping a staged certificate that became current before staging took: the date reported is the one it had', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: -1, stagedNext: { effectiveInHours: 30 } }));
  const stubbed = stub.activities();
  let held: string | null = null;
  const inspectOrganization: RotationActivities['inspectOrganization'] = async () => {
    const snapshot = await stubbed.inspectOrganization();
    held = snapshot.authConfig.nextCertificateEffectiveDate;
    return snapshot;
  };
  // As the activity answers a retry that finds it current with no saved progress (killed before Set-AuthConfig ran).
  const stageCertificate: RotationActivities['stageCertificate'] = async (request) => {
    const answer = await stubbed.stageCertificate(request);
    return { thumbprint: answer.thumbprint, state: 'current', serverTime: answer.serverTime };
  };
  const { report } = await run(
    stub,
    { organization: org() },
    { activities: { inspectOrganization, stageCertificate } },
  );
  expect(report.path).toBe('replace-now');
  expect(report.newThumbprint).toBe('2'.padStart(40, '0'));
  expect(held).not.toBeNull();
  expect(report.effectiveDate).toBe(held);
});
