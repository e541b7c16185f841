// The organisation variants as a client meets them through node-powershell: the shapes on the wire, in the per-call
// envelope, for RawData-only certificates, an Exchange 2013 Client Access server, an undocumented property left out,
// event logs read over WinRM while remote RPC is refused, and the Default Web Site's certificate.
import { X509Certificate } from 'node:crypto';
import { dateProp, q, select, Simulation, stringProp } from './shell';
import { at } from '../../invariant';

/** The certificate properties a client selects, RawData as base64 text (what survives a broken serialization). */
const CERTIFICATE = select(
  'Thumbprint',
  'Subject',
  dateProp('NotAfter'),
  stringProp('Services'),
  `@{ Name = 'RawData'; Expression = { [System.Convert]::ToBase64String($_.RawData) } }`,
);

describe('variants through the shell', () => {
  let s: Simulation;
  afterEach(() => s.close());

  it('broken serialization: every property null but RawData, whose certificate is the one on the server', async () => {
    s = await Simulation.create('broken-serialization');
    const items = await s.ok(`Get-ExchangeCertificate -Server 'ex1.contoso.com'${CERTIFICATE}`);
    const stored = at(s.state().servers, 0, 'server').certificates;
    expect(items).toHaveLength(stored.length);
    for (const [i, item] of items.entries()) {
      // The calculated properties fail on the missing values, which Select-Object turns into null, as PowerShell does.
      expect(item).toMatchObject({ Thumbprint: null, Subject: null, NotAfter: null, Services: '' });
      const x = new X509Certificate(Buffer.from(item.RawData as string, 'base64'));
      expect(x.fingerprint.replace(/:/g, '')).toBe(at(stored, i, 'stored certificate').thumbprint);
    }
  });

  it('exchange-2013: Get-TransportService for the Client Access server fails in the envelope', async () => {
    s = await Simulation.create('exchange-2013');
    const e = await s.fails(`Get-TransportService -Identity 'EX3'${select('InternalTransportCertificateThumbprint')}`);
    expect(e).toMatchObject({
      message: "The operation couldn't be performed because object 'EX3' couldn't be found on 'dc1.contoso.com'.",
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      reason: 'ManagementObjectNotFoundException',
    });
    expect(await s.ok(`Get-ExchangeServer -Identity 'EX3'${select(stringProp('AdminDisplayVersion'))}`)).toEqual([
      { AdminDisplayVersion: 'Version 15.0 (Build 1497.2)' },
    ]);
  });

  it('Get-OrganizationConfig without the undocumented property: selecting it gives null', async () => {
    s = await Simulation.create('healthy', 0, { configuration: { readSessionListed: false } });
    expect(await s.ok(`Get-OrganizationConfig${select('EnableAuthAdminReadSession')}`)).toEqual([
      { EnableAuthAdminReadSession: null },
    ]);
  });

  it('event 2014 over WinRM works where remote event-log RPC is refused', async () => {
    s = await Simulation.create('healthy', 0, { configuration: { remoteEventLogBlocked: ['EX2'] } });
    const filter = `@{ LogName = 'Application'; ProviderName = 'MSExchange AuthAdmin'; Id = 2014 }`;
    const rpc = await s.fails(`Get-WinEvent -ComputerName 'ex2.contoso.com' -FilterHashtable ${filter}${select('Id')}`);
    expect(rpc).toMatchObject({
      message: 'The RPC server is unavailable',
      exceptionType: 'System.Diagnostics.Eventing.Reader.EventLogException',
    });
    const winRm = await s.ok(
      `Invoke-Command -ComputerName 'ex2.contoso.com' -ScriptBlock { param($f) Get-WinEvent -FilterHashtable $f } -ArgumentList ${filter}${select('Id', 'MachineName', 'PSComputerName')}`,
    );
    expect(winRm).toEqual([{ Id: 2014, MachineName: 'ex2.contoso.com', PSComputerName: 'ex2.contoso.com' }]);
  });

  it("the Default Web Site's https certificate, read as Microsoft's script reads it", async () => {
    s = await Simulation.create('healthy', 0, { defaultWebSite: 'third-party' });
    const site = (server: string) =>
      s.ok(
        `Invoke-Command -ComputerName ${q(server)} -ScriptBlock { Import-Module WebAdministration; (Get-Website -Name 'Default Web Site').bindings.Collection | Where-Object { $_.protocol -eq 'https' } }${select('bindingInformation', 'certificateHash')}`,
      );
    const ex1 = at(s.state().servers, 0, 'server');
    const front = ex1.certificates.find((c) => c.subject === 'CN=mail.contoso.com')!.thumbprint;
    expect(await site('ex1.contoso.com')).toEqual([{ bindingInformation: '*:443:', certificateHash: front }]);
    await s.ok(
      `Enable-ExchangeCertificate -Thumbprint ${q(ex1.internalTransportCertificate!)} -Services 'IMAP, POP, IIS, SMTP' -Force -Server 'ex1.contoso.com'`,
    );
    expect(await site('ex1.contoso.com')).toEqual([
      { bindingInformation: '*:443:', certificateHash: ex1.internalTransportCertificate },
    ]);
  });
});
