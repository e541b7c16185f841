// PowerShell's value semantics for the runtime values of types.ts: string conversion (invariant culture, as
// PowerShell's own conversions use), numbers, truthiness, type names, and System.DateTime formatting and parsing.
import {
  PSDateTime,
  PSEnum,
  PSError,
  PSHashtable,
  PSObject,
  PSSecureString,
  type PSScriptBlock,
  type PSValue,
} from './types';
import { at } from '../invariant';

/** A PSObject with a .NET runtime type, optional methods and a ToString() result: exceptions, writers, encodings. */
export class RuntimeObject extends PSObject {
  constructor(
    readonly runtimeType: string,
    properties: Record<string, PSValue> = {},
    readonly methods: Record<string, (args: PSValue[]) => PSValue | Promise<PSValue>> = {},
    readonly toStringValue?: string,
  ) {
    super(runtimeType, properties);
  }
}

export function isScriptBlock(value: unknown): value is PSScriptBlock {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'scriptblock' &&
    !(value instanceof PSObject)
  );
}

export function isArray(value: PSValue | undefined): value is PSValue[] {
  return Array.isArray(value);
}

/** The elements a value contributes when written to a pipeline: arrays and byte arrays enumerate, nothing else. */
export function enumerate(value: PSValue): PSValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Uint8Array) return [...value];
  return [value];
}

export function typeNameOf(value: PSValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'System.String';
  if (typeof value === 'boolean') return 'System.Boolean';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return 'System.Int32';
    if (Number.isInteger(value) && Math.abs(value) <= 9223372036854775807) return 'System.Int64';
    return 'System.Double';
  }
  if (value instanceof PSDateTime) return 'System.DateTime';
  if (value instanceof PSEnum) return value.typeName;
  if (value instanceof PSSecureString) return 'System.Security.SecureString';
  if (value instanceof Uint8Array) return 'System.Byte[]';
  if (Array.isArray(value)) return 'System.Object[]';
  if (value instanceof PSHashtable) return 'System.Collections.Hashtable';
  if (value instanceof RuntimeObject) return value.runtimeType;
  if (value instanceof PSObject) {
    const name = value.typeNames[0] ?? 'System.Management.Automation.PSCustomObject';
    return name.startsWith('Deserialized.') ? 'System.Management.Automation.PSObject' : name;
  }
  if (isScriptBlock(value)) return 'System.Management.Automation.ScriptBlock';
  return 'System.Object';
}

