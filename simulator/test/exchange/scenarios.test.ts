import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildScenario, SCENARIO_NAMES, ScenarioName } from '../../exchange/scenarios';
import { createOrganization, loadOrganization, summarizeOrganization } from '../../exchange/organisation';
import { organisationSchema } from '../../exchange/model';
import { serializationBroken, signInProbe } from '../../exchange/behaviour';
import { createExchangeHost } from '../../exchange/host';
import { takeFault } from '../../exchange/faults';
import { injectFault } from '../../exchange/faults';
import { CmdletContext, PSDateTime } from '../../shell/types';
import { START, tempDir } from './helpers';
import { at } from '../../invariant';

describe('scenarios', () => {
  const facts: Record<ScenarioName, (o: ReturnType<typeof buildScenario>) => void> = {
    healthy: (o) => {
      expect(o.servers.map((s) => s.name)).toEqual(['EX1', 'EX2']);
      expect(new Set(o.servers.map((s) => s.site)).size).toBe(1);
      expect(o.servers.every((s) => signInProbe(o, s, START).works)).toBe(true);
    },
    'two-sites': (o) => {
      expect(o.servers.map((s) => s.site)).toEqual(['Site-A', 'Site-A', 'Site-B', 'Site-B']);
      expect(o.behaviour.crossSiteReplicationDelayMs).toBeNull();
    },
    expired: (o) => {
      const current = at(o.servers, 0, 'server').certificates.find(
        (c) => c.thumbprint === o.authConfig.currentCertificateThumbprint,
      )!;
      expect(current.notAfter).toBeLessThan(START);
      expect(o.servers.some((s) => signInProbe(o, s, START).works)).toBe(false);
    },
    'missing-on-one': (o) => {
      const t = o.authConfig.currentCertificateThumbprint;
      expect(o.servers.map((s) => s.certificates.some((c) => c.thumbprint === t))).toEqual([true, false]);
    },
    hybrid: (o) => {
      expect(o.hybrid.present).toBe(true);
      expect(o.settingOverrides).toEqual([]);
      expect(o.entra).toBeUndefined();
    },
    'dedicated-hybrid-app': (o) => {
      expect(o.hybrid.present).toBe(true);
      const app = at(o.entra!.applications, 0, 'application');
      expect(o.settingOverrides[0]).toMatchObject({
        componentName: 'Global',
        sectionName: 'ExchangeOnpremAsThirdPartyAppId',
        parameters: ['Enabled=true'],
      });
      expect(o.authServers.find((a) => a.type === 'AzureAD')?.applicationIdentifier).toBe(app.appId);
      // Microsoft's script uploaded the current Auth certificate when the feature was configured.
      expect(app.keyCredentials.map((k) => k.customKeyIdentifier)).toEqual([o.authConfig.currentCertificateThumbprint]);
    },
    'child-domain': (o) => {
      expect(o.organizationConfig).toMatchObject({ enableAuthAdminReadSession: false, serversInChildDomain: true });
      expect(at(o.servers, 0, 'server').fqdn).toBe('ex1.corp.contoso.com');
    },
    unreachable: (o) => expect(o.servers.map((s) => s.reachable)).toEqual([true, true, false]),
    large: (o) => {
      expect(o.servers).toHaveLength(200);
      expect(new Set(o.servers.map((s) => s.site)).size).toBe(5);
      expect(new Set(o.servers.map((s) => s.internalTransportCertificate)).size).toBe(200);
    },
    'exchange-2013': (o) => {
      expect(o.servers.map((s) => [s.name, s.version.minor, s.roles])).toEqual([
        ['EX1', 2, ['Mailbox']],
        ['EX2', 2, ['Mailbox']],
        ['EX3', 0, ['ClientAccess']],
      ]);
    },
    'broken-serialization': (o) => {
      expect(serializationBroken(o, START)).toBe(true);
      expect(o.servers.some((s) => signInProbe(o, s, START).works)).toBe(false);
    },
  };

  it('covers every scenario', () => expect(Object.keys(facts).sort()).toEqual([...SCENARIO_NAMES].sort()));

  it.each(SCENARIO_NAMES)('%s builds a valid organisation with its defining fact', (name) => {
    const org = buildScenario(name, { start: START, realNow: START, acceleration: 0 });
    expect(organisationSchema.safeParse(org).success).toBe(true);
    facts[name](org);
  });

  it('names the valid scenarios when given an unknown one', () => {
    expect(() => buildScenario('healthyy')).toThrow(
      'unknown scenario "healthyy": valid scenarios are healthy, two-sites, expired, missing-on-one, hybrid, dedicated-hybrid-app, child-domain, unreachable, large, exchange-2013, broken-serialization',
    );
  });

  it('refuses to overwrite an existing state file unless asked to', async () => {
    const file = path.join(tempDir(), 's.json');
    await createOrganization('healthy', file);
    await expect(createOrganization('hybrid', file)).rejects.toThrow(/already exists/);
    await createOrganization('hybrid', file, { overwrite: true });
    expect(loadOrganization(file).org.scenario).toBe('hybrid');
  });

  it('summarises the organisation for people', async () => {
    const file = path.join(tempDir(), 's.json');
    await createOrganization('missing-on-one', file, { start: START, acceleration: 0 });
    const { org, now } = loadOrganization(file);
    const s = summarizeOrganization(org, now);
    expect(at(s.servers, 1, 'server').signIn.works).toBe(false);
    expect(at(at(s.servers, 0, 'server').certificates, 0, 'certificate').roles).toEqual(['current']);
    // Setup's self-signed certificate is the internal transport certificate and serves the Default Web Site.
    expect(at(at(s.servers, 0, 'server').certificates, 1, 'certificate').roles).toEqual([
      'transport',
      'default-web-site',
    ]);
    expect(s.now).toBe(new Date(START).toISOString());
  });
});

