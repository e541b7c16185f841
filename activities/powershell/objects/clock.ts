// A [datetime] (Get-Date): the clock of the machine that evaluated it.
import { z } from 'zod';
import { PsObjectType, psDateSchema } from '../output';

export const DATE: PsObjectType<string> = {
  name: 'DateTime',
  select: [{ name: 'Now', isoDateOfSelf: true }],
  schema: z.looseObject({ Now: psDateSchema }).transform((o) => o.Now),
};
