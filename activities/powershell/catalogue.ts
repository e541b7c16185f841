// The cmdlets the service may run, with parameter names and types as in Microsoft's cmdlet reference. A command is
// rendered only from this catalogue: an unknown cmdlet, an unknown parameter or a value of the wrong type is a
// programming error (CatalogueError) raised before any PowerShell runs.
import { ALLOWED_SERVICES } from '../../common/exchange-values';
import {
  APPLICATION_LOG,
  AUTH_ADMIN_EVENT_SOURCE,
  AUTH_ADMIN_PUBLISHED_EVENT_ID,
  AUTH_CERTIFICATE_FRIENDLY_NAME,
  AUTH_CERTIFICATE_KEY_SIZE,
  AUTH_CERTIFICATE_SUBJECT,
} from '../../common/names';
import { CatalogueError } from './errors';
import { EVENT_PROPERTIES } from './objects/event';
import { WORKER_PROCESS_PROPERTIES } from './objects/worker-process';
import {
  PsAbsoluteDate,
  PsHashtable,
  PsLiteral,
  PsScriptBlock,
  PsVariable,
  renderLiteral,
  renderString,
} from './render';

export type ParamType =
  | 'String'
  | 'String[]'
  | 'Int32'
  | 'Int64'
  | 'Boolean'
  | 'SwitchParameter'
  | 'DateTime'
  | 'Byte[]'
  | 'SecureString'
  | 'Hashtable[]'
  | 'ScriptBlock'
  | 'Object[]'
  | 'PSCredential'
  | 'PSSession[]'
  | 'PSSessionOption'
  | { enum: string; values: readonly string[]; flags?: boolean };

