// The DER encoding of a simulated certificate: a syntactically real X.509 v3 certificate (subject, issuer, serial,
// validity, an RSA public key of the certificate's size), so that a client reading `RawData` with an X.509 parser gets
// the certificate's thumbprint (SHA-1 of these bytes), subject and dates, as it does from a real server when
// serialization is broken and RawData is all that comes back. The key and the signature are derived from the
// certificate's opaque key material: well-formed, never verifiable, never a real key.
import { createHash } from 'node:crypto';
import { at, defined } from '../invariant';

/** What the encoding is made from: fields every stored certificate has. */
export interface DerFields {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: number;
  notAfter: number;
  keySize: number;
  keyMaterial: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);
const NULL = Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from big-endian bytes (a leading zero keeps it positive). */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * defined(a, `first arc of OID ${dotted}`) + defined(b, `second arc of OID ${dotted}`)];
  for (const n of rest) {
    const groups: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

const COMMON_NAME_OID = '2.5.4.3';
const ATTRIBUTE_OIDS: Record<string, string> = {
  CN: COMMON_NAME_OID,
  C: '2.5.4.6',
  L: '2.5.4.7',
  S: '2.5.4.8',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1',
};

/**
 * A distinguished name as .NET prints it ("CN=host, O=Contoso": most specific first) to a DER Name, whose order is
 * the reverse. An attribute outside the table becomes part of a common name, so the text survives.
 */
function name(text: string): Buffer {
  const parts = text
    .split(/,\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  const rdns = parts.map((part) => {
    const i = part.indexOf('=');
    const key = i > 0 ? part.slice(0, i).toUpperCase() : '';
    const known = ATTRIBUTE_OIDS[key];
    const value = known ? part.slice(i + 1) : part;
    // Country is a PrintableString; everything else is UTF8String.
    const string = key === 'C' ? tlv(0x13, Buffer.from(value, 'ascii')) : tlv(0x0c, Buffer.from(value, 'utf8'));
    return set(sequence(oid(known ?? COMMON_NAME_OID), string));
  });
  return sequence(...rdns.reverse());
}

/** UTCTime up to 2049, GeneralizedTime from 2050, to the second as certificates hold it. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = Number(iso.slice(0, 4));
  return year >= 1950 && year < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** `bytes` pseudo-random bytes from a seed (SHA-256 in counter mode): deterministic, so the encoding is stable. */
function stretch(seed: string, bytes: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < bytes; i++) blocks.push(createHash('sha256').update(`${seed}|${i}`).digest());
  return Buffer.concat(blocks).subarray(0, bytes);
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL);

function rsaPublicKey(keyMaterial: string, keySize: number): Buffer {
  const modulus = stretch(`modulus|${keyMaterial}`, Math.ceil(keySize / 8));
  modulus[0] = at(modulus, 0, 'modulus byte') | 0x80; // a modulus of exactly keySize bits
  modulus[modulus.length - 1] = at(modulus, modulus.length - 1, 'modulus byte') | 1; // and odd
  const key = sequence(unsignedInteger(modulus), unsignedInteger(Buffer.from([0x01, 0x00, 0x01])));
  return sequence(sequence(oid('1.2.840.113549.1.1.1'), NULL), tlv(0x03, Buffer.from([0]), key));
}

/** The certificate's DER bytes; its SHA-1 is the certificate's thumbprint. */
export function encodeCertificate(c: DerFields): Buffer {
  const tbs = sequence(
    tlv(0xa0, unsignedInteger(Buffer.from([2]))), // version 3
    unsignedInteger(Buffer.from(c.serialNumber.length % 2 ? `0${c.serialNumber}` : c.serialNumber, 'hex')),
    SHA256_WITH_RSA,
    name(c.issuer),
    sequence(time(c.notBefore), time(c.notAfter)),
    name(c.subject),
    rsaPublicKey(c.keyMaterial, c.keySize),
  );
  const signature = stretch(`signature|${c.keyMaterial}|${createHash('sha256').update(tbs).digest('hex')}`, 256);
  return sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
}

export function thumbprintOf(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}
