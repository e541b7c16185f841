import { PSDateTime, PSEnum, PSHashtable, PSObject, PSSecureString, PSValue } from '../../shell/types';
import { HOUR, Org, prop, START } from './helpers';
import { at } from '../../invariant';

const NON_INTERACTIVE = 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.';

describe('New-ExchangeCertificate and the default SMTP certificate', () => {
  const cases: Array<{
    name: string;
    args: Record<string, PSValue>;
    prompts: boolean;
    replacesTransport: boolean;
    services: string;
  }> = [
    {
      name: 'default services (IMAP, POP, SMTP), no -Force',
      args: {},
      prompts: true,
      replacesTransport: false,
      services: '',
    },
    {
      name: "-Services 'SMTP', no -Force",
      args: { Services: 'SMTP' },
      prompts: true,
      replacesTransport: false,
      services: '',
    },
    {
      name: 'default services with -Force',
      args: { Force: true },
      prompts: false,
      replacesTransport: true,
      services: 'IMAP, POP, SMTP',
    },
    {
      name: "-Services 'None'",
      args: { Services: 'None' },
      prompts: false,
      replacesTransport: false,
      services: 'None',
    },
    {
      name: "-Services 'None' -Force",
      args: { Services: 'None', Force: true },
      prompts: false,
      replacesTransport: false,
      services: 'None',
    },
    { name: "-Services 'IIS'", args: { Services: 'IIS' }, prompts: false, replacesTransport: false, services: 'IIS' },
    {
      name: 'an AllowedServices enum value',
      args: { Services: new PSEnum('AllowedServices', 8, 'IIS') },
      prompts: false,
      replacesTransport: false,
      services: 'IIS',
    },
  ];
  it.each(cases)('$name', async (c) => {
    const org = await Org.create('healthy');
    const before = org.server(0);
    const args = {
      SubjectName: 'cn=Microsoft Exchange Server Auth Certificate',
      PrivateKeyExportable: true,
      DomainName: [],
      Server: 'ex1.contoso.com',
      ...c.args,
    };
    if (c.prompts) {
      const e = await org.fails('New-ExchangeCertificate', args);
      expect(e.message).toBe(NON_INTERACTIVE);
      expect(e.details).toMatchObject({ reason: 'HostException', errorId: 'HostFunctionNotImplemented' });
      expect(org.server(0).certificates).toHaveLength(before.certificates.length);
      return;
    }
    const cert = await org.first('New-ExchangeCertificate', args);
    const after = org.server(0);
    expect(after.certificates).toHaveLength(before.certificates.length + 1);
    expect((prop(cert, 'Services') as PSEnum).names).toBe(c.services);
    expect(prop(cert, 'Subject')).toBe('CN=Microsoft Exchange Server Auth Certificate');
    expect(prop(cert, 'Thumbprint')).toMatch(/^[0-9A-F]{40}$/);
    expect(after.internalTransportCertificate).toBe(
      c.replacesTransport ? prop(cert, 'Thumbprint') : before.internalTransportCertificate,
    );
  });

  it('creates a five-year certificate shaped as a deserialized ExchangeCertificate', async () => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX2');
    const cert = await org.first('Get-ExchangeCertificate', { Server: 'EX2', Thumbprint: t });
    const o = cert as PSObject;
    expect(o.typeNames[0]).toBe(
      'Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate',
    );
    expect((o.get('NotBefore') as PSDateTime).ms).toBe(START);
    expect((o.get('NotAfter') as PSDateTime).ms - START).toBeGreaterThan(5 * 365 * 24 * HOUR);
    expect(o.get('PrivateKeyExportable')).toBe(true);
    expect(o.get('FriendlyName')).toBe('Microsoft Exchange Server Auth Certificate');
    expect((o.get('Status') as PSEnum).names).toBe('Valid');
    expect(o.get('RawData')).toBeInstanceOf(Uint8Array);
    expect(o.get('PSComputerName')).toBe('ex1.contoso.com');
  });

  it('rejects an unknown service name and a bad key size', async () => {
    const org = await Org.create('healthy');
    expect((await org.fails('New-ExchangeCertificate', { Services: 'SMTP, Fax' })).details.errorId).toBe(
      'CannotConvertArgumentNoMessage',
    );
    expect((await org.fails('New-ExchangeCertificate', { Services: 'None', KeySize: 1000 })).message).toMatch(
      /key size 1000/,
    );
  });

  it('Enable-ExchangeCertificate for SMTP prompts unless forced, and then moves the transport certificate', async () => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX1');
    expect(
      (await org.fails('Enable-ExchangeCertificate', { Thumbprint: t, Services: 'SMTP', Server: 'EX1' })).message,
    ).toBe(NON_INTERACTIVE);
    await org.call('Enable-ExchangeCertificate', { Thumbprint: t, Services: 'IIS', Server: 'EX1' });
    await org.call('Enable-ExchangeCertificate', { Thumbprint: t, Services: 'SMTP', Server: 'EX1', Force: true });
    const svc = await org.first('Get-TransportService', { Identity: 'EX1' });
    expect(prop(svc, 'InternalTransportCertificateThumbprint')).toBe(t);
    const cert = await org.first('Get-ExchangeCertificate', { Thumbprint: t, Server: 'EX1' });
    expect((prop(cert, 'Services') as PSEnum).names).toBe('IIS, SMTP');
    expect((prop(cert, 'Services') as PSEnum).value).toBe(24);
  });
});

