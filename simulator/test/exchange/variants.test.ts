// Ways real Exchange organisations differ that a client must cope with, each off unless a scenario or `configure`
// switches it on: who writes event 2014, an Exchange 2013 Client Access server without transport, broken serialization
// (RawData-only certificates), an undocumented Get-OrganizationConfig property, remote event-log RPC refused while WinRM
// works, and which certificate IIS serves on the Default Web Site.
import { X509Certificate } from 'node:crypto';
import { configure, UnknownServerError } from '../../exchange/configure';
import { buildScenario } from '../../exchange/scenarios';
import { PSEnum, PSObject, PSSecureString, PSValue } from '../../shell/types';
import { HOUR, Org, prop, START } from './helpers';
import { at } from '../../invariant';

const EFFECTIVE = START + 49 * HOUR; // healthy: EX1 runs at 06:00/18:00, EX2 at 06:37/18:37: EX1's 18:00 run publishes

describe('event 2014: every server, or only the one whose AuthAdmin run published', () => {
  it.each([
    ['every-server', { EX1: true, EX2: true }],
    ['publishing-server', { EX1: true, EX2: false }],
  ] as const)('%s: the servicelet run publishes on EX1', async (event2014On, expected) => {
    const org = await Org.create('healthy', 0, { event2014On });
    const t = await org.newAuthCert('EX1');
    await org.stage(t, EFFECTIVE);
    await org.advance(200 * HOUR);
    expect(org.state().authConfig.currentCertificateThumbprint).toBe(t);
    expect(org.events2014('EX1').includes(t)).toBe(expected.EX1);
    expect(org.events2014('EX2').includes(t)).toBe(expected.EX2);
  });

  it.each([
    ['every-server', { EX1: true, EX2: true }],
    ['publishing-server', { EX1: false, EX2: true }],
  ] as const)('%s: restarting the service host on EX2 publishes there', async (event2014On, expected) => {
    const org = await Org.create('healthy', 0, { event2014On });
    const t = await org.newAuthCert('EX1');
    await org.stage(t, EFFECTIVE);
    await org.advance(50 * HOUR);
    await org.call('Restart-Service', { Name: ['MSExchangeServiceHost'], Force: true }, 'ex2.contoso.com');
    await org.advance(100 * HOUR);
    expect(org.events2014('EX1').includes(t)).toBe(expected.EX1);
    expect(org.events2014('EX2').includes(t)).toBe(expected.EX2);
  });

  it.each([
    ['every-server', true],
    ['publishing-server', false],
  ] as const)(
    '%s: Set-AuthConfig -PublishCertificate (no servicelet publishes): events=%s',
    async (event2014On, any) => {
      const org = await Org.create('healthy', 0, { event2014On });
      const t = await org.newAuthCert('EX1');
      await org.stage(t, EFFECTIVE);
      await org.advance(2 * HOUR); // replicated to EX2
      await org.call('Set-AuthConfig', { PublishCertificate: true, Force: true });
      await org.advance(100 * HOUR);
      expect(org.state().authConfig.currentCertificateThumbprint).toBe(t);
      expect(org.events2014('EX1').includes(t) || org.events2014('EX2').includes(t)).toBe(any);
    },
  );

  it("publishing-server: Setup's certificate was announced by one server only", async () => {
    const org = await Org.create('healthy', 0, { event2014On: 'publishing-server' });
    const current = org.state().authConfig.currentCertificateThumbprint!;
    expect(org.events2014('EX1')).toEqual([current]);
    expect(org.events2014('EX2')).toEqual([]);
  });

  it('is a switch on an existing organisation too, and every server by default', async () => {
    const org = await Org.create('healthy');
    expect(org.state().behaviour.event2014On).toBe('every-server');
    await org.mutate((o) => configure(o, { event2014On: 'publishing-server' }));
    const t = await org.newAuthCert('EX1');
    await org.stage(t, EFFECTIVE);
    await org.advance(200 * HOUR);
    expect([org.events2014('EX1').includes(t), org.events2014('EX2').includes(t)]).toEqual([true, false]);
  });
});

