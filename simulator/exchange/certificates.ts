// Certificates of the simulated organisation and their PFX form. The PFX is not PKCS#12 but keeps the property that
// matters to the service: the bytes are opaque, only the right password opens them, and an import reproduces the same
// certificate (same thumbprint, same key) on another server.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { z } from 'zod';
import { encodeCertificate, thumbprintOf } from './der';
import { Certificate, ServiceName } from './model';

export const AUTH_CERT_SUBJECT = 'CN=Microsoft Exchange Server Auth Certificate';
export const AUTH_CERT_FRIENDLY_NAME = 'Microsoft Exchange Server Auth Certificate';
/** What Setup and New-ExchangeCertificate name any other self-signed certificate. */
export const DEFAULT_CERT_FRIENDLY_NAME = 'Microsoft Exchange';
const YEAR_MS = 365.25 * 24 * 3_600_000;
const PFX_MAGIC = Buffer.from('SIMPFX1\n', 'ascii');

export interface NewCertificateOptions {
  subject: string;
  /** A CA's name; self-signed (issuer = subject) without it. */
  issuer?: string;
  friendlyName: string;
  notBefore: number;
  lifetimeYears?: number;
  services: ServiceName[];
  privateKeyExportable: boolean;
  keySize?: number;
  domains?: string[];
  installedAt: number;
  installedBy: Certificate['installedBy'];
  /** Deterministic key material for scenarios; random otherwise. */
  seed?: string;
}

/** Normalises "cn=Foo" to "CN=Foo" the way X500DistinguishedName prints attribute names. */
export function normaliseSubject(subject: string): string {
  return subject
    .split(',')
    .map((part) => {
      const i = part.indexOf('=');
      if (i < 0) return part.trim();
      return `${part.slice(0, i).trim().toUpperCase()}=${part.slice(i + 1).trim()}`;
    })
    .join(', ');
}

export function makeCertificate(o: NewCertificateOptions): Certificate {
  const keyMaterial = o.seed ? createHash('sha256').update(o.seed).digest('hex') : randomBytes(32).toString('hex');
  const subject = normaliseSubject(o.subject);
  const fields = {
    subject,
    issuer: o.issuer ? normaliseSubject(o.issuer) : subject,
    serialNumber: createHash('md5').update(keyMaterial).digest('hex').toUpperCase(),
    notBefore: o.notBefore,
    notAfter: Math.floor(o.notBefore + (o.lifetimeYears ?? 5) * YEAR_MS),
    keySize: o.keySize ?? 2048,
    keyMaterial,
  };
  return {
    // As in Windows: the thumbprint is the SHA-1 of the certificate's DER encoding, which RawData carries.
    thumbprint: thumbprintOf(encodeCertificate(fields)),
    ...fields,
    friendlyName: o.friendlyName,
    services: o.services,
    privateKeyExportable: o.privateKeyExportable,
    domains: o.domains ?? [],
    installedAt: o.installedAt,
    installedBy: o.installedBy,
  };
}

/** The DER encoding (X509Certificate2.RawData). State files written before it existed hold other thumbprints. */
export function rawData(c: Certificate): Uint8Array {
  return new Uint8Array(encodeCertificate(c));
}

const pfxPayloadSchema = z.object({
  thumbprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  friendlyName: z.string(),
  serialNumber: z.string(),
  notBefore: z.number(),
  notAfter: z.number(),
  keySize: z.number(),
  domains: z.array(z.string()),
  keyMaterial: z.string(),
});

function key(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
}

export function exportPfx(c: Certificate, password: string): Uint8Array {
  const payload = JSON.stringify({
    thumbprint: c.thumbprint,
    subject: c.subject,
    issuer: c.issuer,
    friendlyName: c.friendlyName,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    keySize: c.keySize,
    domains: c.domains,
    keyMaterial: c.keyMaterial,
  });
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(password, salt), iv);
  const ct = Buffer.concat([cipher.update(payload, 'utf8'), cipher.final()]);
  return new Uint8Array(Buffer.concat([PFX_MAGIC, salt, iv, cipher.getAuthTag(), ct]));
}

export class PfxError extends Error {
  constructor(
    readonly problem: 'format' | 'password',
    message: string,
  ) {
    super(message);
    this.name = 'PfxError';
  }
}

export function importPfx(
  data: Uint8Array,
  password: string,
): Omit<Certificate, 'services' | 'privateKeyExportable' | 'installedAt' | 'installedBy'> {
  const buf = Buffer.from(data);
  if (buf.length < PFX_MAGIC.length + 44 || !buf.subarray(0, PFX_MAGIC.length).equals(PFX_MAGIC)) {
    throw new PfxError('format', 'ASN1 bad tag value met.');
  }
  let o = PFX_MAGIC.length;
  const salt = buf.subarray(o, (o += 16));
  const iv = buf.subarray(o, (o += 12));
  const tag = buf.subarray(o, (o += 16));
  const ct = buf.subarray(o);
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(password, salt), iv);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new PfxError('password', 'The specified network password is not correct.');
  }
  const parsed = pfxPayloadSchema.safeParse(JSON.parse(plain));
  if (!parsed.success) throw new PfxError('format', 'ASN1 bad tag value met.');
  return parsed.data;
}