describe('Set-AuthConfig rules', () => {
  type Case = { name: string; lead: number; force: boolean; error?: string | RegExp };
  const cases: Case[] = [
    {
      name: 'a date in the past',
      lead: -2 * HOUR,
      force: true,
      error: 'The effective date must be greater than the current time.',
    },
    {
      name: 'a date in the past without -Force',
      lead: -2 * HOUR,
      force: false,
      error: 'The effective date must be greater than the current time.',
    },
    { name: 'under 48 hours without -Force', lead: 10 * HOUR, force: false, error: NON_INTERACTIVE },
    { name: 'just under 48 hours without -Force', lead: 48 * HOUR - 1000, force: false, error: NON_INTERACTIVE },
    { name: 'under 48 hours with -Force', lead: 10 * HOUR, force: true },
    { name: 'now, with -Force (the emergency path)', lead: 0, force: true },
    { name: 'a moment ago, as (Get-Date) evaluated before the call', lead: -5_000, force: true },
    { name: '48 hours without -Force', lead: 48 * HOUR, force: false },
    { name: '49 hours with -Force', lead: 49 * HOUR, force: true },
  ];
  it.each(cases)('$name', async (c) => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX1');
    const args = {
      NewCertificateThumbprint: t,
      NewCertificateEffectiveDate: new PSDateTime(START + c.lead, 'Local'),
      ...(c.force ? { Force: true } : {}),
    };
    if (c.error) {
      const e = await org.fails('Set-AuthConfig', args);
      expect(e.message).toEqual(c.error);
      expect(org.state().authConfig.nextCertificateThumbprint).toBeNull();
      return;
    }
    await org.call('Set-AuthConfig', args);
    const a = await org.first('Get-AuthConfig');
    expect(prop(a, 'NextCertificateThumbprint')).toBe(t);
    expect((prop(a, 'NextCertificateEffectiveDate') as PSDateTime).ms).toBe(START + c.lead);
  });

  describe('how far in the past an effective date may be', () => {
    /** Stages a new certificate dated `offset` from the moment the shell calls Set-AuthConfig; returns its thumbprint. */
    const stageAt = async (org: Org, offset: number) => {
      const t = await org.newAuthCert('EX1');
      const at = org.now();
      const date = new PSDateTime(at + offset, 'Local');
      await org.call(
        'Set-AuthConfig',
        { NewCertificateThumbprint: t, NewCertificateEffectiveDate: date, Force: true },
        null,
        at,
      );
      return t;
    };
    const PAST = 'The effective date must be greater than the current time.';
    /** Every fakeable API but Date: timers and ticks stay real, so the state file's lock still works. */
    const NOT_DATE = [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ] as const;

    // At x3600 one real second is a simulated hour: a date computed hours too early must still fail; beyond the
    // tolerance only the call's own latency is allowed, which this clock's rate makes minutes. Real time is frozen
    // here (only Date is faked), so a busy machine cannot turn "now" into "the past".
    it.each([3600, 12_000])('at x%d a date two hours (or 30 minutes) in the past fails, now passes', async (rate) => {
      jest.useFakeTimers({ doNotFake: [...NOT_DATE], now: Date.now() });
      try {
        const org = await Org.create('healthy', rate);
        await expect(stageAt(org, -2 * HOUR)).rejects.toThrow(PAST);
        await expect(stageAt(org, -HOUR / 2)).rejects.toThrow(PAST);
        const { pastEffectiveDateToleranceMs, callLatencyMs } = org.state().behaviour;
        const allowed = pastEffectiveDateToleranceMs + callLatencyMs * rate;
        await expect(stageAt(org, -allowed - 60_000)).rejects.toThrow(PAST);
        await stageAt(org, -allowed);
        const t = await stageAt(org, 0);
        expect(org.state().authConfig.nextCertificateThumbprint).toBe(t);
      } finally {
        jest.useRealTimers();
      }
    });

    it('follows the tolerance in the state file', async () => {
      const org = await Org.create('healthy');
      expect(org.state().behaviour).toMatchObject({ pastEffectiveDateToleranceMs: 60_000 });
      await expect(stageAt(org, -2 * 60_000)).rejects.toThrow(PAST);
      await org.mutate((o) => {
        o.behaviour.pastEffectiveDateToleranceMs = 10 * 60_000;
      });
      await stageAt(org, -5 * 60_000);
      await expect(stageAt(org, -11 * 60_000)).rejects.toThrow(PAST);
    });
  });

  it('refuses a thumbprint that is not installed on the server', async () => {
    const org = await Org.create('healthy');
    const e = await org.fails('Set-AuthConfig', {
      NewCertificateThumbprint: 'AB'.repeat(20),
      NewCertificateEffectiveDate: new PSDateTime(START + 49 * HOUR),
      Force: true,
    });
    expect(e.message).toMatch(/The certificate with thumbprint ABAB.* was not found/);
  });

  it('-PublishCertificate requires a next certificate installed on every server', async () => {
    const org = await Org.create('healthy');
    expect((await org.fails('Set-AuthConfig', { PublishCertificate: true })).message).toMatch(/no next certificate/);
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    const e = await org.fails('Set-AuthConfig', { PublishCertificate: true, Force: true });
    expect(e.message).toMatch(/isn't installed on server\(s\) EX2/);
    expect(e.details.category).toBe('InvalidOperation');
    await org.advance(HOUR);
    await org.call('Set-AuthConfig', { PublishCertificate: true, Force: true });
    const a = await org.first('Get-AuthConfig');
    expect(prop(a, 'CurrentCertificateThumbprint')).toBe(t);
    expect(prop(a, 'NextCertificateThumbprint')).toBe('');
    expect(prop(a, 'NextCertificateEffectiveDate')).toBeNull();
  });
});

