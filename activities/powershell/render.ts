// The one literal renderer (docs/powershell-dialect.md, "Renderer rules"). Every value that reaches PowerShell text
// passes through renderLiteral; the output never contains a raw line break and never leaves a quoted context open.
import { CatalogueError } from './errors';

/**
 * An absolute instant, sent as invariant ISO-8601 and parsed by the shell. It is the only kind of date: a date relative
 * to `(Get-Date)` would be evaluated on the worker's host (also in remote mode: arguments are evaluated before implicit
 * remoting sends them), whose clock may be off from the Exchange server's. Dates are built from the Exchange server's
 * clock instead (docs/powershell-dialect.md, "Dates on the Exchange server's clock").
 */
export class PsAbsoluteDate {
  readonly iso: string;
  constructor(iso: string) {
    const ms = Date.parse(iso);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso) || !Number.isFinite(ms)) {
      throw new CatalogueError(`absolute date must be ISO-8601 with an offset, got ${JSON.stringify(iso)}`);
    }
    this.iso = new Date(ms).toISOString();
  }
}
/** An ordered hashtable literal with string keys. */
export class PsHashtable {
  constructor(readonly entries: ReadonlyArray<readonly [string, PsLiteral]>) {}
  static of(record: Record<string, PsLiteral>): PsHashtable {
    return new PsHashtable(Object.entries(record));
  }
}
/**
 * A variable reference ($name in a script block's param(), $cred, $env:NAME): only code, never input, names one.
 * Secrets reach PowerShell this way (a variable set inside the shell, or the environment the process inherited), never
 * as literal text, which script-block logging and transcription would record.
 */
export class PsVariable {
  constructor(readonly name: string) {
    if (!/^(?:env:)?[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new CatalogueError(`invalid variable name ${JSON.stringify(name)}`);
  }
}
/** A script block whose text is a constant of this module's callers (see catalogue.ts), never built from input. */
export class PsScriptBlock {
  constructor(readonly text: string) {
    if (/[\r\n\u0085\u2028\u2029]/.test(text)) throw new CatalogueError('script block text must be one line');
  }
}

export type PsLiteral =
  string | number | boolean | null | PsAbsoluteDate | PsHashtable | PsVariable | PsScriptBlock | readonly PsLiteral[];

const QUOTES = /['\u2018\u2019\u201A\u201B]/g;
// Below U+0020 plus the line terminators PowerShell also honours (U+0085, U+2028, U+2029), so no command holds a raw
// line break; and everything outside ASCII, because Windows PowerShell 5.1 decodes its redirected stdin with the OEM
// code page while node-powershell writes UTF-8 (rannn505/child-shell#132: "ä" arrives as "├ñ"). With every
// non-ASCII character sent as [char]N the command text is pure ASCII and arrives intact whatever the code page; this
// also covers lone surrogates, which UTF-8 cannot carry at all.
const NEEDS_CHAR = /[\u0000-\u001F\u007F-\uFFFF]/g;

function quotePiece(s: string): string {
  return `'${s.replace(QUOTES, (q) => q + q)}'`;
}

export function renderString(value: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of value.matchAll(NEEDS_CHAR)) {
    const index = m.index ?? 0;
    if (index > last) parts.push(quotePiece(value.slice(last, index)));
    // A leading [char] would make `+` add numbers; an empty string first makes it a concatenation.
    if (parts.length === 0) parts.push("''");
    parts.push(`[char]${m[0].charCodeAt(0)}`);
    last = index + m[0].length;
  }
  if (parts.length === 0) return quotePiece(value);
  if (last < value.length) parts.push(quotePiece(value.slice(last)));
  return `(${parts.join(' + ')})`;
}

export function renderNumber(value: number): string {
  if (!Number.isFinite(value)) throw new CatalogueError(`number must be finite, got ${value}`);
  // JavaScript's shortest round-trip form is culture-free and valid PowerShell (1.5, 1e+21, 5e-7).
  const text = Object.is(value, -0) ? '0' : String(value);
  return value < 0 ? `(${text})` : text;
}

export function renderIsoDate(iso: string): string {
  const seven = iso.replace(/\.(\d{3})Z$/, '.$10000Z');
  return `([datetime]::Parse(${renderString(seven)}, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind))`;
}

export function renderLiteral(value: PsLiteral): string {
  if (value === null) return '$null';
  switch (typeof value) {
    case 'string':
      return renderString(value);
    case 'number':
      return renderNumber(value);
    case 'boolean':
      return value ? '$true' : '$false';
    case 'object':
      break;
    default:
      throw new CatalogueError(`cannot render a value of type ${typeof value}`);
  }
  if (Array.isArray(value)) return `@(${value.map((v) => renderLiteral(v)).join(', ')})`;
  if (value instanceof PsAbsoluteDate) return renderIsoDate(value.iso);
  if (value instanceof PsHashtable) {
    if (value.entries.length === 0) return '@{}';
    // PowerShell refuses a hash literal that repeats a key, comparing keys case-insensitively.
    const keys = new Set(value.entries.map(([k]) => k.toLowerCase()));
    if (keys.size !== value.entries.length) throw new CatalogueError('hashtable keys must differ (case-insensitively)');
    return `@{ ${value.entries.map(([k, v]) => `${renderString(k)} = ${renderLiteral(v)}`).join('; ')} }`;
  }
  if (value instanceof PsVariable) return `$${value.name}`;
  if (value instanceof PsScriptBlock) return `{ ${value.text} }`;
  throw new CatalogueError(`cannot render ${Object.prototype.toString.call(value)}`);
}
