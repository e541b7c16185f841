// Every scenario seen through the shell, the way the service first looks at an organisation.
import { CERT_PROPS, dateProp, HOUR, isoDate, NEW_AUTH_CERT, q, select, Simulation, START, stringProp } from './shell';
import { at } from '../../invariant';

type Lookup = 'present' | 'missing' | 'unreachable';
const CASES: Array<{
  scenario: string;
  servers: string[];
  lookups: Lookup[];
  expired: boolean;
  hybrid: boolean;
  signIn: string[];
}> = [
  {
    scenario: 'healthy',
    servers: ['EX1', 'EX2'],
    lookups: ['present', 'present'],
    expired: false,
    hybrid: false,
    signIn: ['Success', 'Success'],
  },
  {
    scenario: 'two-sites',
    servers: ['EX1', 'EX2', 'EX3', 'EX4'],
    lookups: ['present', 'present', 'present', 'present'],
    expired: false,
    hybrid: false,
    signIn: ['Success', 'Success', 'Success', 'Success'],
  },
  {
    scenario: 'expired',
    servers: ['EX1', 'EX2'],
    lookups: ['present', 'present'],
    expired: true,
    hybrid: false,
    signIn: ['Error', 'Error'],
  },
  {
    scenario: 'missing-on-one',
    servers: ['EX1', 'EX2'],
    lookups: ['present', 'missing'],
    expired: false,
    hybrid: false,
    signIn: ['Success', 'Error'],
  },
  {
    scenario: 'hybrid',
    servers: ['EX1', 'EX2'],
    lookups: ['present', 'present'],
    expired: false,
    hybrid: true,
    signIn: ['Success', 'Success'],
  },
  {
    scenario: 'child-domain',
    servers: ['EX1', 'EX2'],
    lookups: ['present', 'present'],
    expired: false,
    hybrid: false,
    signIn: ['Success', 'Success'],
  },
  {
    scenario: 'unreachable',
    servers: ['EX1', 'EX2', 'EX3'],
    lookups: ['present', 'present', 'unreachable'],
    expired: false,
    hybrid: false,
    signIn: ['Success', 'Success', 'Error'],
  },
];

describe.each(CASES)('scenario $scenario through the shell', (c) => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await Simulation.create(c.scenario);
  });
  afterAll(() => sim.close());

  it('lists its servers, auth config and hybrid state', async () => {
    const servers = await sim.ok(`Get-ExchangeServer${select('Name', 'Fqdn', stringProp('Site'))}`);
    expect(servers.map((s) => s.Name)).toEqual(c.servers);
    expect((await sim.ok(`Get-HybridConfiguration${select('Name')}`)).length > 0).toBe(c.hybrid);
    const a = await sim.first(`Get-AuthConfig${select('CurrentCertificateThumbprint')}`);
    expect(a.CurrentCertificateThumbprint).toBe(sim.state().authConfig.currentCertificateThumbprint);
  });

  it('looks up the current certificate on every server', async () => {
    const t = sim.state().authConfig.currentCertificateThumbprint!;
    const fqdns = sim.state().servers.map((s) => s.fqdn);
    const seen: Lookup[] = [];
    for (const fqdn of fqdns) {
      const r = await sim.call(`Get-ExchangeCertificate -Server ${q(fqdn)} -Thumbprint ${q(t)}${CERT_PROPS}`);
      if (r.ok) {
        seen.push('present');
        expect(Date.parse(at(r.value, 0, 'certificate').NotAfter as string) < START).toBe(c.expired);
      } else if (/The certificate with thumbprint [0-9A-F]{40} was not found/.test(r.error.message)) {
        expect(r.error.reason).toBe('InvalidOperationException');
        seen.push('missing');
      } else {
        seen.push('unreachable');
      }
    }
    expect(seen).toEqual(c.lookups);
  });

  it('answers Test-OAuthConnectivity per server as its sign-in probe says', async () => {
    const results: string[] = [];
    for (const s of sim.state().servers) {
      const r = await sim.first(
        `Test-OAuthConnectivity -Service 'EWS' -TargetUri ${q(`https://${s.fqdn}/ews/exchange.asmx`)} -Mailbox 'administrator'${select(stringProp('ResultType'))}`,
      );
      results.push(r.ResultType as string);
    }
    expect(results).toEqual(c.signIn);
  });
});

