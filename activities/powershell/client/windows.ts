// Windows on each server, through Invoke-Command: the service host, the OWA and ECP pools and their worker processes,
// the Default Web Site's certificates.
import { SERVICE_HOST_SERVICE } from '../../../common/names';
import { SCRIPT_BLOCKS } from '../catalogue';
import type { AppPoolWorkerProcess, ExchangeClient } from '../exchange-client';
import { exactlyOne } from '../output';
import { APP_POOL_STATE } from '../objects/app-pool-state';
import { WEB_BINDING } from '../objects/web-binding';
import { WORKER_PROCESS } from '../objects/worker-process';
import { ClientContext, perServer } from './context';

export function windowsArea(
  ctx: ClientContext,
): Pick<
  ExchangeClient,
  | 'restartServiceHost'
  | 'recycleAppPool'
  | 'getAppPoolState'
  | 'getAppPoolWorkerProcesses'
  | 'getDefaultWebSiteCertificates'
> {
  const { invokeOn, readOn } = ctx;
  return {
    restartServiceHost(servers: string[]) {
      return perServer(ctx, servers, async (server) => {
        await invokeOn(server, SCRIPT_BLOCKS.restartService, SERVICE_HOST_SERVICE);
      });
    },

    recycleAppPool(servers: string[], pool: string) {
      return perServer(ctx, servers, async (server) => {
        await invokeOn(server, SCRIPT_BLOCKS.restartWebAppPool, pool);
      });
    },

    async getAppPoolState(server: string, pool: string) {
      return exactlyOne(
        await readOn(server, SCRIPT_BLOCKS.getWebAppPoolState, APP_POOL_STATE, pool),
        'Get-WebAppPoolState',
      );
    },

    async getDefaultWebSiteCertificates(server: string) {
      const hashes = await readOn(server, SCRIPT_BLOCKS.getDefaultWebSiteBindings, WEB_BINDING);
      return [...new Set(hashes.filter((h): h is string => h !== null))];
    },

    async getAppPoolWorkerProcesses(server: string): Promise<AppPoolWorkerProcess[]> {
      const processes = await readOn(server, SCRIPT_BLOCKS.getWorkerProcesses, WORKER_PROCESS);
      return processes.flatMap((p) =>
        p.pool === null ? [] : [{ pool: p.pool, processId: p.processId, startedAt: p.startedAt }],
      );
    },
  };
}