describe('exchange-2013: EX3 is an Exchange 2013 Client Access server, without the transport role', () => {
  it('reports itself as such', async () => {
    const org = await Org.create('exchange-2013');
    const ex3 = (await org.first('Get-ExchangeServer', { Identity: 'EX3' })) as PSObject;
    expect(prop(ex3, 'AdminDisplayVersion')).toBe('Version 15.0 (Build 1497.2)');
    expect((prop(ex3, 'ServerRole') as PSEnum).names).toBe('ClientAccess');
    expect(prop(ex3, 'IsHubTransportServer')).toBe(false);
    expect(prop(ex3, 'IsMailboxServer')).toBe(false);
    expect(prop(ex3, 'IsClientAccessServer')).toBe(true);
  });

  it('Get-TransportService fails for it as Exchange does, and lists only the transport servers', async () => {
    const org = await Org.create('exchange-2013');
    const e = await org.fails('Get-TransportService', { Identity: 'EX3' });
    expect(e.message).toBe(
      "The operation couldn't be performed because object 'EX3' couldn't be found on 'dc1.contoso.com'.",
    );
    expect(e.details).toMatchObject({
      category: 'NotSpecified',
      reason: 'ManagementObjectNotFoundException',
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    });
    expect(e.details.errorId).toMatch(
      /\[FailureCategory=Cmdlet-ManagementObjectNotFoundException\].*GetTransportService$/,
    );
    const all = (await org.call('Get-TransportService')) as PSObject[];
    expect(all.map((s) => prop(s, 'Name'))).toEqual(['EX1', 'EX2']);
    expect(await org.call('Get-TransportService', { Identity: 'ex1.contoso.com' })).toHaveLength(1);
  });

  it('has no Mailbox services, but its service host and the auth certificate as any other server', async () => {
    const org = await Org.create('exchange-2013');
    const missing = await org.fails('Restart-Service', { Name: ['MSExchangeTransport'] }, 'ex3.contoso.com');
    expect(missing.message).toBe("Cannot find any service with service name 'MSExchangeTransport'.");
    await org.call('Restart-Service', { Name: ['MSExchangeServiceHost'] }, 'ex3.contoso.com');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, EFFECTIVE);
    expect((await org.fails('Set-AuthConfig', { PublishCertificate: true, Force: true })).message).toMatch(/EX2, EX3/);
    await org.advance(2 * HOUR);
    expect(org.hasCert('EX3', t)).toBe(true);
  });
});