// Names and types from the cmdlet reference (learn.microsoft.com/powershell/module/exchange/<cmdlet>, and the
// Microsoft.PowerShell / WebAdministration modules for the generic ones), limited to the parameters the service uses.
// Exchange's identity parameter types (ServerIdParameter, Fqdn, ...) bind from strings, so they are strings here.
const CATALOGUE = {
  'Add-PSSnapin': { Name: 'String[]' },
  // A function of <ExchangeInstallPath>\bin\RemoteExchange.ps1, not a cmdlet; the parameters its shortcut uses.
  'Connect-ExchangeServer': { ServerFqdn: 'String', Auto: 'SwitchParameter', ClientApplication: 'String' },
  'New-PSSession': {
    ConfigurationName: 'String',
    ConnectionUri: 'String[]',
    Authentication: {
      enum: 'AuthenticationMechanism',
      values: ['Default', 'Basic', 'Negotiate', 'NegotiateWithImplicitCredential', 'Credssp', 'Digest', 'Kerberos'],
    },
    Credential: 'PSCredential',
    SessionOption: 'PSSessionOption',
  },
  // Culture and UICulture are CultureInfo in the reference; they bind from a culture name.
  'New-PSSessionOption': { Culture: 'String', UICulture: 'String' },
  'Get-PSSession': {},
  'Remove-PSSession': { Session: 'PSSession[]' },
  'Import-PSSession': {
    Session: 'PSSession[]',
    DisableNameChecking: 'SwitchParameter',
    AllowClobber: 'SwitchParameter',
  },
  'Get-Date': {},
  'Get-ExchangeServer': { Identity: 'String', DomainController: 'String', Status: 'SwitchParameter' },
  'Get-AuthConfig': { DomainController: 'String' },
  'Set-AuthConfig': {
    NewCertificateThumbprint: 'String',
    NewCertificateEffectiveDate: 'DateTime',
    PublishCertificate: 'SwitchParameter',
    ClearPreviousCertificate: 'SwitchParameter',
    SkipImmediateCertificateDeployment: 'SwitchParameter',
    Server: 'String',
    DomainController: 'String',
    Force: 'SwitchParameter',
    Confirm: 'SwitchParameter',
  },
  'Get-ExchangeCertificate': {
    Thumbprint: 'String',
    Server: 'String',
    Identity: 'String',
    DomainName: 'String[]',
    Instance: 'String',
  },
  'New-ExchangeCertificate': {
    KeySize: 'Int32',
    PrivateKeyExportable: 'Boolean',
    SubjectName: 'String',
    FriendlyName: 'String',
    DomainName: 'String[]',
    Services: { enum: 'AllowedServices', values: ALLOWED_SERVICES, flags: true },
    Server: 'String',
    Force: 'SwitchParameter',
    Confirm: 'SwitchParameter',
  },
  'Enable-ExchangeCertificate': {
    Thumbprint: 'String',
    Server: 'String',
    Services: { enum: 'AllowedServices', values: ALLOWED_SERVICES, flags: true },
    DoNotRequireSsl: 'SwitchParameter',
    Force: 'SwitchParameter',
    Confirm: 'SwitchParameter',
  },
  'Export-ExchangeCertificate': {
    Thumbprint: 'String',
    Server: 'String',
    BinaryEncoded: 'SwitchParameter',
    Password: 'SecureString',
  },
  'Import-ExchangeCertificate': {
    Server: 'String',
    FileData: 'Byte[]',
    Password: 'SecureString',
    PrivateKeyExportable: 'Boolean',
    FriendlyName: 'String',
  },
  'Get-HybridConfiguration': { DomainController: 'String' },
  'Get-SettingOverride': { Identity: 'String', DomainController: 'String' },
  'Get-AuthServer': { Identity: 'String', DomainController: 'String' },
  'Get-OrganizationConfig': { DomainController: 'String' },
  'Get-TransportService': { Identity: 'String', DomainController: 'String' },
  'Get-WinEvent': {
    ComputerName: 'String',
    FilterHashtable: 'Hashtable[]',
    MaxEvents: 'Int64',
    Oldest: 'SwitchParameter',
    Credential: 'PSCredential',
  },
  'Get-ExchangeDiagnosticInfo': {
    Server: 'String',
    Process: 'String',
    Component: 'String',
    Argument: 'String',
    Unlimited: 'SwitchParameter',
  },
  'Test-OAuthConnectivity': {
    Service: { enum: 'ModServiceType', values: ['EWS', 'AutoD', 'Generic'] },
    TargetUri: 'String',
    Mailbox: 'String',
    AppOnly: 'SwitchParameter',
    ReloadConfig: 'SwitchParameter',
    UseCachedToken: 'SwitchParameter',
  },
  'Invoke-Command': {
    ComputerName: 'String[]',
    ScriptBlock: 'ScriptBlock',
    ArgumentList: 'Object[]',
    Credential: 'PSCredential',
    // The common parameter, for the fan-out only: a server WinRM cannot reach drops out instead of failing the rest.
    ErrorAction: { enum: 'ActionPreference', values: ['SilentlyContinue', 'Stop'] },
    ThrottleLimit: 'Int32',
  },
  'Import-Module': { Name: 'String[]' },
  // WebAdministration: the site's bindings, each with the certificateHash of its SSL certificate.
  'Get-WebBinding': { Name: 'String', Protocol: 'String' },
  'Restart-WebAppPool': { Name: 'String' },
  'Get-WebAppPoolState': { Name: 'String' },
  'Restart-Service': { Name: 'String[]', Force: 'SwitchParameter' },
  // PKI module (Windows Server 2016 and later for -NotAfter, -KeySpec, -Provider, -KeyExportPolicy).
  'New-SelfSignedCertificate': {
    Subject: 'String',
    FriendlyName: 'String',
    KeyAlgorithm: 'String',
    KeyLength: 'Int32',
    KeyExportPolicy: { enum: 'KeyExportPolicy', values: ['NonExportable', 'ExportableEncrypted', 'Exportable'] },
    KeySpec: { enum: 'KeySpec', values: ['None', 'KeyExchange', 'Signature'] },
    Provider: 'String',
    HashAlgorithm: 'String',
    KeyUsage: {
      enum: 'KeyUsage',
      values: ['None', 'DigitalSignature', 'KeyEncipherment', 'DataEncipherment', 'KeyAgreement', 'CertSign'],
      flags: true,
    },
    CertStoreLocation: 'String',
    NotAfter: 'DateTime',
  },
  // CimCmdlets (Windows PowerShell 3.0 and later); -Filter is a WQL WHERE clause.
  'Get-CimInstance': { ClassName: 'String', Filter: 'String' },
} as const satisfies Record<string, Record<string, ParamType>>;

