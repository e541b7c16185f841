import { launchFor, parseShellSettings } from '../../activities/powershell/settings';
import { ConfigurationError, loadTemporalConfig, loadWorkerConfig, parseEnvironment } from '../../worker/config';

const base = { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_SIM_STATE: '/tmp/contoso.json' };

describe('worker configuration from the environment', () => {
  test('a simulated organisation needs only its name and state file', () => {
    const config = loadWorkerConfig(base);
    expect(config.organizations).toEqual(['contoso']);
    expect(config.connection).toBe('simulated');
    expect(config.exchange.contoso).toEqual({ mode: 'simulated', simulatorState: '/tmp/contoso.json' });
    expect(config.serverClockRate).toBe(1);
    expect(config.temporal).toEqual({ address: undefined, namespace: 'default', apiKey: undefined, tls: undefined });
    expect(config.logLevel).toBe('INFO');
    expect(config.shutdownGraceMs).toBe(300_000);
  });

  test('empty variables count as unset', () => {
    expect(
      loadWorkerConfig({ ...base, TEMPORAL_ADDRESS: '', EXCHANGE_CLOCK_RATE: ' ' }).temporal.address,
    ).toBeUndefined();
  });

  test.each([
    [{ EXCHANGE_SIM_STATE: '/tmp/x.json' }, /EXCHANGE_ORGANIZATION: is required/],
    [{ ...base, EXCHANGE_ORGANIZATION: 'con toso' }, /EXCHANGE_ORGANIZATION: must be 1-63 letters/],
    [{ ...base, EXCHANGE_CONNECTION: 'ssh' }, /EXCHANGE_CONNECTION: must be simulated, local or remote/],
    [{ EXCHANGE_ORGANIZATION: 'contoso' }, /EXCHANGE_SIM_STATE: is required when EXCHANGE_CONNECTION=simulated/],
    [{ ...base, EXCHANGE_CLOCK_RATE: '0' }, /EXCHANGE_CLOCK_RATE: must be more than 0/],
    [{ ...base, EXCHANGE_CLOCK_RATE: 'fast' }, /EXCHANGE_CLOCK_RATE: must be a number/],
    [{ ...base, TEMPORAL_ADDRESS: 'localhost' }, /TEMPORAL_ADDRESS: must be host:port, e.g. localhost:7233/],
    [
      { ...base, TEMPORAL_ADDRESS: 'localhost:72330' },
      /TEMPORAL_ADDRESS: must be host:port; the port must be between 1/,
    ],
    [{ ...base, TEMPORAL_ADDRESS: 'localhost:0' }, /TEMPORAL_ADDRESS: must be host:port; the port must be between 1/],
    [{ ...base, METRICS_BIND_ADDRESS: '0.0.0.0' }, /METRICS_BIND_ADDRESS: must be host:port, e.g. 0.0.0.0:9464/],
    [{ ...base, METRICS_BIND_ADDRESS: '0.0.0.0:99999' }, /METRICS_BIND_ADDRESS: must be host:port; the port must be/],
    [{ ...base, NOTIFY_WEBHOOK_URL: 'ftp://x' }, /NOTIFY_WEBHOOK_URL: must be an http\(s\) URL/],
    [{ ...base, LOG_LEVEL: 'loud' }, /LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR/],
    [{ ...base, WORKER_SHUTDOWN_GRACE: 'soon' }, /WORKER_SHUTDOWN_GRACE: must be a duration/],
    [{ ...base, EXCHANGE_SERVER: 'ex1' }, /EXCHANGE_SERVER: is only for EXCHANGE_CONNECTION=remote, not simulated/],
    [
      { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_CONNECTION: 'remote' },
      /EXCHANGE_SERVER: is required when EXCHANGE_CONNECTION=remote/,
    ],
    [
      { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_CONNECTION: 'local', EXCHANGE_SIM_STATE: '/tmp/x' },
      /EXCHANGE_SIM_STATE: is only for EXCHANGE_CONNECTION=simulated, not local/,
    ],
    [
      { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_CONNECTION: 'local', EXCHANGE_CLOCK_RATE: '60' },
      /EXCHANGE_CLOCK_RATE: is only for EXCHANGE_CONNECTION=simulated/,
    ],
    [
      {
        EXCHANGE_ORGANIZATION: 'contoso',
        EXCHANGE_CONNECTION: 'remote',
        EXCHANGE_SERVER: 'ex1',
        EXCHANGE_USERNAME: 'a',
      },
      /EXCHANGE_PASSWORD: is required with its pair/,
    ],
    [{ ...base, EXCHANGE_ORGANIZATIONS: 'a,b' }, /set either EXCHANGE_ORGANIZATION or EXCHANGE_ORGANIZATIONS/],
    [
      { EXCHANGE_ORGANIZATIONS: 'a,b', EXCHANGE_SIM_STATE: '/tmp/x.json' },
      /EXCHANGE_SIM_STATE: must contain \{organization\}/,
    ],
    [
      { EXCHANGE_ORGANIZATIONS: 'a,A', EXCHANGE_SIM_STATE: '/tmp/{organization}.json' },
      /EXCHANGE_ORGANIZATIONS: names a twice/,
    ],
    [
      { EXCHANGE_ORGANIZATIONS: 'a,b', EXCHANGE_CONNECTION: 'local' },
      /EXCHANGE_ORGANIZATIONS: a local connection reaches one organisation/,
    ],
    [{ ...base, TEMPORAL_TLS_CERT_PATH: '/x.pem' }, /TEMPORAL_TLS_KEY_PATH: is required with its pair/],
    [
      { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_CONNECTION: 'local', EXCHANGE_SHELL_LOADER: 'e2010' },
      /^invalid configuration: EXCHANGE_SHELL_LOADER: must be connect-exchange-server or snapin$/,
    ],
    [
      { ...base, EXCHANGE_SHELL_LOADER: 'snapin' },
      /EXCHANGE_SHELL_LOADER: is only for EXCHANGE_CONNECTION=local, not simulated/,
    ],
    [
      {
        EXCHANGE_ORGANIZATION: 'contoso',
        EXCHANGE_CONNECTION: 'remote',
        EXCHANGE_SERVER: 'ex1',
        EXCHANGE_SHELL_LOADER: 'snapin',
      },
      /EXCHANGE_SHELL_LOADER: is only for EXCHANGE_CONNECTION=local, not remote/,
    ],
  ])('%j is refused: %s', (env, message) => {
    expect(() => loadWorkerConfig(env)).toThrow(ConfigurationError);
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });

  test('a malformed address is one complaint, not one per rule', () => {
    expect(() => parseEnvironment({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(
      /^invalid configuration: TEMPORAL_ADDRESS: must be host:port, e.g. localhost:7233$/,
    );
  });

  test('every invalid variable is named in one message', () => {
    expect(() => parseEnvironment({ EXCHANGE_CONNECTION: 'x', LOG_LEVEL: 'y' })).toThrow(
      /EXCHANGE_CONNECTION: .*; LOG_LEVEL: /,
    );
  });

  test('remote mode: server, credential and authentication reach the shell settings', () => {
    const config = loadWorkerConfig({
      EXCHANGE_ORGANIZATION: 'contoso',
      EXCHANGE_CONNECTION: 'remote',
      EXCHANGE_URI: 'https://ex1.contoso.com/PowerShell/',
      EXCHANGE_AUTHENTICATION: 'Negotiate',
      EXCHANGE_USERNAME: 'CONTOSO\\svc-rotation',
      EXCHANGE_PASSWORD: 'p@ss',
      EXCHANGE_COMMAND_TIMEOUT: '5m',
    });
    expect(config.exchange.contoso).toEqual({
      mode: 'remote',
      server: 'ex1.contoso.com',
      useHttps: true,
      connectionUri: 'https://ex1.contoso.com/PowerShell/',
      authentication: 'Negotiate',
      credential: { username: 'CONTOSO\\svc-rotation', password: 'p@ss' },
      executable: undefined,
      commandTimeoutMs: 300_000,
    });
  });

  test('remote mode: the port and path of EXCHANGE_URI reach the session the shell opens', () => {
    const config = loadWorkerConfig({
      EXCHANGE_ORGANIZATION: 'contoso',
      EXCHANGE_CONNECTION: 'remote',
      EXCHANGE_URI: 'https://ex1.contoso.com:8443/powershell',
    });
    const launch = launchFor(parseShellSettings(config.exchange.contoso));
    expect(launch.setupLine).toContain("-ConnectionUri 'https://ex1.contoso.com:8443/powershell'");
    expect(launch.key).toContain('https://ex1.contoso.com:8443/powershell');
  });

  test.each([
    [undefined, 'Connect-ExchangeServer'],
    ['connect-exchange-server', 'Connect-ExchangeServer'],
    ['snapin', 'Add-PSSnapin'],
    [' SnapIn ', 'Add-PSSnapin'],
  ])('local mode: EXCHANGE_SHELL_LOADER=%j loads the Exchange Management Shell with %s', (loader, cmdlet) => {
    const config = loadWorkerConfig({
      EXCHANGE_ORGANIZATION: 'contoso',
      EXCHANGE_CONNECTION: 'local',
      EXCHANGE_SHELL_LOADER: loader,
    });
    const { setupLine } = launchFor(parseShellSettings(config.exchange.contoso));
    expect(setupLine).toContain(cmdlet);
    expect(setupLine).not.toContain(cmdlet === 'Add-PSSnapin' ? 'Connect-ExchangeServer' : 'Add-PSSnapin');
  });

  test('remote mode: EXCHANGE_URI and EXCHANGE_SERVER must agree', () => {
    expect(() =>
      loadWorkerConfig({
        EXCHANGE_ORGANIZATION: 'contoso',
        EXCHANGE_CONNECTION: 'remote',
        EXCHANGE_URI: 'http://ex1.contoso.com/PowerShell/',
        EXCHANGE_SERVER: 'ex2.contoso.com',
      }),
    ).toThrow(/EXCHANGE_URI: names ex1.contoso.com but EXCHANGE_SERVER is ex2.contoso.com/);
  });

  test('several simulated organisations get a state file each and a task queue each', () => {
    const config = loadWorkerConfig({
      EXCHANGE_ORGANIZATIONS: 'Contoso, fabrikam',
      EXCHANGE_SIM_STATE: '/s/{organization}.json',
    });
    expect(config.organizations).toEqual(['Contoso', 'fabrikam']);
    expect(config.exchange.Contoso).toMatchObject({ simulatorState: '/s/contoso.json' });
    expect(config.exchange.fabrikam).toMatchObject({ simulatorState: '/s/fabrikam.json' });
  });

  test('durations, numbers and levels are read from text', () => {
    const config = loadWorkerConfig({
      ...base,
      EXCHANGE_CLOCK_RATE: '3600',
      WORKER_SHUTDOWN_GRACE: '90s',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '4',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      serverClockRate: 3600,
      shutdownGraceMs: 90_000,
      maxConcurrentActivities: 4,
      logLevel: 'DEBUG',
    });
  });

  test('the clock: its source reaches the shell settings, the skew bound and the lead reach the activities', () => {
    const config = loadWorkerConfig({
      ...base,
      EXCHANGE_CLOCK_SOURCE: 'Host',
      EXCHANGE_MAX_CLOCK_SKEW: '90s',
      EXCHANGE_EFFECTIVE_DATE_LEAD: '5m',
    });
    expect(config.exchange[config.organizations[0]!]).toMatchObject({ clock: 'host' });
    expect(config.activity).toEqual({ maxClockSkewMs: 90_000, minEffectiveDateLeadMs: 300_000 });
    expect(loadWorkerConfig(base).activity).toEqual({});
    expect(() => loadWorkerConfig({ ...base, EXCHANGE_CLOCK_SOURCE: 'worker' })).toThrow(
      /EXCHANGE_CLOCK_SOURCE: must be exchange-server or host/,
    );
    expect(() => loadWorkerConfig({ ...base, EXCHANGE_MAX_CLOCK_SKEW: '0s' })).toThrow(
      /EXCHANGE_MAX_CLOCK_SKEW: must be more than 0/,
    );
  });

  test('the shell pool: its caps and idle timeout', () => {
    expect(loadWorkerConfig(base).shells).toEqual({});
    expect(
      loadWorkerConfig({
        ...base,
        EXCHANGE_MAX_SHELLS: '8',
        EXCHANGE_MAX_SHELLS_PER_ORGANIZATION: '3',
        EXCHANGE_SHELL_IDLE_TIMEOUT: '90s',
      }).shells,
    ).toEqual({ maxSessions: 8, maxSessionsPerTarget: 3, idleTimeoutMs: 90_000 });
    expect(() => loadWorkerConfig({ ...base, EXCHANGE_MAX_SHELLS: '0' })).toThrow(
      /EXCHANGE_MAX_SHELLS: must be positive/,
    );
  });

  test('the event-log path and the certificate lifetime', () => {
    const config = loadWorkerConfig({
      ...base,
      EXCHANGE_EVENT_LOG_ACCESS: 'RPC',
      EXCHANGE_CERTIFICATE_LIFETIME_DAYS: '365',
    });
    expect(config.exchange[config.organizations[0]!]).toMatchObject({ eventLog: 'rpc' });
    expect(config.activity).toEqual({ certificateLifetimeDays: 365 });
    for (const [value, rule] of [
      ['30', /EXCHANGE_CERTIFICATE_LIFETIME_DAYS: must be at least 90 days/],
      ['3650', /EXCHANGE_CERTIFICATE_LIFETIME_DAYS: must be at most 1826 days/],
      ['365.5', /EXCHANGE_CERTIFICATE_LIFETIME_DAYS: must be a whole number of days/],
      ['a year', /EXCHANGE_CERTIFICATE_LIFETIME_DAYS: must be a number of days/],
    ] as const) {
      expect(() => loadWorkerConfig({ ...base, EXCHANGE_CERTIFICATE_LIFETIME_DAYS: value })).toThrow(rule);
    }
    expect(() => loadWorkerConfig({ ...base, EXCHANGE_EVENT_LOG_ACCESS: 'smb' })).toThrow(
      /EXCHANGE_EVENT_LOG_ACCESS: must be winrm or rpc/,
    );
  });

  test('the CLI reads only the Temporal variables', () => {
    expect(loadTemporalConfig({ EXCHANGE_CONNECTION: 'nonsense', TEMPORAL_ADDRESS: 'temporal:7233' })).toMatchObject({
      address: 'temporal:7233',
    });
    expect(loadTemporalConfig({ TEMPORAL_API_KEY: 'k' }).tls).toEqual({
      clientCertPair: undefined,
      caPath: undefined,
      serverNameOverride: undefined,
    });
    expect(() => loadTemporalConfig({ TEMPORAL_TLS: 'maybe' })).toThrow(/TEMPORAL_TLS: must be true or false/);
  });
});
