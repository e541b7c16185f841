// PowerShell output, validated at the session boundary. The schemas accept what Windows PowerShell 5.1's ConvertTo-Json
// writes as well as PowerShell 7's: "\/Date(ms)\/" dates, enums as numbers, one object where an array was expected,
// arrays wrapped as {value:[...],Count:n}, extra PSComputerName/RunspaceId properties from implicit remoting.
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { ALLOWED_SERVICES_BITS } from '../../common/exchange-values';
import {
  AuthConfig,
  ExchangeCertificate,
  ExchangeServer,
  ServerRole,
  authConfigSchema,
  exchangeCertificateSchema,
  exchangeServerSchema,
  isoDateSchema,
  thumbprintSchema,
} from '../../common/exchange';
import { ErrorRecord, OutputSchemaError, errorRecordSchema } from './errors';

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

const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/** An instant as ISO-8601 UTC, from an ISO string, "\/Date(ms)\/", or 5.1's {value: "\/Date(ms)\/", DateTime: ...}. */
export const psDateSchema = z.preprocess((v) => {
  if (v && typeof v === 'object' && 'value' in v) v = (v as { value: unknown }).value;
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

/** A flags enum as names: "IMAP, POP, SMTP", 13, ["IMAP","SMTP"], or 5.1's {value: 13}. "None"/0 is empty. */
function flagsSchema(bits: Readonly<Record<string, number>>) {
  return z.preprocess((v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v) v = (v as { value: unknown }).value;
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

export const servicesSchema = flagsSchema(ALLOWED_SERVICES_BITS);

/** Microsoft.Exchange.Data.Directory.SystemConfiguration.ServerRole (only the roles the service reasons about matter). */
export const SERVER_ROLE_BITS = {
  None: 0,
  Cafe: 1,
  Mailbox: 2,
  ClientAccess: 4,
  UnifiedMessaging: 16,
  HubTransport: 32,
  Edge: 64,
  Monitoring: 128,
  CentralAdmin: 256,
  CentralAdminDatabase: 512,
  DomainController: 1024,
  WindowsDeploymentServer: 2048,
  ProvisionedServer: 4096,
  LanguagePacks: 8192,
  FrontendTransport: 16384,
  CafeArray: 32768,
  FfoWebService: 65536,
  OSP: 131072,
  ARR: 262144,
  ManagementFrontEnd: 524288,
  ManagementBackEnd: 1048576,
  SCOM: 2097152,
  CentralAdminFrontEnd: 4194304,
  NAT: 8388608,
  DHCP: 16777216,
} as const;
const DOMAIN_ROLES: readonly ServerRole[] = ['Mailbox', 'ClientAccess', 'Edge', 'UnifiedMessaging', 'HubTransport'];
export const serverRolesSchema = flagsSchema(SERVER_ROLE_BITS).transform((names) =>
  names.filter((n): n is ServerRole => (DOMAIN_ROLES as readonly string[]).includes(n)),
);

/** AdminDisplayVersion: "Version 15.2 (Build 1544.4)", "15.2.1544.4", or a {Major,Minor,Build,Revision} object. */
export const adminDisplayVersionSchema = z
  .union([
    z.string(),
    z.looseObject({
      Major: z.number().int(),
      Minor: z.number().int(),
      Build: z.number().int(),
      Revision: z.number().int(),
    }),
  ])
  .transform((v, ctx) => {
    if (typeof v === 'object') return { version: `${v.Major}.${v.Minor}.${v.Build}.${v.Revision}`, major: v.Major };
    const m =
      /^(?:Version\s+)?(\d+)\.(\d+)\s*\(Build\s+(\d+)\.(\d+)\)$/i.exec(v.trim()) ??
      /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `unrecognised AdminDisplayVersion ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return { version: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`, major: Number(m[1]) };
  });

/** Site: an ADObjectId as "contoso.com/Configuration/Sites/Default-First-Site-Name" or {Name: ...}. */
export const siteSchema = z
  .union([z.string(), z.looseObject({ Name: z.string() }), z.null()])
  .transform((v) => (v === null ? '' : typeof v === 'string' ? (v.split('/').pop() ?? '') : v.Name));

const boolSchema = z.preprocess((v) => (v === 'True' ? true : v === 'False' ? false : v), z.boolean());

/**
 * The forest root domain from the distinguished name of an object in the configuration partition, which is named after
 * it: "CN=EX1,...,CN=Configuration,DC=contoso,DC=com" gives "contoso.com". Null for any other name.
 */
export function forestRootOfConfigurationDn(dn: string): string | null {
  const m = /(?:^|,)\s*CN=Configuration\s*,((?:\s*DC=[^,]+\s*,?)+)$/i.exec(dn);
  if (!m) return null;
  return m[1]!
    .split(',')
    .map((part) => part.trim().replace(/^DC=/i, ''))
    .filter((part) => part !== '')
    .join('.');
}

const optionalText = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional());

export const exchangeServerOutputSchema = z
  .looseObject({
    Name: z.string().min(1),
    Fqdn: z.string().min(1),
    Site: siteSchema.optional(),
    ServerRole: serverRolesSchema,
    AdminDisplayVersion: adminDisplayVersionSchema,
    Domain: optionalText,
    DistinguishedName: optionalText,
  })
  .transform((o): ExchangeServer => {
    const forestRootDomain = o.DistinguishedName && forestRootOfConfigurationDn(o.DistinguishedName);
    return {
      name: o.Name,
      fqdn: o.Fqdn,
      site: o.Site ?? '',
      roles: o.ServerRole,
      version: o.AdminDisplayVersion.version,
      majorVersion: o.AdminDisplayVersion.major,
      ...(o.Domain ? { domain: o.Domain } : {}),
      ...(forestRootDomain ? { forestRootDomain } : {}),
    };
  })
  .pipe(exchangeServerSchema);

/** Bytes as PowerShell writes them: base64 text (a calculated property, or 7), or 5.1's numbers, maybe wrapped. */
export function bytesAsBase64(value: unknown): string | null {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in value) {
    value = (value as { value: unknown }).value;
  }
  if (typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Buffer.from(value as number[]).toString('base64');
  }
  return null;
}

const isAbsent = (v: unknown) => v === null || v === undefined || v === '';

/**
 * An expired certificate with serialized data signing can come back from Get-ExchangeCertificate over remoting with
 * nothing but RawData (the DER certificate; Microsoft's MonitorExchangeAuthCertificate hits this). The identity and
 * validity are in the certificate itself, so those fields are read from it where the object lacks them. What the DER
 * cannot say stays unknown: no friendly name, no services, a private key not known to be exportable.
 */
function withFieldsFromRawData(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  const wanted = ['Thumbprint', 'Subject', 'NotBefore', 'NotAfter'] as const;
  if (!wanted.some((k) => isAbsent(o[k]))) return value;
  const raw = bytesAsBase64(o.RawData);
  if (raw === null) return value;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(raw, 'base64'));
  } catch {
    return value;
  }
  const fromDer: Record<(typeof wanted)[number], string> = {
    Thumbprint: certificate.fingerprint.replace(/:/g, '').toUpperCase(),
    // OpenSSL lists the RDNs one per line, most significant first; .NET's Subject is the reverse, comma-separated.
    Subject: certificate.subject.split('\n').reverse().join(', '),
    NotBefore: new Date(Date.parse(certificate.validFrom)).toISOString(),
    NotAfter: new Date(Date.parse(certificate.validTo)).toISOString(),
  };
  const filled: Record<string, unknown> = { ...o };
  for (const k of wanted) if (isAbsent(o[k])) filled[k] = fromDer[k];
  if (isAbsent(o.PrivateKeyExportable)) filled.PrivateKeyExportable = false;
  return filled;
}

