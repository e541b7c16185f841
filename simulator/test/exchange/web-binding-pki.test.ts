// Get-WebBinding (the Default Web Site's certificate) and New-SelfSignedCertificate (a certificate of any lifetime in
// the machine store), on the machine Invoke-Command runs them on.
import { PSDateTime, PSObject } from '../../shell/types';
import { HOUR, Org, prop } from './helpers';

const https = async (org: Org, computer: string) =>
  (await org.call('Get-WebBinding', { Name: 'Default Web Site', Protocol: 'https' }, computer)).map((b) =>
    prop(b as PSObject, 'certificateHash'),
  );

test('Get-WebBinding shows the certificate Get-Website shows, and follows Enable-ExchangeCertificate -Services IIS', async () => {
  const org = await Org.create('healthy');
  const [ex1] = org.state().servers;
  const before = await https(org, ex1!.fqdn);
  expect(before).toEqual([expect.stringMatching(/^[0-9A-F]{40}$/)]);
  const auth = ex1!.certificates.find((c) => c.thumbprint !== before[0])!;
  await org.call('Enable-ExchangeCertificate', { Thumbprint: auth.thumbprint, Services: 'IIS', Server: ex1!.fqdn });
  expect(await https(org, ex1!.fqdn)).toEqual([auth.thumbprint]);
  // Every site's bindings without -Name: the back end keeps its own certificate.
  const all = await org.call('Get-WebBinding', { Protocol: 'https' }, ex1!.fqdn);
  expect(all.map((b) => prop(b as PSObject, 'bindingInformation'))).toEqual(['*:443:', '*:444:']);
  expect(prop(all[1] as PSObject, 'certificateHash')).toBe(before[0]);
  expect(await org.call('Get-WebBinding', { Name: 'Default Web Site', Protocol: 'http' }, ex1!.fqdn)).toHaveLength(1);
  expect((await org.fails('Get-WebBinding', { Name: 'Exchange Front End' }, ex1!.fqdn)).message).toMatch(
    /Cannot find path 'IIS:\\Sites\\Exchange Front End'/,
  );
});

test('New-SelfSignedCertificate makes a certificate with the given end date in the machine store only', async () => {
  const org = await Org.create('healthy');
  const [ex1] = org.state().servers;
  const notAfter = org.now() + 365 * 24 * HOUR;
  const made = await org.first(
    'New-SelfSignedCertificate',
    {
      Subject: 'cn=Microsoft Exchange Server Auth Certificate',
      FriendlyName: 'Microsoft Exchange Server Auth Certificate',
      KeyExportPolicy: 'Exportable',
      CertStoreLocation: 'Cert:\\LocalMachine\\My',
      NotAfter: new PSDateTime(notAfter, 'Utc'),
    },
    ex1!.fqdn,
  );
  const thumbprint = prop(made as PSObject, 'Thumbprint');
  const stored = org.server(0).certificates.find((c) => c.thumbprint === thumbprint)!;
  expect(stored).toMatchObject({ notAfter, privateKeyExportable: true, services: [], installedBy: 'new' });
  expect(stored.subject.toLowerCase()).toBe('cn=microsoft exchange server auth certificate');
  const refused = await org.fails('New-SelfSignedCertificate', { Subject: 'CN=x' }, ex1!.fqdn);
  expect(refused.message).toMatch(/LocalMachine\\My only/);
});
