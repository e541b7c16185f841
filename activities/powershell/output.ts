// PowerShell output, validated at the session boundary: the envelope, and the shapes every Exchange object is built
// from. The schemas accept what Windows PowerShell 5.1's ConvertTo-Json writes as well as PowerShell 7's:
// "\/Date(ms)\/" dates, enums as numbers, one object where an array was expected, arrays wrapped as
// {value:[...],Count:n}, extra PSComputerName/RunspaceId properties from implicit remoting. Each Exchange object's own
// selected properties, schema and parser live in objects/.
import { z } from 'zod';
import { isoDateSchema, thumbprintSchema } from '../../common/exchange';
import type { SelectProperty } from './catalogue';
import { ErrorRecord, OutputSchemaError, errorRecordSchema } from './errors';

/**
 * One Exchange (or Windows) object as the service reads it: the properties a call selects and the schema that turns
 * what PowerShell wrote into the service's type. The two are declared together, so a property cannot be parsed
 * without being selected, nor selected without being read.
 */
export interface PsObjectType<T> {
  /** Names the object in errors. */
  readonly name: string;
  readonly select: readonly SelectProperty[];
  readonly schema: z.ZodType<T>;
}

/** 5.1 wraps some arrays as {value:[...],Count:n}; a single result may arrive unwrapped. Always a list afterwards. */
export function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.value) && ('Count' in o || 'count' in o) && Object.keys(o).length <= 3) return o.value;
  }
  return [value];
}

/** A value 5.1 may wrap as {value: ...} (a string with note properties, an enum): the value itself. */
export const unwrapValue = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v;

const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/** An instant as ISO-8601 UTC, from an ISO string, "\/Date(ms)\/", or 5.1's {value: "\/Date(ms)\/", DateTime: ...}. */
export const psDateSchema = z.preprocess((v) => {
  v = unwrapValue(v);
  if (typeof v !== 'string') return v;
  const ms = MS_DATE.exec(v);
  if (ms) return new Date(Number(ms[1])).toISOString();
  // Anything ISO-like with an offset is normalised to UTC "Z"; a date without offset is ambiguous and refused.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return v;
}, isoDateSchema);

export const nullablePsDateSchema = z.preprocess((v) => (v === '' ? null : v), psDateSchema.nullable());

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
export const nullableThumbprintSchema = z.preprocess(emptyToNull, thumbprintSchema.nullable());

/** A string, also when 5.1 wrapped it as {value: "..."}. */
export const stringValueSchema = z.preprocess(unwrapValue, z.string());

export const boolSchema = z.preprocess((v) => (v === 'True' ? true : v === 'False' ? false : v), z.boolean());

/** Text that may be absent, null or empty: undefined then. */
export const optionalText = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional());

/** A flags enum as names: "IMAP, POP, SMTP", 13, ["IMAP","SMTP"], or 5.1's {value: 13}. "None"/0 is empty. */
export function flagsSchema(bits: Readonly<Record<string, number>>) {
  return z.preprocess((v) => {
    v = unwrapValue(v);
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0) return v;
      const known = Object.entries(bits).filter(([, b]) => b !== 0 && (v as number) & b);
      const covered = known.reduce((acc, [, b]) => acc | b, 0);
      return covered === v ? known.map(([n]) => n) : v;
    }
    if (typeof v === 'string') v = v.split(',');
    if (Array.isArray(v))
      return v.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '' && s !== 'None');
    return v;
  }, z.array(z.string()));
}

/** Bytes as PowerShell writes them: base64 text (a calculated property, or 7), or 5.1's numbers, maybe wrapped. */
export function bytesAsBase64(value: unknown): string | null {
  value = unwrapValue(value);
  if (typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Buffer.from(value as number[]).toString('base64');
  }
  return null;
}

export const envelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorRecordSchema }),
]);

export type Envelope = { ok: true; value: unknown[] } | { ok: false; error: ErrorRecord };

/** Reads the envelope the per-call form writes: the last JSON line of stdout (anything before it is noise). */
export function parseEnvelope(stdout: string, cmdlet: string): Envelope {
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'));
  const last = lines[lines.length - 1];
  if (last === undefined) {
    throw new OutputSchemaError(`${cmdlet}: no JSON envelope in the shell's output`, {
      cmdlet,
      cause: new Error(stdout.slice(0, 2000)),
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch (error) {
    throw new OutputSchemaError(`${cmdlet}: the envelope is not valid JSON`, { cmdlet, cause: error });
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new OutputSchemaError(`${cmdlet}: unexpected envelope: ${z.prettifyError(parsed.error)}`, {
      cmdlet,
      cause: parsed.error,
    });
  }
  return parsed.data.ok ? { ok: true, value: asList(parsed.data.value) } : parsed.data;
}

/** Validates each item, naming the cmdlet and the field on failure. */
export function parseItems<T>(schema: z.ZodType<T>, items: unknown[], cmdlet: string): T[] {
  return items.map((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      throw new OutputSchemaError(`${cmdlet} output item ${index}: ${z.prettifyError(parsed.error)}`, {
        cmdlet,
        cause: parsed.error,
      });
    }
    return parsed.data;
  });
}

/** The one rule for "read exactly one": anything but one object is an OutputSchemaError naming the count. */
export function exactlyOne<T>(items: readonly T[], cmdlet: string): T {
  if (items.length !== 1)
    throw new OutputSchemaError(`${cmdlet}: expected one object, got ${items.length}`, { cmdlet });
  return items[0]!;
}

/** Every object of a call's output, parsed as `type`. */
export function parseObjects<T>(type: PsObjectType<T>, items: unknown[], cmdlet: string): T[] {
  return parseItems(type.schema, items, cmdlet);
}

/** Exactly one object of `type`, parsed. */
export function parseOneObject<T>(type: PsObjectType<T>, items: unknown[], cmdlet: string): T {
  return parseObjects(type, [exactlyOne(items, cmdlet)], cmdlet)[0]!;
}
