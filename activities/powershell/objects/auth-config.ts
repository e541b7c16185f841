// AuthConfig (Get-AuthConfig): the current, previous and next Auth certificates and the next one's effective date.
import { z } from 'zod';
import { AuthConfig, authConfigSchema } from '../../../common/exchange';
import type { SelectProperty } from '../catalogue';
import { PsObjectType, nullablePsDateSchema, nullableThumbprintSchema } from '../output';

// NextCertificateEffectiveDate is null when nothing is staged; a calculated .ToUniversalTime() would fail on null, so
// the raw value travels and the schema reads both "\/Date(ms)\/" (5.1) and ISO (7).
export const AUTH_CONFIG_PROPERTIES: readonly SelectProperty[] = [
  'CurrentCertificateThumbprint',
  'PreviousCertificateThumbprint',
  'NextCertificateThumbprint',
  'NextCertificateEffectiveDate',
];

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

export const AUTH_CONFIG: PsObjectType<AuthConfig> = {
  name: 'AuthConfig',
  select: AUTH_CONFIG_PROPERTIES,
  schema: authConfigOutputSchema,
};
