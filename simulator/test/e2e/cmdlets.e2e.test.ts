// Every Exchange cmdlet of the simulator, through real node-powershell and bin/simulated-exchange-shell, in the
// command forms of docs/powershell-dialect.md, along the path of a planned rotation.
import {
  CERT_PROPS,
  dateProp,
  HOUR,
  isoDate,
  NEW_AUTH_CERT,
  q,
  secure,
  select,
  Simulation,
  START,
  stringProp,
} from './shell';
import { signInProbe } from '../../exchange/behaviour';
import { loadOrganization } from '../../exchange/organisation';
import { at } from '../../invariant';

const NON_INTERACTIVE = 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.';

describe('a planned rotation through the simulated shell (healthy)', () => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await Simulation.create('healthy');
  });
  afterAll(() => sim.close());

  let oldThumbprint: string;
  let newThumbprint: string;

  it('Get-ExchangeServer lists the servers with site, roles and version', async () => {
    const servers = await sim.ok(
      `Get-ExchangeServer${select('Name', 'Fqdn', stringProp('Site'), stringProp('ServerRole'), stringProp('AdminDisplayVersion'))}`,
    );
    expect(servers).toEqual([
      {
        Name: 'EX1',
        Fqdn: 'ex1.contoso.com',
        Site: 'contoso.com/Configuration/Sites/Default-First-Site-Name',
        ServerRole: 'Mailbox',
        AdminDisplayVersion: 'Version 15.2 (Build 1544.4)',
      },
      {
        Name: 'EX2',
        Fqdn: 'ex2.contoso.com',
        Site: 'contoso.com/Configuration/Sites/Default-First-Site-Name',
        ServerRole: 'Mailbox',
        AdminDisplayVersion: 'Version 15.2 (Build 1544.4)',
      },
    ]);
  });

  it('Get-AuthConfig shows the current certificate and no next one', async () => {
    const a = await sim.first(
      `Get-AuthConfig${select('CurrentCertificateThumbprint', 'NextCertificateThumbprint', 'PreviousCertificateThumbprint', 'NextCertificateEffectiveDate')}`,
    );
    expect(a.CurrentCertificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(a).toMatchObject({
      NextCertificateThumbprint: '',
      PreviousCertificateThumbprint: '',
      NextCertificateEffectiveDate: null,
    });
    oldThumbprint = a.CurrentCertificateThumbprint as string;
  });

  it('Get-ExchangeCertificate -Server -Thumbprint returns the certificate with ISO dates and services as text', async () => {
    const c = await sim.first(
      `Get-ExchangeCertificate -Server 'ex2.contoso.com' -Thumbprint ${q(oldThumbprint)}${CERT_PROPS}`,
    );
    expect(c).toMatchObject({
      Thumbprint: oldThumbprint,
      Subject: 'CN=Microsoft Exchange Server Auth Certificate',
      FriendlyName: 'Microsoft Exchange Server Auth Certificate',
      Services: 'SMTP',
      PrivateKeyExportable: true,
    });
    expect(Date.parse(c.NotAfter as string)).toBeGreaterThan(START);
    expect(c.NotBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });

  it('Get-TransportService tells the internal transport certificate', async () => {
    const t = await sim.first(
      `Get-TransportService -Identity 'EX1'${select('InternalTransportCertificateThumbprint')}`,
    );
    expect(t.InternalTransportCertificateThumbprint).toBe(
      at(sim.state().servers, 0, 'server').internalTransportCertificate,
    );
  });

  it('Get-HybridConfiguration returns nothing; Get-OrganizationConfig has EnableAuthAdminReadSession', async () => {
    expect(await sim.ok(`Get-HybridConfiguration${select('Name')}`)).toEqual([]);
    expect(await sim.ok(`Get-OrganizationConfig${select('EnableAuthAdminReadSession')}`)).toEqual([
      { EnableAuthAdminReadSession: false },
    ]);
  });

  it('New-ExchangeCertificate for SMTP asks, which fails in a non-interactive shell, and creates nothing', async () => {
    const before = at(sim.state().servers, 0, 'server').certificates.length;
    const e = await sim.fails(NEW_AUTH_CERT('ex1.contoso.com', ''));
    expect(e).toMatchObject({
      message: NON_INTERACTIVE,
      exceptionType: 'System.Management.Automation.Host.HostException',
    });
    expect(at(sim.state().servers, 0, 'server').certificates).toHaveLength(before);
  });

  it("New-ExchangeCertificate -Services 'None' creates the certificate without asking", async () => {
    const c = await sim.first(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint', stringProp('Services'))}`);
    expect(c.Services).toBe('None');
    newThumbprint = c.Thumbprint as string;
    expect(at(sim.state().servers, 0, 'server').internalTransportCertificate).not.toBe(newThumbprint);
  });

  it('Set-AuthConfig refuses a date in the past and asks under 48 hours without -Force', async () => {
    const past = await sim.fails(
      `Set-AuthConfig -NewCertificateThumbprint ${q(newThumbprint)} -NewCertificateEffectiveDate ${isoDate(START - 2 * HOUR)} -Force`,
    );
    expect(past.message).toBe('The effective date must be greater than the current time.');
    const soon = await sim.fails(
      `Set-AuthConfig -NewCertificateThumbprint ${q(newThumbprint)} -NewCertificateEffectiveDate (Get-Date).AddHours(10)`,
    );
    expect(soon.message).toBe(NON_INTERACTIVE);
    expect(sim.state().authConfig.nextCertificateThumbprint).toBeNull();
  });

  it('Set-AuthConfig stages the certificate 49 hours ahead, the date computed by the server', async () => {
    await sim.ok(
      `Set-AuthConfig -NewCertificateThumbprint ${q(newThumbprint)} -NewCertificateEffectiveDate (Get-Date).AddHours(49) -Force`,
    );
    const a = await sim.first(
      `Get-AuthConfig${select('NextCertificateThumbprint', dateProp('NextCertificateEffectiveDate'))}`,
    );
    expect(a.NextCertificateThumbprint).toBe(newThumbprint);
    expect(Date.parse(a.NextCertificateEffectiveDate as string)).toBe(START + 49 * HOUR);
  });

  it('Get-ExchangeCertificate tells "not found" on a server the servicelet has not reached yet', async () => {
    const e = await sim.fails(
      `Get-ExchangeCertificate -Server 'ex2.contoso.com' -Thumbprint ${q(newThumbprint)}${CERT_PROPS}`,
    );
    expect(e.message).toBe(
      `A special Rpc error occurs on server EX2: The certificate with thumbprint ${newThumbprint} was not found.`,
    );
    expect(e.reason).toBe('InvalidOperationException');
  });

  it('the servicelet copies it within the site an hour later', async () => {
    await sim.advance(HOUR);
    const c = await sim.first(
      `Get-ExchangeCertificate -Server 'ex2.contoso.com' -Thumbprint ${q(newThumbprint)}${CERT_PROPS}`,
    );
    expect(c.Thumbprint).toBe(newThumbprint);
  });

  it('Get-WinEvent reports no matching event before publication', async () => {
    const e = await sim.fails(
      `Get-WinEvent -ComputerName 'ex1.contoso.com' -FilterHashtable @{ LogName = 'Application'; ProviderName = 'MSExchange AuthAdmin'; Id = 2014; StartTime = ${isoDate(START)} } -MaxEvents 20`,
    );
    expect(e.message).toBe('No events were found that match the specified selection criteria.');
    expect(e.errorId).toBe('NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand');
  });

  it('after the effective date the AuthAdmin servicelet publishes and writes event 2014', async () => {
    await sim.advance(60 * HOUR - HOUR); // EX1's run at +60h is the first after the effective date
    const a = await sim.first(
      `Get-AuthConfig${select('CurrentCertificateThumbprint', 'PreviousCertificateThumbprint', 'NextCertificateThumbprint')}`,
    );
    expect(a).toEqual({
      CurrentCertificateThumbprint: newThumbprint,
      PreviousCertificateThumbprint: oldThumbprint,
      NextCertificateThumbprint: '',
    });
    const events = await sim.ok(
      `Get-WinEvent -ComputerName 'ex1.contoso.com' -FilterHashtable @{ LogName = 'Application'; ProviderName = 'MSExchange AuthAdmin'; Id = 2014; StartTime = ${isoDate(START)} } -MaxEvents 20${select('Id', 'ProviderName', 'Message', dateProp('TimeCreated'), 'MachineName')}`,
    );
    expect(events).toEqual([
      {
        Id: 2014,
        ProviderName: 'MSExchange AuthAdmin',
        Message: `The current signing certificate for Exchange has been updated to certificate with thumbprint ${newThumbprint}.`,
        TimeCreated: new Date(START + 60 * HOUR).toISOString().replace('.000Z', '.0000000Z'),
        MachineName: 'ex1.contoso.com',
      },
    ]);
  });

  it('Get-ExchangeDiagnosticInfo gives the servicelet last run in its XML', async () => {
    const d = await sim.first(
      `Get-ExchangeDiagnosticInfo -Server 'ex1.contoso.com' -Process 'Microsoft.Exchange.ServiceHost'${select('Result')}`,
    );
    const xml = d.Result as string;
    const authAdmin = /<AnchorApplication name="AuthAdmin">[\s\S]*?<\/AnchorApplication>/.exec(xml)![0];
    expect(authAdmin).toContain(
      `<lastRunTime>${new Date(START + 60 * HOUR).toISOString().replace('.000Z', '.0000000Z')}</lastRunTime>`,
    );
  });

  it('Restart-Service MSExchangeServiceHost through Invoke-Command runs the servicelet on that server', async () => {
    expect(at(sim.state().servers, 1, 'server').serviceHost.announcedCurrent).toBe(oldThumbprint);
    await sim.ok(
      `Invoke-Command -ComputerName 'ex2.contoso.com' -ScriptBlock { param($name) Restart-Service -Name $name -Force } -ArgumentList 'MSExchangeServiceHost'`,
    );
    const ex2 = at(sim.state().servers, 1, 'server');
    expect(ex2.serviceHost.lastStart).toBe(START + 60 * HOUR);
    expect(ex2.events.at(-1)?.message).toContain(newThumbprint);
  });

  it('a planned rotation keeps sign-in working: pools caching the previous certificate are stale until recycled', async () => {
    const test = `Test-OAuthConnectivity -Service 'EWS' -TargetUri 'https://ex1.contoso.com/ews/exchange.asmx' -Mailbox 'administrator'${select(stringProp('ResultType'), 'Detail')}`;
    const probes = () => {
      const { org, now } = loadOrganization(sim.file);
      return org.servers.map((s) => signInProbe(org, s, now));
    };
    expect((await sim.first(test)).ResultType).toBe('Success');
    for (const p of probes()) {
      expect(p).toMatchObject({ status: 'stale', works: true });
      expect(p.reason).toMatch(new RegExp(`^stale: recycle recommended: .*previous certificate ${oldThumbprint}`));
    }
    for (const server of ['ex1.contoso.com', 'ex2.contoso.com']) {
      for (const pool of ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool']) {
        await sim.ok(
          `Invoke-Command -ComputerName ${q(server)} -ScriptBlock { param($name) Import-Module -Name 'WebAdministration'; Restart-WebAppPool -Name $name } -ArgumentList ${q(pool)}`,
        );
      }
    }
    const state = await sim.first(
      `Invoke-Command -ComputerName 'ex1.contoso.com' -ScriptBlock { param($name) Import-Module -Name 'WebAdministration'; Get-WebAppPoolState -Name $name } -ArgumentList 'MSExchangeOWAAppPool'${select('Value')}`,
    );
    expect(state.Value).toBe('Started');
    expect((await sim.first(test)).ResultType).toBe('Success');
    expect(probes().map((p) => p.status)).toEqual(['ok', 'ok']);
    expect(sim.state().servers.every((s) => s.appPools.every((p) => p.cachedCertificate === newThumbprint))).toBe(true);
  });

  it('Restart-WebAppPool takes the pool name by position too', async () => {
    await sim.ok(
      `Invoke-Command -ComputerName 'ex1.contoso.com' -ScriptBlock { Import-Module WebAdministration; Restart-WebAppPool MSExchangeOWAAppPool }`,
    );
  });

  it('Set-AuthConfig -ClearPreviousCertificate empties the previous thumbprint', async () => {
    await sim.ok('Set-AuthConfig -ClearPreviousCertificate');
    expect(sim.state().authConfig.previousCertificateThumbprint).toBeNull();
  });

  it('Enable-ExchangeCertificate re-enables the transport certificate for SMTP with -Force', async () => {
    const t = await sim.first(
      `Get-TransportService -Identity 'EX1'${select('InternalTransportCertificateThumbprint')}`,
    );
    const transport = t.InternalTransportCertificateThumbprint as string;
    const e = await sim.fails(
      `Enable-ExchangeCertificate -Thumbprint ${q(newThumbprint)} -Services 'SMTP' -Server 'ex1.contoso.com'`,
    );
    expect(e.message).toBe(NON_INTERACTIVE);
    await sim.ok(
      `Enable-ExchangeCertificate -Thumbprint ${q(transport)} -Services 'IMAP, POP, IIS, SMTP' -Server 'ex1.contoso.com' -Force`,
    );
    expect(at(sim.state().servers, 0, 'server').internalTransportCertificate).toBe(transport);
  });

  it('Set-OrganizationConfig -EnableAuthAdminReadSession:$true sets the flag', async () => {
    await sim.ok('Set-OrganizationConfig -EnableAuthAdminReadSession:$true');
    expect(await sim.ok(`Get-OrganizationConfig${select('EnableAuthAdminReadSession')}`)).toEqual([
      { EnableAuthAdminReadSession: true },
    ]);
  });

  it('Set-OrganizationConfig stores each parameter given, with $false as a value, and leaves the others', async () => {
    const config = () =>
      sim.ok(`Get-OrganizationConfig${select('EnableAuthAdminReadSession', 'OAuth2ClientProfileEnabled')}`);
    await sim.ok('Set-OrganizationConfig -EnableAuthAdminReadSession:$false -OAuth2ClientProfileEnabled $false');
    expect(await config()).toEqual([{ EnableAuthAdminReadSession: false, OAuth2ClientProfileEnabled: false }]);
    await sim.ok('Set-OrganizationConfig -EnableAuthAdminReadSession');
    expect(await config()).toEqual([{ EnableAuthAdminReadSession: true, OAuth2ClientProfileEnabled: false }]);
    await sim.ok('Set-OrganizationConfig -OAuth2ClientProfileEnabled $true');
    expect(await config()).toEqual([{ EnableAuthAdminReadSession: true, OAuth2ClientProfileEnabled: true }]);
  });
});

describe('export and import across sites (two-sites)', () => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await Simulation.create('two-sites');
  });
  afterAll(() => sim.close());

  it('moves a certificate with its PFX bytes, refusing a wrong password', async () => {
    const c = await sim.first(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint')}`);
    const t = c.Thumbprint as string;
    await sim.ok(
      `Set-AuthConfig -NewCertificateThumbprint ${q(t)} -NewCertificateEffectiveDate (Get-Date).AddHours(49) -Force`,
    );
    await sim.advance(24 * HOUR);
    expect((await sim.fails(`Get-ExchangeCertificate -Server 'ex3.contoso.com' -Thumbprint ${q(t)}`)).message).toMatch(
      /was not found/,
    );

    const exported = await sim.first(
      `Export-ExchangeCertificate -Thumbprint ${q(t)} -Server 'ex1.contoso.com' -BinaryEncoded -Password ${secure("p@ss'word")}${select('FileData')}`,
    );
    const fileData = exported.FileData;
    const base64 = Array.isArray(fileData)
      ? Buffer.from(fileData as number[]).toString('base64')
      : (fileData as string);
    expect(base64.length).toBeGreaterThan(40);

    const wrong = await sim.fails(
      `Import-ExchangeCertificate -Server 'ex3.contoso.com' -FileData ([System.Convert]::FromBase64String(${q(base64)})) -Password ${secure('nope')} -PrivateKeyExportable $true${select('Thumbprint')}`,
    );
    expect(wrong.message).toMatch(/password is not correct/);
    const imported = await sim.first(
      `Import-ExchangeCertificate -Server 'ex3.contoso.com' -FileData ([System.Convert]::FromBase64String(${q(base64)})) -Password ${secure("p@ss'word")} -PrivateKeyExportable $true${select('Thumbprint')}`,
    );
    expect(imported.Thumbprint).toBe(t);
    await sim.advance(HOUR);
    const onEx4 = await sim.first(`Get-ExchangeCertificate -Server 'ex4.contoso.com' -Thumbprint ${q(t)}${CERT_PROPS}`);
    expect(onEx4.Thumbprint).toBe(t);
  });
});

