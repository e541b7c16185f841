import fc from 'fast-check';
import { PSDateTime, PSObject, PSSecureString } from '../../shell/types';
import { buildScenario } from '../../exchange/scenarios';
import { advanceClock, catchUp, setAcceleration, signInProbe, simulatedNow } from '../../exchange/behaviour';
import { HOUR, Org, START } from './helpers';
import { at } from '../../invariant';

// healthy: EX1's service host started on a 06:00/18:00 UTC cycle, EX2's 37 minutes later.
describe('publication across the 12-hour AuthAdmin cycle', () => {
  const effective = START + 49 * HOUR; // day+2 07:00, between EX2's 06:37 run and EX1's 18:00 run
  const cases: Array<{ at: number; published: boolean; ex1Event: boolean; ex2Event: boolean }> = [
    { at: 1 * HOUR, published: false, ex1Event: false, ex2Event: false },
    { at: 49 * HOUR, published: false, ex1Event: false, ex2Event: false },
    { at: 59 * HOUR + 59 * 60_000, published: false, ex1Event: false, ex2Event: false },
    { at: 60 * HOUR, published: true, ex1Event: true, ex2Event: false },
    { at: 60 * HOUR + 36 * 60_000, published: true, ex1Event: true, ex2Event: false },
    { at: 60 * HOUR + 37 * 60_000, published: true, ex1Event: true, ex2Event: true },
    { at: 200 * HOUR, published: true, ex1Event: true, ex2Event: true },
  ];
  it.each(cases)('at +$at ms: published=$published EX1 event=$ex1Event EX2 event=$ex2Event', async (c) => {
    const org = await Org.create('healthy');
    const old = org.state().authConfig.currentCertificateThumbprint;
    const t = await org.newAuthCert('EX1');
    await org.stage(t, effective);
    await org.advance(c.at);
    const a = org.state().authConfig;
    expect(a.currentCertificateThumbprint).toBe(c.published ? t : old);
    expect(a.nextCertificateThumbprint).toBe(c.published ? null : t);
    expect(a.previousCertificateThumbprint).toBe(c.published ? old : null);
    expect(org.events2014('EX1').includes(t)).toBe(c.ex1Event);
    expect(org.events2014('EX2').includes(t)).toBe(c.ex2Event);
  });

  it('gives the same history whether the clock is caught up in one step or many', () => {
    const stepwise = buildScenario('healthy', { start: START, acceleration: 0, realNow: START });
    const once = buildScenario('healthy', { start: START, acceleration: 0, realNow: START });
    for (const org of [stepwise, once]) {
      const cert = {
        ...at(at(org.servers, 0, 'server').certificates, 0, 'certificate'),
        thumbprint: 'A'.repeat(40),
        installedAt: START,
      };
      at(org.servers, 0, 'server').certificates.push(cert);
      org.authConfig.nextCertificateThumbprint = cert.thumbprint;
      org.authConfig.nextCertificateEffectiveDate = START + 49 * HOUR;
      org.replicating[cert.thumbprint] = START;
    }
    for (let t = START; t <= START + 100 * HOUR; t += 7 * 60_000 + 13) catchUp(stepwise, t);
    catchUp(stepwise, START + 100 * HOUR);
    catchUp(once, START + 100 * HOUR);
    expect({ ...stepwise, processedUntil: 0 }).toEqual({ ...once, processedUntil: 0 });
  });

  it('records each servicelet run for Get-ExchangeDiagnosticInfo', async () => {
    const org = await Org.create('healthy');
    await org.advance(13 * HOUR);
    const info = await org.first('Get-ExchangeDiagnosticInfo', {
      Server: 'ex2.contoso.com',
      Process: 'Microsoft.Exchange.ServiceHost',
    });
    const xml = (info as PSObject).get('Result') as string;
    const authAdmin = /<AnchorApplication name="AuthAdmin">.*?<\/AnchorApplication>/.exec(xml)![0];
    // EX2 runs at 06:37 and 18:37; 13 hours after 06:00 the last run was 18:37.
    expect(/<lastRunTime>([^<]+)<\/lastRunTime>/.exec(authAdmin)![1]).toBe('2026-11-25T18:37:00.0000000Z');
    expect(xml.indexOf('MailboxAssociationReplication')).toBeLessThan(xml.indexOf('AuthAdmin'));
  });
});

