// An ExchangeCertificate (Get-ExchangeCertificate, New-ExchangeCertificate, Import-ExchangeCertificate): the
// properties selected, and the schema that reads them, from a whole object or from RawData alone.
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { ExchangeCertificate, exchangeCertificateSchema } from '../../../common/exchange';
import type { SelectProperty } from '../catalogue';
import { PsObjectType, boolSchema, bytesAsBase64, flagsSchema, psDateSchema } from '../output';

export const CERTIFICATE_PROPERTIES: readonly SelectProperty[] = [
  'Thumbprint',
  'Subject',
  'FriendlyName',
  { name: 'NotBefore', isoDateOf: 'NotBefore' },
  { name: 'NotAfter', isoDateOf: 'NotAfter' },
  { name: 'Services', stringOf: 'Services' },
  'PrivateKeyExportable',
  // The certificate itself: all that survives a broken serialization (read below).
  { name: 'RawData', base64Of: 'RawData' },
];

/** AllowedServices, in bit order: its [string] form reads "IMAP, POP, IIS, SMTP", lowest bit first. */
export const ALLOWED_SERVICES_BITS = {
  None: 0,
  IMAP: 1,
  POP: 2,
  UM: 4,
  IIS: 8,
  SMTP: 16,
  Federation: 32,
  UMCallRouter: 64,
} as const;
export const servicesSchema = flagsSchema(ALLOWED_SERVICES_BITS);

const isAbsent = (v: unknown) => v === null || v === undefined || v === '';

/**
 * An expired certificate with serialized data signing can come back over remoting with nothing but RawData (the DER
 * certificate; Microsoft's MonitorExchangeAuthCertificate hits this), from Get-, New- and Import-ExchangeCertificate
 * alike. The identity and validity are in the certificate itself, so those fields are read from it where the object
 * lacks them. What the DER cannot say stays unknown: no friendly name, no services, a private key not known to be
 * exportable.
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

export const CERTIFICATE: PsObjectType<ExchangeCertificate> = {
  name: 'ExchangeCertificate',
  select: CERTIFICATE_PROPERTIES,
  schema: certificateOutputSchema,
};
