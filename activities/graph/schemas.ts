// Graph's answers validated at the boundary, and the key-credential body the rotation sends. A certificate's key
// credential is its public part only (the DER Exchange returns as RawData): no private key ever goes to Graph.
import { z } from 'zod';
import type { CertificatePublicPart, Thumbprint } from '../../common/exchange';

export type { CertificatePublicPart };

/** Microsoft's script: type AsymmetricX509Cert, usage Verify, the thumbprint as customKeyIdentifier. */
export const KEY_CREDENTIAL_TYPE = 'AsymmetricX509Cert';
export const KEY_CREDENTIAL_USAGE = 'Verify';

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);

/** Graph's timestamps ("2031-01-01T00:00:00Z", with or without fractions). */
const graphDate = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be a date');

export const keyCredentialSchema = z.looseObject({
  keyId: guid,
  type: z.string().nullish(),
  usage: z.string().nullish(),
  displayName: z.string().nullish(),
  customKeyIdentifier: z.string().nullish(),
  key: z.string().nullish(),
  startDateTime: graphDate.nullish(),
  endDateTime: graphDate.nullish(),
});
export type KeyCredential = z.infer<typeof keyCredentialSchema>;

export const applicationSchema = z.looseObject({
  id: guid,
  appId: guid,
  displayName: z.string().nullish(),
  keyCredentials: z.array(keyCredentialSchema),
});
export type HybridApplication = z.infer<typeof applicationSchema>;

export const applicationListSchema = z.looseObject({ value: z.array(applicationSchema) });

/** A credential as sent in PATCH: an existing one by its keyId alone (key null), or a new certificate. */
export type KeyCredentialInput =
  | { keyId: string; key: null }
  | {
      type: typeof KEY_CREDENTIAL_TYPE;
      usage: typeof KEY_CREDENTIAL_USAGE;
      key: string;
      customKeyIdentifier: Thumbprint;
      displayName: string;
      startDateTime: string;
      endDateTime: string;
    };

/** Graph's customKeyIdentifier is binary (base64 in JSON); the hex thumbprint reads back as itself. */
export function credentialThumbprint(k: KeyCredential): Thumbprint | null {
  const id = k.customKeyIdentifier;
  return id && /^[0-9A-Fa-f]{40}$/.test(id) ? id.toUpperCase() : null;
}

/** The new key credential for an Auth certificate (pure). */
export function keyCredentialBody(c: CertificatePublicPart, displayName: string): KeyCredentialInput {
  return {
    type: KEY_CREDENTIAL_TYPE,
    usage: KEY_CREDENTIAL_USAGE,
    key: c.rawData,
    customKeyIdentifier: c.thumbprint.toUpperCase(),
    displayName: displayName.slice(0, 90),
    startDateTime: c.notBefore,
    endDateTime: c.notAfter,
  };
}

/** Every existing credential kept by keyId (Graph does not return keys in reads), minus `without`. */
export function keptCredentials(app: HybridApplication, without: (k: KeyCredential) => boolean = () => false) {
  return app.keyCredentials.filter((k) => !without(k)).map((k): KeyCredentialInput => ({ keyId: k.keyId, key: null }));
}