describe('bad state files', () => {
  const cases: Array<{ name: string; content: string | ((good: Record<string, unknown>) => unknown); error: RegExp }> =
    [
      { name: 'not JSON', content: '{"version": 1,', error: /is not valid JSON/ },
      { name: 'empty', content: '', error: /is not valid JSON/ },
      { name: 'wrong version', content: (g) => ({ ...g, version: 2 }), error: /version: / },
      {
        name: 'a malformed thumbprint',
        content: (g) => ({ ...g, authConfig: { ...(g.authConfig as object), currentCertificateThumbprint: 'xyz' } }),
        error: /authConfig\.currentCertificateThumbprint: must be 40 upper-case hexadecimal characters/,
      },
      { name: 'no servers', content: (g) => ({ ...g, servers: [] }), error: /servers: / },
      {
        name: 'a duplicate server',
        content: (g) => ({ ...g, servers: [...(g.servers as unknown[]), (g.servers as unknown[])[0]] }),
        error: /server EX1 appears twice/,
      },
      {
        name: 'an unknown connected server',
        content: (g) => ({ ...g, connectedServer: 'EX9' }),
        error: /connectedServer EX9/,
      },
    ];
  it.each(cases)('$name', async (c) => {
    const file = path.join(tempDir(), 's.json');
    await createOrganization('healthy', file);
    const good = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, typeof c.content === 'string' ? c.content : JSON.stringify(c.content(good)));
    expect(() => loadOrganization(file)).toThrow(c.error);
    await expect(createExchangeHost({ EXCHANGE_SIM_STATE: file })).rejects.toThrow(c.error);
  });

  it('a missing file and a missing variable are named', async () => {
    await expect(createExchangeHost({})).rejects.toThrow(/EXCHANGE_SIM_STATE is not set/);
    await expect(createExchangeHost({ EXCHANGE_SIM_STATE: '  ' })).rejects.toThrow(/EXCHANGE_SIM_STATE is not set/);
    const missing = path.join(tempDir(), 'none.json');
    await expect(createExchangeHost({ EXCHANGE_SIM_STATE: missing })).rejects.toThrow(
      `state file ${missing} does not exist`,
    );
  });
});

