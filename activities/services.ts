// Services on every server: restart MSExchangeServiceHost, recycle the OWA and ECP pools (only useful once the new
// certificate is current), and check OAuth sign-in. Both disruptive steps save per-server progress and look at the
// server before acting, because a heartbeat is throttled and the last one before a crash may never arrive.
import { AUTH_APP_POOLS } from '../common/names';
import type { RecycleResult, ServerIdentity, ServiceHostRestart, SignInResult } from '../common/rotation';
import { mapBounded } from './concurrency';
import type { ResolvedDeps } from './deps';
import { resumedProgress, saveProgress } from './heartbeat';
import { cannotLook, isTransient } from './transient';

interface RecycleHeartbeat {
  /** Servers finished and verified. */
  done: RecycleResult[];
  /** Pools recycled so far, so a retry does not recycle one again before its server is finished. */
  pools?: PoolRecycle[];
}

interface PoolRecycle {
  server: string;
  pool: string;
  at: string;
}

interface RestartHeartbeat {
  done: ServiceHostRestart[];
}

const STARTED = 'Started';

export function serviceActivities(deps: ResolvedDeps) {
  const { exchange } = deps;
  const concurrency = deps.settings.serverConcurrency;

  /** The service host's start when it is at or after `notBefore` (server clock), else null (or unreadable). */
  async function startedSince(server: ServerIdentity, notBefore: string): Promise<string | null> {
    let started: string | null;
    try {
      started = await exchange.getServiceHostStartTime(server.fqdn);
    } catch (error) {
      if (!cannotLook(error)) throw error;
      return null;
    }
    return started !== null && Date.parse(started) >= Date.parse(notBefore) ? started : null;
  }

  return {
    /**
     * Restarts MSExchangeServiceHost on each server (side by side, settings.serverConcurrency at once). A server an earlier attempt finished (heartbeat), or whose
     * service host has started since `notBefore` (the effective date or the publication, server clock), is not
     * restarted again: the restart's purpose, a servicelet run after that time, is met.
     */
    async restartServiceHost(request: {
      servers: ServerIdentity[];
      notBefore?: string;
    }): Promise<ServiceHostRestart[]> {
      const done = (resumedProgress<RestartHeartbeat>()?.done ?? []).filter((r) => r.ok);
      // Servers side by side (settings.serverConcurrency), each looked at and restarted on its own.
      return mapBounded(request.servers, concurrency, async (server): Promise<ServiceHostRestart> => {
        const earlier = done.find((r) => r.server === server.name);
        if (earlier) return earlier;
        const started = request.notBefore === undefined ? null : await startedSince(server, request.notBefore);
        let result: ServiceHostRestart;
        if (started !== null) {
          result = { server: server.name, ok: true, at: started, alreadyRestarted: true };
        } else {
          const [restart] = await exchange.restartServiceHost([server.fqdn]);
          result = { ...(restart ?? { ok: false, error: 'no result' }), server: server.name };
        }
        if (result.ok) {
          done.push(result);
          saveProgress({ done: [...done] } satisfies RestartHeartbeat);
        }
        return result;
      });
    },

    /**
     * Recycles both pools per server and verifies they run again. A recycle drops users' sessions, so these are
     * skipped: servers the workflow already recycled after publication or an earlier attempt finished, pools an
     * earlier attempt recycled (heartbeat), and pools whose worker process started at or after `notBefore` (the
     * publication, server clock): it loaded the new certificate, whether a recycle this attempt never reported, a
     * person or IIS started it. A pool without a worker process, or a server whose processes cannot be read, is
     * recycled: that says nothing about a recycle since, and recycling an idle pool disturbs nobody.
     */
    async recycleAuthAppPools(request: {
      servers: ServerIdentity[];
      alreadyRecycled: string[];
      notBefore?: string;
    }): Promise<RecycleResult[]> {
      const resumed = resumedProgress<RecycleHeartbeat>();
      const progress = {
        done: (resumed?.done ?? []).filter((r) => r.verified),
        pools: [...(resumed?.pools ?? [])],
      } satisfies RecycleHeartbeat;
      const save = () => saveProgress({ done: [...progress.done], pools: [...progress.pools] });
      const pending = request.servers.filter(
        (s) => !request.alreadyRecycled.includes(s.name) && !progress.done.some((r) => r.server === s.name),
      );
      // Every pending server's worker processes in one read, then the servers side by side, bounded.
      const started = request.notBefore === undefined ? null : await workersStartedSince(pending, request.notBefore);
      const acted = new Map<string, RecycleResult>();
      await mapBounded(pending, concurrency, async (server) => {
        const since = started?.get(server.fqdn) ?? new Map<string, string>();
        acted.set(server.name, await recycleOne(server, progress.pools, save, since));
      });
      // Then whether the pools run again, every server in one read per pool: a recycle that failed is not checked.
      const check = pending.filter((s) => acted.get(s.name)!.detail === undefined);
      for (const pool of AUTH_APP_POOLS) {
        if (check.length === 0) break;
        for (const read of await exchange.getAppPoolStateOnServers(
          check.map((s) => s.fqdn),
          pool,
        )) {
          if (!read.ok) throw read.error;
          const server = check.find((s) => s.fqdn === read.server)!;
          if (read.value !== STARTED) failed(acted.get(server.name)!, `${pool} is ${read.value} after the recycle`);
        }
      }
      for (const server of pending) {
        const result = acted.get(server.name)!;
        if (result.verified) progress.done.push(result);
      }
      save();
      return request.servers.map((server): RecycleResult => {
        if (request.alreadyRecycled.includes(server.name)) {
          return { server: server.name, recycledAt: null, verified: true, skipped: true };
        }
        return acted.get(server.name) ?? progress.done.find((r) => r.server === server.name)!;
      });
    },

    async checkSignIn(request: { servers: ServerIdentity[]; mailbox: string }): Promise<SignInResult[]> {
      return mapBounded(request.servers, concurrency, async (server): Promise<SignInResult> => {
        try {
          const { ok, detail } = await exchange.testOAuthConnectivity(server.fqdn, request.mailbox);
          return { server: server.name, ok, detail };
        } catch (error) {
          if (!isTransient(error)) throw error;
          return { server: server.name, ok: false, detail: (error as Error).message };
        }
      });
    },
  };

  /**
   * Per server (fqdn), per pool (lower case), the start of its newest worker process when that is at or after
   * `notBefore`: one read for every server. A server whose processes cannot be read has none (it is recycled).
   */
  async function workersStartedSince(
    servers: ServerIdentity[],
    notBefore: string,
  ): Promise<Map<string, Map<string, string>>> {
    const byServer = new Map<string, Map<string, string>>();
    if (servers.length === 0) return byServer;
    const reads = await exchange.getAppPoolWorkerProcessesOnServers(servers.map((s) => s.fqdn));
    for (const read of reads) {
      const since = new Map<string, string>();
      byServer.set(read.server, since);
      if (!read.ok) {
        if (!cannotLook(read.error)) throw read.error;
        continue;
      }
      for (const { pool, startedAt } of read.value) {
        const key = pool.toLowerCase();
        if (startedAt === null || Date.parse(startedAt) < Date.parse(notBefore)) continue;
        const known = since.get(key);
        if (known === undefined || Date.parse(startedAt) > Date.parse(known)) since.set(key, startedAt);
      }
    }
    return byServer;
  }

  /**
   * Recycles the pools of one server that `recycled` does not list yet, recording each one there as it is done. The
   * result is verified unless a recycle failed; the caller then checks that the pools run (failed() when not).
   */
  async function recycleOne(
    server: ServerIdentity,
    recycled: PoolRecycle[],
    save: () => void,
    startedSince: Map<string, string>,
  ): Promise<RecycleResult> {
    const failures: string[] = [];
    const alreadyRecycled: NonNullable<RecycleResult['alreadyRecycled']> = [];
    let recycledAt: string | null = null;
    for (const pool of AUTH_APP_POOLS) {
      const earlier = recycled.find((r) => r.server === server.name && r.pool === pool);
      if (earlier) {
        recycledAt = earlier.at;
        continue;
      }
      const started = startedSince.get(pool.toLowerCase());
      if (started !== undefined) {
        alreadyRecycled.push({ pool, startedAt: started });
        recycledAt = recycledAt === null || Date.parse(started) > Date.parse(recycledAt) ? started : recycledAt;
        continue;
      }
      const [result] = await exchange.recycleAppPool([server.fqdn], pool);
      if (!result?.ok) {
        failures.push(`${pool}: ${result?.error ?? 'no result'}`);
        continue;
      }
      recycledAt = result.at ?? deps.clock().toISOString();
      recycled.push({ server: server.name, pool, at: recycledAt });
      save();
    }
    return {
      server: server.name,
      recycledAt,
      verified: failures.length === 0,
      skipped: false,
      ...(alreadyRecycled.length > 0 ? { alreadyRecycled } : {}),
      ...(failures.length > 0 ? { detail: failures.join('; ') } : {}),
    };
  }
}

/** Marks a recycle result as not verified, adding why. */
function failed(result: RecycleResult, why: string): void {
  result.verified = false;
  result.detail = result.detail === undefined ? why : `${result.detail}; ${why}`;
}