describe('certificate servicelet replication per site', () => {
  const cases: Array<{ scenario: string; after: number; has: string[]; lacks: string[] }> = [
    { scenario: 'healthy', after: 59 * 60_000, has: ['EX1'], lacks: ['EX2'] },
    { scenario: 'healthy', after: HOUR, has: ['EX1', 'EX2'], lacks: [] },
    { scenario: 'two-sites', after: HOUR, has: ['EX1', 'EX2'], lacks: ['EX3', 'EX4'] },
    { scenario: 'two-sites', after: 60 * 24 * HOUR, has: ['EX1', 'EX2'], lacks: ['EX3', 'EX4'] },
    { scenario: 'large', after: HOUR, has: ['EX001', 'EX040'], lacks: ['EX041', 'EX200'] },
    { scenario: 'large', after: 6 * HOUR - 1, has: ['EX002', 'EX040'], lacks: ['EX041', 'EX200'] },
    { scenario: 'large', after: 6 * HOUR, has: ['EX001', 'EX040', 'EX041', 'EX121', 'EX200'], lacks: [] },
  ];
  it.each(cases)('$scenario after $after ms: on $has, not on $lacks', async (c) => {
    const org = await Org.create(c.scenario);
    const first = org.server(0).name;
    const t = await org.newAuthCert(first);
    await org.stage(t, START + 49 * HOUR);
    await org.advance(c.after);
    for (const s of c.has) expect([s, org.hasCert(s, t)]).toEqual([s, true]);
    for (const s of c.lacks) expect([s, org.hasCert(s, t)]).toEqual([s, false]);
  });

  it('skips an unreachable server, which -PublishCertificate then names, until it answers again', async () => {
    const org = await Org.create('unreachable');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    await org.advance(2 * HOUR);
    expect(['EX1', 'EX2', 'EX3'].map((s) => org.hasCert(s, t))).toEqual([true, true, false]);
    expect((await org.fails('Set-AuthConfig', { PublishCertificate: true, Force: true })).message).toMatch(
      /isn't installed on server\(s\) EX3\./,
    );
    await org.mutate((o) => {
      at(o.servers, 2, 'server').reachable = true;
    });
    await org.advance(1);
    const ex3 = org.server(2).certificates.find((c) => c.thumbprint === t);
    // It arrives once EX3 answers (two hours in), not as though it had been there all along.
    expect(ex3).toMatchObject({ installedBy: 'replication', installedAt: START + 2 * HOUR });
    await org.call('Set-AuthConfig', { PublishCertificate: true, Force: true });
  });

  it('does not replicate from an unreachable server either', async () => {
    const org = await Org.create('unreachable');
    await org.mutate((o) => {
      at(o.servers, 2, 'server').reachable = true;
    });
    const t = await org.newAuthCert('EX3');
    await org.mutate((o) => {
      at(o.servers, 2, 'server').reachable = false;
      o.authConfig.nextCertificateThumbprint = t;
      o.authConfig.nextCertificateEffectiveDate = START + 49 * HOUR;
      o.replicating[t] = START;
    });
    await org.advance(2 * HOUR);
    expect(['EX1', 'EX2'].map((s) => org.hasCert(s, t))).toEqual([false, false]);
  });

  it('does not distribute a certificate that AuthConfig does not reference', async () => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX1');
    await org.advance(48 * HOUR);
    expect(org.hasCert('EX2', t)).toBe(false);
  });

  it('spreads an imported certificate within the other site', async () => {
    const org = await Org.create('two-sites');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    const exported = await org.first('Export-ExchangeCertificate', {
      Thumbprint: t,
      Server: 'EX1',
      BinaryEncoded: true,
      Password: new (await import('../../shell/types')).PSSecureString('p@ss'),
    });
    const { PSSecureString } = await import('../../shell/types');
    await org.advance(2 * HOUR);
    const imported = await org.first('Import-ExchangeCertificate', {
      Server: 'ex3.contoso.com',
      FileData: (exported as PSObject).get('FileData')!,
      Password: new PSSecureString('p@ss'),
      PrivateKeyExportable: true,
    });
    expect((imported as PSObject).get('Thumbprint')).toBe(t);
    expect(org.hasCert('EX4', t)).toBe(false);
    await org.advance(HOUR);
    expect(org.hasCert('EX4', t)).toBe(true);
  });
});

