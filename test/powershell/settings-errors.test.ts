import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AccessDeniedError,
  CatalogueError,
  CertificateNotFoundError,
  CommandNotFoundError,
  ErrorRecord,
  ExchangeCommandError,
  InvalidEffectiveDateError,
  NON_RETRYABLE_ERROR_TYPES,
  NoMatchingEventsError,
  ParameterBindingError,
  ParameterNotFoundError,
  PowerShellErrorText,
  RETRYABLE_ERROR_TYPES,
  RemoteSessionBrokenError,
  ServerUnreachableError,
  ShellConfigurationError,
  ShellProcessError,
  classifyErrorRecord,
  classifyStderr,
} from '../../activities/powershell/errors';
import { certificateLookupFailure } from '../../activities/powershell/client';
import {
  EXECUTABLE_OPTIONS,
  findRepoRoot,
  INHERITED_ENVIRONMENT,
  launchFor,
  parseShellSettings,
  shellEnvironment,
  resolveExecutable,
  setupLineFor,
} from '../../activities/powershell/settings';

const dialect = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'powershell-dialect.md'), 'utf8');
const backticked = (after: string) => new RegExp(`${after}[^\`]*\`([^\`]+)\``).exec(dialect)?.[1] ?? '<not found>';

describe('settings', () => {
  test('simulated is the default mode; the executable is bin/simulated-exchange-shell under the repository root', () => {
    const s = parseShellSettings({});
    expect(s.mode).toBe('simulated');
    const launch = launchFor(s);
    expect(launch.executable).toBe(path.join(findRepoRoot(), 'bin', 'simulated-exchange-shell'));
    expect(launch.commandTimeoutMs).toBe(120_000);
  });

  test('the simulator state path is passed through as EXCHANGE_SIM_STATE', () => {
    const launch = launchFor(parseShellSettings({ simulatorState: '/tmp/state.json' }));
    expect(launch.env.EXCHANGE_SIM_STATE).toBe('/tmp/state.json');
  });

  test('local and remote run powershell.exe unless overridden', () => {
    expect(launchFor(parseShellSettings({ mode: 'local' })).executable).toBe('powershell.exe');
    expect(launchFor(parseShellSettings({ mode: 'remote', server: 'ex1.contoso.com' })).executable).toBe(
      'powershell.exe',
    );
    expect(launchFor(parseShellSettings({ mode: 'local', executable: '/x/y' })).executable).toBe('/x/y');
  });

  test('sessions are keyed by target', () => {
    const a = launchFor(parseShellSettings({ mode: 'remote', server: 'ex1.contoso.com' })).key;
    const b = launchFor(parseShellSettings({ mode: 'remote', server: 'ex2.contoso.com' })).key;
    const a2 = launchFor(parseShellSettings({ mode: 'remote', server: 'ex1.contoso.com' })).key;
    expect(a).not.toBe(b);
    expect(a).toBe(a2);
  });

  test.each([
    ['unknown mode', { mode: 'ssh' }, /mode/],
    ['remote without server', { mode: 'remote' }, /server/],
    ['remote server with a path', { mode: 'remote', server: "ex1/'; x" }, /server: must be a host name/],
    ['zero timeout', { commandTimeoutMs: 0 }, /commandTimeoutMs/],
    ['bad authentication', { mode: 'remote', server: 'ex1', authentication: 'Magic' }, /authentication/],
    [
      'connection URI with a query',
      { mode: 'remote', server: 'ex1', connectionUri: "http://ex1/PowerShell/?x='" },
      /connectionUri: must be an http or https URL/,
    ],
    [
      'connection URI for another host',
      { mode: 'remote', server: 'ex1', connectionUri: 'http://ex2:8080/PowerShell/' },
      /connectionUri: names ex2 but server is ex1/,
    ],
  ])('%s is a ShellConfigurationError naming the field', (_name, input, message) => {
    expect(() => parseShellSettings(input)).toThrow(ShellConfigurationError);
    expect(() => parseShellSettings(input)).toThrow(message);
  });

  test('the process switches are those of the dialect doc', () => {
    // node-powershell adds -NoLogo before ours and -NoExit -Command - after them.
    const args = [
      '-NoLogo',
      ...Object.entries(EXECUTABLE_OPTIONS).flatMap(([k, v]) => (v === true ? [k] : [k, v])),
      '-NoExit',
      '-Command',
      '-',
    ];
    expect(`<executable> ${args.join(' ')}`).toBe(backticked('The process is started as'));
  });
});

