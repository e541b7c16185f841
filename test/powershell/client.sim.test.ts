// The ExchangeClient through real node-powershell against bin/simulated-exchange-shell: command construction in every
// connection mode, the parsers on what the shell really writes, error classification, per-server results.
import fs from 'node:fs';
import { createExchangeClient } from '../../activities/powershell/client';
import type { ExchangeClient } from '../../activities/powershell/exchange-client';
import {
  AccessDeniedError,
  CatalogueError,
  RemoteSessionBrokenError,
  ServerUnreachableError,
} from '../../activities/powershell/errors';
import { ShellSessionPool } from '../../activities/powershell/pool';
import { SimState, SIM_SHELL, createSimState, sim } from './sim';
import { nth } from '../helpers/present';

type Client = ExchangeClient & { shell: import('../../activities/powershell/client').ExchangeShell };

const states: SimState[] = [];
const pool = new ShellSessionPool();

function clientFor(scenario: string, extra: Record<string, unknown> = {}): { client: Client; state: SimState } {
  const state = createSimState(scenario);
  states.push(state);
  const client = createExchangeClient({ simulatorState: state.file, ...extra }, { pool }) as Client;
  return { client, state };
}

afterAll(async () => {
  await pool.closeAll();
  for (const s of states) s.remove();
});

/**
 * Runs `body` with a client of any mode on a fresh organisation. The simulated shell reads its state from the
 * environment, which every mode passes through from the worker; it is restored afterwards.
 */
async function withClient(
  scenario: string,
  settings: Record<string, unknown>,
  body: (client: Client) => Promise<void>,
): Promise<void> {
  const state = createSimState(scenario);
  states.push(state);
  const previous = process.env.EXCHANGE_SIM_STATE;
  process.env.EXCHANGE_SIM_STATE = state.file;
  const client = createExchangeClient(settings, { pool }) as Client;
  try {
    await body(client);
  } finally {
    await client.close();
    if (previous === undefined) delete process.env.EXCHANGE_SIM_STATE;
    else process.env.EXCHANGE_SIM_STATE = previous;
  }
}

const REMOTE = { mode: 'remote', server: 'ex1.contoso.com', executable: SIM_SHELL } as const;