describe("Microsoft's script path: force the SMTP overwrite, then restore the transport certificate", () => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await Simulation.create('healthy');
  });
  afterAll(() => sim.close());

  it('New-ExchangeCertificate -Force replaces the transport certificate; Enable-ExchangeCertificate puts it back', async () => {
    const before = await sim.first(
      `Get-TransportService -Identity 'EX2'${select('InternalTransportCertificateThumbprint')}`,
    );
    const transport = before.InternalTransportCertificateThumbprint as string;
    const old = await sim.first(
      `Get-ExchangeCertificate -Identity ${q(`ex2.contoso.com\\${transport}`)}${select(stringProp('Services'))}`,
    );
    const c = await sim.first(
      `${NEW_AUTH_CERT('ex2.contoso.com', ' -Force')}${select('Thumbprint', stringProp('Services'))}`,
    );
    expect(c.Services).toBe('IMAP, POP, SMTP');
    const after = await sim.first(
      `Get-TransportService -Identity 'EX2'${select('InternalTransportCertificateThumbprint')}`,
    );
    expect(after.InternalTransportCertificateThumbprint).toBe(c.Thumbprint);
    await sim.ok(
      `Enable-ExchangeCertificate -Thumbprint ${q(transport)} -Services ${q(old.Services as string)} -Server 'ex2.contoso.com' -Force`,
    );
    const restored = await sim.first(
      `Get-TransportService -Identity 'EX2'${select('InternalTransportCertificateThumbprint')}`,
    );
    expect(restored.InternalTransportCertificateThumbprint).toBe(transport);
  });

  it('Export-ExchangeCertificate without -BinaryEncoded gives base64 text', async () => {
    const t = sim.state().authConfig.currentCertificateThumbprint!;
    const e = await sim.first(
      `Export-ExchangeCertificate -Thumbprint ${q(t)} -Server 'ex1.contoso.com' -Password ${secure('x')}${select('FileData')}`,
    );
    expect(e.FileData).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('Get-WinEvent honours -MaxEvents and returns the newest first', async () => {
    const events = await sim.ok(
      `Get-WinEvent -ComputerName 'ex1.contoso.com' -FilterHashtable @{ LogName = 'Application'; ProviderName = 'MSExchange AuthAdmin' } -MaxEvents 1${select('Id', dateProp('TimeCreated'))}`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.Id).toBe(2014);
  });
});