export const certificateOutputSchema = z
  .preprocess(
    withFieldsFromRawData,
    z.looseObject({
      Thumbprint: z.string(),
      Subject: z.string(),
      FriendlyName: z.string().nullish(),
      NotBefore: psDateSchema,
      NotAfter: psDateSchema,
      Services: servicesSchema,
      PrivateKeyExportable: boolSchema,
    }),
  )
  .transform((o): ExchangeCertificate => ({
    thumbprint: o.Thumbprint,
    subject: o.Subject,
    friendlyName: o.FriendlyName ?? '',
    notBefore: o.NotBefore,
    notAfter: o.NotAfter,
    services: o.Services,
    privateKeyExportable: o.PrivateKeyExportable,
  }))
  .pipe(exchangeCertificateSchema);

export const authConfigOutputSchema = z
  .looseObject({
    CurrentCertificateThumbprint: nullableThumbprintSchema.optional(),
    PreviousCertificateThumbprint: nullableThumbprintSchema.optional(),
    NextCertificateThumbprint: nullableThumbprintSchema.optional(),
    NextCertificateEffectiveDate: nullablePsDateSchema.optional(),
  })
  .transform((o): AuthConfig => ({
    currentCertificateThumbprint: o.CurrentCertificateThumbprint ?? null,
    previousCertificateThumbprint: o.PreviousCertificateThumbprint ?? null,
    nextCertificateThumbprint: o.NextCertificateThumbprint ?? null,
    nextCertificateEffectiveDate: o.NextCertificateEffectiveDate ?? null,
  }))
  .pipe(authConfigSchema);

