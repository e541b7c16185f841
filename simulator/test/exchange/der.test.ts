// RawData is a certificate an X.509 parser reads: its SHA-1 is the thumbprint, and subject, issuer, serial and
// validity (to the second) are the certificate's, whatever the names and dates (property).
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { makeCertificate, rawData } from '../../exchange/certificates';
import { START } from './helpers';

const YEAR = 365.25 * 24 * 3_600_000;
/** An attribute value without the separators a distinguished name's text form gives meaning to. */
const value = fc.stringMatching(/^[A-Za-z0-9 .@-]{1,30}$/).map((v) => v.trim() || 'x');
const dn = fc
  .array(fc.tuple(fc.constantFrom('CN', 'O', 'OU', 'L', 'ST', 'DC'), value), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.map(([k, v]) => `${k}=${v}`).join(', '));

test('the DER matches the certificate it stands for', () => {
  fc.assert(
    fc.property(
      dn,
      fc.option(dn, { nil: undefined }),
      fc.integer({ min: -40 * 365, max: 30 * 365 }),
      fc.integer({ min: 1, max: 60 }),
      fc.constantFrom(1024, 2048, 4096),
      (subject, issuer, days, lifetimeYears, keySize) => {
        const c = makeCertificate({
          subject,
          issuer,
          friendlyName: 'f',
          notBefore: START + days * 86_400_000 + 123,
          lifetimeYears,
          services: [],
          privateKeyExportable: true,
          keySize,
          installedAt: START,
          installedBy: 'new',
        });
        const x = new X509Certificate(Buffer.from(rawData(c)));
        const dotNet = (openssl: string) => openssl.split('\n').reverse().join(', ');
        expect(x.fingerprint.replace(/:/g, '')).toBe(c.thumbprint);
        expect(dotNet(x.subject)).toBe(c.subject);
        expect(dotNet(x.issuer)).toBe(c.issuer);
        expect(x.serialNumber).toBe(c.serialNumber.replace(/^(00)+(?=..)/, ''));
        expect(Date.parse(x.validFrom)).toBe(Math.floor(c.notBefore / 1000) * 1000);
        expect(Date.parse(x.validTo)).toBe(Math.floor(c.notAfter / 1000) * 1000);
        expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(keySize);
        expect(c.notAfter - c.notBefore).toBeCloseTo(lifetimeYears * YEAR, -3);
      },
    ),
    { numRuns: 200 },
  );
});
