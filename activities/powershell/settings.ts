// How the worker reaches Exchange. The worker builds this object from its environment; workflow input never feeds it,
// so credentials here come from the worker's environment or the OS alone.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BUILD_CREDENTIAL, CREDENTIAL_ENVIRONMENT, VARIABLES, renderCommand } from './catalogue';
import { SESSION_NOT_OPEN, ShellConfigurationError } from './errors';
import { PsVariable, renderLiteral, renderString } from './render';

export const CLOCK_SOURCES = ['exchange-server', 'host'] as const;
export const EVENT_LOG_ACCESS = ['winrm', 'rpc'] as const;

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const common = {
  /** Overrides the executable of the mode (tests run `local`/`remote` setup text against the simulated shell). */
  executable: z.string().min(1).optional(),
  /** One cmdlet call; past it the session is discarded (a timed-out node-powershell session stays busy). */
  commandTimeoutMs: z.number().int().positive().default(120_000),
  /** Starting the process and loading the Exchange Management Shell (10-30 s on a real server). */
  setupTimeoutMs: z.number().int().positive().default(180_000),
  /**
   * Whose clock dates are built from. `exchange-server` (default): the Exchange server the cmdlets act on, read through
   * Invoke-Command (remote: `server`; local: the server Connect-ExchangeServer connected to, the host itself when that
   * is this machine). `host`: Get-Date in the worker's own PowerShell, for hosts that may not use WinRM to the server.
   */
  clock: z.enum(CLOCK_SOURCES).default('exchange-server'),
  /**
   * How event 2014 is read on each server. `winrm` (default): Get-WinEvent inside Invoke-Command, the path the pool
   * recycle uses. `rpc`: Get-WinEvent -ComputerName, which needs remote event-log RPC (often blocked by firewalls).
   */
  eventLog: z.enum(EVENT_LOG_ACCESS).default('winrm'),
};

export const simulatedSettingsSchema = z.object({
  mode: z.literal('simulated'),
  ...common,
  /** EXCHANGE_SIM_STATE for the simulated shell; when absent the worker's own environment is passed through. */
  simulatorState: z.string().min(1).optional(),
});

export const LOCAL_LOADERS = ['connect-exchange-server', 'snapin'] as const;

export const localSettingsSchema = z.object({
  mode: z.literal('local'),
  ...common,
  /**
   * How the Exchange Management Shell is loaded on an Exchange server or management host. `connect-exchange-server`
   * (default) does what the Exchange Management Shell shortcut does: RemoteExchange.ps1, then Connect-ExchangeServer,
   * a remote session to the local server with RBAC applied. `snapin` adds the Exchange snap-in to the process:
   * unsupported by Microsoft since Exchange 2013 and it bypasses RBAC; only for hosts where even local remoting fails.
   */
  loader: z.enum(LOCAL_LOADERS).default('connect-exchange-server'),
});

/** An http(s) endpoint without credentials, query or fragment (the WinRM endpoint of Exchange's PowerShell). */
function isEndpoint(uri: string): boolean {
  try {
    const url = new URL(uri);
    return /^https?:$/.test(url.protocol) && !url.username && !url.password && !url.search && !url.hash;
  } catch {
    return false;
  }
}

export const remoteSettingsSchema = z
  .object({
    mode: z.literal('remote'),
    ...common,
    server: z.string().regex(HOSTNAME, 'must be a host name such as ex1.contoso.com'),
    useHttps: z.boolean().default(false),
    /** The whole endpoint when it is not http(s)://<server>/PowerShell/: another port, or another path. */
    connectionUri: z
      .string()
      .refine(isEndpoint, 'must be an http or https URL without credentials, query or fragment')
      .optional(),
    authentication: z.enum(['Kerberos', 'Negotiate', 'Basic', 'Default']).default('Kerberos'),
    credential: z
      .object({ username: z.string().min(1), password: z.string().min(1) })
      .optional()
      .describe('from the worker environment only'),
  })
  .superRefine((s, ctx) => {
    if (s.connectionUri && isEndpoint(s.connectionUri)) {
      const host = new URL(s.connectionUri).hostname;
      if (host.toLowerCase() !== s.server.toLowerCase()) {
        ctx.addIssue({ code: 'custom', path: ['connectionUri'], message: `names ${host} but server is ${s.server}` });
      }
    }
  });