export type CmdletName = keyof typeof CATALOGUE;
export type ParamsOf<C extends CmdletName> = { [P in keyof (typeof CATALOGUE)[C]]?: ParamValue };
export type ParamValue = PsLiteral | readonly string[];

export const CMDLET_NAMES = Object.keys(CATALOGUE) as CmdletName[];

export function parameterTypes(cmdlet: string): Readonly<Record<string, ParamType>> {
  if (!Object.prototype.hasOwnProperty.call(CATALOGUE, cmdlet)) {
    throw new CatalogueError(`cmdlet ${JSON.stringify(cmdlet)} is not in the catalogue`);
  }
  return CATALOGUE[cmdlet as CmdletName] as Record<string, ParamType>;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const typeName = (t: ParamType) => (typeof t === 'string' ? t : t.enum);

function fail(cmdlet: string, param: string, type: ParamType, value: unknown): never {
  const shown = JSON.stringify(value) ?? String(value);
  throw new CatalogueError(`${cmdlet} -${param}: expected ${typeName(type)}, got ${shown}`);
}

/** Renders one argument after checking it against the declared type. Switches are handled by the caller. */
/**
 * Variables and script blocks are code, so only the catalogue's own constants (VARIABLES, SCRIPT_BLOCKS) may appear
 * in a command, at any depth: a caller cannot make one up, even from constant text.
 */
function requireConstantCode(cmdlet: string, param: string, value: unknown): void {
  if (value instanceof PsVariable && !KNOWN_VARIABLES.has(value)) {
    throw new CatalogueError(`${cmdlet} -${param}: $${value.name} is not one of the catalogue's variables`);
  }
  if (value instanceof PsScriptBlock && !KNOWN_SCRIPT_BLOCKS.has(value)) {
    throw new CatalogueError(`${cmdlet} -${param}: the script block is not one of the catalogue's`);
  }
  if (Array.isArray(value)) for (const v of value) requireConstantCode(cmdlet, param, v);
  if (value instanceof PsHashtable) for (const [, v] of value.entries) requireConstantCode(cmdlet, param, v);
}

function renderArgument(cmdlet: string, param: string, type: ParamType, value: unknown): string {
  const bad = () => fail(cmdlet, param, type, value);
  requireConstantCode(cmdlet, param, value);
  // A variable is code (a script block's param, the session's $cred), never input: it binds to any type.
  if (value instanceof PsVariable) return renderLiteral(value);
  if (typeof type === 'object') {
    const names = Array.isArray(value) ? value : [value];
    if (names.length === 0 || (!type.flags && names.length !== 1)) bad();
    for (const n of names) if (!isString(n) || !type.values.includes(n)) bad();
    // A flags enum binds from "A, B" exactly as PowerShell's enum parser reads it.
    return renderString((names as string[]).join(', '));
  }
  switch (type) {
    case 'String':
      if (!isString(value)) bad();
      return renderString(value as string);
    case 'String[]':
      // PowerShell binds a scalar to an array parameter; the doc's examples use the scalar form for one value.
      if (isString(value)) return renderString(value);
      if (!Array.isArray(value) || !value.every(isString)) bad();
      return renderLiteral(value as string[]);
    case 'Int32':
    case 'Int64': {
      const limit = type === 'Int32' ? 2 ** 31 : 2 ** 63;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -limit || value >= limit) bad();
      return renderLiteral(value as number);
    }
    case 'Boolean':
      if (typeof value !== 'boolean') bad();
      return renderLiteral(value as boolean);
    case 'DateTime':
      if (!(value instanceof PsAbsoluteDate)) bad();
      return renderLiteral(value as PsLiteral);
    case 'Byte[]':
    case 'SecureString':
      // Only a variable the shell set itself (above): a PFX or a secure string as a literal would put it in the text.
      return bad();
    case 'Hashtable[]':
      if (value instanceof PsHashtable) return renderLiteral(value);
      if (!Array.isArray(value) || !value.every((v) => v instanceof PsHashtable)) bad();
      return renderLiteral(value as PsHashtable[]);
    case 'ScriptBlock':
      if (!(value instanceof PsScriptBlock)) bad();
      return renderLiteral(value as PsScriptBlock);
    case 'Object[]':
      if (value === undefined) bad();
      return Array.isArray(value)
        ? (value as PsLiteral[]).map((v) => renderLiteral(v)).join(', ')
        : renderLiteral(value as PsLiteral);
    case 'PSCredential':
    case 'PSSession[]':
    case 'PSSessionOption':
      if (!(value instanceof PsVariable)) bad();
      return renderLiteral(value as PsVariable);
    case 'SwitchParameter':
      return bad();
  }
}