describe('the shell language meets the cmdlet catalogue', () => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await Simulation.create('healthy');
  });
  afterAll(() => sim.close());

  it('an unknown parameter fails as PowerShell binding does', async () => {
    const e = await sim.fails("Get-ExchangeCertificate -Server 'ex1.contoso.com' -Thumbprnt 'AB'");
    expect(e.message).toBe("A parameter cannot be found that matches parameter name 'Thumbprnt'.");
    expect(e.errorId).toMatch(/^NamedParameterNotFound,/);
  });

  it('a value of the wrong type fails to bind', async () => {
    const e = await sim.fails("New-ExchangeCertificate -KeySize 'large' -Services 'None'");
    expect(e.message).toMatch(
      /^Cannot bind parameter 'KeySize'\. Cannot convert value "large" to type "System\.Int32"/,
    );
    const services = await sim.fails("New-ExchangeCertificate -Services 'Fax'");
    expect(services.message).toMatch(/Cannot bind parameter 'Services'/);
  });

  it('a missing mandatory parameter fails in the non-interactive shell', async () => {
    const e = await sim.fails("Test-OAuthConnectivity -Service 'EWS'");
    expect(e.message).toBe('Cannot process command because of one or more missing mandatory parameters: TargetUri.');
  });

  it('parameter names may be abbreviated', async () => {
    const a = await sim.first(
      `Get-ExchangeCertificate -Serv 'ex1.contoso.com' -Thumb ${q(sim.state().authConfig.currentCertificateThumbprint!)}${select('Thumbprint')}`,
    );
    expect(a.Thumbprint).toBe(sim.state().authConfig.currentCertificateThumbprint);
  });

  it('a malformed literal is a parse error on stderr, and the shell keeps running', async () => {
    const ps = await sim.shell();
    await expect(ps.invoke("Get-AuthConfig -DomainController 'dc1.contoso.com")).rejects.toThrow(
      /TerminatorExpectedAtEndOfString/,
    );
    expect((await sim.first(`Get-AuthConfig${select('Name')}`, ps)).Name).toBe('Auth Configuration');
  });
});

