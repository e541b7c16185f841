// Windows on each server, through Invoke-Command: the service host, the OWA and ECP pools and their worker processes,
// the Default Web Site's certificates.
import { SERVICE_HOST_SERVICE } from '../../../common/names';
import { SCRIPT_BLOCKS } from '../catalogue';
import type { AppPoolWorkerProcess, ExchangeClient, ServerRead } from '../exchange-client';
import { exactlyOne } from '../output';
import { APP_POOL_STATE } from '../objects/app-pool-state';
import { WEB_BINDING } from '../objects/web-binding';
import { WORKER_PROCESS, WorkerProcess } from '../objects/worker-process';
import { ClientContext, perServer } from './context';

export function windowsArea(
  ctx: ClientContext,
): Pick<
  ExchangeClient,
  | 'restartServiceHost'
  | 'recycleAppPool'
  | 'getAppPoolState'
  | 'getAppPoolStateOnServers'
  | 'getAppPoolWorkerProcesses'
  | 'getAppPoolWorkerProcessesOnServers'
  | 'getDefaultWebSiteCertificates'
> {
  const { invokeOn, readOn, readOnEach } = ctx;
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

    async getAppPoolStateOnServers(servers: string[], pool: string) {
      const reads = await readOnEach(
        servers,
        { each: SCRIPT_BLOCKS.getWebAppPoolStateOnEach, single: SCRIPT_BLOCKS.getWebAppPoolState },
        APP_POOL_STATE,
        pool,
      );
      return reads.map((r): ServerRead<string> => {
        if (!r.ok) return r;
        try {
          return { server: r.server, ok: true, value: exactlyOne(r.value, 'Get-WebAppPoolState') };
        } catch (error) {
          return { server: r.server, ok: false, error: error as Error };
        }
      });
    },

    async getDefaultWebSiteCertificates(server: string) {
      const hashes = await readOn(server, SCRIPT_BLOCKS.getDefaultWebSiteBindings, WEB_BINDING);
      return [...new Set(hashes.filter((h): h is string => h !== null))];
    },

    async getAppPoolWorkerProcesses(server: string): Promise<AppPoolWorkerProcess[]> {
      return workersOf(await readOn(server, SCRIPT_BLOCKS.getWorkerProcesses, WORKER_PROCESS));
    },

    async getAppPoolWorkerProcessesOnServers(servers: string[]) {
      const reads = await readOnEach(
        servers,
        { each: SCRIPT_BLOCKS.getWorkerProcessesOnEach, single: SCRIPT_BLOCKS.getWorkerProcesses },
        WORKER_PROCESS,
      );
      return reads.map((r) => (r.ok ? { ...r, value: workersOf(r.value) } : r));
    },
  };
}

/** The worker processes that name their pool (one without a readable command line says nothing about any pool). */
function workersOf(processes: WorkerProcess[]): AppPoolWorkerProcess[] {
  return processes.flatMap((p) =>
    p.pool === null ? [] : [{ pool: p.pool, processId: p.processId, startedAt: p.startedAt }],
  );
}