describe('child domain', () => {
  it('never runs AuthAdmin without EnableAuthAdminReadSession, and publishes at the next run once it is set', async () => {
    const org = await Org.create('child-domain');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    await org.advance(100 * HOUR);
    expect(org.state().authConfig.nextCertificateThumbprint).toBe(t);
    expect(org.state().servers.every((s) => s.serviceHost.authAdminLastRun === null)).toBe(true);
    const info = await org.first('Get-ExchangeDiagnosticInfo', { Server: 'EX1' });
    expect((info as PSObject).get('Result')).not.toMatch(/name="AuthAdmin">.*lastRunTime/);

    await org.call('Set-OrganizationConfig', { EnableAuthAdminReadSession: true });
    const config = await org.first('Get-OrganizationConfig');
    expect((config as PSObject).get('EnableAuthAdminReadSession')).toBe(true);
    // Enabled at day+4 10:00; EX1's next run is at 18:00.
    await org.advance(8 * HOUR - 1);
    expect(org.state().authConfig.currentCertificateThumbprint).not.toBe(t);
    await org.advance(1);
    expect(org.state().authConfig.currentCertificateThumbprint).toBe(t);
  });

  it('restarting MSExchangeServiceHost does not run the servicelet either', async () => {
    const org = await Org.create('child-domain');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    await org.advance(50 * HOUR);
    await org.call('Restart-Service', { Name: 'MSExchangeServiceHost', Force: true }, 'ex1.corp.contoso.com');
    expect(org.state().authConfig.currentCertificateThumbprint).not.toBe(t);
  });
});

describe('MSExchangeServiceHost restart', () => {
  it('runs AuthAdmin at once: publishes a due certificate and writes event 2014 there', async () => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    await org.advance(50 * HOUR);
    expect(org.state().authConfig.currentCertificateThumbprint).not.toBe(t);
    await org.call('Restart-Service', { Name: ['MSExchangeServiceHost'], Force: true }, 'ex2.contoso.com');
    expect(org.state().authConfig.currentCertificateThumbprint).toBe(t);
    expect(org.events2014('EX2')).toContain(t);
    expect(org.events2014('EX1')).not.toContain(t);
    const s = org.state().servers.find((x) => x.name === 'EX2')!;
    expect(s.serviceHost.lastStart).toBe(START + 50 * HOUR);
    expect(s.serviceHost.authAdminLastRun).toBe(START + 50 * HOUR);
  });

  it('before the effective date it runs but publishes nothing', async () => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    await org.call('Restart-Service', { Name: 'MSExchangeServiceHost' }, 'EX1');
    expect(org.state().authConfig.nextCertificateThumbprint).toBe(t);
  });
});

