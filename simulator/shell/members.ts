// Members of runtime values (properties and methods of strings, arrays, hashtables, DateTime, objects), the .NET
// static members the dialect uses ([datetime]::Parse, [System.Convert]::FromBase64String, [Console]::Out, ...), and
// casts. Errors are PowerShell's: MethodNotFound, InvokeMethodOnNull, MethodCountCouldNotFindBest, TypeNotFound.
import { methodInvocationError, runtimeError } from './errors';
import { randomFillSync } from 'node:crypto';
import { PSDateTime, PSEnum, PSError, PSHashtable, PSObject, PSSecureString, type PSValue } from './types';
import {
  addToDateTime,
  ConversionError,
  dateTimeProperty,
  formatDateTime,
  formatNumber,
  isScriptBlock,
  isTrue,
  parseDateTime,
  RuntimeObject,
  toDateTime,
  toDouble,
  toInteger,
  toStr,
  typeNameOf,
} from './values';
import { at } from '../invariant';

export interface RuntimeHost {
  now(): PSDateTime;
  writeOut(text: string): void;
  writeErr(text: string): void;
}

const TYPE_ALIASES: Record<string, string> = {
  string: 'System.String',
  int: 'System.Int32',
  int32: 'System.Int32',
  long: 'System.Int64',
  int64: 'System.Int64',
  double: 'System.Double',
  decimal: 'System.Decimal',
  bool: 'System.Boolean',
  boolean: 'System.Boolean',
  char: 'System.Char',
  byte: 'System.Byte',
  'byte[]': 'System.Byte[]',
  datetime: 'System.DateTime',
  array: 'System.Array',
  'object[]': 'System.Object[]',
  'string[]': 'System.String[]',
  object: 'System.Object',
  hashtable: 'System.Collections.Hashtable',
  scriptblock: 'System.Management.Automation.ScriptBlock',
  securestring: 'System.Security.SecureString',
  pscustomobject: 'System.Management.Automation.PSObject',
  psobject: 'System.Management.Automation.PSObject',
  pscredential: 'System.Management.Automation.PSCredential',
  xml: 'System.Xml.XmlDocument',
  void: 'System.Void',
  console: 'System.Console',
  convert: 'System.Convert',
  math: 'System.Math',
  datetimekind: 'System.DateTimeKind',
  exception: 'System.Exception',
  'text.encoding': 'System.Text.Encoding',
  'globalization.cultureinfo': 'System.Globalization.CultureInfo',
  'globalization.datetimestyles': 'System.Globalization.DateTimeStyles',
  'management.automation.errorrecord': 'System.Management.Automation.ErrorRecord',
  'management.automation.runtimeexception': 'System.Management.Automation.RuntimeException',
  'management.automation.psobject': 'System.Management.Automation.PSObject',
  'management.automation.pscredential': 'System.Management.Automation.PSCredential',
  'management.automation.pscustomobject': 'System.Management.Automation.PSObject',
  'management.automation.scriptblock': 'System.Management.Automation.ScriptBlock',
  'security.securestring': 'System.Security.SecureString',
  'collections.hashtable': 'System.Collections.Hashtable',
  'xml.xmldocument': 'System.Xml.XmlDocument',
  'net.networkcredential': 'System.Net.NetworkCredential',
  'threading.thread': 'System.Threading.Thread',
  'security.cryptography.randomnumbergenerator': 'System.Security.Cryptography.RandomNumberGenerator',
};
const KNOWN_TYPES = new Set([
  ...Object.values(TYPE_ALIASES),
  'System.Int16',
  'System.UInt32',
  'System.UInt64',
  'System.Single',
]);

/** Resolves a type literal's name (`[datetime]`, `[System.Text.Encoding]`, `[Text.Encoding]`) to its full name. */
export function resolveType(name: string): string {
  const lower = name.toLowerCase();
  const short = lower.startsWith('system.') ? lower.slice(7) : lower;
  const full =
    TYPE_ALIASES[lower] ??
    TYPE_ALIASES[short] ??
    [...KNOWN_TYPES].find((t) => t.toLowerCase() === lower || t.toLowerCase() === `system.${lower}`);
  if (!full) throw runtimeError(`Unable to find type [${name}].`, 'TypeNotFound', 'InvalidOperation', name);
  return full;
}

export function typeObject(fullName: string): RuntimeObject {
  const dot = fullName.lastIndexOf('.');
  return new RuntimeObject(
    'System.RuntimeType',
    { FullName: fullName, Name: fullName.slice(dot + 1), Namespace: dot < 0 ? '' : fullName.slice(0, dot) },
    {},
    fullName,
  );
}

