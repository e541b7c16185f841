// An IIS site binding (Get-WebBinding, through Invoke-Command): the SSL certificate an https binding uses.
import { z } from 'zod';
import type { Thumbprint } from '../../../common/exchange';
import { PsObjectType, nullableThumbprintSchema } from '../output';

/** The certificate's thumbprint, or null for a binding without one. */
export const WEB_BINDING: PsObjectType<Thumbprint | null> = {
  name: 'WebBinding',
  select: ['certificateHash'],
  schema: z
    .looseObject({ certificateHash: nullableThumbprintSchema.optional() })
    .transform((o) => o.certificateHash ?? null),
};