describe('Invoke-Command -ComputerName is remoting, as on Windows', () => {
  let sim: Simulation;
  beforeAll(async () => {
    sim = await Simulation.create('healthy');
  });
  afterAll(() => sim.close());

  it("Invoke-Command -ComputerName runs the block in a new session: the caller's variables do not reach it", async () => {
    await sim.advance(HOUR);
    const before = at(sim.state().servers, 1, 'server').appPools.map((p) => p.lastRecycle);
    const e = await sim.fails(
      `$pool = 'MSExchangeOWAAppPool'; Invoke-Command -ComputerName 'ex2.contoso.com' -ScriptBlock { Restart-WebAppPool -Name $pool }`,
    );
    expect(e.message).toBe("Cannot find path 'IIS:\\AppPools\\' because it does not exist.");
    expect(at(sim.state().servers, 1, 'server').appPools.map((p) => p.lastRecycle)).toEqual(before);
    await sim.ok(
      `$pool = 'MSExchangeOWAAppPool'; Invoke-Command -ComputerName 'ex2.contoso.com' -ScriptBlock { Restart-WebAppPool -Name $using:pool }`,
    );
    const owa = at(sim.state().servers, 1, 'server').appPools.find((p) => p.name === 'MSExchangeOWAAppPool')!;
    expect(owa.lastRecycle).toBeGreaterThan(Math.max(...before));
  });

  it('Invoke-Command to a computer that is not in the organisation fails with a remoting error and runs nothing', async () => {
    const e = await sim.fails(
      `Invoke-Command -ComputerName 'ex9.contoso.com' -ScriptBlock { 'ran' } -ArgumentList 'x'`,
    );
    expect(e).toMatchObject({
      reason: 'PSRemotingTransportException',
      target: 'ex9.contoso.com',
      message: expect.stringContaining('Cannot find the computer ex9.contoso.com'),
    });
  });
});

