// How the worker reaches Exchange. The worker builds this object from its environment; workflow input never feeds it,
// so credentials here come from the worker's environment or the OS alone.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { renderCommand } from './catalogue';
import { ShellConfigurationError } from './errors';
import { PsSecureString, PsVariable } from './render';

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const common = {
  /** Overrides the executable of the mode (tests run `local`/`remote` setup text against the simulated shell). */
  executable: z.string().min(1).optional(),
  /** One cmdlet call; past it the session is discarded (a timed-out node-powershell session stays busy). */
  commandTimeoutMs: z.number().int().positive().default(120_000),
  /** Starting the process and loading the Exchange Management Shell (10-30 s on a real server). */
  setupTimeoutMs: z.number().int().positive().default(180_000),
};

export const simulatedSettingsSchema = z.object({
  mode: z.literal('simulated'),
  ...common,
  /** EXCHANGE_SIM_STATE for the simulated shell; when absent the worker's own environment is passed through. */
  simulatorState: z.string().min(1).optional(),
});

export const localSettingsSchema = z.object({ mode: z.literal('local'), ...common });

export const remoteSettingsSchema = z.object({
  mode: z.literal('remote'),
  ...common,
  server: z.string().regex(HOSTNAME, 'must be a host name such as ex1.contoso.com'),
  useHttps: z.boolean().default(false),
  authentication: z.enum(['Kerberos', 'Negotiate', 'Basic', 'Default']).default('Kerberos'),
  credential: z
    .object({ username: z.string().min(1), password: z.string().min(1) })
    .optional()
    .describe('from the worker environment only'),
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

export interface ShellLaunch {
  /** Identifies the Exchange target: one session per key per worker process. */
  key: string;
  executable: string;
  env: NodeJS.ProcessEnv;
  /** The one setup line sent once per process. Holds the password when remote credentials are configured. */
  setupLine: string;
  commandTimeoutMs: number;
  setupTimeoutMs: number;
}

export function connectionUri(settings: { server: string; useHttps: boolean }): string {
  return `${settings.useHttps ? 'https' : 'http'}://${settings.server}/PowerShell/`;
}

export function setupLineFor(settings: ExchangeShellSettings): string {
  if (settings.mode !== 'remote') {
    return `${COMMON_SETUP}; ${renderCommand('Add-PSSnapin', { Name: EXCHANGE_SNAPIN })}`;
  }
  const statements = [COMMON_SETUP];
  const cred = new PsVariable('cred');
  if (settings.credential) {
    const build = renderCommand('New-Object', {
      TypeName: 'System.Management.Automation.PSCredential',
      ArgumentList: [settings.credential.username, new PsSecureString(settings.credential.password)],
    });
    statements.push(`$cred = ${build}`);
  }
  const newSession = renderCommand('New-PSSession', {
    ConfigurationName: 'Microsoft.Exchange',
    ConnectionUri: connectionUri(settings),
    Authentication: settings.authentication,
    Credential: settings.credential ? cred : undefined,
  });
  statements.push(`$s = ${newSession}`);
  statements.push(
    `${renderCommand('Import-PSSession', { Session: new PsVariable('s'), DisableNameChecking: true, AllowClobber: true })} | Out-Null`,
  );
  return statements.join('; ');
}

export function launchFor(settings: ExchangeShellSettings, repoRoot?: string): ShellLaunch {
  let executable: string;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (settings.mode === 'simulated') {
    executable = settings.executable ?? path.join(repoRoot ?? findRepoRoot(), SIMULATED_SHELL);
    if (settings.simulatorState) env.EXCHANGE_SIM_STATE = settings.simulatorState;
  } else {
    executable = settings.executable ?? WINDOWS_POWERSHELL;
  }
  const target = settings.mode === 'remote' ? connectionUri(settings) : settings.mode;
  return {
    key: `${settings.mode}|${target}|${executable}|${env.EXCHANGE_SIM_STATE ?? ''}`,
    executable,
    env,
    setupLine: setupLineFor(settings),
    commandTimeoutMs: settings.commandTimeoutMs,
    setupTimeoutMs: settings.setupTimeoutMs,
  };
}

/**
 * Resolves the executable the way spawn will, so a missing one is a clear error instead of node-powershell's
 * unhandled rejection from a failed spawn.
 */
export function resolveExecutable(executable: string, env: NodeJS.ProcessEnv = process.env): string {
  const isPath = executable.includes('/') || executable.includes('\\');
  const candidates = isPath
    ? [path.resolve(executable)]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, executable));
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  throw new ShellConfigurationError(
    isPath
      ? `PowerShell executable not found or not executable: ${executable}`
      : `PowerShell executable ${executable} not found on PATH`,
  );
}
