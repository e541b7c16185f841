// The Exchange server's clock. Get-Date in the worker's PowerShell is the host's clock, also in remote mode (implicit
// remoting runs only Exchange's cmdlets on the server): a host whose clock is behind would build effective dates that
// Exchange finds in the past. So the clock is read on the server the cmdlets act on, with the host's in the same call.
import type { ClockReading } from '../../../common/exchange';
import { renderClockReading } from '../catalogue';
import type { ExchangeClient } from '../exchange-client';
import { parseOneObject } from '../output';
import { CLOCK_READING } from '../objects/clock';
import { EXCHANGE_CONFIGURATION, PS_SESSION } from '../objects/ps-session';
import type { ClientContext } from './context';

/** Names the clock call in errors. */
const CLOCK_CALL = 'Invoke-Command (clock)';

/** A computer name that is this host by definition (the simulated Connect-ExchangeServer's, among others). */
const THIS_HOST = /^(localhost|127\.0\.0\.1|::1|\.)$/i;

export function clockArea(ctx: ClientContext): Pick<ExchangeClient, 'readClock' | 'getServerTime'> {
  const { shell, settings, credential } = ctx;
  let clockServer: Promise<string | null> | undefined;

  /**
   * The server whose clock counts, or null for the host's own. Remote: the server of the connection URI. Local: the
   * computer the Exchange session (Connect-ExchangeServer) is connected to; none (the snap-in, which runs only on an
   * Exchange server) or this host means the host's clock is the server's. Found once per client; a failure is asked
   * again next time.
   */
  const findClockServer = (): Promise<string | null> => {
    if (settings.clock === 'host') return Promise.resolve(null);
    if (settings.mode === 'remote') return Promise.resolve(settings.server);
    clockServer ??= shell.read('Get-PSSession', {}, PS_SESSION).then(
      (sessions) => {
        const exchange = sessions.find((s) => s.configurationName === EXCHANGE_CONFIGURATION && s.state === 'Opened');
        const computer = exchange?.computerName;
        return computer === undefined || THIS_HOST.test(computer) ? null : computer;
      },
      (error: unknown) => {
        clockServer = undefined;
        throw error;
      },
    );
    return clockServer;
  };

  const readClock = async (): Promise<ClockReading> => {
    const server = await findClockServer();
    const items = await shell.runPipeline(CLOCK_CALL, renderClockReading(server, credential));
    const reading = parseOneObject(CLOCK_READING, items, CLOCK_CALL);
    return server === null ? { ...reading, source: 'host' } : { ...reading, source: 'exchange-server', server };
  };

  return {
    readClock,
    async getServerTime() {
      return (await readClock()).serverTime;
    },
  };
}