describe('sign-in probe and application pools', () => {
  it('an expired current certificate breaks sign-in until a new one is published and the pools are recycled', async () => {
    const org = await Org.create('expired');
    const probe = async (server: string) => {
      const r = await org.first('Test-OAuthConnectivity', {
        Service: 'EWS',
        TargetUri: `https://${server}.contoso.com/ews/`,
        Mailbox: 'administrator',
      });
      return String(((r as PSObject).get('ResultType') as { names: string }).names);
    };
    expect(await probe('ex1')).toBe('Error');
    const t = await org.newAuthCert('EX1');
    await org.call('Set-AuthConfig', {
      NewCertificateThumbprint: t,
      NewCertificateEffectiveDate: new PSDateTime(org.now(), 'Local'),
      Force: true,
    });
    // -PublishCertificate needs the certificate everywhere; there is no time to wait for the servicelet.
    expect((await org.fails('Set-AuthConfig', { PublishCertificate: true })).message).toMatch(
      /isn't installed on server\(s\) EX2/,
    );
    const password = new PSSecureString('emergency');
    const pfx = await org.first('Export-ExchangeCertificate', {
      Thumbprint: t,
      Server: 'EX1',
      BinaryEncoded: true,
      Password: password,
    });
    await org.call('Import-ExchangeCertificate', {
      Server: 'EX2',
      FileData: (pfx as PSObject).get('FileData')!,
      Password: password,
    });
    await org.call('Set-AuthConfig', { PublishCertificate: true });
    await org.call('Set-AuthConfig', { ClearPreviousCertificate: true });
    expect(org.state().authConfig).toMatchObject({
      currentCertificateThumbprint: t,
      previousCertificateThumbprint: null,
    });
    expect(await probe('ex1')).toBe('Error'); // the pools still cache the expired certificate
    for (const server of ['ex1.contoso.com', 'ex2.contoso.com']) {
      for (const pool of ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool']) {
        await org.call('Restart-WebAppPool', { Name: pool }, server);
      }
    }
    expect(await probe('ex1')).toBe('Success');
    expect(await probe('ex2')).toBe('Success');
    const state = await org.first('Get-WebAppPoolState', { Name: ['MSExchangeOWAAppPool'] }, 'ex2.contoso.com');
    expect((state as PSObject).get('Value')).toBe('Started');
  });

  describe('after a planned rotation, before the pools are recycled', () => {
    async function rotated(): Promise<{ org: Org; old: string; t: string }> {
      const org = await Org.create('healthy');
      const old = org.state().authConfig.currentCertificateThumbprint!;
      const t = await org.newAuthCert('EX1');
      await org.stage(t, START + 49 * HOUR);
      await org.advance(61 * HOUR);
      expect(org.state().authConfig).toMatchObject({
        currentCertificateThumbprint: t,
        previousCertificateThumbprint: old,
      });
      return { org, old, t };
    }
    const probe = (org: Org, server = 0) => {
      const s = org.state();
      return signInProbe(s, at(s.servers, server, 'server'), org.now());
    };

    it('a pool caching the previous certificate still signs in, reported as stale', async () => {
      const { org, old } = await rotated();
      expect(probe(org)).toEqual({
        server: 'EX1',
        status: 'stale',
        works: true,
        reason: `stale: recycle recommended: MSExchangeOWAAppPool, MSExchangeECPAppPool still cache the previous certificate ${old}`,
      });
      await org.call('Restart-WebAppPool', { Name: 'MSExchangeOWAAppPool' }, 'EX1');
      expect(probe(org)).toMatchObject({
        status: 'stale',
        reason: expect.stringMatching(/: MSExchangeECPAppPool still/),
      });
      await org.call('Restart-WebAppPool', { Name: 'MSExchangeECPAppPool' }, 'EX1');
      expect(probe(org)).toMatchObject({ status: 'ok', works: true });
    });

    it('breaks once the cached certificate is no longer previous', async () => {
      const { org, old } = await rotated();
      await org.call('Set-AuthConfig', { ClearPreviousCertificate: true });
      expect(probe(org)).toMatchObject({
        status: 'broken',
        works: false,
        reason: `MSExchangeOWAAppPool caches ${old}, neither the current ${org.state().authConfig.currentCertificateThumbprint} nor the previous certificate (recycle it)`,
      });
    });

    it('breaks when the cached previous certificate expired', async () => {
      const { org, old } = await rotated();
      await org.mutate((o) => {
        for (const s of o.servers) for (const c of s.certificates) if (c.thumbprint === old) c.notAfter = START;
      });
      expect(probe(org)).toMatchObject({
        status: 'broken',
        reason: expect.stringMatching(/previous certificate .* expired/),
      });
    });

    it('breaks when the cached previous certificate is not installed', async () => {
      const { org, old } = await rotated();
      await org.mutate((o) => {
        at(o.servers, 0, 'server').certificates = at(o.servers, 0, 'server').certificates.filter(
          (c) => c.thumbprint !== old,
        );
      });
      expect(probe(org)).toMatchObject({ status: 'broken', reason: expect.stringMatching(/which is not installed/) });
    });
  });

  it('a recycle before publication caches the old certificate', async () => {
    const org = await Org.create('healthy');
    const old = org.state().authConfig.currentCertificateThumbprint;
    await org.call('Restart-WebAppPool', { Name: 'MSExchangeOWAAppPool' }, 'EX1');
    expect(at(org.server(0).appPools, 0, 'app pool').cachedCertificate).toBe(old);
  });

  it('missing-on-one: sign-in fails on the server without the current certificate', async () => {
    const org = await Org.create('missing-on-one');
    const { signInProbe } = await import('../../exchange/behaviour');
    const s = org.state();
    expect(signInProbe(s, at(s.servers, 0, 'server'), START).works).toBe(true);
    expect(signInProbe(s, at(s.servers, 1, 'server'), START)).toMatchObject({
      works: false,
      reason: expect.stringContaining('not installed on EX2'),
    });
  });
});