describe('Set-AuthConfig with dates computed on the server, on a fast clock', () => {
  // The service builds effective dates in the command line, as (Get-Date).AddHours(n), and (Get-Date) for an emergency.
  it.each([
    ['healthy', 3600],
    ['healthy', 12_000],
    ['large', 12_000],
  ])(
    '%s at x%d: (Get-Date).AddHours(49) and (Get-Date) are accepted, a date two hours old is not',
    async (scenario, rate) => {
      const sim = await Simulation.create(scenario, rate);
      try {
        const server = `${at(sim.state().servers, 0, 'server').name.toLowerCase()}.contoso.com`;
        for (const date of ['(Get-Date).AddHours(49)', '(Get-Date)', '(Get-Date).AddHours(-2)']) {
          const c = await sim.first(`${NEW_AUTH_CERT(server)}${select('Thumbprint')}`);
          const stage = `Set-AuthConfig -NewCertificateThumbprint ${q(c.Thumbprint as string)} -NewCertificateEffectiveDate ${date} -Force -Server ${q(server)}`;
          if (date.includes('-2')) {
            expect((await sim.fails(stage)).message).toBe('The effective date must be greater than the current time.');
          } else {
            await sim.ok(stage);
            // On this clock the servicelet may publish a date of now within moments.
            const a = sim.state().authConfig;
            expect([a.nextCertificateThumbprint, a.currentCertificateThumbprint]).toContain(c.Thumbprint);
          }
        }
      } finally {
        await sim.close();
      }
    },
  );
});
