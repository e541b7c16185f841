// The hybrid configuration (Get-HybridConfiguration): that one exists is all the service asks.
import { z } from 'zod';
import { PsObjectType } from '../output';

export const HYBRID_CONFIGURATION: PsObjectType<{ name: unknown }> = {
  name: 'HybridConfiguration',
  select: ['Name'],
  schema: z.looseObject({ Name: z.unknown().optional() }).transform((o) => ({ name: o.Name })),
};
