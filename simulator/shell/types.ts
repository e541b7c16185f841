// The contract between the simulated shell's language (simulator/shell/: lexer, parser, evaluator, parameter binding,
// node-powershell protocol, generic cmdlets) and the simulated Exchange organisation (simulator/exchange/: model,
// behaviours, scenarios, faults, Exchange cmdlets). Runtime values of the PowerShell language are defined here so both
// sides build and read them the same way.

/**
 * System.DateTime. The simulated servers run in UTC, so Local and Utc denote the same instant. `ms` counts
 * milliseconds since the Unix epoch (formatting uses its whole part); `subMillisecondTicks` (0-9999, 100 ns each)
 * carries the rest of .NET's tick precision, which a double of milliseconds cannot hold exactly
 * (e.g. "2026-11-27T06:00:00.1234567Z").
 */
export class PSDateTime {
  constructor(
    readonly ms: number,
    readonly kind: 'Utc' | 'Local' | 'Unspecified' = 'Local',
    readonly subMillisecondTicks: number = 0,
  ) {}
}

/** An enum value: ConvertTo-Json writes `value` (5.1 behaviour), [string] casts write `names` ("IMAP, POP, SMTP"). */
export class PSEnum {
  constructor(
    readonly typeName: string,
    readonly value: number,
    readonly names: string,
  ) {}
}

export class PSSecureString {
  constructor(readonly plainText: string) {}
}

/** A PSObject / deserialized object: ordered properties, case-insensitive names, a type name list. */
export class PSObject {
  readonly typeNames: string[];
  private readonly props = new Map<string, { name: string; value: PSValue }>();
  constructor(typeName: string | string[], properties: Record<string, PSValue> = {}) {
    this.typeNames = Array.isArray(typeName) ? typeName : [typeName];
    for (const [k, v] of Object.entries(properties)) this.set(k, v);
  }
  get(name: string): PSValue | undefined {
    return this.props.get(name.toLowerCase())?.value;
  }
  has(name: string): boolean {
    return this.props.has(name.toLowerCase());
  }
  set(name: string, value: PSValue): void {
    const existing = this.props.get(name.toLowerCase());
    this.props.set(name.toLowerCase(), { name: existing?.name ?? name, value });
  }
  entries(): Array<[string, PSValue]> {
    return [...this.props.values()].map((p) => [p.name, p.value]);
  }
}

/** @{ ... }: case-insensitive keys, insertion order kept. */
export class PSHashtable {
  private readonly items = new Map<string, { key: string; value: PSValue }>();
  get(key: string): PSValue | undefined {
    return this.items.get(key.toLowerCase())?.value;
  }
  has(key: string): boolean {
    return this.items.has(key.toLowerCase());
  }
  set(key: string, value: PSValue): void {
    this.items.set(key.toLowerCase(), { key, value });
  }
  entries(): Array<[string, PSValue]> {
    return [...this.items.values()].map((i) => [i.key, i.value]);
  }
}

/** A script block; only the language side can run it, through CmdletContext.invokeScriptBlock. */
export interface PSScriptBlock {
  readonly kind: 'scriptblock';
  readonly text: string;
}

export type PSValue =
  | null
  | string
  | number
  | boolean
  | PSDateTime
  | PSEnum
  | PSSecureString
  | PSObject
  | PSHashtable
  | PSScriptBlock
  | Uint8Array
  | PSValue[];

/**
 * The declared type of a parameter, as in Microsoft's cmdlet reference. The binder converts arguments the way
 * PowerShell does (a string to an int where it parses, $true to a switch, a scalar to a one-element array) and fails
 * with PowerShell's binding error otherwise.
 */
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
  | 'Hashtable'
  | 'Hashtable[]'
  | 'ScriptBlock'
  | 'Object'
  | 'Object[]'
  /** A PSCredential object; a user name alone would prompt for the password, which the non-interactive shell refuses. */
  | 'PSCredential'
  /**
   * An enum by name. Numeric values follow the declaration: for flags enums a leading 'None' is 0 and the others are
   * successive bits (1, 2, 4, ...); otherwise a name's value is its position in `values`.
   */
  | { enum: string; values: string[]; flags?: boolean };

export interface ParamSpec {
  name: string;
  type: ParamType;
  mandatory?: boolean;
  /** Positional index, when the cmdlet accepts the parameter by position. */
  position?: number;
  /** Bound from pipeline input (ByValue), e.g. Select-Object -InputObject. */
  fromPipeline?: boolean;
  aliases?: string[];
}

/** A PowerShell error record, thrown by cmdlets and by the language. */
export class PSError extends Error {
  constructor(
    message: string,
    readonly details: {
      /** ErrorCategory, e.g. 'InvalidOperation', 'ObjectNotFound', 'PermissionDenied', 'InvalidArgument'. */
      category: string;
      /** CategoryInfo.Reason: the exception type's short name, e.g. 'InvalidOperationException'. */
      reason: string;
      /** Exception.GetType().FullName. */
      exceptionType: string;
      /** FullyQualifiedErrorId, e.g. '[Server=EX1,...],Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeCertificate'. */
      errorId: string;
      targetObject?: string;
      /** Cannot be caught by try/catch (parse errors). */
      parseError?: boolean;
    },
  ) {
    super(message);
    this.name = 'PSError';
  }
}

export interface CmdletContext {
  /** Set inside Invoke-Command -ComputerName: the server the command runs on; null on the management host. */
  readonly computerName: string | null;
  /** The simulated clock, for Get-Date and [datetime]::Now. */
  now(): PSDateTime;
  /** Runs a script block with $args / param() bound to `args`, returning its output. */
  invokeScriptBlock(block: PSScriptBlock, args: PSValue[], dollarUnderscore?: PSValue): Promise<PSValue[]>;
  /** Objects piped into this command (already enumerated). Empty when the command starts a pipeline. */
  readonly pipelineInput: PSValue[];
}

export interface CmdletSpec {
  name: string;
  params: ParamSpec[];
  /**
   * `args` holds bound, converted values keyed by the declared parameter name; switches are booleans, and a parameter
   * (switch or not) that was not given is absent, so `-Switch:$false` differs from no switch.
   */
  invoke(args: Record<string, PSValue>, ctx: CmdletContext): Promise<PSValue[]> | PSValue[];
}

/**
 * What simulator/exchange/ hands the shell at start-up (simulator/exchange/host.ts exports
 * `createExchangeHost(env: NodeJS.ProcessEnv): Promise<ExchangeHost>`).
 */
export interface ExchangeHost {
  cmdlets: CmdletSpec[];
  now(): PSDateTime;
  /**
   * Called before every cmdlet, generic ones included: applies injected faults (a transient RPC error with
   * probability p, a hang, the process dying mid-command, access denied). May throw a PSError, never resolve, or exit.
   */
  beforeCmdlet(name: string, ctx: CmdletContext): Promise<void>;
  /**
   * Called by Invoke-Command before a script block runs on a computer: throws PowerShell's remoting error
   * (PSRemotingTransportException) for a computer that does not exist or does not answer WinRM.
   */
  connectRemote?(computerName: string): Promise<void>;
}
