// Replicate (workflows/rotation/replicate.ts, import.ts): resume, imports across sites, the deadline and the date
// moved.
import { StubOrganisation } from '../stub-activities';
import { scenario, run, org, useRotationEnv } from './fixture';

useRotationEnv();

describe('resume and import', () => {
  test('resume: a certificate staged by a person is carried through, not replaced', async () => {
    const stub = new StubOrganisation(
      scenario({ stagedNext: { effectiveInHours: 10, missingOn: ['EX3'] }, isolatedSites: ['Osaka'] }),
    );
    const staged = '2'.padStart(40, '0');
    const { report } = await run(stub, { organization: org(), crossSiteImportAfter: '1h' });
    expect(report.path).toBe('resume');
    expect(report.newThumbprint).toBe(staged);
    expect(stub.count('generateAuthCertificate')).toBe(0);
    expect(stub.count('stageCertificate')).toBe(0);
    expect(stub.currentThumbprint).toBe(staged);
    expect(report.outcome).toBe('completed');
    // The person's certificate had not reached the other site: it was exported and imported there.
    expect(stub.count('copyCertificate')).toBe(1);
    expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
  });

  test('import across sites: the isolated site gets the certificate by export and import after crossSiteImportAfter', async () => {
    const stub = new StubOrganisation(scenario({ isolatedSites: ['Osaka'], replicationPolls: 1 }));
    const { report } = await run(stub, {
      organization: org(),
      crossSiteImportAfter: '2h',
      replicationPollInterval: '30m',
    });
    expect(report.outcome).toBe('completed');
    const copies = stub.calls.filter((c) => c.name === 'copyCertificate');
    expect(copies).toHaveLength(1);
    const copy = copies[0]!.args as { source: { name: string }; targets: Array<{ name: string }> };
    expect(copy.source.name).toBe('EX1');
    expect(copy.targets.map((t) => t.name)).toEqual(['EX3']);
    expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
    expect(report.servers.find((s) => s.name === 'EX2')?.importedAt).toBeUndefined();
  });

  test('replication deadline: stops with the servers that lack the certificate', async () => {
    const stub = new StubOrganisation(scenario({ replicationPolls: 1000 }));
    const { report } = await run(stub, { organization: org(), replicationDeadline: '3h', crossSiteImportAfter: '10h' });
    expect(report.outcome).toBe('stopped');
    expect(report.stopReason).toMatch(
      /replication deadline passed; servers lacking the new certificate: EX2 \(missing\), EX3 \(missing\)/,
    );
    expect(stub.count('checkPublication')).toBe(0);
  });

  test('replication incomplete shortly before the effective date: the last look imports it everywhere it is missing', async () => {
    const stub = new StubOrganisation(scenario({ replicationPolls: 1000 }));
    const { report } = await run(stub, {
      organization: org(),
      replicationDeadline: '48h',
      replicationPollInterval: '5h',
      crossSiteImportAfter: '100h',
    });
    expect(report.outcome).toBe('completed');
    // The last poll before the cut-off copied to both servers although crossSiteImportAfter had not passed.
    const copies = stub.calls.filter((c) => c.name === 'copyCertificate');
    expect(copies.map((c) => (c.args as { targets: Array<{ name: string }> }).targets.map((t) => t.name))).toEqual([
      ['EX2', 'EX3'],
    ]);
    expect(report.dateChanges.map((d) => d.code)).toEqual(['as-wanted']);
  });

  test('still missing at the cut-off: the date moves (same certificate), a person is told; when it cannot, it stops before the date', async () => {
    const stub = new StubOrganisation(scenario({ replicationPolls: 1000 }));
    const stubbed = stub.activities();
    const checkedAt: number[] = [];
    const { report } = await run(
      stub,
      { organization: org(), replicationPollInterval: '5h', crossSiteImportAfter: '100h' },
      {
        activities: {
          checkReplication: async (request) => {
            const check = await stubbed.checkReplication(request);
            checkedAt.push(Date.parse(check.serverTime));
            return check;
          },
          // EX2 never takes the import.
          copyCertificate: async (request) => {
            const others = { ...request, targets: request.targets.filter((t) => t.name !== 'EX2') };
            const results = await stubbed.copyCertificate(others);
            return [...results, { server: 'EX2', outcome: 'failed' as const, detail: 'RPC server is unavailable' }];
          },
        },
      },
    );
    expect(report.outcome).toBe('stopped');
    expect(report.dateChanges.map((d) => d.code)).toEqual(['as-wanted', 'move-date', 'move-date', 'move-date']);
    expect(report.stopReason).toMatch(
      /^replication not complete by \S+ \(server clock\), shortly before the effective date \S+; servers lacking the new certificate: EX2 \(missing\); it stays staged for \S+ \(server clock\), when it becomes current: import it on EX2 before then, or stage another certificate$/,
    );
    // Stopped on the server clock two hours before the last date, which the servicelet never reached.
    const effective = Date.parse(report.effectiveDate!);
    expect(stub.effectiveDate).toBe(effective);
    expect(checkedAt.at(-1)).toBeLessThan(effective);
    expect(checkedAt.at(-1)).toBeGreaterThanOrEqual(effective - 2 * 3_600_000);
    expect(stub.count('checkPublication')).toBe(0);
    expect(stub.notifications.filter((n) => /effective date moved/.test(n.subject))).toHaveLength(3);
    const asked = stub.notifications.filter((n) => n.kind === 'action-required').at(-1);
    expect(asked?.subject).toMatch(/not on every server before its effective date/);
    expect(asked?.text).toContain(`import it on EX2 before then`);
  });

  test('import path: the current certificate is copied where it is missing, then the organisation is inspected again', async () => {
    const stub = new StubOrganisation(scenario({ currentExpiresInDays: 400, currentMissingOn: ['EX3'] }));
    const { report } = await run(stub, { organization: org() });
    expect(report.path).toBe('import');
    expect(report.outcome).toBe('completed');
    expect(stub.count('inspectOrganization')).toBe(2);
    expect(stub.count('generateAuthCertificate')).toBe(0);
    expect(stub.hasCertificate('EX3', '1'.padStart(40, '0'))).toBe(true);
    expect(report.reasons.join('\n')).toMatch(/current certificate missing on: EX3/);
    expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
  });
});

test('import path, then due: the copies are repaired first, then the certificate is rotated', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: 20, currentMissingOn: ['EX3'] }));
  const { report } = await run(stub, { organization: org() });
  expect(report.path).toBe('rotate');
  expect(report.outcome).toBe('completed');
  const names = stub.calls.map((c) => c.name);
  expect(names.indexOf('copyCertificate')).toBeLessThan(names.indexOf('generateAuthCertificate'));
  expect(report.reasons.join('\n')).toMatch(/current certificate missing on: EX3/);
});