describe('session setup lines are exactly those of the dialect doc', () => {
  const common = backticked('common prefix, all modes:');
  const pin = backticked('`local` and `simulated`: then the UI culture');
  const connect = backticked('shortcut runs:\n');
  const snapin = backticked('the last part is');
  const remote = backticked('`remote`: then\n');

  test.each([['simulated'], ['local']])(
    '%s: RemoteExchange.ps1 and Connect-ExchangeServer, as the EMS shortcut',
    (mode) => {
      expect(setupLineFor(parseShellSettings({ mode }))).toBe(`${common}; ${pin}; ${connect}`);
    },
  );

  test('local with the snap-in loader', () => {
    expect(setupLineFor(parseShellSettings({ mode: 'local', loader: 'snapin' }))).toBe(`${common}; ${pin}; ${snapin}`);
    expect(() => parseShellSettings({ mode: 'local', loader: 'e2010' })).toThrow(/loader/);
  });

  test('remote, Kerberos by default', () => {
    expect(setupLineFor(parseShellSettings({ mode: 'remote', server: 'ex1.contoso.com' }))).toBe(
      `${common}; ${remote}`,
    );
  });

  test('remote over https with credentials: they travel in the process environment, never in the text', () => {
    const settings = parseShellSettings({
      mode: 'remote',
      server: 'ex1.contoso.com',
      useHttps: true,
      authentication: 'Negotiate',
      credential: { username: "CONTOSO\\svc-rot'ate", password: "p'w\nd" },
    });
    const launch = launchFor(settings);
    expect(launch.setupLine).toBe(
      `${common}; ${backticked('after\n')}; $so = New-PSSessionOption -Culture 'en-US' -UICulture 'en-US'; ` +
        `$s = New-PSSession -ConfigurationName 'Microsoft.Exchange' -ConnectionUri 'https://ex1.contoso.com/PowerShell/' -Authentication 'Negotiate' -Credential $cred -SessionOption $so; ` +
        `Import-PSSession -Session $s -DisableNameChecking -AllowClobber | Out-Null`,
    );
    expect(launch.env.EXCHANGE_SHELL_USERNAME).toBe("CONTOSO\\svc-rot'ate");
    expect(launch.env.EXCHANGE_SHELL_PASSWORD).toBe("p'w\nd");
    expect(launch.setupLine).not.toContain('svc-rot');
    expect(launch.key).not.toContain("p'w");
  });

  test('a credential in the worker environment is not handed to a shell that was not configured with one', () => {
    process.env.EXCHANGE_SHELL_PASSWORD = 'stale';
    try {
      expect(launchFor(parseShellSettings({ mode: 'remote', server: 'ex1' })).env.EXCHANGE_SHELL_PASSWORD).toBe(
        undefined,
      );
    } finally {
      delete process.env.EXCHANGE_SHELL_PASSWORD;
    }
  });
});