describe.each([
  ['simulated', {}, ['Microsoft.Exchange'], { source: 'host' }],
  ['local', { mode: 'local', executable: SIM_SHELL }, ['Microsoft.Exchange'], { source: 'host' }],
  ['local with the snap-in', { mode: 'local', loader: 'snapin', executable: SIM_SHELL }, [], { source: 'host' }],
  ['remote', REMOTE, ['Microsoft.Exchange'], { source: 'exchange-server', server: 'ex1.contoso.com' }],
  ['remote, clock: host', { ...REMOTE, clock: 'host' }, ['Microsoft.Exchange'], { source: 'host' }],
])('connection mode %s', (_mode, settings, sessions, clock) => {
  test("reads the clock of the Exchange server the cmdlets act on, with the host's in the same call", async () => {
    await withClient('healthy', settings, async (client) => {
      const reading = await client.readClock();
      expect(reading).toEqual({ ...clock, serverTime: expect.any(String), hostTime: reading.serverTime, skewMs: 0 });
      // The simulated clock is frozen: the two clocks agree exactly, and getServerTime is the server's.
      expect(await client.getServerTime()).toBe(reading.serverTime);
    });
  });

  test('opens the Exchange session of its mode (none with the snap-in)', async () => {
    await withClient('healthy', settings, async (client) => {
      await client.getServerTime();
      const open = await client.shell.runPipeline(
        'sessions',
        'Get-PSSession | ForEach-Object { $_.ConfigurationName }',
      );
      expect(open).toEqual(sessions);
    });
  });

  test('sets up once and serves several calls from one process', async () => {
    await withClient('healthy', settings, async (client) => {
      const servers = await client.getExchangeServers();
      expect(servers.map((s) => s.name).sort()).toEqual(['EX1', 'EX2']);
      const config = await client.getAuthConfig();
      expect(config.currentCertificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
      await client.getServerTime();
      await client.getServerTime();
      // A local shell asks once which computer its Exchange session is on (whose clock counts); remote knows it.
      const clockLookup = (settings as { mode?: string }).mode === 'remote' ? 0 : 1;
      expect(client.shell.session.stats).toEqual({ spawns: 1, calls: 4 + clockLookup });
      // The process was started with exactly the switches of the dialect doc, on the executable we chose.
      const argv = fs.readFileSync(`/proc/${client.shell.session.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(argv.slice(-9)).toEqual([
        SIM_SHELL,
        '-NoLogo',
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-NoExit',
        '-Command',
        '-',
      ]);
    });
  });
});

test("remote mode: a server whose WinRM does not answer gives no clock at all, never the worker's", async () => {
  const { client: probe } = clientFor('unreachable');
  const ex3 = (await probe.getExchangeServers()).find((s) => s.name === 'EX3')!;
  await withClient('unreachable', { ...REMOTE, server: ex3.fqdn }, async (client) => {
    await expect(client.readClock()).rejects.toThrow(ServerUnreachableError);
  });
});

describe('reading the organisation', () => {
  let client: Client;
  beforeAll(() => {
    client = clientFor('healthy').client;
  });

  test('servers: names, fqdns, site, roles, version, domain and forest root', async () => {
    const servers = await client.getExchangeServers();
    expect(servers).toHaveLength(2);
    for (const s of servers) {
      expect(s.fqdn.toLowerCase()).toContain(s.name.toLowerCase());
      expect(s.site).toBe('Default-First-Site-Name');
      expect(s.roles).toContain('Mailbox');
      expect(s.version).toMatch(/^15\.\d+\.\d+\.\d+$/);
      expect(s.majorVersion).toBe(15);
      expect([s.domain, s.forestRootDomain]).toEqual(['contoso.com', 'contoso.com']);
    }
    const [child] = await clientFor('child-domain').client.getExchangeServers();
    expect([child!.domain, child!.forestRootDomain]).toEqual(['corp.contoso.com', 'contoso.com']);
  });

  test('auth config and the current certificate on every server', async () => {
    const config = await client.getAuthConfig();
    const servers = await client.getExchangeServers();
    for (const s of servers) {
      const lookup = await client.getCertificate(s.fqdn, config.currentCertificateThumbprint!);
      expect(lookup.status).toBe('present');
      if (lookup.status !== 'present') continue;
      expect(lookup.certificate.thumbprint).toBe(config.currentCertificateThumbprint);
      expect(lookup.certificate.subject).toMatch(/Microsoft Exchange Server Auth Certificate/i);
      expect(Date.parse(lookup.certificate.notAfter)).toBeGreaterThan(Date.parse(lookup.certificate.notBefore));
      const list = await client.listCertificates(s.fqdn);
      expect(list.map((c) => c.thumbprint)).toContain(config.currentCertificateThumbprint);
    }
  });

  test('a thumbprint that is nowhere is missing, not unreachable', async () => {
    const servers = await client.getExchangeServers();
    expect(
      await client.getCertificate(nth(servers, 0, 'server').fqdn, 'ABCDEF0123456789ABCDEF0123456789ABCDEF01'),
    ).toEqual({
      status: 'missing',
    });
  });

  test('server time, hybrid, organisation config, transport certificate, OAuth test, last servicelet run', async () => {
    const time = await client.getServerTime();
    expect(Number.isFinite(Date.parse(time))).toBe(true);
    expect(await client.isHybridConfigured()).toBe(false);
    expect(await client.getOrganizationConfig()).toEqual({ enableAuthAdminReadSession: expect.any(Boolean) });
    const server = nth(await client.getExchangeServers(), 0, 'server');
    expect(await client.getInternalTransportCertificate(server.name)).toEqual({
      transportServer: true,
      thumbprint: expect.stringMatching(/^[0-9A-F]{40}$/),
    });
    // A server Get-TransportService does not know (an Exchange 2013 Client Access server) is not a transport server.
    expect(await client.getInternalTransportCertificate('EX99')).toEqual({ transportServer: false });
    const oauth = await client.testOAuthConnectivity(server.fqdn, 'administrator@contoso.com');
    expect(oauth.ok).toBe(true);
    expect(oauth.detail.length).toBeGreaterThan(0);
    const lastRun = await client.getAuthAdminLastRun(server.fqdn);
    expect(lastRun === null || Number.isFinite(Date.parse(lastRun))).toBe(true);
  });

  test('no 2014 events since now is an empty list, through WinRM (default) and through event-log RPC', async () => {
    const server = nth(await client.getExchangeServers(), 0, 'server');
    const now = await client.getServerTime();
    expect(await client.getAuthAdminEvents(server.fqdn, now)).toEqual([]);
    const { client: rpc } = clientFor('healthy', { eventLog: 'rpc' });
    expect(await rpc.getAuthAdminEvents(server.fqdn, now)).toEqual([]);
  });

  test('pool state through Invoke-Command', async () => {
    const server = nth(await client.getExchangeServers(), 0, 'server');
    expect(await client.getAppPoolState(server.fqdn, 'MSExchangeOWAAppPool')).toBe('Started');
  });

  test("the pools' worker processes through Invoke-Command: one per pool, started before now", async () => {
    const server = nth(await client.getExchangeServers(), 0, 'server');
    const now = Date.parse(await client.getServerTime());
    const workers = await client.getAppPoolWorkerProcesses(server.fqdn);
    expect(workers.map((w) => w.pool).sort()).toEqual(['MSExchangeECPAppPool', 'MSExchangeOWAAppPool']);
    for (const w of workers) {
      expect(Number.isInteger(w.processId)).toBe(true);
      expect(Date.parse(w.startedAt!)).toBeLessThan(now);
    }
  });

  test('bad arguments are refused before any PowerShell runs', async () => {
    const calls = client.shell.session.stats.calls;
    await expect(client.getCertificate('ex1', "x'; Remove-Item")).rejects.toThrow(CatalogueError);
    await expect(client.getAuthAdminEvents('ex1', 'yesterday')).rejects.toThrow(CatalogueError);
    expect(client.shell.session.stats.calls).toBe(calls);
  });
});

describe('changing the organisation', () => {
  test('create, stage 49 h ahead (computed by the server), copy, restart, recycle', async () => {
    const { client } = clientFor('healthy');
    const servers = await client.getExchangeServers();
    const before = await client.getAuthConfig();

    const cert = await client.newAuthCertificate({ server: nth(servers, 0, 'server').fqdn, services: 'None' });
    expect(cert.privateKeyExportable).toBe(true);
    expect(cert.services).toEqual([]);
    expect(cert.subject.toLowerCase()).toContain('microsoft exchange server auth certificate');

    const serverNow = Date.parse(await client.getServerTime());
    const effective = new Date(serverNow + 49 * 3_600_000).toISOString();
    await client.stageNextCertificate(cert.thumbprint, { kind: 'absolute', iso: effective }, true);
    const staged = await client.getAuthConfig();
    expect(staged.currentCertificateThumbprint).toBe(before.currentCertificateThumbprint);
    expect(staged.nextCertificateThumbprint).toBe(cert.thumbprint);
    // The absolute date built from the server's clock arrives exactly.
    expect(staged.nextCertificateEffectiveDate).toBe(effective);

    const imported = await client.copyCertificate(
      nth(servers, 0, 'server').fqdn,
      cert.thumbprint,
      nth(servers, 1, 'server').fqdn,
    );
    expect(imported).toBe(cert.thumbprint);
    expect((await client.getCertificate(nth(servers, 1, 'server').fqdn, cert.thumbprint)).status).toBe('present');

    const restarted = await client.restartServiceHost(servers.map((s) => s.fqdn));
    expect(restarted.map((r) => [r.server, r.ok])).toEqual(servers.map((s) => [s.fqdn, true]));
    const workersBefore = await client.getAppPoolWorkerProcesses(nth(servers, 0, 'server').fqdn);
    const recycled = await client.recycleAppPool(
      servers.map((s) => s.fqdn),
      'MSExchangeOWAAppPool',
    );
    expect(recycled.every((r) => r.ok && typeof r.at === 'string')).toBe(true);
    // The recycle started a new OWA worker process (frozen clock: at the server's now); ECP's is untouched.
    const after = await client.getAppPoolWorkerProcesses(nth(servers, 0, 'server').fqdn);
    const of = (list: typeof after, pool: string) => list.find((w) => w.pool === pool)!;
    expect(of(after, 'MSExchangeOWAAppPool').startedAt).toBe(new Date(serverNow).toISOString());
    expect(of(after, 'MSExchangeOWAAppPool').processId).not.toBe(of(workersBefore, 'MSExchangeOWAAppPool').processId);
    expect(of(after, 'MSExchangeECPAppPool')).toEqual(of(workersBefore, 'MSExchangeECPAppPool'));
  });

  test('enabling a certificate for services, and the transport certificate it leaves in place', async () => {
    const { client } = clientFor('healthy');
    const server = nth(await client.getExchangeServers(), 0, 'server');
    const transportBefore = await client.getInternalTransportCertificate(server.name);
    const cert = await client.newAuthCertificate({ server: server.fqdn, services: 'None' });
    // -Services None declined the SMTP overwrite: the internal transport certificate did not change.
    expect(await client.getInternalTransportCertificate(server.name)).toEqual(transportBefore);
    await client.enableCertificate(server.fqdn, cert.thumbprint, ['IIS']);
    const lookup = await client.getCertificate(server.fqdn, cert.thumbprint);
    expect(lookup.status === 'present' && lookup.certificate.services).toEqual(['IIS']);
  });

  test('an effective date in the past is refused by the server', async () => {
    const { client } = clientFor('healthy');
    const servers = await client.getExchangeServers();
    const cert = await client.newAuthCertificate({ server: nth(servers, 0, 'server').fqdn, services: 'None' });
    const error = await client
      .stageNextCertificate(cert.thumbprint, { kind: 'absolute', iso: '2001-01-01T00:00:00Z' }, true)
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('InvalidEffectiveDateError');
  });

  test('emergency path: effective now, publish, clear previous', async () => {
    const { client } = clientFor('expired');
    const servers = await client.getExchangeServers();
    const before = await client.getAuthConfig();
    const cert = await client.newAuthCertificate({ server: nth(servers, 0, 'server').fqdn, services: 'None' });
    for (const s of servers.slice(1)) {
      if ((await client.getCertificate(s.fqdn, cert.thumbprint)).status !== 'present') {
        await client.copyCertificate(nth(servers, 0, 'server').fqdn, cert.thumbprint, s.fqdn);
      }
    }
    await client.stageNextCertificate(cert.thumbprint, { kind: 'absolute', iso: await client.getServerTime() }, true);
    await client.publishCertificate();
    const published = await client.getAuthConfig();
    expect(published.currentCertificateThumbprint).toBe(cert.thumbprint);
    expect(published.previousCertificateThumbprint).toBe(before.currentCertificateThumbprint);
    await client.clearPreviousCertificate();
    expect((await client.getAuthConfig()).previousCertificateThumbprint).toBeNull();
  });
});

describe('the front end and the certificate lifetime', () => {
  test("the Default Web Site's certificate: Setup's, until another certificate is enabled for IIS", async () => {
    const { client } = clientFor('healthy');
    const server = nth(await client.getExchangeServers(), 0, 'server');
    const transport = await client.getInternalTransportCertificate(server.name);
    expect(transport).toMatchObject({ transportServer: true });
    const setups = transport.transportServer ? [transport.thumbprint] : [];
    expect(await client.getDefaultWebSiteCertificates(server.fqdn)).toEqual(setups);
    const cert = await client.newAuthCertificate({ server: server.fqdn, services: 'None' });
    await client.enableCertificate(server.fqdn, cert.thumbprint, ['IIS']);
    expect(await client.getDefaultWebSiteCertificates(server.fqdn)).toEqual([cert.thumbprint]);
  });

  test('a lifetime New-ExchangeCertificate cannot give: New-SelfSignedCertificate on the server, read back as Exchange sees it', async () => {
    const { client } = clientFor('healthy');
    const server = nth(await client.getExchangeServers(), 0, 'server');
    const serverNow = Date.parse(await client.getServerTime());
    const notAfter = new Date(serverNow + 365 * 24 * 3_600_000).toISOString();
    const cert = await client.newAuthCertificate({ server: server.fqdn, services: 'None', notAfter });
    expect(cert).toMatchObject({
      subject: expect.stringMatching(/^CN=Microsoft Exchange Server Auth Certificate$/i),
      friendlyName: 'Microsoft Exchange Server Auth Certificate',
      notBefore: new Date(serverNow).toISOString(),
      notAfter,
      services: [],
      privateKeyExportable: true,
    });
    expect((await client.getCertificate(server.fqdn, cert.thumbprint)).status).toBe('present');
  });
});

describe('the AuthAdmin servicelet', () => {
  test('after a restart it publishes a due certificate: event 2014 names the thumbprint, the last run is read', async () => {
    const { client } = clientFor('healthy');
    const servers = await client.getExchangeServers();
    const since = await client.getServerTime();
    const cert = await client.newAuthCertificate({ server: nth(servers, 0, 'server').fqdn, services: 'None' });
    for (const s of servers.slice(1)) {
      if ((await client.getCertificate(s.fqdn, cert.thumbprint)).status === 'present') continue;
      await client.copyCertificate(nth(servers, 0, 'server').fqdn, cert.thumbprint, s.fqdn);
    }
    await client.stageNextCertificate(cert.thumbprint, { kind: 'absolute', iso: await client.getServerTime() }, true);
    const restarted = await client.restartServiceHost(servers.map((s) => s.fqdn));
    expect(restarted.every((r) => r.ok)).toBe(true);

    expect((await client.getAuthConfig()).currentCertificateThumbprint).toBe(cert.thumbprint);
    const events = (await Promise.all(servers.map((s) => client.getAuthAdminEvents(s.fqdn, since)))).flat();
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.thumbprint).toBe(cert.thumbprint);
      expect(Date.parse(e.timeCreated)).toBeGreaterThanOrEqual(Date.parse(since));
      expect(e.message).toMatch(/signing certificate/i);
    }
    const lastRun = await client.getAuthAdminLastRun(nth(servers, 0, 'server').fqdn);
    expect(lastRun).not.toBeNull();
    expect(Date.parse(lastRun!)).toBeGreaterThanOrEqual(Date.parse(since));
    // Every server's events in one call: the same as asking each server on its own.
    const fqdns = servers.map((s) => s.fqdn);
    const each = await client.getAuthAdminEventsOnServers(fqdns, since);
    expect(each).toEqual(
      await Promise.all(
        fqdns.map(async (server) => ({ server, ok: true, value: await client.getAuthAdminEvents(server, since) })),
      ),
    );
  });
});

describe('missing certificates', () => {
  test('the current certificate missing on one server is "missing" there (repairable by import)', async () => {
    const { client } = clientFor('missing-on-one');
    const servers = await client.getExchangeServers();
    const { currentCertificateThumbprint } = await client.getAuthConfig();
    const lookups = await Promise.all(servers.map((s) => client.getCertificate(s.fqdn, currentCertificateThumbprint!)));
    expect(lookups.map((l) => l.status)).toEqual(['present', 'missing']);
  });
});

describe('unreachable servers and partial failure', () => {
  test('a server that does not answer is unreachable, not missing; per-server steps say which servers are done', async () => {
    const { client } = clientFor('unreachable');
    const servers = await client.getExchangeServers();
    expect(servers).toHaveLength(3);
    const { currentCertificateThumbprint } = await client.getAuthConfig();
    const lookups = await Promise.all(servers.map((s) => client.getCertificate(s.fqdn, currentCertificateThumbprint!)));
    expect(lookups.map((l) => l.status)).toEqual(['present', 'present', 'unreachable']);

    const results = await client.recycleAppPool(
      servers.map((s) => s.fqdn),
      'MSExchangeECPAppPool',
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(nth(results, 2, 'result').server).toBe(nth(servers, 2, 'server').fqdn);
    expect(nth(results, 2, 'result').error).toMatch(/ServerUnreachableError/);
    const restarted = await client.restartServiceHost(servers.map((s) => s.fqdn));
    expect(restarted.map((r) => r.ok)).toEqual([true, true, false]);
    await expect(client.getAppPoolWorkerProcesses(nth(servers, 2, 'server').fqdn)).rejects.toThrow(
      ServerUnreachableError,
    );
  });
});

describe('faults injected into the simulated organisation', () => {
  test('access denied is AccessDeniedError', async () => {
    const { client, state } = clientFor('healthy');
    sim(state.file, 'fault', 'inject', 'access-denied', '--cmdlet', 'Get-AuthConfig', '--count', '1');
    await expect(client.getAuthConfig()).rejects.toThrow(AccessDeniedError);
    await expect(client.getAuthConfig()).resolves.toBeDefined();
  });

  test("access denied on one server is that server's result; the others are still done and reported", async () => {
    const { client, state } = clientFor('healthy');
    const servers = (await client.getExchangeServers()).map((s) => s.fqdn);
    sim(state.file, 'fault', 'inject', 'access-denied', '--cmdlet', 'Restart-WebAppPool', '--count', '1');
    const results = await client.recycleAppPool(servers, 'MSExchangeOWAAppPool');
    expect(results.map((r) => [r.server, r.ok])).toEqual([
      [nth(servers, 0, 'server'), false],
      [nth(servers, 1, 'server'), true],
    ]);
    expect(nth(results, 0, 'result').error).toMatch(/^AccessDeniedError: /);
    expect(typeof nth(results, 1, 'result').at).toBe('string');
    sim(state.file, 'fault', 'inject', 'access-denied', '--cmdlet', 'Restart-Service', '--count', '1');
    const restarted = await client.restartServiceHost(servers);
    expect(restarted.map((r) => r.ok)).toEqual([false, true]);
  });

  test('a transient RPC error is ServerUnreachableError (retryable)', async () => {
    const { client, state } = clientFor('healthy');
    sim(state.file, 'fault', 'inject', 'rpc', '--cmdlet', 'Get-ExchangeServer', '--count', '1');
    const error = await client.getExchangeServers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as ServerUnreachableError).retryable).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(Error);
    await expect(client.getExchangeServers()).resolves.toHaveLength(2);
  });
});

/** Every command line the client sends after the session setup, as the shell receives it. */
/** Records every command line the client's calls send, on whichever session of the pool they run. */
function recordCommands(client: Client): string[] {
  const sent: string[] = [];
  const { pool, launch } = client.shell;
  const withSession = pool.withSession.bind(pool);
  pool.withSession = (target, fn) =>
    withSession(target, (session) => {
      if (target.key !== launch.key) return fn(session);
      const recording = Object.create(session) as typeof session;
      recording.run = (command, options) => {
        sent.push(command);
        return session.run(command, options);
      };
      return fn(recording);
    });
  return sent;
}

describe('no secret ever appears in command text (script-block logging, transcription)', () => {
  const password = 'Sup3r-Secret-Passw0rd';

  test('the remote credential travels in the environment; the PFX password is made and used inside PowerShell', async () => {
    await withClient(
      'two-sites',
      { ...REMOTE, credential: { username: 'CONTOSO\\svc-rotate', password } },
      async (client) => {
        const sent = recordCommands(client);
        const servers = await client.getExchangeServers();
        const cert = await client.newAuthCertificate({ server: nth(servers, 0, 'server').fqdn, services: 'None' });
        const target = servers.find((s) => s.site !== nth(servers, 0, 'server').site)!;
        expect((await client.getCertificate(target.fqdn, cert.thumbprint)).status).toBe('missing');
        expect(await client.copyCertificate(nth(servers, 0, 'server').fqdn, cert.thumbprint, target.fqdn)).toBe(
          cert.thumbprint,
        );
        expect((await client.getCertificate(target.fqdn, cert.thumbprint)).status).toBe('present');

        const texts = [client.shell.session.launch.setupLine, ...sent];
        expect(sent.length).toBeGreaterThanOrEqual(5);
        for (const text of texts) {
          expect(text).not.toContain(password);
          expect(text).not.toContain('svc-rotate');
          // No secure string from a literal, no key material as a literal.
          expect(text).not.toMatch(/ConvertTo-SecureString|AsPlainText|FromBase64String/);
        }
        // The shell really built and used the credential from its environment (an empty user name would fail).
        expect(client.shell.session.launch.setupLine).toContain('-Credential $cred');
      },
    );
  });
});

test("the shell process sees none of the worker's secrets: only its allow-list and the configured credential", async () => {
  const secrets = {
    NOTIFY_WEBHOOK_URL: 'https://hooks.example/T000/secret-token',
    TEMPORAL_API_KEY: 'temporal-key',
    AZURE_CLIENT_SECRET: 'graph-secret',
    EXCHANGE_PASSWORD: 'worker-password',
  };
  Object.assign(process.env, secrets);
  try {
    const credential = { username: 'CONTOSO\\svc-rotate', password: 'configured' };
    await withClient('healthy', { ...REMOTE, credential }, async (client) => {
      const seen = await client.shell.runPipeline(
        'environment',
        '@([string]$env:NOTIFY_WEBHOOK_URL, [string]$env:TEMPORAL_API_KEY, [string]$env:AZURE_CLIENT_SECRET, ' +
          '[string]$env:EXCHANGE_PASSWORD, [string]$env:EXCHANGE_SHELL_USERNAME, [string]$env:PATH)',
      );
      expect(seen.slice(0, 5)).toEqual(['', '', '', '', credential.username]);
      expect(seen[5]).toBe(process.env.PATH);
    });
  } finally {
    for (const name of Object.keys(secrets)) delete process.env[name];
  }
});

describe('remote credentials are used for the work outside the Exchange session', () => {
  test.each([
    ['configured', { username: 'CONTOSO\\svc-rotate', password: 'pw' }, true],
    ['not configured (Kerberos as the worker)', undefined, false],
  ])('credential %s', async (_name, credential, expected) => {
    await withClient('healthy', { ...REMOTE, credential }, async (client) => {
      const sent = recordCommands(client);
      const servers = (await client.getExchangeServers()).map((s) => s.fqdn);
      expect((await client.recycleAppPool(servers, 'MSExchangeOWAAppPool')).every((r) => r.ok)).toBe(true);
      expect(nth(await client.restartServiceHost([nth(servers, 0, 'server')]), 0, 'result').ok).toBe(true);
      expect(await client.getAppPoolState(nth(servers, 0, 'server'), 'MSExchangeOWAAppPool')).toBe('Started');
      expect(await client.getAuthAdminEvents(nth(servers, 0, 'server'), '2000-01-01T00:00:00Z')).toEqual(
        expect.any(Array),
      );
      const perServer = sent.filter((c) => /Invoke-Command|Get-WinEvent/.test(c));
      expect(perServer).toHaveLength(servers.length + 3);
      for (const command of perServer) expect(command.includes('-Credential $cred')).toBe(expected);
    });
  });
});

describe('a remote session that is no longer open', () => {
  test('is seen by the per-call state check, the process is recreated, and the next call works', async () => {
    await withClient('healthy', REMOTE, async (client) => {
      await client.getAuthConfig();
      const pid = client.shell.session.pid;
      // What an expired or dropped WinRM session looks like to the shell: the session object is no longer Opened.
      await client.shell.session.run('Remove-PSSession -Session $s');
      const error = await client.getAuthConfig().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteSessionBrokenError);
      expect((error as Error).message).toMatch(/not open; its state is Closed/);
      expect(client.shell.session.pid).toBeUndefined();
      await expect(client.getAuthConfig()).resolves.toBeDefined();
      expect(client.shell.session.pid).not.toBe(pid);
      expect(client.shell.session.stats.spawns).toBe(2);
    });
  });
});

describe('messages are read in English whatever the account language', () => {
  const uiCultureOfACall = async (client: Client) =>
    client.shell.runPipeline('culture probe', '[System.Globalization.CultureInfo]::CurrentUICulture.Name');

  beforeAll(() => {
    // The simulated Windows account speaks Japanese, so anything the shell words itself would be in Japanese.
    process.env.EXCHANGE_SIM_UI_CULTURE = 'ja-JP';
  });
  afterAll(() => {
    delete process.env.EXCHANGE_SIM_UI_CULTURE;
  });

  test.each([
    ['local', { mode: 'local', executable: SIM_SHELL }],
    ['remote', REMOTE],
  ])('%s: every call runs in en-US, though a pipeline starts in the account culture', async (_mode, settings) => {
    await withClient('healthy', settings, async (client) => {
      expect(await uiCultureOfACall(client)).toEqual(['en-US']);
      // Without the envelope the same shell is back in the account's culture: the pin must be per call.
      const bare = await client.shell.session.run('[System.Globalization.CultureInfo]::CurrentUICulture.Name');
      expect(bare.trim()).toBe('ja-JP');
      expect(await uiCultureOfACall(client)).toEqual(['en-US']);
    });
  });

  test('remote: the Exchange runspace is opened with en-US session options', async () => {
    await withClient('healthy', REMOTE, async (client) => {
      expect(await client.shell.runPipeline('culture probe', '$so.Culture.Name, $so.UICulture.Name')).toEqual([
        'en-US',
        'en-US',
      ]);
    });
  });
});

describe('reads over every server in one call', () => {
  test('one Invoke-Command for the reachable servers; the unreachable one is asked alone and told apart', async () => {
    const { client } = clientFor('unreachable');
    const servers = (await client.getExchangeServers()).map((s) => s.fqdn);
    const down = nth(servers, 2, 'server')!;
    const since = await client.getServerTime();
    const calls = jest.spyOn(client.shell, 'runPipeline');
    const events = await client.getAuthAdminEventsOnServers(servers, since);
    // One call over the list, one more for the server that did not answer.
    expect(calls).toHaveBeenCalledTimes(2);
    expect(events.map((r) => [r.server, r.ok])).toEqual(servers.map((s) => [s, s !== down]));
    for (const r of events) if (r.ok) expect(r.value).toEqual([]);
    const failed = events.find((r) => !r.ok);
    expect(failed?.ok === false && failed.error).toBeInstanceOf(ServerUnreachableError);

    calls.mockClear();
    const workers = await client.getAppPoolWorkerProcessesOnServers(servers);
    expect(calls).toHaveBeenCalledTimes(2);
    for (const r of workers.filter((w) => w.server !== down)) {
      expect(r.ok && r.value.map((w) => w.pool).sort()).toEqual(['MSExchangeECPAppPool', 'MSExchangeOWAAppPool']);
      expect(r.ok && r.value).toEqual(await client.getAppPoolWorkerProcesses(r.server));
    }
    calls.mockRestore();
  });

  test('a healthy organisation answers in one call', async () => {
    const { client } = clientFor('healthy');
    const servers = (await client.getExchangeServers()).map((s) => s.fqdn);
    const calls = jest.spyOn(client.shell, 'runPipeline');
    const workers = await client.getAppPoolWorkerProcessesOnServers(servers);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(workers.map((r) => [r.server, r.ok])).toEqual(servers.map((s) => [s, true]));
    calls.mockClear();
    const states = await client.getAppPoolStateOnServers(servers, 'MSExchangeOWAAppPool');
    expect(calls).toHaveBeenCalledTimes(1);
    expect(states).toEqual(servers.map((server) => ({ server, ok: true, value: 'Started' })));
    // A pool a server does not have is that server's error, named as a one-server read names it.
    const [missing] = await client.getAppPoolStateOnServers(servers.slice(0, 1), 'NoSuchPool');
    expect(missing).toMatchObject({
      ok: false,
      error: expect.objectContaining({ message: expect.stringMatching(/NoSuchPool/) }),
    });
    calls.mockRestore();
    expect(await client.getAppPoolWorkerProcessesOnServers([])).toEqual([]);
  });
});
