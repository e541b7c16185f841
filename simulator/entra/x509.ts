// Just enough X.509 for the simulated Entra endpoint: a CA and a TLS server certificate for its HTTPS listener, and
// client certificates a test or the demo registers for a service principal. DER is written by hand (node:crypto
// signs, it cannot issue certificates), so the simulator needs no certificate library with global side effects.
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { defined } from '../invariant';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  // A missing byte reads as 0, as JavaScript's `undefined & n` would.
  while (b.length > 1 && b[0] === 0 && ((b[1] ?? 0) & 0x80) === 0) b = b.subarray(1);
  return tlv(0x02, (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [defined(a, `first arc of OID ${dotted}`) * 40 + defined(b, `second arc of OID ${dotted}`)];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const text = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(text.slice(2), 'ascii')) : tlv(0x18, Buffer.from(text));
}

/** A name of one common name: `CN=...`. */
const name = (commonName: string) => sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName)))));

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) => {
      if (isIP(n) === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
      return tlv(0x82, Buffer.from(n, 'ascii'));
    }),
  );
}

export interface IssuedCertificate {
  /** The certificate, DER. */
  der: Buffer;
  pem: string;
  /** SHA-1 of the DER, upper-case hex: what Windows and Exchange call the thumbprint. */
  thumbprint: string;
  /** PKCS#8 PEM: stays with whoever the certificate is for. */
  privateKeyPem: string;
  privateKey: KeyObject;
  commonName: string;
}

export interface CertificateRequest {
  commonName: string;
  notBefore: number;
  notAfter: number;
  /** Signs as this CA; absent: self-signed. */
  issuer?: IssuedCertificate;
  /** A CA certificate (basicConstraints cA). */
  ca?: boolean;
  /** DNS names and IPv4 addresses (a TLS server certificate). */
  altNames?: readonly string[];
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** An RSA 2048 certificate issued by `issuer` (or self-signed), with its new private key. */
export function issueCertificate(request: CertificateRequest): IssuedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const extensions: Buffer[] = [];
  if (request.ca) extensions.push(extension('2.5.29.19', true, sequence(tlv(0x01, Buffer.from([0xff])))));
  if (request.altNames?.length) extensions.push(extension('2.5.29.17', false, subjectAltNames(request.altNames)));
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    SHA256_WITH_RSA,
    name(request.issuer?.commonName ?? request.commonName),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    ...(extensions.length ? [explicit(3, sequence(...extensions))] : []),
  );
  const signature = sign('sha256', tbs, request.issuer?.privateKey ?? privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  // Parsing it back proves the encoding before anyone else relies on it.
  new X509Certificate(der);
  return {
    der,
    pem: toPem(der),
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
    commonName: request.commonName,
  };
}