describe('the simulated clock', () => {
  const base = buildScenario('healthy', { start: START, realNow: 1_000_000, acceleration: 3600 });
  it.each([
    { real: 1_000_000, sim: START },
    { real: 1_001_000, sim: START + HOUR }, // one real second is one simulated hour
    { real: 1_043_200, sim: START + 43.2 * HOUR },
  ])('at real $real the simulated time is $sim', ({ real, sim }) => {
    expect(simulatedNow(base, real)).toBe(sim);
  });

  it('is anchored in the state, so every process computes the same time', () => {
    const copy = JSON.parse(JSON.stringify(base)) as typeof base;
    expect(simulatedNow(copy, 1_002_500)).toBe(simulatedNow(base, 1_002_500));
  });

  it('advancing and changing the acceleration keep time continuous', () => {
    const org = JSON.parse(JSON.stringify(base)) as typeof base;
    advanceClock(org, 12 * HOUR, 1_001_000);
    expect(simulatedNow(org, 1_001_000)).toBe(START + 13 * HOUR);
    setAcceleration(org, 0, 1_002_000);
    expect(simulatedNow(org, 1_002_000)).toBe(START + 14 * HOUR);
    expect(simulatedNow(org, 9_999_999)).toBe(START + 14 * HOUR);
  });

  it('an accelerated organisation plays the 12-hour cycle out in real seconds', () => {
    const org = buildScenario('healthy', { start: START, realNow: 0, acceleration: 3600 });
    const cert = {
      ...at(at(org.servers, 0, 'server').certificates, 0, 'certificate'),
      thumbprint: 'B'.repeat(40),
      installedAt: START,
    };
    at(org.servers, 0, 'server').certificates.push(cert);
    org.authConfig.nextCertificateThumbprint = cert.thumbprint;
    org.authConfig.nextCertificateEffectiveDate = START + 49 * HOUR;
    org.replicating[cert.thumbprint] = START;
    catchUp(org, simulatedNow(org, 59_000));
    expect(org.authConfig.currentCertificateThumbprint).not.toBe(cert.thumbprint);
    catchUp(org, simulatedNow(org, 60_000)); // one real minute: sixty simulated hours
    expect(org.authConfig.currentCertificateThumbprint).toBe(cert.thumbprint);
  });
});

describe('catch-up is independent of how time is sliced (property)', () => {
  it('any sequence of steps gives the same organisation as one step', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('healthy', 'two-sites', 'unreachable'),
        fc.integer({ min: 0, max: 100 * HOUR }),
        fc.array(fc.integer({ min: 1, max: 30 * HOUR }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (scenario, lead, steps, importAcrossSites) => {
          const make = () => {
            const org = buildScenario(scenario, { start: START, realNow: START, acceleration: 0 });
            const cert = {
              ...at(at(org.servers, 0, 'server').certificates, 0, 'certificate'),
              thumbprint: 'C'.repeat(40),
              installedAt: START,
            };
            at(org.servers, 0, 'server').certificates.push(cert);
            if (importAcrossSites) org.servers.at(-1)!.certificates.push({ ...cert, installedBy: 'import' as const });
            org.authConfig.nextCertificateThumbprint = cert.thumbprint;
            org.authConfig.nextCertificateEffectiveDate = START + lead;
            org.replicating[cert.thumbprint] = START;
            return org;
          };
          const stepwise = make();
          const once = make();
          let t = START;
          for (const s of steps) catchUp(stepwise, (t += s));
          catchUp(once, t);
          expect({ ...stepwise, processedUntil: 0 }).toEqual({ ...once, processedUntil: 0 });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('catch-up says whether it changed anything worth writing (property)', () => {
  it('true exactly when the organisation, the catch-up marker aside, differs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('healthy', 'two-sites', 'unreachable', 'child-domain'),
        fc.integer({ min: 0, max: 100 * HOUR }),
        fc.array(fc.integer({ min: 1, max: 30 * HOUR }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (scenario, lead, steps, stage) => {
          const org = buildScenario(scenario, { start: START, realNow: START, acceleration: 0 });
          if (stage) {
            const cert = {
              ...at(at(org.servers, 0, 'server').certificates, 0, 'certificate'),
              thumbprint: 'C'.repeat(40),
              installedAt: START,
            };
            at(org.servers, 0, 'server').certificates.push(cert);
            org.authConfig.nextCertificateThumbprint = cert.thumbprint;
            org.authConfig.nextCertificateEffectiveDate = START + lead;
            org.replicating[cert.thumbprint] = START;
          }
          const comparable = () => JSON.stringify({ ...org, processedUntil: 0 });
          let t = START;
          for (const s of steps) {
            const before = comparable();
            const changed = catchUp(org, (t += s));
            expect(changed).toBe(comparable() !== before);
          }
          // Again at the same instant: nothing to do.
          expect(catchUp(org, t)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});