function methodNotFound(value: PSValue, name: string): PSError {
  const type =
    value instanceof RuntimeObject && value.runtimeType === 'System.RuntimeType' ? toStr(value) : typeNameOf(value);
  return runtimeError(
    `Method invocation failed because [${type}] does not contain a method named '${name}'.`,
    'MethodNotFound',
    'InvalidOperation',
  );
}

function overloadError(name: string, count: number): PSError {
  return new PSError(`Cannot find an overload for "${name}" and the argument count: "${count}".`, {
    category: 'NotSpecified',
    reason: 'MethodException',
    exceptionType: 'System.Management.Automation.MethodException',
    errorId: 'MethodCountCouldNotFindBest',
  });
}

function checkArgs(name: string, args: PSValue[], ...allowed: number[]) {
  if (!allowed.includes(args.length)) throw overloadError(name, args.length);
}

/** Argument `i` of a call whose count checkArgs (or the caller) has already checked. */
function arg(args: PSValue[], i: number): PSValue {
  return at(args, i, 'method argument');
}

/** Converts a method argument, reporting a failure as .NET method binding does. */
function argument<T>(method: string, args: PSValue[], convert: () => T): T {
  try {
    return convert();
  } catch (e) {
    if (e instanceof ConversionError) {
      throw new PSError(
        `Cannot convert argument "${'value'}", with value: "${e.valueText}", for "${method}" to type "${e.targetType}": "${e.message}"`,
        {
          category: 'NotSpecified',
          reason: 'MethodException',
          exceptionType: 'System.Management.Automation.MethodException',
          errorId: 'MethodArgumentConversionInvalidCastArgument',
        },
      );
    }
    throw e;
  }
}

// ------------------------------------------------------------------ instance members

export function getMember(value: PSValue, name: string): PSValue {
  const lower = name.toLowerCase();
  if (value === null) return null;
  if (Array.isArray(value) || value instanceof Uint8Array) {
    if (lower === 'count' || lower === 'length') return value.length;
    if (lower === 'rank') return 1;
    // Member enumeration (PowerShell 3+): the property of each element.
    const items = Array.isArray(value) ? value : [...value];
    const results = items.map((v) => getMember(v, name)).filter((v) => v !== null);
    return results.length === 0 ? null : results.length === 1 ? at(results, 0, 'member value') : results;
  }
  if (value instanceof PSHashtable) {
    if (value.has(name)) return value.get(name) ?? null;
    if (lower === 'count') return value.entries().length;
    if (lower === 'keys') return value.entries().map(([k]) => k);
    if (lower === 'values') return value.entries().map(([, v]) => v);
    return null;
  }
  if (value instanceof PSObject) {
    if (value.has(name)) return value.get(name) ?? null;
    if (lower === 'count') return 1;
    return null;
  }
  if (typeof value === 'string') {
    if (lower === 'length') return value.length;
    if (lower === 'count') return 1;
    return null;
  }
  if (value instanceof PSDateTime) return dateTimeProperty(value, name) ?? null;
  if (value instanceof PSEnum) return lower === 'value__' ? value.value : null;
  if (value instanceof PSSecureString) return lower === 'length' ? value.plainText.length : null;
  if (isScriptBlock(value) && lower === 'ast') return null;
  if (lower === 'count' || lower === 'length') return 1;
  return null;
}

export function setMember(target: PSValue, name: string, value: PSValue): void {
  if (target instanceof PSHashtable || target instanceof PSObject) {
    target.set(name, value);
    return;
  }
  if (target === null) {
    throw runtimeError(
      `The property '${name}' cannot be found on this object. Verify that the property exists and can be set.`,
      'PropertyNotFound',
    );
  }
  throw runtimeError(`"${name}" is a ReadOnly property.`, 'PropertyAssignmentException');
}

