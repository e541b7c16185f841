// Named failures of the PowerShell layer. Activities turn them into ApplicationFailure with type = class name, so a
// retry policy can list the permanent ones (NON_RETRYABLE_ERROR_TYPES) without knowing PowerShell.
import { z } from 'zod';

/** The error record the per-call envelope writes on stdout (docs/powershell-dialect.md, "Per-call form"). */
export const errorRecordSchema = z.object({
  message: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  exceptionType: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  reason: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  category: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  errorId: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  target: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
});
export type ErrorRecord = z.infer<typeof errorRecordSchema>;

/** The text PowerShell produced, kept as the `cause` so nothing is stringified away. */
export class PowerShellErrorText extends Error {
  constructor(
    text: string,
    readonly record?: ErrorRecord,
  ) {
    super(text);
    this.name = 'PowerShellErrorText';
  }
}

export abstract class ExchangeShellError extends Error {
  abstract readonly retryable: boolean;
  /** The cmdlet that failed (never the command text: it may hold a password). */
  readonly cmdlet?: string;
  readonly record?: ErrorRecord;
  constructor(message: string, options: { cause?: unknown; cmdlet?: string; record?: ErrorRecord } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.cmdlet = options.cmdlet;
    this.record = options.record;
  }
}

/** Get-ExchangeCertificate -Server S -Thumbprint T: the certificate is not on that server. */
export class CertificateNotFoundError extends ExchangeShellError {
  readonly retryable = false;
}
/** RPC unavailable, WinRM failure, server down: try again later. */
export class ServerUnreachableError extends ExchangeShellError {
  readonly retryable = true;
}
/** Access denied or a missing RBAC role: retrying will not grant it. */
export class AccessDeniedError extends ExchangeShellError {
  readonly retryable = false;
}
/** The cmdlet does not exist in this shell: the environment is wrong (no Exchange tools, wrong version). */
export class CommandNotFoundError extends ExchangeShellError {
  readonly retryable = false;
}
/** The cmdlet exists but lacks a parameter: the Exchange version differs from the one the catalogue describes. */
export class ParameterNotFoundError extends ExchangeShellError {
  readonly retryable = false;
}
/** A value was refused by parameter binding (type conversion, missing mandatory parameter). */
export class ParameterBindingError extends ExchangeShellError {
  readonly retryable = false;
}
/** Set-AuthConfig: "The effective date must be greater than the current time". */
export class InvalidEffectiveDateError extends ExchangeShellError {
  readonly retryable = false;
}
/** Get-WinEvent found nothing; callers that expect "none" turn it into an empty list. */
export class NoMatchingEventsError extends ExchangeShellError {
  readonly retryable = false;
}
/** The call did not finish in time; the session was discarded, a retry gets a fresh one. */
export class ShellTimeoutError extends ExchangeShellError {
  readonly retryable = true;
}
/** The shell process died or wrote to stderr outside the envelope; the session was discarded. */
export class ShellProcessError extends ExchangeShellError {
  readonly retryable = true;
}
/** The implicit-remoting session to Exchange broke; the session was discarded. */
export class RemoteSessionBrokenError extends ExchangeShellError {
  readonly retryable = true;
}
/** The executable is missing or the settings are wrong: nothing to retry until someone fixes the worker. */
export class ShellConfigurationError extends ExchangeShellError {
  readonly retryable = false;
}
/** The shell answered with something the output schema does not accept. */
export class OutputSchemaError extends ExchangeShellError {
  readonly retryable = false;
}
/** A cmdlet, parameter or value outside the catalogue: a programming error, thrown before any PowerShell runs. */
export class CatalogueError extends ExchangeShellError {
  readonly retryable = false;
}
/** Any other error a cmdlet reported: unknown, so retried by default. */
export class ExchangeCommandError extends ExchangeShellError {
  readonly retryable = true;
}

/** For retry policies: `nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES]`. */
export const NON_RETRYABLE_ERROR_TYPES = [
  CertificateNotFoundError.name,
  AccessDeniedError.name,
  CommandNotFoundError.name,
  ParameterNotFoundError.name,
  ParameterBindingError.name,
  InvalidEffectiveDateError.name,
  NoMatchingEventsError.name,
  ShellConfigurationError.name,
  OutputSchemaError.name,
  CatalogueError.name,
] as const;

export const RETRYABLE_ERROR_TYPES = [
  ServerUnreachableError.name,
  ShellTimeoutError.name,
  ShellProcessError.name,
  RemoteSessionBrokenError.name,
  ExchangeCommandError.name,
] as const;

/** What the per-call guard of a remote shell throws when its Exchange session is no longer open (see settings.ts). */
export const SESSION_NOT_OPEN = 'The remote Exchange session is not open';

type ErrorClass = new (
  message: string,
  options?: { cause?: unknown; cmdlet?: string; record?: ErrorRecord },
) => ExchangeShellError;

interface Rule {
  type: ErrorClass;
  test: (r: ErrorRecord) => boolean;
}

const has = (text: string, re: RegExp) => re.test(text);
const idStarts = (r: ErrorRecord, ...ids: string[]) =>
  ids.some((id) => r.errorId.toLowerCase().startsWith(id.toLowerCase()));