/** `Cmdlet -Param value ...` in the order given; undefined parameters are left out. */
export function renderCommand<C extends CmdletName>(cmdlet: C, params: ParamsOf<C> = {} as ParamsOf<C>): string {
  const types = parameterTypes(cmdlet);
  const parts: string[] = [cmdlet];
  for (const [param, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(types, param)) {
      throw new CatalogueError(`${cmdlet} has no parameter ${JSON.stringify(param)} in the catalogue`);
    }
    const type = types[param] as ParamType;
    if (type === 'SwitchParameter') {
      if (typeof value !== 'boolean') fail(cmdlet, param, type, value);
      parts.push(value ? `-${param}` : `-${param}:$false`);
      continue;
    }
    parts.push(`-${param}`, renderArgument(cmdlet, param, type, value));
  }
  return parts.join(' ');
}

/** A property for Select-Object: a plain name, or a calculated property from the fixed set below. */
export type SelectProperty =
  | string
  | { name: string; isoDateOf: string }
  | { name: string; stringOf: string }
  | { name: string; isoDateOfSelf: true }
  | { name: string; base64Of: string };

const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function propertyName(name: string): string {
  if (!PROPERTY_NAME.test(name)) throw new CatalogueError(`invalid property name ${JSON.stringify(name)}`);
  return name;
}

function renderSelectProperty(p: SelectProperty): string {
  if (typeof p === 'string') return renderString(propertyName(p));
  const name = renderString(propertyName(p.name));
  let expression: string;
  if ('isoDateOf' in p) expression = `$_.${propertyName(p.isoDateOf)}.ToUniversalTime().ToString('o')`;
  else if ('stringOf' in p) expression = `[string]$_.${propertyName(p.stringOf)}`;
  else if ('base64Of' in p) expression = `[System.Convert]::ToBase64String($_.${propertyName(p.base64Of)})`;
  else expression = `$_.ToUniversalTime().ToString('o')`;
  return `@{ Name = ${name}; Expression = { ${expression} } }`;
}

/** One cmdlet, optionally piped to Select-Object -Property (the only pipeline form of the dialect). */
export function renderPipeline(command: string, select?: readonly SelectProperty[]): string {
  if (!select || select.length === 0) return command;
  return `${command} | Select-Object -Property ${select.map(renderSelectProperty).join(', ')}`;
}

/**
 * The per-call envelope of docs/powershell-dialect.md: errors come back as data on stdout, not as stderr text. `guard`
 * is a statement run first inside the try (the remote session's state check).
 */
export function renderEnvelope(pipeline: string, guard?: string): string {
  return (
    `try { ${guard ? `${guard}; ` : ''}$r = @(${pipeline}); ConvertTo-Json -InputObject @{ ok = $true; value = $r } -Depth 8 -Compress } ` +
    `catch { ConvertTo-Json -InputObject @{ ok = $false; error = ${ERROR_RECORD} } -Depth 4 -Compress }`
  );
}

/** The caught error ($_ in a catch block) as data: the fields of errorRecordSchema. */
const ERROR_RECORD =
  `@{ message = $_.Exception.Message; ` +
  `exceptionType = $_.Exception.GetType().FullName; reason = [string]$_.CategoryInfo.Reason; ` +
  `category = [string]$_.CategoryInfo.Category; errorId = [string]$_.FullyQualifiedErrorId; ` +
  `target = [string]$_.TargetObject }`;