/** .NET's "G<precision>" formatting of a double (invariant culture), as the .NET Framework does it. */
function formatGeneral(n: number, precision: number): string {
  if (n === 0) return '0';
  const [mantissa = '', exp] = n.toExponential(precision - 1).split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '').replace(/0+$/, '') || '0';
  let body: string;
  if (exponent > -5 && exponent < precision) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1);
      body = fraction ? `${whole}.${fraction}` : whole;
    } else body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else {
    const fraction = digits.slice(1);
    const sign = exponent < 0 ? '-' : '+';
    body = `${digits[0]}${fraction ? `.${fraction}` : ''}E${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return negative ? `-${body}` : body;
}

function isWholeNumber(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 9223372036854775808;
}

/**
 * [string] of a number: integers in full (they are Int32/Int64 in PowerShell), doubles as .NET Framework's
 * Double.ToString(), i.e. 15 significant digits (1/3 is "0.333333333333333").
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (isWholeNumber(n)) return BigInt(n).toString();
  return formatGeneral(n, 15);
}

/** Double.ToString("R") of the .NET Framework, which JavaScriptSerializer writes: G15 if it round-trips, else G17. */
export function formatRoundTrip(n: number): string {
  if (!Number.isFinite(n) || isWholeNumber(n)) return formatNumber(n);
  const short = formatGeneral(n, 15);
  return Number(short) === n ? short : formatGeneral(n, 17);
}

/** [string]$value: PowerShell's invariant-culture conversion (arrays join with a space, $OFS's default). */
export function toStr(value: PSValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof PSDateTime) return formatDateTime(value, 'MM/dd/yyyy HH:mm:ss');
  if (value instanceof PSEnum) return value.names;
  if (value instanceof PSSecureString) return 'System.Security.SecureString';
  if (value instanceof Uint8Array) return [...value].join(' ');
  if (Array.isArray(value)) return value.map((v) => toStr(v)).join(' ');
  if (value instanceof PSHashtable) return 'System.Collections.Hashtable';
  if (value instanceof RuntimeObject) return value.toStringValue ?? value.runtimeType;
  if (value instanceof PSObject) return objectToString(value);
  if (isScriptBlock(value)) return value.text;
  return String(value);
}

/** PSCustomObject.ToString(): `@{a=1; b=System.Object[]}`. */
export function objectToString(obj: PSObject): string {
  const inner = obj
    .entries()
    .map(
      ([k, v]) =>
        `${k}=${Array.isArray(v) ? 'System.Object[]' : v instanceof PSObject && !(v instanceof RuntimeObject) ? objectToString(v) : toStr(v)}`,
    )
    .join('; ');
  return `@{${inner}}`;
}

export function isTrue(value: PSValue | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (value instanceof PSEnum) return value.value !== 0;
  if (Array.isArray(value)) {
    if (value.length === 0) return false;
    if (value.length === 1) return Array.isArray(value[0]) ? (value[0] as PSValue[]).length > 0 : isTrue(value[0]);
    return true;
  }
  return true;
}

const INT_FORMAT_ERROR = 'Input string was not in a correct format.';

/** Parses a string the way PowerShell converts strings to numbers: trims, allows hex, exponents and multipliers. */
export function parseNumberString(text: string): number | null {
  const s = text.trim();
  if (s === '') return 0;
  const m = /^([+-]?)(0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)(kb|mb|gb|tb|pb)?$/i.exec(s);
  if (!m) return null;
  const [, , digits = '', suffix] = m;
  const mult = suffix ? 2 ** (10 * (['kb', 'mb', 'gb', 'tb', 'pb'].indexOf(suffix.toLowerCase()) + 1)) : 1;
  const body = digits.toLowerCase().startsWith('0x') ? Number(BigInt.asIntN(32, BigInt(digits))) : Number(digits);
  const v = body * mult;
  return m[1] === '-' ? -v : v;
}

export class ConversionError extends Error {
  constructor(
    readonly valueText: string,
    readonly targetType: string,
    readonly inner: string | null,
    readonly fromString: boolean,
    readonly sourceType: string,
  ) {
    super(
      fromString || inner
        ? `Cannot convert value "${valueText}" to type "${targetType}".${inner ? ` Error: "${inner}"` : ''}`
        : `Cannot convert the "${valueText}" value of type "${sourceType}" to type "${targetType}".`,
    );
  }
}

function conversionError(value: PSValue, target: string, inner: string | null): ConversionError {
  return new ConversionError(toStr(value), target, inner, typeof value === 'string', typeNameOf(value));
}

/** Banker's rounding, as .NET converts a double to an integer. */
function roundHalfEven(n: number): number {
  const r = Math.round(n);
  return Math.abs(n % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function toInteger(value: PSValue, bits: 32 | 64 | 8): number {
  const target = bits === 32 ? 'System.Int32' : bits === 64 ? 'System.Int64' : 'System.Byte';
  let n: number;
  if (value === null) return 0;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else if (value instanceof PSEnum) n = value.value;
  else if (typeof value === 'string') {
    const parsed = parseNumberString(value);
    if (parsed === null) throw conversionError(value, target, INT_FORMAT_ERROR);
    n = parsed;
  } else if (Array.isArray(value) && value.length === 1) return toInteger(at(value, 0, 'element'), bits);
  else throw conversionError(value, target, null);
  n = roundHalfEven(n);
  const [min, max] =
    bits === 32 ? [-2147483648, 2147483647] : bits === 8 ? [0, 255] : [-9223372036854775808, 9223372036854775807];
  if (n < min || n > max) {
    throw conversionError(
      value,
      target,
      `Value was either too large or too small for ${bits === 32 ? 'an Int32' : bits === 8 ? 'an unsigned byte' : 'an Int64'}.`,
    );
  }
  return n;
}

export function toDouble(value: PSValue): number {
  if (value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof PSEnum) return value.value;
  if (typeof value === 'string') {
    const parsed = parseNumberString(value);
    if (parsed === null) throw conversionError(value, 'System.Double', INT_FORMAT_ERROR);
    return parsed;
  }
  throw conversionError(value, 'System.Double', null);
}

export function toDateTime(value: PSValue): PSDateTime {
  if (value instanceof PSDateTime) return value;
  if (typeof value === 'string') {
    const parsed = parseDateTime(value, false);
    if (!parsed) throw conversionError(value, 'System.DateTime', 'String was not recognized as a valid DateTime.');
    return parsed;
  }
  if (Array.isArray(value) && value.length === 1) return toDateTime(at(value, 0, 'element'));
  throw conversionError(value, 'System.DateTime', null);
}

// ------------------------------------------------------------------ System.DateTime

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const dayName = (d: Date) => at(DAY_NAMES, d.getUTCDay(), 'day name');
const monthName = (d: Date) => at(MONTH_NAMES, d.getUTCMonth(), 'month name');

/** The 7 fractional-second digits (ticks within the second). */
function fractionDigits(dt: PSDateTime): string {
  const whole = Math.floor(dt.ms);
  const withinSecond = ((whole % 1000) + 1000) % 1000;
  return String(withinSecond * 10000 + (dt.subMillisecondTicks ?? 0)).padStart(7, '0');
}

/** .NET custom and standard DateTime format strings, invariant culture; the simulated servers run in UTC. */
export function formatDateTime(dt: PSDateTime, format: string | null): string {
  const d = new Date(Math.floor(dt.ms));
  const offset = dt.kind === 'Utc' ? 'Z' : dt.kind === 'Local' ? '+00:00' : '';
  let f = format ?? 'G';
  if (f.length === 1) {
    switch (f) {
      case 'o':
      case 'O':
        return formatDateTime(dt, 'yyyy-MM-ddTHH:mm:ss.fffffff') + offset;
      case 's':
        f = 'yyyy-MM-ddTHH:mm:ss';
        break;
      case 'u':
        f = "yyyy-MM-dd HH:mm:ss'Z'";
        break;
      case 'd':
        f = 'M/d/yyyy';
        break;
      case 'D':
        f = 'dddd, MMMM d, yyyy';
        break;
      case 'g':
        f = 'M/d/yyyy h:mm tt';
        break;
      case 'G':
        f = 'M/d/yyyy h:mm:ss tt';
        break;
      case 'f':
        f = 'dddd, MMMM d, yyyy h:mm tt';
        break;
      case 'F':
        f = 'dddd, MMMM d, yyyy h:mm:ss tt';
        break;
      case 't':
        f = 'h:mm tt';
        break;
      case 'T':
        f = 'h:mm:ss tt';
        break;
      default:
        throw new Error('Input string was not in a correct format.');
    }
  }
  const fraction = fractionDigits(dt);
  let out = '';
  for (let i = 0; i < f.length;) {
    const c = f.charAt(i);
    let n = 1;
    while (f[i + n] === c) n++;
    switch (c) {
      case 'y':
        out += n <= 2 ? String(d.getUTCFullYear() % 100).padStart(n, '0') : String(d.getUTCFullYear()).padStart(n, '0');
        break;
      case 'M':
        out +=
          n >= 4 ? monthName(d) : n === 3 ? monthName(d).slice(0, 3) : String(d.getUTCMonth() + 1).padStart(n, '0');
        break;
      case 'd':
        out += n >= 4 ? dayName(d) : n === 3 ? dayName(d).slice(0, 3) : String(d.getUTCDate()).padStart(n, '0');
        break;
      case 'H':
        out += String(d.getUTCHours()).padStart(Math.min(n, 2), '0');
        break;
      case 'h':
        out += String(d.getUTCHours() % 12 || 12).padStart(Math.min(n, 2), '0');
        break;
      case 'm':
        out += String(d.getUTCMinutes()).padStart(Math.min(n, 2), '0');
        break;
      case 's':
        out += String(d.getUTCSeconds()).padStart(Math.min(n, 2), '0');
        break;
      case 'f':
        out += fraction.slice(0, Math.min(n, 7));
        break;
      case 'F': {
        const digits = fraction.slice(0, Math.min(n, 7)).replace(/0+$/, '');
        if (digits === '' && out.endsWith('.')) out = out.slice(0, -1);
        out += digits;
        break;
      }
      case 't':
        out += (d.getUTCHours() < 12 ? 'AM' : 'PM').slice(0, n === 1 ? 1 : 2);
        break;
      case 'K':
        out += offset;
        break;
      case 'z':
        out += n === 1 ? '+0' : n === 2 ? '+00' : '+00:00';
        break;
      case "'":
      case '"': {
        const close = f.indexOf(c, i + 1);
        const end = close < 0 ? f.length : close;
        out += f.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      case '\\':
        out += f[i + 1] ?? '';
        i += 2;
        continue;
      default:
        out += c.repeat(n);
    }
    i += n;
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * DateTime.Parse with the invariant culture. ISO 8601 with `Z` or an offset gives a Local time (or Utc / Local with
 * RoundtripKind), without one Unspecified. Also the invariant "MM/dd/yyyy HH:mm:ss" forms. Null when not a date.
 */
export function parseDateTime(text: string, roundtripKind: boolean): PSDateTime | null {
  const s = text.trim();
  let m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  let year: number,
    month: number,
    day: number,
    hour = 0,
    minute = 0,
    second = 0,
    fraction = '';
  let zone: string | undefined;
  if (m) {
    [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    hour = Number(m[4] ?? 0);
    minute = Number(m[5] ?? 0);
    second = Number(m[6] ?? 0);
    fraction = m[7] ?? '';
    zone = m[8];
  } else {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(AM|PM))?)?$/i.exec(s);
    if (!m) return null;
    [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    hour = Number(m[4] ?? 0);
    minute = Number(m[5] ?? 0);
    second = Number(m[6] ?? 0);
    if (m[7]) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    return null;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  const ticks = fraction ? Number(fraction.padEnd(7, '0')) : 0;
  ms += Math.floor(ticks / 10000);
  const subMs = ticks % 10000;
  if (!zone) return new PSDateTime(ms, 'Unspecified', subMs);
  if (zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const offsetMs = (Number(zm[2]) * 60 + Number(zm[3])) * 60000 * (zm[1] === '-' ? -1 : 1);
    ms -= offsetMs;
    return new PSDateTime(ms, 'Local', subMs);
  }
  return new PSDateTime(ms, roundtripKind ? 'Utc' : 'Local', subMs);
}

/** DateTime.AddX(double): .NET rounds the scaled value to the nearest millisecond. */
export function addToDateTime(dt: PSDateTime, amount: number, scaleMs: number): PSDateTime {
  const delta = amount * scaleMs;
  const rounded = delta >= 0 ? Math.floor(delta + 0.5) : Math.ceil(delta - 0.5);
  const ms = dt.ms + rounded;
  if (ms < -62135596800000 || ms > 253402300799999) {
    throw new PSError(
      'Exception calling "Add" with "1" argument(s): "The added or subtracted value results in an un-representable DateTime."',
      {
        category: 'NotSpecified',
        reason: 'MethodInvocationException',
        exceptionType: 'System.Management.Automation.MethodInvocationException',
        errorId: 'ArgumentOutOfRangeException',
      },
    );
  }
  return new PSDateTime(ms, dt.kind, dt.subMillisecondTicks);
}

export function dateTimeProperty(dt: PSDateTime, name: string): PSValue | undefined {
  const d = new Date(Math.floor(dt.ms));
  switch (name.toLowerCase()) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'second':
      return d.getUTCSeconds();
    case 'millisecond':
      return d.getUTCMilliseconds();
    case 'dayofweek':
      return new PSEnum('System.DayOfWeek', d.getUTCDay(), dayName(d));
    case 'dayofyear':
      return (
        Math.floor(
          (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) /
            86400000,
        ) + 1
      );
    case 'kind':
      return new PSEnum('System.DateTimeKind', { Unspecified: 0, Utc: 1, Local: 2 }[dt.kind], dt.kind);
    case 'date':
      return new PSDateTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), dt.kind);
    case 'ticks':
      return Number(BigInt(Math.floor(dt.ms)) * 10000n + BigInt(dt.subMillisecondTicks ?? 0) + 621355968000000000n);
    case 'datetime':
      return formatDateTime(dt, 'dddd, MMMM d, yyyy h:mm:ss tt');
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------ enums

/**
 * Numeric values of an enum declared by name only (ParamType `{ enum, values, flags }`): for flags enums a leading
 * 'None' is 0 and the others are successive bits; otherwise the position in `values`.
 */
export function enumValueOf(values: string[], flags: boolean, index: number): number {
  if (!flags) return index;
  if (values[0]?.toLowerCase() === 'none') return index === 0 ? 0 : 2 ** (index - 1);
  return 2 ** index;
}

export function makeEnum(typeName: string, values: string[], flags: boolean, input: PSValue): PSEnum {
  if (input instanceof PSEnum && input.typeName === typeName) return input;
  const fail = (inner: string) => conversionError(input, typeName, inner);
  const listMessage = `Unable to match the identifier name ${toStr(input)} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n${values.join(', ')}`;
  const names: string[] = [];
  const add = (raw: string) => {
    const index = values.findIndex((v) => v.toLowerCase() === raw.trim().toLowerCase());
    if (index < 0) throw fail(listMessage);
    names.push(at(values, index, 'enumerator'));
  };
  if (typeof input === 'string') {
    const pieces = flags ? input.split(',') : [input];
    for (const p of pieces) add(p);
  } else if (Array.isArray(input) && flags) {
    for (const p of input) add(toStr(p));
  } else if (typeof input === 'number' || input instanceof PSEnum) {
    const n = typeof input === 'number' ? input : input.value;
    if (!flags) {
      if (!Number.isInteger(n) || n < 0 || n >= values.length) throw fail(listMessage);
      return new PSEnum(typeName, n, at(values, n, 'enumerator'));
    }
    let rest = n;
    for (let i = values.length - 1; i >= 0; i--) {
      const v = enumValueOf(values, flags, i);
      if (v !== 0 && (rest & v) === v) {
        names.unshift(at(values, i, 'enumerator'));
        rest &= ~v;
      }
    }
    if (rest !== 0) throw fail(listMessage);
    if (names.length === 0) {
      if (values[0]?.toLowerCase() === 'none') return new PSEnum(typeName, 0, values[0]);
      throw fail(listMessage);
    }
    return new PSEnum(typeName, n, names.join(', '));
  } else throw conversionError(input, typeName, null);
  let value = 0;
  for (const name of names) value |= enumValueOf(values, flags, values.indexOf(name));
  if (!flags) return new PSEnum(typeName, value, at(names, 0, 'enumerator'));
  const ordered = values.filter((v, i) => names.includes(v) && (enumValueOf(values, flags, i) !== 0 || value === 0));
  return new PSEnum(
    typeName,
    value,
    value === 0
      ? (ordered[0] ?? at(values, 0, 'enumerator'))
      : ordered.filter((v) => enumValueOf(values, flags, values.indexOf(v)) !== 0).join(', '),
  );
}
