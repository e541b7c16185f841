// An event log record (Get-WinEvent): AuthAdmin's event 2014 names the certificate it published.
import { z } from 'zod';
import type { AuthAdminEvent } from '../../../common/exchange';
import type { SelectProperty } from '../catalogue';
import { PsObjectType, psDateSchema } from '../output';

export const EVENT_PROPERTIES: readonly SelectProperty[] = [
  'Id',
  'ProviderName',
  'Message',
  { name: 'TimeCreated', isoDateOf: 'TimeCreated' },
  'MachineName',
];

export const winEventOutputSchema = z.looseObject({
  Id: z.number().int(),
  ProviderName: z.string().nullish(),
  Message: z.string().nullish(),
  TimeCreated: psDateSchema,
  MachineName: z.string().nullish(),
});
export type WinEvent = z.infer<typeof winEventOutputSchema>;

export const WIN_EVENT: PsObjectType<WinEvent> = {
  name: 'EventLogRecord',
  select: EVENT_PROPERTIES,
  schema: winEventOutputSchema,
};

const THUMBPRINT_AT_END = /([0-9A-Fa-f]{40})\s*\.?\s*$/;

/** Event 2014: "The current signing certificate for Exchange has been updated to certificate with thumbprint X." */
export function thumbprintFromAuthAdminMessage(message: string): string | null {
  const m = THUMBPRINT_AT_END.exec(message.trim());
  return m ? m[1]!.toUpperCase() : null;
}

/** An event 2014 as the service reports it, for the server it was read from. */
export function authAdminEventOf(server: string, e: WinEvent): AuthAdminEvent {
  return {
    server,
    timeCreated: e.TimeCreated,
    thumbprint: thumbprintFromAuthAdminMessage(e.Message ?? ''),
    message: e.Message ?? '',
  };
}