describe('Get-ExchangeCertificate: missing versus unreachable', () => {
  it('missing-on-one: the special RPC error with InvalidOperationException', async () => {
    const org = await Org.create('missing-on-one');
    const t = org.state().authConfig.currentCertificateThumbprint!;
    expect(await org.call('Get-ExchangeCertificate', { Server: 'EX1', Thumbprint: t })).toHaveLength(1);
    const e = await org.fails('Get-ExchangeCertificate', { Server: 'ex2.contoso.com', Thumbprint: t });
    expect(e.message).toBe(
      `A special Rpc error occurs on server EX2: The certificate with thumbprint ${t} was not found.`,
    );
    expect(e.details.reason).toBe('InvalidOperationException');
    expect(e.details.errorId).toMatch(
      /^\[Server=EX2,RequestId=.*Microsoft\.Exchange\.Management\.SystemConfigurationTasks\.GetExchangeCertificate$/,
    );
    const byIdentity = await org.fails('Get-ExchangeCertificate', { Identity: `EX2\\${t}` });
    expect(byIdentity.message).toMatch(/was not found/);
  });

  it('unreachable: a different error, never "not found"', async () => {
    const org = await Org.create('unreachable');
    const t = org.state().authConfig.currentCertificateThumbprint!;
    const e = await org.fails('Get-ExchangeCertificate', { Server: 'EX3', Thumbprint: t });
    expect(e.message).not.toMatch(/not found/);
    expect(e.message).toMatch(/RPC server is unavailable/);
    expect(e.details.reason).not.toBe('InvalidOperationException');
    // Every server-bound cmdlet fails the same way there.
    for (const [name, args] of [
      ['New-ExchangeCertificate', { Server: 'EX3', Services: 'None' }],
      ['Get-ExchangeDiagnosticInfo', { Server: 'EX3' }],
      ['Export-ExchangeCertificate', { Server: 'EX3', Thumbprint: t }],
    ] as const) {
      expect((await org.fails(name, args as Record<string, PSValue>)).message).toMatch(/RPC server is unavailable/);
    }
    const remoting = await org.fails('Restart-Service', { Name: 'MSExchangeServiceHost' }, 'ex3.contoso.com');
    expect(remoting.details.reason).toBe('PSRemotingTransportException');
    const winEvent = await org.fails('Get-WinEvent', { ComputerName: 'ex3.contoso.com', LogName: 'Application' });
    expect(winEvent.details.reason).toBe('EventLogException');
  });

  it('an unknown server is a ManagementObjectNotFoundException', async () => {
    const org = await Org.create('healthy');
    const e = await org.fails('Get-ExchangeCertificate', { Server: 'EX9' });
    expect(e.details.reason).toBe('ManagementObjectNotFoundException');
    expect((await org.fails('Get-ExchangeServer', { Identity: 'EX9' })).message).toMatch(
      /object 'EX9' couldn't be found/,
    );
  });

  it('lists every certificate of a server without -Thumbprint', async () => {
    const org = await Org.create('healthy');
    const certs = await org.call('Get-ExchangeCertificate', { Server: 'EX1' });
    expect(certs.map((c) => prop(c, 'Subject'))).toEqual(['CN=Microsoft Exchange Server Auth Certificate', 'CN=EX1']);
  });

  it('expired: the current certificate reports DateInvalid', async () => {
    const org = await Org.create('expired');
    const t = org.state().authConfig.currentCertificateThumbprint!;
    const c = await org.first('Get-ExchangeCertificate', { Thumbprint: t });
    expect((prop(c, 'Status') as PSEnum).names).toBe('DateInvalid');
    expect((prop(c, 'NotAfter') as PSDateTime).ms).toBeLessThan(START);
  });
});

describe('Export-ExchangeCertificate and Import-ExchangeCertificate', () => {
  const password = new PSSecureString('S3cret!');
  it('round-trips a certificate to another server with the right password only', async () => {
    const org = await Org.create('two-sites');
    const t = await org.newAuthCert('EX1');
    const exported = await org.first('Export-ExchangeCertificate', {
      Thumbprint: t,
      Server: 'EX1',
      BinaryEncoded: true,
      Password: password,
    });
    const data = prop(exported, 'FileData') as Uint8Array;
    expect(data).toBeInstanceOf(Uint8Array);
    const wrong = await org.fails('Import-ExchangeCertificate', {
      Server: 'EX3',
      FileData: data,
      Password: new PSSecureString('nope'),
    });
    expect(wrong.message).toMatch(/password is not correct/);
    expect(org.hasCert('EX3', t)).toBe(false);
    const garbage = await org.fails('Import-ExchangeCertificate', {
      Server: 'EX3',
      FileData: Uint8Array.from([1, 2, 3]),
      Password: password,
    });
    expect(garbage.message).toMatch(/Cannot import certificate/);
    const imported = await org.first('Import-ExchangeCertificate', {
      Server: 'EX3',
      FileData: Array.from(data),
      Password: password,
      PrivateKeyExportable: true,
    });
    expect(prop(imported, 'Thumbprint')).toBe(t);
    expect((prop(imported, 'NotAfter') as PSDateTime).ms).toBe(
      org.server(0).certificates.find((c) => c.thumbprint === t)!.notAfter,
    );
    const again = await org.fails('Import-ExchangeCertificate', { Server: 'EX3', FileData: data, Password: password });
    expect(again.message).toMatch(/already exists/);
  });

  it('refuses to export a certificate whose private key is not exportable', async () => {
    const org = await Org.create('healthy');
    const transport = org.server(0).internalTransportCertificate!;
    const e = await org.fails('Export-ExchangeCertificate', {
      Thumbprint: transport,
      Server: 'EX1',
      BinaryEncoded: true,
      Password: password,
    });
    expect(e.message).toMatch(/isn't exportable/);
  });
});

describe('Get-WinEvent', () => {
  const filter = (entries: Record<string, PSValue>) => {
    const h = new PSHashtable();
    for (const [k, v] of Object.entries(entries)) h.set(k, v);
    return [h];
  };
  it('filters the Application log by provider, id and start time, newest first, up to MaxEvents', async () => {
    const org = await Org.create('healthy');
    const t = await org.newAuthCert('EX1');
    await org.stage(t, START + 49 * HOUR);
    await org.advance(61 * HOUR);
    const events = await org.call('Get-WinEvent', {
      ComputerName: 'ex1.contoso.com',
      FilterHashtable: filter({
        LogName: 'Application',
        ProviderName: 'MSExchange AuthAdmin',
        Id: 2014,
        StartTime: new PSDateTime(START),
      }),
      MaxEvents: 20,
    });
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(prop(event, 'Message')).toBe(
      `The current signing certificate for Exchange has been updated to certificate with thumbprint ${t}.`,
    );
    expect(prop(event, 'ProviderName')).toBe('MSExchange AuthAdmin');
    expect(prop(event, 'MachineName')).toBe('ex1.contoso.com');
    expect(prop(event, 'LevelDisplayName')).toBe('Information');
    expect((prop(event, 'TimeCreated') as PSDateTime).ms).toBe(START + 60 * HOUR);
    const all = await org.call('Get-WinEvent', {
      ComputerName: 'EX1',
      FilterHashtable: filter({ LogName: 'Application', Id: [2014] }),
    });
    expect(all).toHaveLength(2);
    expect((prop(all[0]!, 'TimeCreated') as PSDateTime).ms).toBeGreaterThan(
      (prop(all[1]!, 'TimeCreated') as PSDateTime).ms,
    );
    expect(
      await org.call('Get-WinEvent', {
        ComputerName: 'EX1',
        FilterHashtable: filter({ LogName: 'Application' }),
        MaxEvents: 1,
      }),
    ).toHaveLength(1);
  });

  it('reports no match with the real error', async () => {
    const org = await Org.create('healthy');
    const e = await org.fails('Get-WinEvent', {
      ComputerName: 'ex1.contoso.com',
      FilterHashtable: filter({
        LogName: 'Application',
        ProviderName: 'MSExchange AuthAdmin',
        Id: 2014,
        StartTime: new PSDateTime(START),
      }),
    });
    expect(e.message).toBe('No events were found that match the specified selection criteria.');
    expect(e.details.errorId).toBe('NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand');
    const badKey = await org.fails('Get-WinEvent', {
      FilterHashtable: filter({ LogName: 'Application', Color: 'red' }),
    });
    expect(badKey.message).toMatch(/'Color' key/);
  });
});

describe('organisation-wide cmdlets', () => {
  it('Get-ExchangeServer returns servers shaped as 5.1 deserialized objects', async () => {
    const org = await Org.create('two-sites');
    const servers = await org.call('Get-ExchangeServer');
    expect(servers.map((s) => prop(s, 'Name'))).toEqual(['EX1', 'EX2', 'EX3', 'EX4']);
    const ex3 = servers[2] as PSObject;
    expect(ex3.get('Fqdn')).toBe('ex3.contoso.com');
    expect(ex3.get('Site')).toBe('contoso.com/Configuration/Sites/Site-B');
    expect(ex3.get('AdminDisplayVersion')).toBe('Version 15.2 (Build 1544.4)');
    // As recorded from real Exchange 2016/2019: ServerRole Mailbox (2), the Client Access services part of it.
    expect(ex3.get('ServerRole')).toMatchObject({ names: 'Mailbox', value: 2 });
    expect(ex3.get('IsClientAccessServer')).toBe(true);
    expect(ex3.get('IsMailboxServer')).toBe(true);
    expect(ex3.get('IsHubTransportServer')).toBe(true);
    expect(ex3.get('IsEdgeServer')).toBe(false);
    expect(ex3.get('IsE15OrLater')).toBe(true);
  });

  it('an Exchange 2013 (15.0) server reports Client Access only when it has that role', async () => {
    const org = await Org.create('healthy');
    await org.mutate((o) => {
      at(o.servers, 0, 'server').version.minor = 0;
      at(o.servers, 1, 'server').version.minor = 0;
      at(o.servers, 1, 'server').roles = ['ClientAccess'];
    });
    const servers = (await org.call('Get-ExchangeServer')) as PSObject[];
    const [mbx, cas] = [at(servers, 0, 'server'), at(servers, 1, 'server')];
    expect([mbx.get('ServerRole'), mbx.get('IsClientAccessServer'), mbx.get('IsMailboxServer')]).toEqual([
      expect.objectContaining({ names: 'Mailbox', value: 2 }),
      false,
      true,
    ]);
    expect([cas.get('ServerRole'), cas.get('IsClientAccessServer'), cas.get('IsMailboxServer')]).toEqual([
      expect.objectContaining({ names: 'ClientAccess', value: 4 }),
      true,
      false,
    ]);
  });

  it('Get-HybridConfiguration returns nothing unless the organisation is hybrid', async () => {
    expect(await (await Org.create('healthy')).call('Get-HybridConfiguration')).toEqual([]);
    const h = await (await Org.create('hybrid')).first('Get-HybridConfiguration');
    expect(prop(h, 'Name')).toBe('Hybrid Configuration');
  });

  it('Test-OAuthConnectivity follows the target server of the URI', async () => {
    const org = await Org.create('missing-on-one');
    const result = async (host: string) => {
      const r = await org.first('Test-OAuthConnectivity', {
        Service: 'EWS',
        TargetUri: `https://${host}/ews/exchange.asmx`,
        Mailbox: 'admin',
      });
      return (prop(r, 'ResultType') as PSEnum).names;
    };
    expect(await result('ex1.contoso.com')).toBe('Success');
    expect(await result('ex2.contoso.com')).toBe('Error');
    expect(
      (await org.fails('Test-OAuthConnectivity', { Service: 'EWS', TargetUri: 'not a uri' })).details.category,
    ).toBe('InvalidArgument');
  });

  it('Restart-Service and Restart-WebAppPool reject unknown names as Windows does', async () => {
    const org = await Org.create('healthy');
    expect((await org.fails('Restart-Service', { Name: 'NoSuchService' }, 'EX1')).details.errorId).toBe(
      'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.RestartServiceCommand',
    );
    expect((await org.fails('Restart-WebAppPool', { Name: 'NoSuchPool' }, 'EX1')).details.reason).toBe(
      'ItemNotFoundException',
    );
    expect(
      (await org.fails('Restart-WebAppPool', { Name: 'MSExchangeOWAAppPool' }, 'ex9.contoso.com')).details.errorId,
    ).toBe('NetworkPathNotFound,PSSessionStateBroken');
  });

  it('Get-CimInstance Win32_Process: one w3wp.exe per started pool, created when the pool last started a worker', async () => {
    const org = await Org.create('healthy');
    const w3wp = async (computer: string) =>
      (await org.call('Get-CimInstance', { ClassName: 'Win32_Process', Filter: "Name='w3wp.exe'" }, computer)).map(
        (p) => ({
          pool: /-ap "([^"]+)"/.exec(prop(p, 'CommandLine') as string)?.[1],
          pid: prop(p, 'ProcessId') as number,
          created: (prop(p, 'CreationDate') as PSDateTime).ms,
        }),
      );
    const lastRecycle = (pool: string) => org.server(0)!.appPools.find((p) => p.name === pool)!.lastRecycle;
    const before = await w3wp('EX1');
    expect(before.map((p) => [p.pool, p.created])).toEqual([
      ['MSExchangeOWAAppPool', lastRecycle('MSExchangeOWAAppPool')],
      ['MSExchangeECPAppPool', lastRecycle('MSExchangeECPAppPool')],
    ]);
    // A recycle starts a new worker process; the other pool's keeps running.
    await org.advance(HOUR);
    await org.call('Restart-WebAppPool', { Name: 'MSExchangeECPAppPool' }, 'EX1');
    const after = await w3wp('EX1');
    expect(after[0]).toEqual(before[0]);
    expect(after[1]!.created).toBe(START + HOUR);
    expect(after[1]!.pid).not.toBe(before[1]!.pid);
    expect(after[1]!.pid % 4).toBe(0);
    // A stopped pool has no worker process; the filter compares without regard to case; no filter lists the rest too.
    await org.mutate((o) => {
      at(at(o.servers, 0, 'server')!.appPools, 0, 'app pool')!.state = 'Stopped';
    });
    expect((await w3wp('EX1')).map((p) => p.pool)).toEqual(['MSExchangeECPAppPool']);
    expect(
      await org.call('Get-CimInstance', { ClassName: 'win32_process', Filter: "name = 'W3WP.EXE'" }, 'EX1'),
    ).toHaveLength(1);
    const all = await org.call('Get-CimInstance', { ClassName: 'Win32_Process' }, 'EX1');
    expect(all.map((p) => prop(p, 'Name'))).toEqual(['Microsoft.Exchange.ServiceHost.exe', 'w3wp.exe']);
    expect((prop(all[0]!, 'CreationDate') as PSDateTime).ms).toBe(org.server(0)!.serviceHost.lastStart);
  });

  it('Get-CimInstance fails as CIM does: an unknown class, a query it cannot read, a computer that does not answer', async () => {
    const org = await Org.create('unreachable');
    const unknownClass = await org.fails('Get-CimInstance', { ClassName: 'Win32_NoSuchThing' }, 'EX1');
    expect([unknownClass.message, unknownClass.details.category, unknownClass.details.errorId]).toEqual([
      'Invalid class',
      'MetadataError',
      'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand',
    ]);
    const badQuery = await org.fails(
      'Get-CimInstance',
      { ClassName: 'Win32_Process', Filter: "Name like 'w3wp%'" },
      'EX1',
    );
    expect([badQuery.message, badQuery.details.errorId]).toEqual([
      'Invalid query',
      'HRESULT 0x80041017,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand',
    ]);
    const down = await org.fails('Get-CimInstance', { ClassName: 'Win32_Process' }, 'EX3');
    expect(down.details.errorId).toBe('WinRMOperationTimeout,PSSessionStateBroken');
  });
});