export const exchangeShellSettingsSchema = z.preprocess(
  (v) => (v && typeof v === 'object' && !('mode' in v) ? { ...v, mode: 'simulated' } : v),
  z.discriminatedUnion('mode', [simulatedSettingsSchema, localSettingsSchema, remoteSettingsSchema]),
);
export type ExchangeShellSettings = z.infer<typeof exchangeShellSettingsSchema>;
export type ExchangeShellSettingsInput = z.input<typeof exchangeShellSettingsSchema>;

export function parseShellSettings(input: unknown): ExchangeShellSettings {
  const result = exchangeShellSettingsSchema.safeParse(input ?? {});
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ');
    throw new ShellConfigurationError(`invalid Exchange shell settings: ${detail}`, { cause: result.error });
  }
  return result.data;
}

/** The repository root: the nearest ancestor holding package.json and bin/ (works from source and from dist/). */
export function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new ShellConfigurationError(`cannot find the repository root above ${from}`);
    dir = parent;
  }
}

export const SIMULATED_SHELL = path.join('bin', 'simulated-exchange-shell');
export const WINDOWS_POWERSHELL = 'powershell.exe';

/** The switches the dialect doc fixes; node-powershell adds -NoLogo first and -NoExit -Command - last. */
export const EXECUTABLE_OPTIONS = {
  '-NoProfile': true,
  '-NonInteractive': true,
  '-ExecutionPolicy': 'Bypass',
} as const;

const COMMON_SETUP =
  "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; $WarningPreference = 'SilentlyContinue'; " +
  "$ConfirmPreference = 'None'; [Console]::OutputEncoding = [System.Text.Encoding]::UTF8";
const EXCHANGE_SNAPIN = 'Microsoft.Exchange.Management.PowerShell.SnapIn';

/**
 * The language of every message the service reads: errors are classified partly by their English text. The remote
 * runspace takes it from the session options; the local thread is set per call, because Windows PowerShell 5.1 puts
 * each pipeline back on the host's culture.
 */
export const MESSAGE_CULTURE = 'en-US';
const PIN_UI_CULTURE = `[System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::GetCultureInfo(${renderString(MESSAGE_CULTURE)})`;

export interface ShellLaunch {
  /** Identifies the Exchange target: one session per key per worker process. */
  key: string;
  executable: string;
  env: NodeJS.ProcessEnv;
  /** The one setup line sent once per process; secrets reach the process through `env`, never through this text. */
  setupLine: string;
  /** Sent before the process ends: closes its Exchange runspaces (per-user limit 18) instead of leaking them. */
  teardownLine?: string;
  /** Runs first in every call's envelope: a cheap check that the Exchange session is still open. */
  guard?: string;
  commandTimeoutMs: number;
  setupTimeoutMs: number;
}

export function connectionUri(settings: { server: string; useHttps: boolean; connectionUri?: string }): string {
  return settings.connectionUri ?? `${settings.useHttps ? 'https' : 'http'}://${settings.server}/PowerShell/`;
}

/** The Exchange Management Shell shortcut's own two steps; the separator is doubled harmlessly if the path ends in one. */
const CONNECT_EXCHANGE_SERVER =
  `. (${renderLiteral(new PsVariable('env:ExchangeInstallPath'))} + ${renderString('\\bin\\RemoteExchange.ps1')}); ` +
  renderCommand('Connect-ExchangeServer', { Auto: true, ClientApplication: 'ManagementShell' });