describe('broken serialization: while the current Auth certificate is expired, certificates come back as RawData only', () => {
  const REMOTING = ['PSComputerName', 'PSShowComputerName', 'RawData', 'RunspaceId'];
  const keys = (o: PSValue) =>
    (o as PSObject)
      .entries()
      .map(([k]) => k)
      .sort();
  /** What a client reads from RawData: the X.509 certificate whose SHA-1 is the thumbprint. */
  const der = (o: PSValue) => new X509Certificate(Buffer.from(prop(o, 'RawData') as Uint8Array));

  it('Get-, New- and Import-ExchangeCertificate return RawData alone, a real certificate', async () => {
    const org = await Org.create('broken-serialization');
    const listed = await org.call('Get-ExchangeCertificate', { Server: 'EX1' });
    const stored = org.server(0).certificates;
    expect(listed).toHaveLength(stored.length);
    for (const [i, o] of listed.entries()) {
      expect(keys(o)).toEqual(REMOTING);
      const x = der(o);
      const certificate = at(stored, i, 'stored certificate');
      expect(x.fingerprint.replace(/:/g, '')).toBe(certificate.thumbprint);
      expect(x.subject.split('\n').reverse().join(', ')).toBe(certificate.subject);
      expect(Date.parse(x.validTo)).toBe(Math.floor(certificate.notAfter / 1000) * 1000);
    }
    const created = await org.first('New-ExchangeCertificate', {
      SubjectName: 'cn=Microsoft Exchange Server Auth Certificate',
      PrivateKeyExportable: true,
      Services: 'None',
      Server: 'EX1',
    });
    expect(keys(created)).toEqual(REMOTING);
    const t = der(created).fingerprint.replace(/:/g, '');
    expect(org.hasCert('EX1', t)).toBe(true);
    const exported = await org.first('Export-ExchangeCertificate', {
      Thumbprint: t,
      Server: 'EX1',
      BinaryEncoded: true,
      Password: new PSSecureString('p'),
    });
    const imported = await org.first('Import-ExchangeCertificate', {
      FileData: prop(exported, 'FileData') as Uint8Array,
      Password: new PSSecureString('p'),
      Server: 'EX2',
    });
    expect(keys(imported)).toEqual(REMOTING);
    expect(der(imported).fingerprint.replace(/:/g, '')).toBe(t);
  });

  it('ends once a valid certificate is current', async () => {
    const org = await Org.create('broken-serialization');
    const created = await org.first('New-ExchangeCertificate', {
      SubjectName: 'cn=Microsoft Exchange Server Auth Certificate',
      PrivateKeyExportable: true,
      Services: 'None',
      Server: 'EX1',
    });
    const fresh = der(created).fingerprint.replace(/:/g, '');
    await org.stage(fresh, org.now());
    await org.advance(13 * HOUR); // replicated, and published by the next AuthAdmin run
    expect(org.state().authConfig.currentCertificateThumbprint).toBe(fresh);
    const whole = await org.first('Get-ExchangeCertificate', { Thumbprint: fresh, Server: 'EX2' });
    expect(prop(whole, 'Thumbprint')).toBe(fresh);
  });

  it.each([
    ['expired', {}],
    ['healthy', { serializedDataSigning: true }],
  ] as const)('not in %s with %j: whole objects', async (scenario, configuration) => {
    const org = await Org.create(scenario, 0, { configuration });
    const o = await org.first('Get-ExchangeCertificate', { Server: 'EX1' });
    expect(typeof prop(o, 'Thumbprint')).toBe('string');
    expect(der(o).fingerprint.replace(/:/g, '')).toBe(prop(o, 'Thumbprint'));
  });
});

describe('Get-OrganizationConfig without EnableAuthAdminReadSession (not a documented property)', () => {
  it.each([
    [true, true],
    [false, false],
  ])('listed=%s: the property is there: %s', async (readSessionListed, present) => {
    const org = await Org.create('child-domain', 0, { configuration: { readSessionListed } });
    const config = (await org.first('Get-OrganizationConfig')) as PSObject;
    expect(config.has('EnableAuthAdminReadSession')).toBe(present);
    expect(prop(config, 'OAuth2ClientProfileEnabled')).toBe(true);
  });
});

describe('Get-WinEvent: remote event-log RPC refused by the firewall while WinRM works', () => {
  const EVENT_LOG = { LogName: ['Application'], ProviderName: ['MSExchange AuthAdmin'] };

  it('-ComputerName from another machine fails as Windows does; the same read inside Invoke-Command works', async () => {
    const org = await Org.create('healthy', 0, { configuration: { remoteEventLogBlocked: ['EX2'] } });
    const e = await org.fails('Get-WinEvent', { ...EVENT_LOG, ComputerName: 'ex2.contoso.com' });
    expect(e.message).toBe('The RPC server is unavailable');
    expect(e.details.exceptionType).toBe('System.Diagnostics.Eventing.Reader.EventLogException');
    const viaWinRm = await org.call('Get-WinEvent', EVENT_LOG, 'ex2.contoso.com');
    expect(viaWinRm.length).toBeGreaterThan(0);
    expect(prop(viaWinRm[0]!, 'MachineName')).toBe('ex2.contoso.com');
    // The machine's own log is no remote read, whatever its firewall says.
    expect(await org.call('Get-WinEvent', { ...EVENT_LOG, ComputerName: 'EX2' }, 'ex2.contoso.com')).toHaveLength(
      viaWinRm.length,
    );
    expect((await org.call('Get-WinEvent', { ...EVENT_LOG, ComputerName: 'ex1.contoso.com' })).length).toBeGreaterThan(
      0,
    );
  });

  it('opens again, and "all" names every server; an unknown server is named', async () => {
    const org = await Org.create('healthy', 0, { configuration: { remoteEventLogBlocked: ['all'] } });
    expect(org.state().servers.every((s) => s.remoteEventLogBlocked)).toBe(true);
    await org.mutate((o) => configure(o, { remoteEventLogOpen: ['ex2.contoso.com'] }));
    expect((await org.call('Get-WinEvent', { ...EVENT_LOG, ComputerName: 'EX2' })).length).toBeGreaterThan(0);
    expect(() => configure(buildScenario('healthy'), { remoteEventLogBlocked: ['EX9'] })).toThrow(UnknownServerError);
  });
});