describe("the shell inherits only what it needs of the worker's environment", () => {
  const worker = {
    SystemRoot: 'C:\\Windows',
    Path: 'C:\\Windows\\System32',
    TEMP: 'C:\\Temp',
    PSModulePath: 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules',
    ExchangeInstallPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\',
    NOTIFY_WEBHOOK_URL: 'https://hooks.example/T000/B000/secret-token',
    TEMPORAL_API_KEY: 'temporal-key',
    AZURE_CLIENT_SECRET: 'graph-secret',
    GRAPH_CLIENT_SECRET: 'graph-secret-2',
    EXCHANGE_USERNAME: 'CONTOSO\\svc',
    EXCHANGE_PASSWORD: 'worker-password',
    EXCHANGE_SHELL_PASSWORD: 'stale',
    NODE_OPTIONS: '--inspect',
    EXCHANGE_SIM_UI_CULTURE: 'ja-JP',
  };

  test.each([
    ['simulated', { simulatorState: '/s/contoso.json' }],
    ['local', { mode: 'local' }],
    ['remote without a credential', { mode: 'remote', server: 'ex1.contoso.com' }],
    [
      'remote with a credential',
      { mode: 'remote', server: 'ex1.contoso.com', credential: { username: 'u', password: 'p' } },
    ],
  ])('%s: the allow-list, nothing else', (_name, input) => {
    const settings = parseShellSettings(input);
    const env = shellEnvironment(settings, worker);
    const expected: Record<string, string> = {
      SystemRoot: worker.SystemRoot,
      Path: worker.Path,
      TEMP: worker.TEMP,
      PSModulePath: worker.PSModulePath,
      ExchangeInstallPath: worker.ExchangeInstallPath,
      EXCHANGE_SIM_UI_CULTURE: 'ja-JP',
    };
    if (settings.mode === 'simulated') expected.EXCHANGE_SIM_STATE = '/s/contoso.json';
    if (settings.mode === 'remote' && settings.credential) {
      Object.assign(expected, { EXCHANGE_SHELL_USERNAME: 'u', EXCHANGE_SHELL_PASSWORD: 'p' });
    }
    expect(env).toEqual(expected);
  });

  test('every name on the list is one Windows or PowerShell defines, none a secret', () => {
    for (const name of INHERITED_ENVIRONMENT) expect(name).not.toMatch(/SECRET|KEY|TOKEN|PASSWORD|URL|CREDENTIAL/i);
  });
});

describe('teardown and the per-call guard are those of the dialect doc', () => {
  test('remote: both; local: the teardown (Connect-ExchangeServer opens a session too); every mode pins the UI culture', () => {
    const remote = launchFor(parseShellSettings({ mode: 'remote', server: 'ex1.contoso.com' }));
    expect(remote.teardownLine).toBe(backticked('send the\nteardown line'));
    const pin = backticked('once per process would not do\\):\n');
    expect(remote.guard).toBe(`${pin}; ${backticked('proxy:\n')}`);
    const local = launchFor(parseShellSettings({ mode: 'local' }));
    expect(local.teardownLine).toBe(remote.teardownLine);
    expect(local.guard).toBe(pin);
  });
});

describe('resolveExecutable', () => {
  test('a missing path is a clear ShellConfigurationError', () => {
    expect(() => resolveExecutable('/nonexistent/simulated-exchange-shell')).toThrow(ShellConfigurationError);
    expect(() => resolveExecutable('/nonexistent/simulated-exchange-shell')).toThrow(/not found/);
  });
  test('a name missing from PATH is a clear ShellConfigurationError', () => {
    expect(() => resolveExecutable('powershell.exe', { PATH: '/nonexistent' })).toThrow(
      /powershell.exe not found on PATH/,
    );
  });
  test('a non-executable file is refused; an executable one is found on PATH', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-exe-'));
    const file = path.join(dir, 'shell');
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
    expect(() => resolveExecutable(file)).toThrow(ShellConfigurationError);
    fs.chmodSync(file, 0o755);
    expect(resolveExecutable('shell', { PATH: dir })).toBe(file);
    fs.rmSync(dir, { recursive: true });
  });

  describe('on Windows', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-win-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const touch = (...parts: string[]) => {
      const file = path.join(dir, ...parts);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '', { mode: 0o644 });
      return file;
    };

    test('the search path is found under `Path` (Windows spells it so), in any case', () => {
      const file = touch('bin', 'powershell.exe');
      expect(resolveExecutable('powershell.exe', { Path: `C:\\nothing;${path.dirname(file)}` }, 'win32')).toBe(file);
      fs.chmodSync(file, 0o755);
      expect(resolveExecutable('powershell.exe', { Path: path.dirname(file) }, 'linux')).toBe(file);
    });

    test('a name without extension is tried with each PATHEXT extension, in order', () => {
      const cmd = touch('bin', 'powershell.CMD');
      const exe = touch('bin', 'powershell.EXE');
      const env = { Path: path.dirname(exe), PATHEXT: '.COM;.EXE;.CMD' };
      expect(resolveExecutable('powershell', env, 'win32')).toBe(exe);
      expect(resolveExecutable('powershell', { ...env, PATHEXT: '.CMD;.EXE' }, 'win32')).toBe(cmd);
      // A file without execute permission counts on Windows, where there is no such bit.
      expect(() => resolveExecutable('powershell', env, 'linux')).toThrow(ShellConfigurationError);
    });

    test('powershell.exe missing from the search path falls back to %SystemRoot%\\System32\\WindowsPowerShell', () => {
      const file = touch('System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
      expect(resolveExecutable('powershell.exe', { Path: '', SystemRoot: dir }, 'win32')).toBe(file);
      expect(() => resolveExecutable('powershell.exe', { Path: '', SystemRoot: path.join(dir, 'x') }, 'win32')).toThrow(
        /not found on PATH nor at/,
      );
    });
  });
});

