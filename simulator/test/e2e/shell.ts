// Drives the package's bin/simulated-exchange-shell through real node-powershell, with the session setup and the per-call envelope
// of docs/powershell-dialect.md. Literals are rendered here by a deliberately small test-only renderer (single quotes
// doubled), independent of both the service's renderer and the shell's parser.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PowerShell } from 'node-powershell';
import { createOrganization, CreateOptions, loadOrganization, withOrganization } from '../../exchange/organisation';
import { advanceClock } from '../../exchange/behaviour';
import { Organisation } from '../../exchange/model';
import { SHELL } from '../paths';

export { SHELL };
export const HOUR = 3_600_000;
export const START = Date.parse('2026-11-25T06:00:00.000Z');

export const SESSION_SETUP =
  "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; $WarningPreference = 'SilentlyContinue'; $ConfirmPreference = 'None'; [Console]::OutputEncoding = [System.Text.Encoding]::UTF8; Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn'";

export const q = (s: string) => `'${s.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
export const isoDate = (ms: number) =>
  `([datetime]::Parse(${q(new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z'))}, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind))`;
export const secure = (s: string) => `(ConvertTo-SecureString -String ${q(s)} -AsPlainText -Force)`;
export const dateProp = (name: string) =>
  `@{ Name = ${q(name)}; Expression = { $_.${name}.ToUniversalTime().ToString('o') } }`;
export const stringProp = (name: string) => `@{ Name = ${q(name)}; Expression = { [string]$_.${name} } }`;
export const select = (...props: string[]) =>
  ` | Select-Object -Property ${props.map((p) => (p.startsWith('@{') ? p : q(p))).join(', ')}`;

export function envelope(pipeline: string): string {
  return (
    `try { $r = @(${pipeline}); ConvertTo-Json -InputObject @{ ok = $true; value = $r } -Depth 8 -Compress } ` +
    'catch { ConvertTo-Json -InputObject @{ ok = $false; error = @{ message = $_.Exception.Message; exceptionType = $_.Exception.GetType().FullName; reason = [string]$_.CategoryInfo.Reason; category = [string]$_.CategoryInfo.Category; errorId = [string]$_.FullyQualifiedErrorId; target = [string]$_.TargetObject } } -Depth 4 -Compress }'
  );
}

/** Runs a shell executable with `input` as its whole stdin; resolves when it exits. */
export function runProcess(
  executable: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: 'pipe', env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * node-powershell takes its invocation timeout only when the process starts, and the first invocation waits for the
 * start too; a short timeout is set this way once the process has answered.
 */
export function setInvocationTimeout(ps: PowerShell, ms: number): void {
  (ps as unknown as { invocationTimeout: number }).invocationTimeout = ms;
}

export interface ShellError {
  message: string;
  exceptionType: string;
  reason: string;
  category: string;
  errorId: string;
  target: string;
}
export type Envelope = { ok: true; value: Array<Record<string, unknown>> } | { ok: false; error: ShellError };

export function tempState(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'exsim-e2e-')), 'state.json');
}

/** An organisation (on a frozen clock unless asked) plus shells on it; everything is disposed by `close`. */
export class Simulation {
  private readonly shells: PowerShell[] = [];
  private constructor(readonly file: string) {}

  /** `acceleration` other than 0 lets the simulated clock run with real time, as in the demo and integration tests. */
  static async create(scenario: string, acceleration = 0, options: CreateOptions = {}): Promise<Simulation> {
    const file = tempState();
    await createOrganization(scenario, file, { ...options, acceleration, start: START });
    return new Simulation(file);
  }

  static forFile(file: string): Simulation {
    return new Simulation(file);
  }

  /**
   * A shell started as the service starts it, with the session set up. `invocationTimeout` applies once the shell has
   * answered: the first invocation includes starting the process, which alone can take seconds on a busy machine.
   */
  async shell(options: { invocationTimeout?: number; setup?: boolean } = {}): Promise<PowerShell> {
    const ps = new PowerShell({
      executable: SHELL,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' },
      spawnOptions: { env: { ...process.env, EXCHANGE_SIM_STATE: this.file } },
      invocationTimeout: 60_000,
    });
    this.shells.push(ps);
    const first = await ps.invoke(options.setup === false ? '$null' : SESSION_SETUP);
    if (first.hadErrors) throw new Error(`session setup failed: ${first.raw}`);
    if (options.invocationTimeout !== undefined) setInvocationTimeout(ps, options.invocationTimeout);
    return ps;
  }

  private default?: PowerShell;
  /** Runs one pipeline in the envelope and parses the answer. */
  async call(pipeline: string, ps?: PowerShell): Promise<Envelope> {
    const shell = ps ?? (this.default ??= await this.shell());
    const r = await shell.invoke(envelope(pipeline));
    const text = r.raw.trim();
    try {
      return JSON.parse(text) as Envelope;
    } catch {
      throw new Error(`not an envelope: ${JSON.stringify(text)} for ${pipeline}`);
    }
  }

  async ok(pipeline: string, ps?: PowerShell): Promise<Array<Record<string, unknown>>> {
    const r = await this.call(pipeline, ps);
    if (!r.ok) throw new Error(`${pipeline}\nfailed: ${JSON.stringify(r.error)}`);
    return r.value;
  }

  /** The first object a pipeline wrote; a pipeline that fails or writes nothing fails the test. */
  async first(pipeline: string, ps?: PowerShell): Promise<Record<string, unknown>> {
    const [item] = await this.ok(pipeline, ps);
    if (item === undefined) throw new Error(`${pipeline}\nwrote nothing`);
    return item;
  }

  async fails(pipeline: string, ps?: PowerShell): Promise<ShellError> {
    const r = await this.call(pipeline, ps);
    if (r.ok) throw new Error(`${pipeline}\nsucceeded: ${JSON.stringify(r.value)}`);
    return r.error;
  }

  /** The organisation as the shells see it now (caught up to the simulated clock). */
  state(): Organisation {
    return loadOrganization(this.file).org;
  }

  async advance(ms: number): Promise<void> {
    await withOrganization(this.file, (org) => advanceClock(org, ms));
  }

  async close(): Promise<void> {
    await Promise.all(this.shells.map((s) => s.dispose().catch(() => undefined)));
  }
}

export const CERT_PROPS = select(
  'Thumbprint',
  'Subject',
  'FriendlyName',
  dateProp('NotBefore'),
  dateProp('NotAfter'),
  stringProp('Services'),
  'PrivateKeyExportable',
);

/** The service's certificate creation; `extra` replaces the default `-Services 'None'` (e.g. '' or ' -Force'). */
export const NEW_AUTH_CERT = (server: string, extra = " -Services 'None'") =>
  `New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' -FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @()${extra} -Server ${q(server)}`;
