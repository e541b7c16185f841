// What the AuthAdmin servicelet leaves behind: event 2014 in the Application log, its last run and the service host's
// start in Get-ExchangeDiagnosticInfo.
import { AuthAdminEvent, isoDateSchema } from '../../../common/exchange';
import { MAX_AUTH_ADMIN_EVENTS, SCRIPT_BLOCKS, authAdminEventFilter } from '../catalogue';
import { CatalogueError, ExchangeShellError, NoMatchingEventsError } from '../errors';
import type { ExchangeClient } from '../exchange-client';
import {
  DIAGNOSTIC_INFO,
  authAdminLastRunFromDiagnosticXml,
  processStartFromDiagnosticXml,
} from '../objects/diagnostic-info';
import { WIN_EVENT, authAdminEventOf } from '../objects/event';
import { PsAbsoluteDate } from '../render';
import { ClientContext, isEnvironmentError } from './context';

const SERVICE_HOST_PROCESS = 'Microsoft.Exchange.ServiceHost';

export function serviceletArea({
  shell,
  settings,
  credential,
  readOn,
}: ClientContext): Pick<ExchangeClient, 'getAuthAdminEvents' | 'getAuthAdminLastRun' | 'getServiceHostStartTime'> {
  /** Get-ExchangeDiagnosticInfo's XML for the service host process, or null when the server would not give it. */
  const serviceHostDiagnostics = async (server: string): Promise<string | null> => {
    let results: (string | null)[];
    try {
      results = await shell.read(
        'Get-ExchangeDiagnosticInfo',
        { Server: server, Process: SERVICE_HOST_PROCESS },
        DIAGNOSTIC_INFO,
      );
    } catch (error) {
      if (isEnvironmentError(error) || !(error instanceof ExchangeShellError) || error.record === undefined)
        throw error;
      return null;
    }
    return results.find((xml) => xml !== null) ?? null;
  };

  return {
    async getAuthAdminEvents(server: string, sinceIso: string): Promise<AuthAdminEvent[]> {
      const sinceParsed = isoDateSchema.safeParse(sinceIso);
      if (!sinceParsed.success)
        throw new CatalogueError(`sinceIso ${JSON.stringify(sinceIso)} must be ISO-8601 with an offset`);
      const since = new PsAbsoluteDate(sinceParsed.data);
      try {
        const events =
          settings.eventLog === 'rpc'
            ? await shell.read(
                'Get-WinEvent',
                {
                  ComputerName: server,
                  FilterHashtable: authAdminEventFilter(since),
                  MaxEvents: MAX_AUTH_ADMIN_EVENTS,
                  Credential: credential,
                },
                WIN_EVENT,
              )
            : await readOn(server, SCRIPT_BLOCKS.getAuthAdminEvents, WIN_EVENT, since);
        return events.map((e) => authAdminEventOf(server, e));
      } catch (error) {
        // Get-WinEvent reports "No events were found that match the specified selection criteria." as an error.
        if (error instanceof NoMatchingEventsError) return [];
        throw error;
      }
    },

    async getAuthAdminLastRun(server: string) {
      const xml = await serviceHostDiagnostics(server);
      return xml ? authAdminLastRunFromDiagnosticXml(xml) : null;
    },

    async getServiceHostStartTime(server: string) {
      const xml = await serviceHostDiagnostics(server);
      return xml ? processStartFromDiagnosticXml(xml) : null;
    },
  };
}
