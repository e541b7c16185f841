// A transport service (Get-TransportService -Identity): the server's internal transport (default SMTP) certificate.
import { z } from 'zod';
import type { Thumbprint } from '../../../common/exchange';
import { PsObjectType, nullableThumbprintSchema } from '../output';

export const TRANSPORT_SERVICE: PsObjectType<Thumbprint | null> = {
  name: 'TransportService',
  select: ['InternalTransportCertificateThumbprint'],
  schema: z
    .looseObject({ InternalTransportCertificateThumbprint: nullableThumbprintSchema.optional() })
    .transform((o) => o.InternalTransportCertificateThumbprint ?? null),
};