/** Variables the catalogue's own statements set or read in the shell: their names are code, never input. */
export const VARIABLES = {
  /** The remote credential, built once in the session setup. */
  credential: new PsVariable('cred'),
  /** The implicit-remoting session to Exchange, and its options. */
  session: new PsVariable('s'),
  sessionOption: new PsVariable('so'),
  /** The one parameter of the per-server script blocks. */
  name: new PsVariable('name'),
  /** The start of the event query, the parameter of the event script block. */
  since: new PsVariable('since'),
  /** The end of a certificate's validity, the parameter of the self-signed certificate block. */
  notAfter: new PsVariable('notAfter'),
  pfxPassword: new PsVariable('pw'),
  pfxData: new PsVariable('pfx'),
} as const;
const KNOWN_VARIABLES = new Set<PsVariable>(Object.values(VARIABLES));

/**
 * A SecureString from a string expression without a cmdlet: ConvertTo-SecureString -AsPlainText would put the plain
 * text into module logging's parameter-binding record (event 4103); a constructor call is not logged that way.
 */
export function secureStringOf(expression: string): string {
  return `[System.Net.NetworkCredential]::new('', ${expression}).SecurePassword`;
}

/** The environment variables through which the remote credential reaches the shell: never part of command text. */
export const CREDENTIAL_ENVIRONMENT = {
  username: 'EXCHANGE_SHELL_USERNAME',
  password: 'EXCHANGE_SHELL_PASSWORD',
} as const;

/** `$cred = ...` from the environment the shell process inherited. */
export const BUILD_CREDENTIAL =
  `${renderLiteral(VARIABLES.credential)} = [System.Management.Automation.PSCredential]::new(` +
  `${renderLiteral(new PsVariable(`env:${CREDENTIAL_ENVIRONMENT.username}`))}, ` +
  `${secureStringOf(renderLiteral(new PsVariable(`env:${CREDENTIAL_ENVIRONMENT.password}`)))})`;

// 32 random bytes from the shell's own CSPRNG as the PFX password: it exists only inside that PowerShell process.
const RANDOM_PFX_PASSWORD =
  '$b = [byte[]]::new(32); [void][System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($b); ' +
  `${renderLiteral(VARIABLES.pfxPassword)} = ${secureStringOf('[System.Convert]::ToBase64String($b)')}`;

/**
 * Export from one server and import on another in one call, in a child scope (`& { }`) so the password and the PFX
 * vanish with it: neither the password nor the key material ever appears in command text or leaves the shell.
 */
export function renderCertificateCopy(source: string, thumbprint: string, target: string): string {
  const exported = renderCommand('Export-ExchangeCertificate', {
    Thumbprint: thumbprint,
    Server: source,
    BinaryEncoded: true,
    Password: VARIABLES.pfxPassword,
  });
  const imported = renderCommand('Import-ExchangeCertificate', {
    Server: target,
    FileData: VARIABLES.pfxData,
    Password: VARIABLES.pfxPassword,
    PrivateKeyExportable: true,
  });
  return `& { ${RANDOM_PFX_PASSWORD}; ${renderLiteral(VARIABLES.pfxData)} = (${exported}).FileData; ${imported} }`;
}

/**
 * Script blocks run on each server through Invoke-Command. Their text is constant; the values they act on arrive as
 * -ArgumentList data bound to param($name), never pasted into the block.
 */
const NAME = VARIABLES.name;
const IMPORT_WEB_ADMINISTRATION = renderCommand('Import-Module', { Name: 'WebAdministration' });
/** Get-WinEvent's filter for AuthAdmin's event 2014 since a date (a literal, or the event block's parameter). */
export function authAdminEventFilter(since: PsAbsoluteDate | PsVariable): PsHashtable {
  return PsHashtable.of({
    LogName: APPLICATION_LOG,
    ProviderName: AUTH_ADMIN_EVENT_SOURCE,
    Id: AUTH_ADMIN_PUBLISHED_EVENT_ID,
    StartTime: since,
  });
}
export const MAX_AUTH_ADMIN_EVENTS = 20;