const record = (r: Partial<ErrorRecord>): ErrorRecord => ({
  message: '',
  exceptionType: '',
  reason: '',
  category: '',
  errorId: '',
  target: '',
  ...r,
});

describe('classifyErrorRecord', () => {
  test.each([
    [
      'certificate not found over RPC',
      record({ message: 'The certificate with thumbprint ABC was not found.', reason: 'InvalidOperationException' }),
      CertificateNotFoundError,
    ],
    [
      'RPC unavailable',
      record({ message: 'The RPC server is unavailable.', reason: 'RpcException' }),
      ServerUnreachableError,
    ],
    [
      'WinRM transport',
      record({ message: 'Connecting to remote server ex2 failed', reason: 'PSRemotingTransportException' }),
      ServerUnreachableError,
    ],
    [
      'Invoke-Command to a dead server',
      record({
        message: 'WinRM cannot complete the operation.',
        exceptionType: 'System.Management.Automation.Remoting.PSRemotingTransportException',
      }),
      ServerUnreachableError,
    ],
    ['access denied', record({ message: 'Access is denied.', category: 'PermissionDenied' }), AccessDeniedError],
    [
      'missing RBAC role',
      record({ message: "The user 'svc' isn't assigned any management roles." }),
      AccessDeniedError,
    ],
    ['unauthorized exception', record({ message: 'x', reason: 'UnauthorizedAccessException' }), AccessDeniedError],
    [
      'unknown cmdlet',
      record({
        message:
          "The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program.",
        errorId: 'CommandNotFoundException',
        reason: 'CommandNotFoundException',
      }),
      CommandNotFoundError,
    ],
    [
      'unknown parameter',
      record({
        message: "A parameter cannot be found that matches parameter name 'Bogus'.",
        errorId: 'NamedParameterNotFound,Microsoft.Exchange.Management.SystemConfigurationTasks.SetAuthConfig',
      }),
      ParameterNotFoundError,
    ],
    [
      'wrong type',
      record({
        message: 'Cannot bind parameter \'KeySize\'. Cannot convert value "x" to type "System.Int32".',
        errorId:
          'CannotConvertArgumentNoMessage,Microsoft.Exchange.Management.SystemConfigurationTasks.NewExchangeCertificate',
      }),
      ParameterBindingError,
    ],
    [
      'missing mandatory parameter',
      record({
        message: 'Cannot process command because of one or more missing mandatory parameters: Name.',
        errorId: 'MissingMandatoryParameter,X',
      }),
      ParameterBindingError,
    ],
    [
      'effective date in the past',
      record({ message: 'The effective date must be greater than the current time.' }),
      InvalidEffectiveDateError,
    ],
    [
      'no events',
      record({
        message: 'No events were found that match the specified selection criteria.',
        errorId: 'NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand',
      }),
      NoMatchingEventsError,
    ],
    [
      'broken remote session',
      record({
        message:
          'Because the session state for session Session1 is not equal to Open, you cannot run a command in the session.  The session state is Broken.',
      }),
      RemoteSessionBrokenError,
    ],
    [
      'a broken implicit-remoting session re-created by a proxy command, which asks for credentials',
      record({
        message: 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.',
        reason: 'PSInvalidOperationException',
        errorId: 'System.Management.Automation.PSInvalidOperationException',
      }),
      RemoteSessionBrokenError,
    ],
    [
      'the per-call state check of a remote session',
      record({ message: 'The remote Exchange session is not open; its state is Broken', reason: 'RuntimeException' }),
      RemoteSessionBrokenError,
    ],
    ['anything else', record({ message: 'Something odd happened.' }), ExchangeCommandError],
  ])('%s', (_name, r, type) => {
    const error = classifyErrorRecord(r, 'Get-Thing');
    expect(error).toBeInstanceOf(type);
    expect(error.name).toBe(type.name);
    expect(error.cmdlet).toBe('Get-Thing');
    expect(error.cause).toBeInstanceOf(PowerShellErrorText);
    expect((error.cause as Error).message).toBe(r.message);
  });
});

