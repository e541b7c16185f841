// Per-server work against the size of the organisation: the rotation's reads over every server (replication,
// publication) and its per-server changes (the pool recycle) through the production path (activities, the PowerShell
// layer, node-powershell, the simulated shell), on a 2-server and a 200-server organisation. Reported: PowerShell calls
// per server and wall time per activity, so that "few calls, side by side" is measured rather than asserted in tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createOrganization } from 'simulated-exchange';
import { z } from 'zod';
import { countCalls, parseFlags } from './args';
import { createActivities } from '../activities';
import { DEFAULT_ACTIVITY_SETTINGS } from '../activities/deps';
import { createExchangeClient } from '../activities/powershell/client';
import { ShellSessionPool } from '../activities/powershell/pool';
import type { ServerIdentity } from '../common/rotation';

const argsSchema = z.object({
  concurrency: z.coerce.number().int().min(1).max(64).default(DEFAULT_ACTIVITY_SETTINGS.serverConcurrency),
  /** Sessions per organisation in the shell pool (the worker's EXCHANGE_MAX_SHELLS_PER_ORGANIZATION). */
  sessions: z.coerce.number().int().min(1).max(16).default(2),
});

const SCENARIOS = ['healthy', 'large'] as const;
const ACTIVITIES = ['checkReplication', 'checkPublication', 'recycleAuthAppPools'] as const;
type Measured = Record<(typeof ACTIVITIES)[number], { calls: number; callsPerServer: number; wallMs: number }>;

async function measure(scenario: string, dir: string, concurrency: number, sessions: number) {
  const file = path.join(dir, `${scenario}.json`);
  const org = await createOrganization(scenario, file, { acceleration: 0 });
  const servers: ServerIdentity[] = org.servers.map((s) => ({ name: s.name, fqdn: s.fqdn, site: s.site }));
  const pool = new ShellSessionPool({ maxSessions: sessions, maxSessionsPerTarget: sessions });
  const exchange = createExchangeClient({ simulatorState: file }, { pool });
  const callCount = countCalls(exchange.shell, 'runPipeline');
  const quiet = { info: () => undefined, warn: () => undefined };
  const activities = createActivities({
    exchange,
    clock: () => new Date(),
    log: quiet,
    settings: { serverConcurrency: concurrency },
  });
  const env = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  try {
    // Warm the pool (session start and the Exchange load are paid once per process, not per server).
    await exchange.getAuthConfig();
    const config = await exchange.getAuthConfig();
    const thumbprint = config.currentCertificateThumbprint!;
    const since = new Date(Date.parse(await exchange.getServerTime()) - 3_600_000).toISOString();
    const runs: Record<(typeof ACTIVITIES)[number], () => Promise<unknown>> = {
      checkReplication: () => env().run(activities.checkReplication, { thumbprint, servers }),
      checkPublication: () => env().run(activities.checkPublication, { thumbprint, servers, since }),
      // notBefore now: every worker process predates it, so every pool of every server is recycled.
      recycleAuthAppPools: async () =>
        env().run(activities.recycleAuthAppPools, {
          servers,
          alreadyRecycled: [],
          notBefore: await exchange.getServerTime(),
        }),
    };
    const measured = {} as Measured;
    for (const name of ACTIVITIES) {
      const before = callCount();
      const start = performance.now();
      await runs[name]();
      const calls = callCount() - before;
      const wallMs = Math.round(performance.now() - start);
      measured[name] = { calls, callsPerServer: Number((calls / servers.length).toFixed(2)), wallMs };
      console.log(`${scenario} (${servers.length} servers) ${name}: ${calls} calls, ${wallMs} ms`);
    }
    return { servers: servers.length, measured };
  } finally {
    await exchange.close();
    await pool.closeAll();
  }
}

export async function runServersBench(argv: string[]): Promise<void> {
  const { concurrency, sessions } = parseFlags(argv, argsSchema);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-servers-'));
  try {
    const results = [];
    for (const scenario of SCENARIOS) results.push(await measure(scenario, dir, concurrency, sessions));
    const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
    const per = <K extends 'callsPerServer' | 'wallMs'>(key: K) =>
      Object.fromEntries(ACTIVITIES.map((a) => [a, [small.measured[a][key], large.measured[a][key]]]));
    console.log(
      JSON.stringify({
        servers: [small.servers, large.servers],
        concurrency,
        sessions,
        callsPerServer: per('callsPerServer'),
        wallMs: per('wallMs'),
        wallMsPerServer200: Object.fromEntries(
          ACTIVITIES.map((a) => [a, Number((large.measured[a].wallMs / large.servers).toFixed(1))]),
        ),
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