describe('faults', () => {
  const ctx: CmdletContext = {
    computerName: null,
    now: () => new PSDateTime(START),
    invokeScriptBlock: () => Promise.resolve([]),
    pipelineInput: [],
  };
  const exchange = ['Get-AuthConfig', 'Get-ExchangeCertificate'];

  async function stateWith(...faults: Parameters<typeof injectFault>[1][]): Promise<string> {
    const file = path.join(tempDir(), 's.json');
    await createOrganization('healthy', file, { acceleration: 0, start: START });
    for (const f of faults) await injectFault(file, f);
    return file;
  }

  it('an rpc fault fires with its probability and only on Exchange cmdlets unless one is named', async () => {
    const file = await stateWith({ kind: 'rpc', probability: 0.5 });
    expect(await takeFault(file, 'Get-AuthConfig', exchange, () => 0.49)).not.toBeNull();
    expect(await takeFault(file, 'Get-AuthConfig', exchange, () => 0.5)).toBeNull();
    expect(await takeFault(file, 'ConvertTo-Json', exchange, () => 0)).toBeNull();
  });

  it('a counted fault fires that many times and then disappears', async () => {
    const file = await stateWith({ kind: 'access-denied', cmdlet: 'Set-AuthConfig', remaining: 2 });
    expect(await takeFault(file, 'Get-AuthConfig', exchange)).toBeNull();
    expect((await takeFault(file, 'set-authconfig', exchange))?.fault.kind).toBe('access-denied');
    expect((await takeFault(file, 'Set-AuthConfig', exchange))?.fault.kind).toBe('access-denied');
    expect(await takeFault(file, 'Set-AuthConfig', exchange)).toBeNull();
    expect(loadOrganization(file).org.faults).toEqual([]);
  });

  it('a die --after fault is not taken before the cmdlet, and a plain die not after it', async () => {
    const file = await stateWith(
      { kind: 'die', cmdlet: 'Set-AuthConfig', point: 'after' },
      { kind: 'die', cmdlet: 'Get-AuthConfig' },
    );
    expect(await takeFault(file, 'Set-AuthConfig', exchange, Math.random, 'before')).toBeNull();
    expect((await takeFault(file, 'Set-AuthConfig', exchange, Math.random, 'after'))?.fault).toMatchObject({
      point: 'after',
    });
    expect(await takeFault(file, 'Get-AuthConfig', exchange, Math.random, 'after')).toBeNull();
    expect((await takeFault(file, 'Get-AuthConfig', exchange, Math.random, 'before'))?.fault.kind).toBe('die');
  });

  it('the host turns rpc and access-denied faults into PowerShell errors', async () => {
    const file = await stateWith(
      { kind: 'rpc', probability: 1, cmdlet: 'Get-AuthConfig', remaining: 1 },
      { kind: 'access-denied', cmdlet: 'Set-AuthConfig' },
    );
    const host = await createExchangeHost({ EXCHANGE_SIM_STATE: file });
    await expect(host.beforeCmdlet('Get-AuthConfig', ctx)).rejects.toMatchObject({
      details: {
        reason: 'ADTransientException',
        exceptionType: 'Microsoft.Exchange.Data.Directory.ADTransientException',
      },
    });
    await expect(host.beforeCmdlet('Get-AuthConfig', ctx)).resolves.toBeUndefined();
    await expect(host.beforeCmdlet('Set-AuthConfig', ctx)).rejects.toMatchObject({
      message: 'Access is denied.',
      details: { category: 'PermissionDenied', reason: 'UnauthorizedAccessException' },
    });
  });

  it('the host clock follows the state file, also when another process advances it', async () => {
    const file = await stateWith();
    const host = await createExchangeHost({ EXCHANGE_SIM_STATE: file });
    expect(host.now().ms).toBe(START);
    const { withOrganization } = await import('../../exchange/organisation');
    const { advanceClock } = await import('../../exchange/behaviour');
    await withOrganization(file, (o) => advanceClock(o, 3_600_000));
    expect(host.now().ms).toBe(START + 3_600_000);
  });
});