export const winEventOutputSchema = z.looseObject({
  Id: z.number().int(),
  ProviderName: z.string().nullish(),
  Message: z.string().nullish(),
  TimeCreated: psDateSchema,
  MachineName: z.string().nullish(),
});

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

const THUMBPRINT_AT_END = /([0-9A-Fa-f]{40})\s*\.?\s*$/;

/** Event 2014: "The current signing certificate for Exchange has been updated to certificate with thumbprint X." */
export function thumbprintFromAuthAdminMessage(message: string): string | null {
  const m = THUMBPRINT_AT_END.exec(message.trim());
  return m ? m[1].toUpperCase() : null;
}

/**
 * The AuthAdmin servicelet's last run from Get-ExchangeDiagnosticInfo's XML (Result property): the lastRunTime of the
 * CacheScheduler under the AnchorApplication for AuthAdmin. Several AnchorApplication elements may exist, so the
 * one naming AuthAdmin wins; an attribute or a child element both count (verify the exact shape on a real server).
 */
export function authAdminLastRunFromDiagnosticXml(xml: string): string | null {
  const apps = [...xml.matchAll(/<AnchorApplication\b[^>]*>([\s\S]*?)<\/AnchorApplication>/gi)].map((m) => m[0]);
  // Another anchor application's run says nothing about AuthAdmin: reporting it would hide a servicelet that never
  // ran (the child-domain case). Only an XML without any application element is read as a whole.
  const candidates = apps.length > 0 ? apps.filter((a) => /AuthAdmin/i.test(a)) : [xml];
  for (const app of candidates) {
    const scheduler = /<CacheScheduler\b[^>]*?(?:\/>|>[\s\S]*?<\/CacheScheduler>)/i.exec(app)?.[0];
    if (!scheduler) continue;
    const text =
      /\blastRunTime\s*=\s*"([^"]*)"/i.exec(scheduler)?.[1] ??
      /<lastRunTime>\s*([^<]*?)\s*<\/lastRunTime>/i.exec(scheduler)?.[1];
    const date = text ? diagnosticDate(text) : null;
    if (date) return date;
  }
  return null;
}

/**
 * When the process Get-ExchangeDiagnosticInfo describes (MSExchangeServiceHost's) started: ProcessInfo's startTime in
 * its XML (Result property), or null when absent.
 */
export function processStartFromDiagnosticXml(xml: string): string | null {
  const info = /<ProcessInfo\b[^>]*>([\s\S]*?)<\/ProcessInfo>/i.exec(xml)?.[1];
  const text = info && /<startTime>\s*([^<]*?)\s*<\/startTime>/i.exec(info)?.[1];
  return text ? diagnosticDate(text) : null;
}

/** A date as the diagnostic XML writes it (XmlConvert round-trip, UTC when it carries no offset), as ISO. */
function diagnosticDate(text: string): string | null {
  const parsed = psDateSchema.safeParse(text);
  if (parsed.success) return parsed.data;
  const t = Date.parse(text.endsWith('Z') || /[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** w3wp.exe's command line names its pool as `-ap "<pool>"` (IIS writes it; pool names cannot contain quotes). */
const APP_POOL_ARGUMENT = /(?:^|\s)-ap\s+"([^"]+)"/i;

export function appPoolOfCommandLine(commandLine: string): string | null {
  return APP_POOL_ARGUMENT.exec(commandLine)?.[1] ?? null;
}

/**
 * A Win32_Process of w3wp.exe as Get-CimInstance hands it over (through Invoke-Command), with CreationDate selected as
 * ISO: ProcessId a number, CommandLine null or empty when it cannot be read. A process whose pool is unknown (no
 * readable command line) has pool null and says nothing about any pool.
 */
export const workerProcessOutputSchema = z
  .looseObject({
    ProcessId: z.number().int().nonnegative(),
    CommandLine: z.string().nullish(),
    CreationDate: nullablePsDateSchema.optional(),
  })
  .transform((o) => ({
    processId: o.ProcessId,
    pool: appPoolOfCommandLine(o.CommandLine ?? ''),
    startedAt: o.CreationDate ?? null,
  }));