// Order matters: the most specific facts first. A missing certificate is an InvalidOperationException over RPC, so it
// must be recognised before any generic "RPC" wording makes it look like an unreachable server.
const RULES: Rule[] = [
  {
    type: CertificateNotFoundError,
    test: (r) => has(r.message, /certificate with (the )?thumbprint \S+ (was not|wasn't|could not be) found/i),
  },
  {
    type: CommandNotFoundError,
    test: (r) =>
      idStarts(r, 'CommandNotFoundException') ||
      r.reason === 'CommandNotFoundException' ||
      has(r.message, /is not recognized as the name of a cmdlet/i),
  },
  {
    type: ParameterNotFoundError,
    test: (r) => idStarts(r, 'NamedParameterNotFound') || has(r.message, /A parameter cannot be found that matches/i),
  },
  {
    type: ParameterBindingError,
    test: (r) =>
      idStarts(
        r,
        'CannotConvertArgument',
        'ParameterArgumentTransformationError',
        'ParameterArgumentValidationError',
        'MissingMandatoryParameter',
        'AmbiguousParameter',
        'PositionalParameterNotFound',
      ) || has(r.message, /^Cannot (bind parameter|process command because of one or more missing mandatory)/i),
  },
  {
    type: InvalidEffectiveDateError,
    test: (r) => has(r.message, /effective date must be (greater|later) than the current time/i),
  },
  {
    type: NoMatchingEventsError,
    test: (r) => idStarts(r, 'NoMatchingEventsFound') || has(r.message, /No events were found that match/i),
  },
  {
    type: AccessDeniedError,
    test: (r) =>
      r.category === 'PermissionDenied' ||
      r.reason === 'UnauthorizedAccessException' ||
      idStarts(r, 'AccessDenied', 'UnauthorizedAccess') ||
      has(
        r.message,
        /access (is )?denied|not authorized|isn't authorized|insufficient (access )?rights|does not have (the )?(required )?(permission|role)|isn't assigned any management roles|couldn't find a management role/i,
      ),
  },
  {
    type: RemoteSessionBrokenError,
    test: (r) =>
      r.message.startsWith(SESSION_NOT_OPEN) ||
      has(
        r.message,
        /session state is Broken|runspace state is (not valid|Broken|Closed)|session .* (has been|was) (closed|broken)/i,
      ) ||
      // Implicit remoting re-creates a broken session on the next proxied call and asks for credentials, which a
      // -NonInteractive shell refuses: the session is gone and only a fresh process brings it back.
      has(r.message, /PowerShell is in NonInteractive mode|Read and Prompt functionality is not available/i) ||
      idStarts(r, 'PSSessionStateBroken', 'InvalidRunspaceState'),
  },
  {
    type: ServerUnreachableError,
    test: (r) =>
      r.reason === 'PSRemotingTransportException' ||
      /Transient/i.test(r.reason) ||
      /Transport|Transient|Rpc|Socket|WebException|TimeoutException/i.test(r.exceptionType) ||
      has(
        r.message,
        /RPC server is (unavailable|too busy)|unreachable|cannot be reached|could not be reached|WinRM cannot|cannot connect|could not connect|connecting to remote server .* failed|network path was not found|is not available|not responding|timed out/i,
      ),
  },
];

/** Classifies the envelope's error record. Unknown errors become ExchangeCommandError (retryable). */
export function classifyErrorRecord(record: ErrorRecord, cmdlet?: string): ExchangeShellError {
  const cause = new PowerShellErrorText(record.message, record);
  const type = RULES.find((rule) => rule.test(record))?.type ?? ExchangeCommandError;
  return new type(`${cmdlet ?? 'PowerShell'}: ${record.message}`, { cause, cmdlet, record });
}

/**
 * Classifies what the shell wrote on stderr (parse errors, a failed session setup, a broken session): the
 * FullyQualifiedErrorId and CategoryInfo lines of PowerShell's error format carry the same facts as the envelope.
 */
export function classifyStderr(text: string, cmdlet?: string): ExchangeShellError {
  const line = (label: string) => new RegExp(`^\\s*\\+?\\s*${label}\\s*:\\s*(.*)$`, 'im').exec(text)?.[1]?.trim() ?? '';
  const categoryInfo = line('CategoryInfo');
  const errorId = line('FullyQualifiedErrorId');
  const reason = /\[[^\]]*\],\s*(\w+)\s*$/.exec(categoryInfo)?.[1] ?? '';
  const category = /^(\w+)\s*:/.exec(categoryInfo)?.[1] ?? '';
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const message = firstLine.replace(/^[\w-]+ : /, '');
  const record: ErrorRecord = { message, exceptionType: '', reason, category, errorId, target: '' };
  if (category === 'ParserError') {
    // A parse error means we sent text the shell cannot read: a renderer bug or a dialect mismatch, never transient.
    return new CatalogueError(`${cmdlet ?? 'PowerShell'}: the shell could not parse the command: ${message}`, {
      cause: new PowerShellErrorText(text, record),
      cmdlet,
      record,
    });
  }
  const classified = classifyErrorRecord(record, cmdlet);
  if (classified instanceof ExchangeCommandError) {
    return new ShellProcessError(`${cmdlet ?? 'PowerShell'}: the shell wrote to stderr: ${message}`, {
      cause: new PowerShellErrorText(text, record),
      cmdlet,
      record,
    });
  }
  const type = classified.constructor as ErrorClass;
  return new type(classified.message, { cause: new PowerShellErrorText(text, record), cmdlet, record });
}