/** The site Exchange's front end (port 443) runs in; Enable-ExchangeCertificate -Services IIS binds to it. */
export const DEFAULT_WEB_SITE = 'Default Web Site';

/** The clock of the machine that evaluates it, as ISO-8601 UTC text: a string crosses remoting unchanged. */
const UTC_NOW = "[datetime]::UtcNow.ToString('o')";

const GET_WORKER_PROCESSES = renderCommand('Get-CimInstance', {
  ClassName: 'Win32_Process',
  Filter: "Name='w3wp.exe'",
});
const GET_AUTH_ADMIN_EVENTS = renderCommand('Get-WinEvent', {
  FilterHashtable: authAdminEventFilter(VARIABLES.since),
  MaxEvents: MAX_AUTH_ADMIN_EVENTS,
});

const FAN_OUT_BLOCKS = new Set<PsScriptBlock>();

/**
 * A read's script block for a fan-out: the same command, its output selected on the server (the properties the single
 * read selects on the worker's side), wrapped so that every server answers with one object, its error included as
 * data (the envelope's error record): one server's failure is that server's answer, not the call's.
 */
function fanOutBlock(
  param: string,
  command: string,
  select: readonly SelectProperty[],
  prelude?: string,
): PsScriptBlock {
  const block = new PsScriptBlock(
    `${param ? `${param} ` : ''}$ErrorActionPreference = 'Stop'; ` +
      `try { ${prelude ? `${prelude}; ` : ''}[pscustomobject]@{ Ok = $true; Value = @(${renderPipeline(command, select)}); Error = $null } } ` +
      `catch { [pscustomobject]@{ Ok = $false; Value = @(); Error = ${ERROR_RECORD} } }`,
  );
  FAN_OUT_BLOCKS.add(block);
  return block;
}

export const SCRIPT_BLOCKS = {
  /** The server's own clock (docs/powershell-dialect.md, "Dates on the Exchange server's clock"). */
  utcNow: new PsScriptBlock(UTC_NOW),
  restartWebAppPool: new PsScriptBlock(
    `param($name) ${IMPORT_WEB_ADMINISTRATION}; ${renderCommand('Restart-WebAppPool', { Name: NAME })}`,
  ),
  getWebAppPoolState: new PsScriptBlock(
    `param($name) ${IMPORT_WEB_ADMINISTRATION}; ${renderCommand('Get-WebAppPoolState', { Name: NAME })}`,
  ),
  restartService: new PsScriptBlock(`param($name) ${renderCommand('Restart-Service', { Name: NAME, Force: true })}`),
  /**
   * The IIS worker processes: each w3wp.exe names its application pool in its command line (`-ap "<pool>"`), and its
   * CreationDate is when that pool last started a worker (a recycle starts a new one). No argument: nothing to bind.
   */
  getWorkerProcesses: new PsScriptBlock(GET_WORKER_PROCESSES),
  /**
   * Event 2014 read on the server itself, through the same WinRM path as the recycle: Get-WinEvent -ComputerName needs
   * remote event-log RPC, which firewalls often block. The start date arrives as -ArgumentList data.
   */
  getAuthAdminEvents: new PsScriptBlock(`param($since) ${GET_AUTH_ADMIN_EVENTS}`),
  /**
   * An Auth certificate with a lifetime New-ExchangeCertificate cannot give (it always makes five years), made on the
   * server in its LocalMachine\My store, as Microsoft's MonitorExchangeAuthCertificate does for
   * -CustomCertificateLifetimeInDays: RSA 2048 in a legacy CSP key container for key exchange (Microsoft's script notes
   * a CNG key cannot serve as the Auth certificate), exportable (the servicelet exports it to replicate it). The end
   * date arrives as -ArgumentList data, built from the server's clock.
   */
  newSelfSignedAuthCertificate: new PsScriptBlock(
    `param($notAfter) ${renderPipeline(
      renderCommand('New-SelfSignedCertificate', {
        Subject: AUTH_CERTIFICATE_SUBJECT,
        FriendlyName: AUTH_CERTIFICATE_FRIENDLY_NAME,
        KeyAlgorithm: 'RSA',
        KeyLength: AUTH_CERTIFICATE_KEY_SIZE,
        KeyExportPolicy: 'Exportable',
        KeySpec: 'KeyExchange',
        Provider: 'Microsoft Enhanced RSA and AES Cryptographic Provider',
        HashAlgorithm: 'SHA256',
        KeyUsage: ['DigitalSignature', 'KeyEncipherment'],
        CertStoreLocation: 'Cert:\\LocalMachine\\My',
        NotAfter: VARIABLES.notAfter,
      }),
      ['Thumbprint'],
    )}`,
  ),
  /**
   * The certificates bound to the Default Web Site's https bindings (as Microsoft's script reads them before it decides
   * whether the transport certificate gets IIS back). Selected on the server: a binding's certificateHash is an IIS
   * configuration attribute, read there rather than trusted to survive deserialization.
   */
  getDefaultWebSiteBindings: new PsScriptBlock(
    `${IMPORT_WEB_ADMINISTRATION}; ${renderPipeline(
      renderCommand('Get-WebBinding', { Name: DEFAULT_WEB_SITE, Protocol: 'https' }),
      ['certificateHash'],
    )}`,
  ),
  /** getAuthAdminEvents for a list of servers in one Invoke-Command (renderFanOut). */
  getAuthAdminEventsOnEach: fanOutBlock('param($since)', GET_AUTH_ADMIN_EVENTS, EVENT_PROPERTIES),
  /** getWebAppPoolState for a list of servers in one Invoke-Command (renderFanOut). */
  getWebAppPoolStateOnEach: fanOutBlock(
    'param($name)',
    renderCommand('Get-WebAppPoolState', { Name: NAME }),
    ['Value'],
    IMPORT_WEB_ADMINISTRATION,
  ),
  /** getWorkerProcesses for a list of servers in one Invoke-Command (renderFanOut). */
  getWorkerProcessesOnEach: fanOutBlock('', GET_WORKER_PROCESSES, WORKER_PROCESS_PROPERTIES),
} as const;
const KNOWN_SCRIPT_BLOCKS = new Set<PsScriptBlock>(Object.values(SCRIPT_BLOCKS));

