// The clocks: the host's and the Exchange server's, read in one call (catalogue.ts, renderClockReading).
import { z } from 'zod';
import type { ClockReading } from '../../../common/exchange';
import { PsObjectType, psDateSchema } from '../output';

/** What renderClockReading writes (a hashtable, so nothing to select): both clocks as ISO-8601 UTC. */
export const CLOCK_READING: PsObjectType<Pick<ClockReading, 'hostTime' | 'serverTime' | 'skewMs'>> = {
  name: 'ClockReading',
  select: [],
  schema: z.looseObject({ HostUtc: psDateSchema, ServerUtc: psDateSchema }).transform((o) => ({
    hostTime: o.HostUtc,
    serverTime: o.ServerUtc,
    skewMs: Date.parse(o.ServerUtc) - Date.parse(o.HostUtc),
  })),
};