describe('a failed certificate lookup, in any language', () => {
  const lookup = (r: ErrorRecord) => certificateLookupFailure(classifyErrorRecord(r, 'Get-ExchangeCertificate'));
  test('not found: by its English text, or by CategoryInfo.Reason InvalidOperationException in any wording', () => {
    expect(
      lookup(
        record({ message: 'The certificate with thumbprint ABC was not found.', reason: 'InvalidOperationException' }),
      ),
    ).toEqual({ status: 'missing' });
    expect(
      lookup(
        record({
          message: 'サーバー EX2 で特殊な Rpc エラーが発生しました: 拇印 ABC の証明書が見つかりませんでした。',
          reason: 'InvalidOperationException',
          exceptionType: 'System.InvalidOperationException',
        }),
      ),
    ).toEqual({ status: 'missing' });
  });
  test('any other error is an unreachable server; an environment error is thrown', () => {
    expect(
      lookup(
        record({
          message: 'サーバー ex2.contoso.com への接続中にエラーが発生しました: RPC サーバーを利用できません。',
          reason: 'RpcException',
          exceptionType: 'Microsoft.Exchange.Rpc.RpcException',
        }),
      ).status,
    ).toBe('unreachable');
    expect(() => lookup(record({ message: 'アクセスが拒否されました。', category: 'PermissionDenied' }))).toThrow(
      AccessDeniedError,
    );
  });
});

describe('classifyStderr', () => {
  test('an unknown cmdlet written to stderr in PowerShell format', () => {
    const text = [
      "Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
      'At line:1 char:1',
      '+ Get-Foo',
      '+ ~~~~~~~',
      '    + CategoryInfo          : ObjectNotFound: (Get-Foo:String) [], CommandNotFoundException',
      '    + FullyQualifiedErrorId : CommandNotFoundException',
    ].join('\n');
    const error = classifyStderr(text, 'session setup');
    expect(error).toBeInstanceOf(CommandNotFoundError);
    expect((error.cause as Error).message).toBe(text);
  });

  test('a parse error is a CatalogueError (we sent something the shell cannot read)', () => {
    const text = [
      'At line:1 char:6',
      "+ 'abc",
      '+      ~~~~',
      "The string is missing the terminator: '.",
      '    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException',
      '    + FullyQualifiedErrorId : TerminatorExpectedAtEndOfString',
    ].join('\n');
    expect(classifyStderr(text)).toBeInstanceOf(CatalogueError);
  });

  test('unrecognised stderr text is a ShellProcessError', () => {
    expect(classifyStderr('something broke')).toBeInstanceOf(ShellProcessError);
  });
});

describe('retry lists', () => {
  test('every error class is in exactly one list', () => {
    const both = NON_RETRYABLE_ERROR_TYPES.filter((t) => (RETRYABLE_ERROR_TYPES as readonly string[]).includes(t));
    expect(both).toEqual([]);
    expect(NON_RETRYABLE_ERROR_TYPES).toEqual(
      expect.arrayContaining([
        'AccessDeniedError',
        'CommandNotFoundError',
        'ParameterNotFoundError',
        'OutputSchemaError',
      ]),
    );
    expect(RETRYABLE_ERROR_TYPES).toEqual(expect.arrayContaining(['ServerUnreachableError', 'ShellTimeoutError']));
  });
  test('retryable flags agree with the lists', () => {
    expect(new AccessDeniedError('x').retryable).toBe(false);
    expect(new ServerUnreachableError('x').retryable).toBe(true);
  });
});