export function setupLineFor(settings: ExchangeShellSettings): string {
  if (settings.mode !== 'remote') {
    // The simulated shell gets the default local text, so the production line is the one exercised everywhere.
    const loader = settings.mode === 'local' ? settings.loader : 'connect-exchange-server';
    const load =
      loader === 'snapin' ? renderCommand('Add-PSSnapin', { Name: EXCHANGE_SNAPIN }) : CONNECT_EXCHANGE_SERVER;
    // Pinned before loading: Connect-ExchangeServer's session takes this thread's culture.
    return `${COMMON_SETUP}; ${PIN_UI_CULTURE}; ${load}`;
  }
  const statements = [COMMON_SETUP];
  if (settings.credential) statements.push(BUILD_CREDENTIAL);
  const options = renderCommand('New-PSSessionOption', { Culture: MESSAGE_CULTURE, UICulture: MESSAGE_CULTURE });
  statements.push(`${renderLiteral(VARIABLES.sessionOption)} = ${options}`);
  const newSession = renderCommand('New-PSSession', {
    ConfigurationName: 'Microsoft.Exchange',
    ConnectionUri: connectionUri(settings),
    Authentication: settings.authentication,
    Credential: settings.credential ? VARIABLES.credential : undefined,
    SessionOption: VARIABLES.sessionOption,
  });
  statements.push(`${renderLiteral(VARIABLES.session)} = ${newSession}`);
  statements.push(
    `${renderCommand('Import-PSSession', { Session: VARIABLES.session, DisableNameChecking: true, AllowClobber: true })} | Out-Null`,
  );
  return statements.join('; ');
}

/** Every PSSession of the process: the one New-PSSession made (remote), or Connect-ExchangeServer's (local). */
export const TEARDOWN_LINE = `${renderCommand('Get-PSSession')} | ${renderCommand('Remove-PSSession')}`;

/** A closed or broken session fails the call at once, as RemoteSessionBrokenError, instead of inside a proxy. */
const SESSION_STATE_GUARD = (() => {
  const session = renderLiteral(VARIABLES.session);
  return `if (${session}.State -ne 'Opened') { throw (${renderString(`${SESSION_NOT_OPEN}; its state is `)} + ${session}.State) }`;
})();

/**
 * What of the worker's environment the shell inherits, by name (Windows compares names case-insensitively): what
 * Windows and PowerShell need to start and load modules, the search path, temporary folders, Exchange's install path
 * (RemoteExchange.ps1). Nothing else: the worker's environment also holds the webhook URL with its token, the Temporal
 * API key, Graph secrets and the Exchange credential, none of which a shell needs or should be able to print.
 */
export const INHERITED_ENVIRONMENT = [
  // Windows and .NET: without SystemRoot powershell.exe cannot even start its runtime.
  'SystemRoot',
  'SystemDrive',
  'windir',
  'ComSpec',
  'PATHEXT',
  'OS',
  'PROCESSOR_ARCHITECTURE',
  'NUMBER_OF_PROCESSORS',
  'COMPUTERNAME',
  'USERNAME',
  'USERDOMAIN',
  'USERDNSDOMAIN',
  'USERPROFILE',
  'HOMEDRIVE',
  'HOMEPATH',
  'APPDATA',
  'LOCALAPPDATA',
  'ALLUSERSPROFILE',
  'PUBLIC',
  'ProgramData',
  'ProgramFiles',
  'ProgramFiles(x86)',
  'ProgramW6432',
  'CommonProgramFiles',
  'CommonProgramFiles(x86)',
  'CommonProgramW6432',
  // PowerShell's module search (WebAdministration, CimCmdlets) and Exchange's scripts.
  'PSModulePath',
  'ExchangeInstallPath',
  // Everywhere.
  'PATH',
  'TEMP',
  'TMP',
  'HOME',
  'TZ',
  'LANG',
] as const;

/** The simulated shell's own variables (its state file, its UI culture): no secrets, refused by the worker elsewhere. */
const SIMULATOR_PREFIX = 'EXCHANGE_SIM_';

/**
 * The shell's environment: the allow-list above from `source`, the simulator's variables, and in remote mode the
 * configured credential (as EXCHANGE_SHELL_USERNAME/PASSWORD, never inherited from the worker).
 */
