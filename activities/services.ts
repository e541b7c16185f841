// Services on every server: restart MSExchangeServiceHost, recycle the OWA and ECP pools (only useful once the new
// certificate is current), and check OAuth sign-in. Both disruptive steps save per-server progress and look at the
// server before acting, because a heartbeat is throttled and the last one before a crash may never arrive.
import { AUTH_APP_POOLS } from '../common/names';
import type { RecycleResult, ServerIdentity, ServiceHostRestart, SignInResult } from '../common/rotation';
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
     * Restarts MSExchangeServiceHost server by server. A server an earlier attempt finished (heartbeat), or whose
     * service host has started since `notBefore` (the effective date or the publication, server clock), is not
     * restarted again: the restart's purpose, a servicelet run after that time, is met.
     */
    async restartServiceHost(request: {
      servers: ServerIdentity[];
      notBefore?: string;
    }): Promise<ServiceHostRestart[]> {
      const done = (resumedProgress<RestartHeartbeat>()?.done ?? []).filter((r) => r.ok);
      const results: ServiceHostRestart[] = [];
      for (const server of request.servers) {
        const earlier = done.find((r) => r.server === server.name);
        if (earlier) {
          results.push(earlier);
          continue;
        }
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
        results.push(result);
      }
      return results;
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
      const results: RecycleResult[] = [];
      for (const server of request.servers) {
        if (request.alreadyRecycled.includes(server.name)) {
          results.push({ server: server.name, recycledAt: null, verified: true, skipped: true });
          continue;
        }
        const earlier = progress.done.find((r) => r.server === server.name);
        if (earlier) {
          results.push(earlier);
          continue;
        }
        const result = await recycleOne(server, progress.pools, save, request.notBefore);
        if (result.verified) progress.done.push(result);
        results.push(result);
        save();
      }
      return results;
    },

    async checkSignIn(request: { servers: ServerIdentity[]; mailbox: string }): Promise<SignInResult[]> {
      const results: SignInResult[] = [];
      for (const server of request.servers) {
        try {
          const { ok, detail } = await exchange.testOAuthConnectivity(server.fqdn, request.mailbox);
          results.push({ server: server.name, ok, detail });
        } catch (error) {
          if (!isTransient(error)) throw error;
          results.push({ server: server.name, ok: false, detail: (error as Error).message });
        }
      }
      return results;
    },
  };

  /** Per pool (lower case), the start of its newest worker process when that is at or after `notBefore`. */
  async function workersStartedSince(server: ServerIdentity, notBefore: string): Promise<Map<string, string>> {
    const since = new Map<string, string>();
    let processes: Awaited<ReturnType<typeof exchange.getAppPoolWorkerProcesses>>;
    try {
      processes = await exchange.getAppPoolWorkerProcesses(server.fqdn);
    } catch (error) {
      if (!cannotLook(error)) throw error;
      return since;
    }
    for (const { pool, startedAt } of processes) {
      const key = pool.toLowerCase();
      if (startedAt === null || Date.parse(startedAt) < Date.parse(notBefore)) continue;
      const known = since.get(key);
      if (known === undefined || Date.parse(startedAt) > Date.parse(known)) since.set(key, startedAt);
    }
    return since;
  }

  /** Recycles the pools of one server that `recycled` does not list yet, recording each one there as it is done. */
  async function recycleOne(
    server: ServerIdentity,
    recycled: PoolRecycle[],
    save: () => void,
    notBefore: string | undefined,
  ): Promise<RecycleResult> {
    const failures: string[] = [];
    const alreadyRecycled: NonNullable<RecycleResult['alreadyRecycled']> = [];
    let recycledAt: string | null = null;
    const startedSince =
      notBefore === undefined ? new Map<string, string>() : await workersStartedSince(server, notBefore);
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
    if (failures.length === 0) {
      for (const pool of AUTH_APP_POOLS) {
        const state = await exchange.getAppPoolState(server.fqdn, pool);
        if (state !== STARTED) failures.push(`${pool} is ${state} after the recycle`);
      }
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