/** What each server of a fan-out answers: its output or its error, as data, never a failure of the others. */
export const FAN_OUT_PROPERTIES: readonly SelectProperty[] = ['PSComputerName', 'Ok', 'Value', 'Error'];

/**
 * A read on several servers in one call: one Invoke-Command over the list, which WinRM runs side by side (up to
 * `throttleLimit` at once). Each server answers one object (FAN_OUT_PROPERTIES); a server WinRM cannot reach answers
 * nothing (-ErrorAction SilentlyContinue keeps it from failing the others) and is the caller's to ask on its own.
 */
export function renderFanOut(
  servers: readonly string[],
  block: PsScriptBlock,
  argument: PsLiteral | undefined,
  credential: PsVariable | undefined,
  throttleLimit: number,
): string {
  if (!FAN_OUT_BLOCKS.has(block)) throw new CatalogueError('renderFanOut takes only a fan-out script block');
  return renderPipeline(
    renderCommand('Invoke-Command', {
      ComputerName: servers,
      ScriptBlock: block,
      ArgumentList: argument,
      Credential: credential,
      ErrorAction: 'SilentlyContinue',
      ThrottleLimit: throttleLimit,
    }),
    FAN_OUT_PROPERTIES,
  );
}

/**
 * The host's clock and, read just after in the same call, the clock of `server` through Invoke-Command (or the host's
 * again when `server` is null: the host is the Exchange server). One object: HostUtc and ServerUtc as ISO-8601 UTC.
 * `[string]` drops the PSComputerName note property remoting adds, which 5.1's ConvertTo-Json would otherwise write.
 */
export function renderClockReading(server: string | null, credential?: PsVariable): string {
  const serverUtc =
    server === null
      ? '$h'
      : `[string](${renderCommand('Invoke-Command', { ComputerName: server, ScriptBlock: SCRIPT_BLOCKS.utcNow, Credential: credential })})`;
  return `& { $h = ${UTC_NOW}; @{ 'HostUtc' = $h; 'ServerUtc' = ${serverUtc} } }`;
}