describe('scenario-specific behaviour through the shell', () => {
  it('child-domain: AuthAdmin does not run until EnableAuthAdminReadSession is set', async () => {
    const sim = await Simulation.create('child-domain');
    try {
      const c = await sim.first(`${NEW_AUTH_CERT('ex1.corp.contoso.com')}${select('Thumbprint')}`);
      const t = c.Thumbprint as string;
      await sim.ok(
        `Set-AuthConfig -NewCertificateThumbprint ${q(t)} -NewCertificateEffectiveDate (Get-Date).AddHours(49) -Force`,
      );
      await sim.advance(72 * HOUR);
      expect((await sim.first(`Get-AuthConfig${select('NextCertificateThumbprint')}`)).NextCertificateThumbprint).toBe(
        t,
      );
      const d = await sim.first(
        `Get-ExchangeDiagnosticInfo -Server 'ex1.corp.contoso.com' -Process 'Microsoft.Exchange.ServiceHost'${select('Result')}`,
      );
      expect(
        /<AnchorApplication name="AuthAdmin">[\s\S]*?<\/AnchorApplication>/.exec(d.Result as string)![0],
      ).not.toContain('lastRunTime');
      await sim.ok('Set-OrganizationConfig -EnableAuthAdminReadSession:$true');
      await sim.ok(
        `Invoke-Command -ComputerName 'ex1.corp.contoso.com' -ScriptBlock { param($name) Restart-Service -Name $name -Force } -ArgumentList 'MSExchangeServiceHost'`,
      );
      expect(
        (await sim.first(`Get-AuthConfig${select('CurrentCertificateThumbprint')}`)).CurrentCertificateThumbprint,
      ).toBe(t);
    } finally {
      await sim.close();
    }
  });

  it('expired: the emergency replacement restores sign-in', async () => {
    const sim = await Simulation.create('expired');
    try {
      const c = await sim.first(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint')}`);
      const t = c.Thumbprint as string;
      await sim.ok(`Set-AuthConfig -NewCertificateThumbprint ${q(t)} -NewCertificateEffectiveDate (Get-Date) -Force`);
      const notEverywhere = await sim.fails('Set-AuthConfig -PublishCertificate -Force');
      expect(notEverywhere.message).toMatch(/isn't installed on server\(s\) EX2/);
      await sim.advance(HOUR); // the servicelet copies it to EX2 and, past the effective date, publishes it
      expect(sim.state().authConfig.currentCertificateThumbprint).toBe(t);
      for (const fqdn of ['ex1.contoso.com', 'ex2.contoso.com']) {
        await sim.ok(
          `Invoke-Command -ComputerName ${q(fqdn)} -ScriptBlock { param($name) Restart-Service -Name $name -Force } -ArgumentList 'MSExchangeServiceHost'`,
        );
        for (const pool of ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool']) {
          await sim.ok(
            `Invoke-Command -ComputerName ${q(fqdn)} -ScriptBlock { param($name) Import-Module -Name 'WebAdministration'; Restart-WebAppPool -Name $name } -ArgumentList ${q(pool)}`,
          );
        }
        const r = await sim.first(
          `Test-OAuthConnectivity -Service 'EWS' -TargetUri ${q(`https://${fqdn}/ews/`)} -Mailbox 'administrator'${select(stringProp('ResultType'))}`,
        );
        expect(r.ResultType).toBe('Success');
      }
    } finally {
      await sim.close();
    }
  });

  it('unreachable: remoting, event log and diagnostics fail with their own errors', async () => {
    const sim = await Simulation.create('unreachable');
    try {
      const remoting = await sim.fails(
        `Invoke-Command -ComputerName 'ex3.contoso.com' -ScriptBlock { param($name) Restart-Service -Name $name -Force } -ArgumentList 'MSExchangeServiceHost'`,
      );
      expect(remoting.exceptionType).toBe('System.Management.Automation.Remoting.PSRemotingTransportException');
      // WinRM fails to connect: nothing of the block runs, not even what needs no server.
      const nothing = await sim.fails(`Invoke-Command -ComputerName 'ex3.contoso.com' -ScriptBlock { 'ran' }`);
      expect(nothing.reason).toBe('PSRemotingTransportException');
      const events = await sim.fails(
        `Get-WinEvent -ComputerName 'ex3.contoso.com' -FilterHashtable @{ LogName = 'Application'; Id = 2014; StartTime = ${isoDate(START)} } -MaxEvents 20`,
      );
      expect(events.message).toBe('The RPC server is unavailable');
      const diag = await sim.fails(
        `Get-ExchangeDiagnosticInfo -Server 'ex3.contoso.com' -Process 'Microsoft.Exchange.ServiceHost'`,
      );
      expect(diag.message).toMatch(/RPC server is unavailable/);
    } finally {
      await sim.close();
    }
  });

  it('large: 200 servers in 5 sites, certificate lookups on all of them', async () => {
    const sim = await Simulation.create('large');
    try {
      const servers = await sim.ok(
        `Get-ExchangeServer${select('Name', 'Fqdn', stringProp('Site'), dateProp('WhenChanged'))}`,
      );
      expect(servers).toHaveLength(200);
      expect(new Set(servers.map((s) => s.Site)).size).toBe(5);
      const t = sim.state().authConfig.currentCertificateThumbprint!;
      for (const s of servers.filter((_, i) => i % 40 === 39)) {
        const c = await sim.first(
          `Get-ExchangeCertificate -Server ${q(s.Fqdn as string)} -Thumbprint ${q(t)}${select('Thumbprint')}`,
        );
        expect(c.Thumbprint).toBe(t);
      }
    } finally {
      await sim.close();
    }
  });
});