function dateTimeMethod(dt: PSDateTime, name: string, args: PSValue[]): PSValue {
  const lower = name.toLowerCase();
  const scales: Record<string, number> = {
    addmilliseconds: 1,
    addseconds: 1000,
    addminutes: 60000,
    addhours: 3600000,
    adddays: 86400000,
  };
  const scale = lower in scales ? scales[lower] : undefined;
  if (scale !== undefined) {
    checkArgs(name, args, 1);
    return addToDateTime(
      dt,
      argument(name, args, () => toDouble(arg(args, 0))),
      scale,
    );
  }
  switch (lower) {
    case 'touniversaltime':
      checkArgs(name, args, 0);
      return new PSDateTime(dt.ms, 'Utc', dt.subMillisecondTicks);
    case 'tolocaltime':
      checkArgs(name, args, 0);
      return new PSDateTime(dt.ms, 'Local', dt.subMillisecondTicks);
    case 'tostring': {
      checkArgs(name, args, 0, 1, 2);
      const format = args.length === 0 || args[0] instanceof RuntimeObject ? null : toStr(args[0]);
      try {
        return formatDateTime(dt, format === '' ? null : format);
      } catch {
        throw methodInvocationError(
          'ToString',
          args.length,
          'Input string was not in a correct format.',
          'FormatException',
        );
      }
    }
    case 'toshortdatestring':
      return formatDateTime(dt, 'M/d/yyyy');
    case 'tolongdatestring':
      return formatDateTime(dt, 'dddd, MMMM d, yyyy');
    case 'toshorttimestring':
      return formatDateTime(dt, 'h:mm tt');
    case 'adddays':
      break;
    case 'addyears':
    case 'addmonths': {
      checkArgs(name, args, 1);
      const n = argument(name, args, () => toInteger(arg(args, 0), 32));
      const d = new Date(Math.floor(dt.ms));
      const months = d.getUTCMonth() + n * (lower === 'addyears' ? 12 : 1);
      const year = d.getUTCFullYear() + Math.floor(months / 12);
      const month = ((months % 12) + 12) % 12;
      const day = Math.min(d.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
      const ms = Date.UTC(
        year,
        month,
        day,
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        d.getUTCMilliseconds(),
      );
      return new PSDateTime(ms, dt.kind, dt.subMillisecondTicks);
    }
    case 'compareto':
      checkArgs(name, args, 1);
      return Math.sign(dt.ms - toDateTime(arg(args, 0)).ms);
    case 'equals':
      checkArgs(name, args, 1);
      return args[0] instanceof PSDateTime && args[0].ms === dt.ms;
  }
  throw methodNotFound(dt, name);
}

function stringMethod(s: string, name: string, args: PSValue[]): PSValue {
  const str = (i: number) => toStr(args[i]);
  const int = (i: number) => argument(name, args, () => toInteger(arg(args, i), 32));
  const outOfRange = (param: string) =>
    methodInvocationError(
      name,
      args.length,
      `${param === 'startIndex' ? 'startIndex cannot be larger than length of string.' : 'Index and length must refer to a location within the string.'}\r\nParameter name: ${param}`,
      'ArgumentOutOfRangeException',
    );
  switch (name.toLowerCase()) {
    case 'toupper':
    case 'toupperinvariant':
      return s.toUpperCase();
    case 'tolower':
    case 'tolowerinvariant':
      return s.toLowerCase();
    case 'tostring':
      return s;
    case 'trim':
    case 'trimstart':
    case 'trimend': {
      const chars = args.length ? args.map((a) => toStr(a)).join('') : null;
      const lower = name.toLowerCase();
      const isTrim = (c: string) => (chars === null ? /\s/.test(c) : chars.includes(c));
      let start = 0;
      let end = s.length;
      if (lower !== 'trimend') while (start < end && isTrim(s.charAt(start))) start++;
      if (lower !== 'trimstart') while (end > start && isTrim(s.charAt(end - 1))) end--;
      return s.slice(start, end);
    }
    case 'substring': {
      checkArgs(name, args, 1, 2);
      const start = int(0);
      if (start < 0 || start > s.length) throw outOfRange('startIndex');
      if (args.length === 1) return s.slice(start);
      const length = int(1);
      if (length < 0 || start + length > s.length) throw outOfRange('length');
      return s.slice(start, start + length);
    }
    case 'replace':
      checkArgs(name, args, 2);
      if (str(0) === '')
        throw methodInvocationError(
          name,
          2,
          'String cannot be of zero length.\r\nParameter name: oldValue',
          'ArgumentException',
        );
      return s.split(str(0)).join(str(1));
    case 'contains':
      checkArgs(name, args, 1);
      return s.includes(str(0));
    case 'startswith':
      checkArgs(name, args, 1, 2);
      return s.startsWith(str(0));
    case 'endswith':
      checkArgs(name, args, 1, 2);
      return s.endsWith(str(0));
    case 'indexof':
      checkArgs(name, args, 1, 2);
      return s.indexOf(str(0), args.length > 1 ? int(1) : 0);
    case 'lastindexof':
      checkArgs(name, args, 1);
      return s.lastIndexOf(str(0));
    case 'split': {
      // Windows PowerShell 5.1 binds a string argument to Split(char[]): every character is a separator.
      const separators = args.length === 0 ? [' ', '\t', '\n', '\r'] : args.flatMap((a) => [...toStr(a)]);
      const out: string[] = [];
      let current = '';
      for (const c of s) {
        if (separators.includes(c)) {
          out.push(current);
          current = '';
        } else current += c;
      }
      out.push(current);
      return out;
    }
    case 'padleft':
      checkArgs(name, args, 1, 2);
      return s.padStart(int(0), args.length > 1 ? str(1) : ' ');
    case 'padright':
      checkArgs(name, args, 1, 2);
      return s.padEnd(int(0), args.length > 1 ? str(1) : ' ');
    case 'equals':
      checkArgs(name, args, 1);
      return args[0] === s;
    case 'tochararray':
      return [...s];
    case 'normalize':
      return s.normalize();
    case 'gettype':
      break;
  }
  throw methodNotFound(s, name);
}

/** Calls a method on a value; `invokeBlock` runs script blocks for `.Invoke()`. */
export async function callMethod(
  value: PSValue,
  name: string,
  args: PSValue[],
  invokeBlock: (block: PSValue, args: PSValue[]) => Promise<PSValue>,
): Promise<PSValue> {
  const lower = name.toLowerCase();
  if (value === null) throw runtimeError('You cannot call a method on a null-valued expression.', 'InvokeMethodOnNull');
  if (lower === 'gettype' && args.length === 0) return typeObject(typeNameOf(value));
  if (value instanceof RuntimeObject) {
    const method = Object.entries(value.methods).find(([k]) => k.toLowerCase() === lower)?.[1];
    if (method) return method(args);
    if (lower === 'tostring') return toStr(value);
    throw methodNotFound(value, name);
  }
  if (typeof value === 'string') return stringMethod(value, name, args);
  if (value instanceof PSDateTime) return dateTimeMethod(value, name, args);
  if (isScriptBlock(value)) {
    if (lower === 'invoke' || lower === 'invokereturnasis') return invokeBlock(value, args);
    if (lower === 'tostring') return value.text;
    throw methodNotFound(value, name);
  }
  if (lower === 'tostring' && args.length === 0) return toStr(value);
  if (typeof value === 'number' && lower === 'tostring') {
    const format = toStr(args[0]);
    const [, letter, count] = /^([NnDdFf])(\d*)$/.exec(format) ?? [];
    if (letter !== undefined && count !== undefined) {
      const kind = letter.toLowerCase();
      const digits = count === '' ? (kind === 'd' ? 0 : 2) : Number(count);
      if (kind === 'd') return String(Math.trunc(value)).padStart(digits, '0');
      const fixed = value.toFixed(digits);
      return kind === 'n'
        ? Number(fixed).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
        : fixed;
    }
    return formatNumber(value);
  }
  if (lower === 'equals' && args.length === 1) return value === args[0];
  if (value instanceof PSHashtable) {
    switch (lower) {
      case 'containskey':
      case 'contains':
        checkArgs(name, args, 1);
        return value.has(toStr(args[0]));
      case 'add':
        checkArgs(name, args, 2);
        if (value.has(toStr(args[0]))) {
          throw methodInvocationError(
            'Add',
            2,
            `Item has already been added. Key in dictionary: '${toStr(args[0])}'  Key being added: '${toStr(args[0])}'`,
            'ArgumentException',
          );
        }
        value.set(toStr(args[0]), arg(args, 1));
        return null;
      case 'remove': {
        checkArgs(name, args, 1);
        (value as unknown as { items: Map<string, unknown> }).items.delete(toStr(args[0]).toLowerCase());
        return null;
      }
    }
  }
  if (Array.isArray(value)) {
    if (lower === 'contains' && args.length === 1) return value.some((v) => v === args[0]);
    if (lower === 'indexof' && args.length === 1) return value.findIndex((v) => v === args[0]);
    const results: PSValue[] = [];
    for (const item of value) results.push(await callMethod(item, name, args, invokeBlock));
    return results;
  }
  if (value instanceof PSEnum && lower === 'hasflag') {
    checkArgs(name, args, 1);
    const flag = arg(args, 0);
    return (value.value & toInteger(flag instanceof PSEnum ? flag.value : flag, 32)) !== 0;
  }
  throw methodNotFound(value, name);
}

// ------------------------------------------------------------------ static members

function encoding(name: string, webName: string): RuntimeObject {
  return new RuntimeObject(
    name === 'UTF8' ? 'System.Text.UTF8Encoding' : `System.Text.${name}Encoding`,
    {
      EncodingName: name === 'UTF8' ? 'Unicode (UTF-8)' : name,
      WebName: webName,
      CodePage: webName === 'utf-8' ? 65001 : 1200,
    },
    {
      GetBytes: (args) =>
        Uint8Array.from(
          Buffer.from(toStr(args[0]), webName === 'utf-8' ? 'utf8' : webName === 'us-ascii' ? 'ascii' : 'utf16le'),
        ),
      GetString: (args) =>
        Buffer.from(args[0] instanceof Uint8Array ? args[0] : Uint8Array.from((args[0] as number[]) ?? [])).toString(
          webName === 'utf-8' ? 'utf8' : webName === 'us-ascii' ? 'ascii' : 'utf16le',
        ),
    },
    `System.Text.${name}Encoding`,
  );
}

const DATE_TIME_STYLES: Array<[string, number]> = [
  ['None', 0],
  ['AllowLeadingWhite', 1],
  ['AllowTrailingWhite', 2],
  ['AllowInnerWhite', 4],
  ['AllowWhiteSpaces', 7],
  ['NoCurrentDateDefault', 8],
  ['AdjustToUniversal', 16],
  ['AssumeLocal', 32],
  ['AssumeUniversal', 64],
  ['RoundtripKind', 128],
];

const CULTURE_NAMES: Record<string, string> = {
  '': 'Invariant Language (Invariant Country)',
  'en-US': 'English (United States)',
  'en-GB': 'English (United Kingdom)',
  'ja-JP': 'Japanese (Japan)',
  'de-DE': 'German (Germany)',
  'fr-FR': 'French (France)',
};

export function culture(name: string): RuntimeObject {
  const known = Object.keys(CULTURE_NAMES).find((n) => n.toLowerCase() === name.toLowerCase());
  const canonical = known ?? name;
  return new RuntimeObject(
    'System.Globalization.CultureInfo',
    { Name: canonical, DisplayName: CULTURE_NAMES[canonical] ?? canonical },
    {},
    canonical,
  );
}

/** The culture the simulated Windows account runs in: EXCHANGE_SIM_UI_CULTURE (e.g. ja-JP), en-US by default. */
function hostUICulture(): string {
  return process.env.EXCHANGE_SIM_UI_CULTURE || 'en-US';
}

function base64Decode(text: string): Uint8Array {
  const s = text.replace(/[\s]/g, '');
  if (s.length % 4 !== 0)
    throw methodInvocationError(
      'FromBase64String',
      1,
      'Invalid length for a Base-64 char array or string.',
      'FormatException',
    );
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw methodInvocationError(
      'FromBase64String',
      1,
      'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. ',
      'FormatException',
    );
  }
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

export class StaticState {
  /** [System.Threading.Thread]::CurrentThread: its CurrentUICulture is settable, for one pipeline at a time. */
  readonly thread = new RuntimeObject(
    'System.Threading.Thread',
    { ManagedThreadId: 1, CurrentCulture: culture('en-US'), CurrentUICulture: culture(hostUICulture()) },
    {},
    'System.Threading.Thread',
  );

  /** Windows PowerShell 5.1 starts every pipeline in the host's culture: a culture set by the last one is gone. */
  resetThreadCulture(): void {
    this.thread.set('CurrentCulture', culture('en-US'));
    this.thread.set('CurrentUICulture', culture(hostUICulture()));
  }

  /** powershell.exe starts with the console's OEM code page (437 in en-US); the service switches it to UTF-8. */
  outputEncoding: PSValue = new RuntimeObject(
    'System.Text.SBCSCodePageEncoding',
    { EncodingName: 'OEM United States', WebName: 'ibm437', CodePage: 437 },
    {},
    'System.Text.SBCSCodePageEncoding',
  );

  /** True once [Console]::OutputEncoding is a UTF-8 encoding. */
  get outputIsUtf8(): boolean {
    const e = this.outputEncoding;
    return e instanceof PSObject && String(e.get('WebName')).toLowerCase() === 'utf-8';
  }
  readonly out: RuntimeObject;
  readonly err: RuntimeObject;
  constructor(private readonly host: RuntimeHost) {
    const writer = (write: (t: string) => void) =>
      new RuntimeObject(
        'System.IO.TextWriter',
        {},
        {
          WriteLine: (args) => {
            write(`${args.length ? toStr(args[0]) : ''}\n`);
            return null;
          },
          Write: (args) => {
            write(toStr(args[0]));
            return null;
          },
          Flush: () => null,
        },
      );
    this.out = writer((t) => host.writeOut(t));
    this.err = writer((t) => host.writeErr(t));
  }

  getStatic(typeName: string, member: string): PSValue {
    const type = resolveType(typeName);
    const lower = member.toLowerCase();
    switch (type) {
      case 'System.DateTime':
        if (lower === 'utcnow') return new PSDateTime(this.host.now().ms, 'Utc', this.host.now().subMillisecondTicks);
        if (lower === 'now') return new PSDateTime(this.host.now().ms, 'Local', this.host.now().subMillisecondTicks);
        if (lower === 'today') {
          const d = new Date(Math.floor(this.host.now().ms));
          return new PSDateTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), 'Local');
        }
        if (lower === 'minvalue') return new PSDateTime(-62135596800000, 'Unspecified');
        if (lower === 'maxvalue') return new PSDateTime(253402300799999, 'Unspecified', 9999);
        break;
      case 'System.Console':
        if (lower === 'out') return this.out;
        if (lower === 'error') return this.err;
        if (lower === 'outputencoding' || lower === 'inputencoding') return this.outputEncoding;
        break;
      case 'System.Threading.Thread':
        if (lower === 'currentthread') return this.thread;
        break;
      case 'System.Text.Encoding':
        if (lower === 'utf8') return encoding('UTF8', 'utf-8');
        if (lower === 'unicode') return encoding('Unicode', 'utf-16');
        if (lower === 'ascii') return encoding('ASCII', 'us-ascii');
        if (lower === 'default') return encoding('UTF8', 'utf-8');
        break;
      case 'System.Globalization.CultureInfo':
        if (lower === 'invariantculture') return culture('');
        if (lower === 'currentculture') return this.thread.get('CurrentCulture') ?? null;
        if (lower === 'currentuiculture') return this.thread.get('CurrentUICulture') ?? null;
        break;
      case 'System.Globalization.DateTimeStyles': {
        const style = DATE_TIME_STYLES.find(([n]) => n.toLowerCase() === lower);
        if (style) return new PSEnum('System.Globalization.DateTimeStyles', style[1], style[0]);
        break;
      }
      case 'System.DateTimeKind': {
        const kinds = ['Unspecified', 'Utc', 'Local'];
        const i = kinds.findIndex((k) => k.toLowerCase() === lower);
        if (i >= 0) return new PSEnum('System.DateTimeKind', i, at(kinds, i, 'kind'));
        break;
      }
      case 'System.String':
        if (lower === 'empty') return '';
        break;
      case 'System.Int32':
        if (lower === 'maxvalue') return 2147483647;
        if (lower === 'minvalue') return -2147483648;
        break;
      case 'System.Math':
        if (lower === 'pi') return Math.PI;
        break;
    }
    return null;
  }

  setStatic(typeName: string, member: string, value: PSValue): void {
    const type = resolveType(typeName);
    if (
      type === 'System.Console' &&
      (member.toLowerCase() === 'outputencoding' || member.toLowerCase() === 'inputencoding')
    ) {
      this.outputEncoding = value;
      return;
    }
    throw runtimeError(`"${member}" is a ReadOnly property.`, 'PropertyAssignmentException');
  }

  callStatic(typeName: string, member: string, args: PSValue[]): PSValue {
    const type = resolveType(typeName);
    const lower = member.toLowerCase();
    const fail = () => {
      throw runtimeError(
        `Method invocation failed because [${type}] does not contain a method named '${member}'.`,
        'MethodNotFound',
        'InvalidOperation',
      );
    };
    switch (type) {
      case 'System.DateTime':
        if (lower === 'parse' || lower === 'tryparse') {
          if (lower === 'tryparse') fail();
          checkArgs('Parse', args, 1, 2, 3);
          const styles = args[2] instanceof PSEnum ? args[2].value : args.length > 2 ? toInteger(arg(args, 2), 32) : 0;
          const parsed = parseDateTime(toStr(args[0]), (styles & 128) !== 0);
          if (!parsed)
            throw methodInvocationError(
              'Parse',
              args.length,
              'String was not recognized as a valid DateTime.',
              'FormatException',
            );
          if ((styles & 16) !== 0) return new PSDateTime(parsed.ms, 'Utc', parsed.subMillisecondTicks);
          if ((styles & 64) !== 0 && parsed.kind === 'Unspecified')
            return new PSDateTime(parsed.ms, 'Local', parsed.subMillisecondTicks);
          return parsed;
        }
        if (lower === 'specifykind') {
          checkArgs(member, args, 2);
          const kind = toStr(args[1]) as 'Utc' | 'Local' | 'Unspecified';
          return new PSDateTime(
            toDateTime(arg(args, 0)).ms,
            ['Utc', 'Local', 'Unspecified'].includes(kind) ? kind : 'Unspecified',
            toDateTime(arg(args, 0)).subMillisecondTicks,
          );
        }
        break;
      case 'System.Convert':
        if (lower === 'frombase64string') {
          checkArgs(member, args, 1);
          if (args[0] === null)
            throw methodInvocationError(
              'FromBase64String',
              1,
              'Value cannot be null.\r\nParameter name: s',
              'ArgumentNullException',
            );
          return base64Decode(toStr(args[0]));
        }
        if (lower === 'tobase64string') {
          checkArgs(member, args, 1);
          const v = args[0];
          if (v === null)
            throw methodInvocationError(
              'ToBase64String',
              1,
              'Value cannot be null.\r\nParameter name: inArray',
              'ArgumentNullException',
            );
          const bytes =
            v instanceof Uint8Array ? v : Array.isArray(v) ? Uint8Array.from(v.map((b) => toInteger(b, 8))) : null;
          if (!bytes) throw overloadError(member, 1);
          return Buffer.from(bytes).toString('base64');
        }
        if (lower === 'toint32') return toInteger(arg(args, 0), 32);
        if (lower === 'tostring') return toStr(args[0]);
        break;
      case 'System.Console':
        if (lower === 'writeline') {
          this.host.writeOut(`${args.length ? toStr(args[0]) : ''}\n`);
          return null;
        }
        if (lower === 'write') {
          this.host.writeOut(toStr(args[0]));
          return null;
        }
        break;
      case 'System.String':
        if (lower === 'isnullorempty') return args[0] === null || toStr(args[0]) === '';
        if (lower === 'isnullorwhitespace') return args[0] === null || toStr(args[0]).trim() === '';
        if (lower === 'join') {
          const items = args.length === 2 && Array.isArray(args[1]) ? args[1] : args.slice(1);
          return items.map((v) => toStr(v)).join(toStr(args[0]));
        }
        break;
      case 'System.Math': {
        const nums = args.map((a) => toDouble(a));
        // A missing argument reads as NaN, as Math gives for undefined.
        const num = (i: number) => nums[i] ?? Number.NaN;
        if (lower === 'floor') return Math.floor(num(0));
        if (lower === 'ceiling') return Math.ceil(num(0));
        if (lower === 'abs') return Math.abs(num(0));
        if (lower === 'min') return Math.min(num(0), num(1));
        if (lower === 'max') return Math.max(num(0), num(1));
        if (lower === 'round') {
          const digits = nums[1] ?? 0;
          const f = 10 ** digits;
          const x = num(0) * f;
          const r = Math.round(x);
          return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) / f;
        }
        break;
      }
      case 'System.Int32':
        if (lower === 'parse') {
          const s = toStr(args[0]).trim();
          if (!/^[+-]?\d+$/.test(s))
            throw methodInvocationError(
              'Parse',
              args.length,
              'Input string was not in a correct format.',
              'FormatException',
            );
          return toInteger(s, 32);
        }
        break;
      case 'System.Globalization.CultureInfo':
        if (lower === 'getcultureinfo') return culture(toStr(args[0]));
        break;
      case 'System.Byte[]':
        if (lower === 'new') {
          checkArgs('new', args, 1);
          const length = toInteger(arg(args, 0), 32);
          if (length < 0)
            throw methodInvocationError(
              '.ctor',
              1,
              'Arithmetic operation resulted in an overflow.',
              'OverflowException',
            );
          return new Uint8Array(length);
        }
        break;
      case 'System.Security.Cryptography.RandomNumberGenerator':
        if (lower === 'create') {
          checkArgs(member, args, 0);
          return new RuntimeObject(
            'System.Security.Cryptography.RNGCryptoServiceProvider',
            {},
            {
              GetBytes: (a) => {
                if (!(a[0] instanceof Uint8Array)) throw overloadError('GetBytes', a.length);
                randomFillSync(a[0]);
                return null;
              },
              Dispose: () => null,
            },
            'System.Security.Cryptography.RNGCryptoServiceProvider',
          );
        }
        break;
      case 'System.Net.NetworkCredential':
        if (lower === 'new') {
          checkArgs('new', args, 0, 2, 3);
          const password =
            args[1] instanceof PSSecureString ? args[1].plainText : args[1] == null ? '' : toStr(args[1]);
          return new RuntimeObject(
            'System.Net.NetworkCredential',
            {
              UserName: args[0] == null ? '' : toStr(args[0]),
              Password: password,
              SecurePassword: new PSSecureString(password),
              Domain: args[2] == null ? '' : toStr(args[2]),
            },
            {},
            'System.Net.NetworkCredential',
          );
        }
        break;
      case 'System.Management.Automation.PSCredential':
        if (lower === 'new') {
          checkArgs('new', args, 2);
          // PSCredential's constructor refuses an empty user name: a credential variable that was never set fails here.
          if (args[0] === null || toStr(args[0]) === '') {
            throw methodInvocationError(
              '.ctor',
              2,
              'Cannot process argument because the value of argument "userName" is not valid. Change the value of the "userName" argument and run the operation again.',
              'PSArgumentException',
            );
          }
          if (!(args[1] instanceof PSSecureString)) {
            throw new PSError(
              `Cannot convert argument "password", with value: "${toStr(args[1])}", for "PSCredential" to type "System.Security.SecureString": "Cannot convert the "${toStr(args[1])}" value of type "${typeNameOf(args[1])}" to type "System.Security.SecureString"."`,
              {
                category: 'NotSpecified',
                reason: 'MethodException',
                exceptionType: 'System.Management.Automation.MethodException',
                errorId: 'MethodArgumentConversionInvalidCastArgument',
              },
            );
          }
          return new RuntimeObject(
            'System.Management.Automation.PSCredential',
            { UserName: toStr(args[0]), Password: args[1] },
            {},
            'System.Management.Automation.PSCredential',
          );
        }
        break;
    }
    return fail();
  }
}