export function shellEnvironment(
  settings: ExchangeShellSettings,
  source: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const allowed = new Set<string>(INHERITED_ENVIRONMENT.map((name) => name.toUpperCase()));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (allowed.has(name.toUpperCase()) || name.toUpperCase().startsWith(SIMULATOR_PREFIX)) env[name] = value;
  }
  if (settings.mode === 'simulated' && settings.simulatorState) env.EXCHANGE_SIM_STATE = settings.simulatorState;
  // The credential travels as environment of the shell process only, so no command text, script-block log or
  // transcript ever holds it.
  if (settings.mode === 'remote' && settings.credential) {
    env[CREDENTIAL_ENVIRONMENT.username] = settings.credential.username;
    env[CREDENTIAL_ENVIRONMENT.password] = settings.credential.password;
  }
  return env;
}

export function launchFor(settings: ExchangeShellSettings, repoRoot?: string): ShellLaunch {
  const env = shellEnvironment(settings);
  const executable =
    settings.mode === 'simulated'
      ? (settings.executable ?? path.join(repoRoot ?? findRepoRoot(), SIMULATED_SHELL))
      : (settings.executable ?? WINDOWS_POWERSHELL);
  const target = settings.mode === 'remote' ? connectionUri(settings) : settings.mode;
  return {
    key: `${settings.mode}|${target}|${executable}|${env.EXCHANGE_SIM_STATE ?? ''}`,
    executable,
    env,
    setupLine: setupLineFor(settings),
    teardownLine: settings.mode === 'simulated' ? undefined : TEARDOWN_LINE,
    // Client-side errors (Invoke-Command, Get-WinEvent -ComputerName) are worded by this process in every mode.
    guard: settings.mode === 'remote' ? `${PIN_UI_CULTURE}; ${SESSION_STATE_GUARD}` : PIN_UI_CULTURE,
    commandTimeoutMs: settings.commandTimeoutMs,
    setupTimeoutMs: settings.setupTimeoutMs,
  };
}

/** An environment variable by name, ignoring case: on Windows the search path is usually `Path`, not `PATH`. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name] !== undefined) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** Where Windows keeps Windows PowerShell 5.1, for hosts whose service account has no usable search path. */
export function windowsPowerShellPath(env: NodeJS.ProcessEnv): string | undefined {
  const systemRoot = envValue(env, 'SystemRoot');
  return systemRoot ? path.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', WINDOWS_POWERSHELL) : undefined;
}

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** The names Windows tries for a command: as given when it already has a PATHEXT extension, else with each one. */
function windowsNames(executable: string, env: NodeJS.ProcessEnv): string[] {
  const extensions = (envValue(env, 'PATHEXT') ?? DEFAULT_PATHEXT).split(';').filter(Boolean);
  const ext = path.extname(executable).toUpperCase();
  if (ext && extensions.some((e) => e.toUpperCase() === ext)) return [executable];
  return extensions.map((e) => executable + e);
}

function isRunnableFile(candidate: string, platform: NodeJS.Platform): boolean {
  try {
    // Windows has no execute bit: spawn runs any existing file with a PATHEXT extension.
    fs.accessSync(candidate, platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves the executable the way spawn will, so a missing one is a clear error instead of node-powershell's
 * unhandled rejection from a failed spawn. `platform` is a parameter so the Windows rules can be tested anywhere.
 */
export function resolveExecutable(
  executable: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const windows = platform === 'win32';
  const isPath = executable.includes('/') || executable.includes('\\');
  const names = windows ? windowsNames(executable, env) : [executable];
  const candidates = isPath
    ? names.map((n) => path.resolve(n))
    : (envValue(env, 'PATH') ?? '')
        .split(windows ? ';' : ':')
        .filter(Boolean)
        .flatMap((dir) => names.map((n) => path.join(dir, n)));
  // A service account's search path may lack the PowerShell folder; Windows PowerShell 5.1 is always in one place.
  const fallback = windows && executable === WINDOWS_POWERSHELL ? windowsPowerShellPath(env) : undefined;
  if (fallback) candidates.push(fallback);
  const found = candidates.find((c) => isRunnableFile(c, platform));
  if (found) return found;
  throw new ShellConfigurationError(
    isPath
      ? `PowerShell executable not found or not executable: ${executable}`
      : `PowerShell executable ${executable} not found on PATH${fallback ? ` nor at ${fallback}` : ''}`,
  );
}