describe('IIS: which certificate the Default Web Site serves (Get-Website)', () => {
  /** The https binding's certificate of a site, as Microsoft's script reads it: .bindings.Collection.certificateHash. */
  async function siteCertificate(org: Org, server: string, site: string): Promise<string> {
    const w = (await org.first('Get-Website', { Name: site }, server)) as PSObject;
    const collection = prop(prop(w, 'bindings') as PSObject, 'Collection') as PSObject[];
    return prop(
      collection.find((b) => prop(b, 'protocol') === 'https')!,
      'certificateHash',
    ) as string;
  }
  const transportOf = (org: Org, name: string) =>
    org.state().servers.find((s) => s.name === name)!.internalTransportCertificate!;

  it('after Setup: the self-signed certificate on both sites; an unknown site gives nothing', async () => {
    const org = await Org.create('healthy');
    expect(await siteCertificate(org, 'ex1.contoso.com', 'Default Web Site')).toBe(transportOf(org, 'EX1'));
    expect(await siteCertificate(org, 'ex1.contoso.com', 'Exchange Back End')).toBe(transportOf(org, 'EX1'));
    expect(await org.call('Get-Website', {}, 'ex1.contoso.com')).toHaveLength(2);
    expect(await org.call('Get-Website', { Name: 'Nope' }, 'ex1.contoso.com')).toEqual([]);
  });

  it('third-party: the CA-issued certificate on the front end, the self-signed one (still flagged IIS) on the back end', async () => {
    const org = await Org.create('healthy', 0, { defaultWebSite: 'third-party' });
    const front = await siteCertificate(org, 'ex1.contoso.com', 'Default Web Site');
    expect(await siteCertificate(org, 'ex2.contoso.com', 'Default Web Site')).toBe(front);
    expect(front).not.toBe(transportOf(org, 'EX1'));
    expect(await siteCertificate(org, 'ex1.contoso.com', 'Exchange Back End')).toBe(transportOf(org, 'EX1'));
    const transport = await org.first('Get-ExchangeCertificate', {
      Thumbprint: transportOf(org, 'EX1'),
      Server: 'EX1',
    });
    expect((prop(transport, 'Services') as PSEnum).names).toBe('IMAP, POP, IIS, SMTP');
    const ca = await org.first('Get-ExchangeCertificate', { Thumbprint: front, Server: 'EX1' });
    expect(prop(ca, 'IsSelfSigned')).toBe(false);
  });

  it('enabling a certificate for IIS binds it to the Default Web Site; enabling it for SMTP does not', async () => {
    const org = await Org.create('healthy', 0, { defaultWebSite: 'third-party' });
    const front = await siteCertificate(org, 'ex1.contoso.com', 'Default Web Site');
    const transport = transportOf(org, 'EX1');
    await org.call('Enable-ExchangeCertificate', {
      Thumbprint: transport,
      Services: 'IMAP, POP, SMTP',
      Force: true,
      Server: 'EX1',
    });
    expect(await siteCertificate(org, 'ex1.contoso.com', 'Default Web Site')).toBe(front);
    await org.call('Enable-ExchangeCertificate', {
      Thumbprint: transport,
      Services: 'IMAP, POP, IIS, SMTP',
      Force: true,
      Server: 'EX1',
    });
    expect(await siteCertificate(org, 'ex1.contoso.com', 'Default Web Site')).toBe(transport);
    expect(await siteCertificate(org, 'ex2.contoso.com', 'Default Web Site')).toBe(front);
  });
});