// ------------------------------------------------------------------ casts

function castError(value: PSValue, target: string, inner: string | null, id: string): PSError {
  const message =
    typeof value === 'string' || inner
      ? `Cannot convert value "${toStr(value)}" to type "${target}".${inner ? ` Error: "${inner}"` : ''}`
      : `Cannot convert the "${toStr(value)}" value of type "${typeNameOf(value)}" to type "${target}".`;
  return runtimeError(message, id, 'InvalidArgument');
}

export function castTo(typeName: string, value: PSValue): PSValue {
  const type = resolveType(typeName);
  const guard = <T>(f: () => T, id: string): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ConversionError) throw castError(value, e.targetType, e.inner, id);
      throw e;
    }
  };
  switch (type) {
    case 'System.String':
      return value === null ? '' : toStr(value);
    case 'System.Int32':
      return guard(() => toInteger(value, 32), 'InvalidCastFromStringToInteger');
    case 'System.Int64':
      return guard(() => toInteger(value, 64), 'InvalidCastFromStringToInteger');
    case 'System.Byte':
      return guard(() => toInteger(value, 8), 'InvalidCastFromStringToInteger');
    case 'System.Double':
    case 'System.Decimal':
    case 'System.Single':
      return guard(() => toDouble(value), 'InvalidCastFromStringToDoubleOrSingle');
    case 'System.Boolean':
      return isTrue(value);
    case 'System.Char': {
      if (typeof value === 'number' || typeof value === 'boolean') {
        const n = guard(() => toInteger(value, 32), 'InvalidCastException');
        if (n < 0 || n > 0xffff)
          throw castError(
            value,
            'System.Char',
            'Value was either too large or too small for a character.',
            'InvalidCastIConvertible',
          );
        return String.fromCharCode(n);
      }
      if (typeof value === 'string') {
        if (value.length !== 1)
          throw castError(
            value,
            'System.Char',
            'String must be exactly one character long.',
            'InvalidCastParseTargetInvocation',
          );
        return value;
      }
      throw castError(value, 'System.Char', null, 'ConvertToFinalInvalidCastException');
    }
    case 'System.DateTime':
      return guard(() => toDateTime(value), 'InvalidCastParseTargetInvocationWithFormatProvider');
    case 'System.Byte[]':
      if (value instanceof Uint8Array) return value;
      return guard(
        () => Uint8Array.from((Array.isArray(value) ? value : [value]).map((v) => toInteger(v, 8))),
        'InvalidCastFromStringToInteger',
      );
    case 'System.Array':
    case 'System.Object[]':
      return value === null ? [] : Array.isArray(value) ? value : value instanceof Uint8Array ? [...value] : [value];
    case 'System.String[]':
      return value === null ? [] : (Array.isArray(value) ? value : [value]).map((v) => toStr(v));
    case 'System.Object':
      return value;
    case 'System.Collections.Hashtable':
      if (value instanceof PSHashtable) return value;
      throw castError(value, type, null, 'ConvertToFinalInvalidCastException');
    case 'System.Management.Automation.PSObject': {
      if (!(value instanceof PSHashtable)) return value;
      const obj = new PSObject('System.Management.Automation.PSCustomObject');
      for (const [k, v] of value.entries()) obj.set(k, v);
      return obj;
    }
    case 'System.Management.Automation.ScriptBlock':
      if (isScriptBlock(value)) return value;
      throw castError(value, type, null, 'ConvertToFinalInvalidCastException');
    case 'System.Security.SecureString':
      if (value instanceof PSSecureString) return value;
      throw castError(value, type, null, 'ConvertToFinalInvalidCastException');
    case 'System.Void':
      return null;
    case 'System.Xml.XmlDocument':
      throw runtimeError(
        'Casting to [xml] is not supported by the simulated Exchange Management Shell.',
        'InvalidCastToXmlDocument',
        'NotImplemented',
      );
  }
  if (value !== null && typeNameOf(value) === type) return value;
  throw castError(value, type, null, 'ConvertToFinalInvalidCastException');
}
