// An application pool's state (Get-WebAppPoolState, through Invoke-Command): "Started", "Stopped", ...
import { z } from 'zod';
import { PsObjectType, stringValueSchema } from '../output';

export const APP_POOL_STATE: PsObjectType<string> = {
  name: 'WebAppPoolState',
  select: ['Value'],
  schema: z.looseObject({ Value: stringValueSchema }).transform((o) => o.Value),
};
