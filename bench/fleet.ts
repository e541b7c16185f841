// A fleet of simulated organisations through full rotations on one worker, against a no-op baseline in the same run.
// The service's path is production's: the worker as `npm start` builds it (WORKER_ROLE=all: the central workflow queue
// and one activity queue per organisation), createActivities, the shell pool, node-powershell and the simulated
// Exchange Management Shell, on the Temporal CLI dev server. The baseline replays each rotation's history (its
// workflow tasks, activity round trips and fired timers) with activities that do nothing, so the ratios measure what
// the service's own work costs on top of the waits it must do anyway. bench/README.md says what each figure means.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createOrganization, loadOrganization } from 'simulated-exchange';
import { z } from 'zod';
import { countCalls, median, parseFlags } from './args';
import {
  activityIntervals,
  activitySecondsByType,
  falseOverdueCount,
  fleetLine,
  ratio,
  replayScript,
  restSamples,
  runTimes,
  type FlatEvent,
  type Interval,
  type OrganizationTruth,
  type Sample,
  type ScriptStep,
} from './fleet-figures';
import { NOOP_WORKFLOW_TYPE } from './noop-workflow';
import { ExchangeShell } from '../activities/powershell';
import { ShellSession } from '../activities/powershell/session';
import { durationSchema } from '../common/duration';
import { AUTH_ADMIN_CYCLE_HOURS } from '../common/names';
import { HOUR_MS, replicationCutoff } from '../common/policy';
import { rotationInputSchema, type RotationReport } from '../common/rotation';
import { RotationAlreadyRunningError, rotationHandle, startRotation } from '../client/rotation';
import { DEMO_CLOCK_RATE } from '../scripts/demo';
import { createDevServerEnv } from '../test/helpers/temporal';
import { loadWorkerConfig } from '../worker/config';
import { temporalCliPath } from '../worker/dev-server';
import { createRotationWorkers, installRuntime, type RotationWorkers } from '../worker/worker';

/** The simulator's scenario for each organisation size it has. */
const SCENARIO_BY_SERVERS: Record<number, string> = { 2: 'healthy', 200: 'large' };

const argsSchema = z.object({
  orgs: z.coerce.number().int().min(1).max(5000).default(5),
  servers: z.coerce
    .number()
    .int()
    .refine((n) => n in SCENARIO_BY_SERVERS, 'must be 2 (scenario healthy) or 200 (scenario large)')
    .default(2),
  /** Exchange seconds per real second (EXCHANGE_CLOCK_RATE and the simulator's acceleration), as the demo runs. */
  'clock-rate': z.coerce.number().positive().max(1e6).default(DEMO_CLOCK_RATE),
  /** EXCHANGE_SHELL_IDLE_TIMEOUT: real time, so shorter than the accelerated waits (production: 60 s against hours). */
  'shell-idle': z.string().default('5s'),
  /** Real minutes the fleet may take; past them the rest are terminated (and not completed). */
  minutes: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .optional(),
});

/** Worker variables a run may set from the environment to try other sizes; everything else is fixed here. */
const PASSED_THROUGH = [
  'EXCHANGE_MAX_SHELLS',
  'EXCHANGE_MAX_SHELLS_PER_ORGANIZATION',
  'EXCHANGE_SERVER_CONCURRENCY',
  'WORKER_MAX_CONCURRENT_ACTIVITIES',
] as const;

const NOOP_TASK_QUEUE = 'bench-fleet-noop';
const SAMPLE_EVERY_MS = 500;
const PROGRESS_EVERY_MS = 30_000;
const START_CONCURRENCY = 16;
const START_ATTEMPTS = 5;
const { EventType } = temporal.api.enums.v1;

/** The rotation each organisation runs: forced (its certificate has years left), short polls, defaults otherwise. */
function rotationInput(organization: string) {
  return { organization, force: true, replicationPollInterval: '2s', publicationPollInterval: '2s' };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

const CLOSED = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);
const ACTIVITY_CLOSED = new Set<number>([
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
]);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function flatten(events: HistoryEvent[]): FlatEvent[] {
  const out: FlatEvent[] = [];
  for (const e of events) {
    const atMs = tsToMs(e.eventTime);
    const type = e.eventType ?? 0;
    if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) out.push({ kind: 'started', atMs });
    else if (CLOSED.has(type)) out.push({ kind: 'closed', atMs });
    else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) out.push({ kind: 'task-completed', atMs });
    else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) out.push({ kind: 'task-timed-out', atMs });
    else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      out.push({ kind: 'activity-scheduled', atMs, id: String(e.eventId), name });
    } else if (ACTIVITY_CLOSED.has(type)) {
      const attrs =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      out.push({ kind: 'activity-closed', atMs, id: String(attrs?.scheduledEventId) });
    } else if (type === EventType.EVENT_TYPE_TIMER_STARTED) {
      const attrs = e.timerStartedEventAttributes;
      out.push({ kind: 'timer-started', atMs, id: attrs?.timerId ?? '', timerMs: tsToMs(attrs?.startToFireTimeout) });
    } else if (type === EventType.EVENT_TYPE_TIMER_FIRED) {
      out.push({ kind: 'timer-fired', atMs, id: e.timerFiredEventAttributes?.timerId ?? '' });
    } else if (type === EventType.EVENT_TYPE_TIMER_CANCELED) {
      out.push({ kind: 'timer-canceled', atMs, id: e.timerCanceledEventAttributes?.timerId ?? '' });
    }
  }
  return out;
}

/** Every run of a workflow (following continue-as-new), as one list of events; a new run's start counts once. */
async function historyOf(client: Client, workflowId: string, firstRunId: string): Promise<FlatEvent[]> {
  const events: FlatEvent[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const raw: HistoryEvent[] = history.events ?? [];
    const flat = flatten(raw);
    events.push(...(events.length === 0 ? flat : flat.filter((e) => e.kind !== 'started')));
    runId = raw[raw.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    // The run continued as new: its close is not the workflow's.
    if (runId) events.pop();
  }
  return events;
}

/** The simulated shells this process started, alive now (node-powershell spawns them as its direct children). */
function shellsAlive(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('simulated-exchange-shell')) pids.push(+entry);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const TICKS_PER_S = 100;

/** CPU seconds of this process's children that have exited and been waited for (the shells), from /proc. */
function exitedChildrenCpuS(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat (cutime, cstime), counted from after the command name (field 3 is index 0).
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_S;
}

class Sampler {
  readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor() {
    this.timer = setInterval(() => this.take(), SAMPLE_EVERY_MS);
    this.take();
  }
  take(): void {
    this.samples.push({ atMs: Date.now(), shells: shellsAlive().length, rssMb: process.memoryUsage.rss() / 2 ** 20 });
  }
  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.atMs >= from && s.atMs <= to);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** What the organisation's own record says of the rotation (Exchange clock). */
function truthOf(stateFile: string, thumbprint: string): OrganizationTruth {
  const { org } = loadOrganization(stateFile);
  const published = org.servers.flatMap((s) =>
    s.events.filter((e) => e.id === 2014 && e.message.includes(thumbprint)).map((e) => e.time),
  );
  const recycles = org.servers.flatMap((s) =>
    s.appPools.filter((p) => p.cachedCertificate === thumbprint).map((p) => p.lastRecycle),
  );
  return {
    publishedAt: published.length ? Math.min(...published) : null,
    lastRecycleAt: recycles.length ? Math.max(...recycles) : null,
    installedAt: org.servers.map((s) => s.certificates.find((c) => c.thumbprint === thumbprint)?.installedAt ?? null),
  };
}

/** The date moves for replication, each with the cut-off it was made at (the previous date's, staged at `stagedAt`). */
function replicationMoveCutoffs(report: RotationReport, stagedAt: number): number[] {
  return report.dateChanges.flatMap((change, i) => {
    const previous = report.dateChanges[i - 1];
    if (change.code !== 'move-date' || !previous) return [];
    return [replicationCutoff(previous.to, new Date(stagedAt).toISOString())];
  });
}

interface Phase {
  wallMs: number;
  histories: FlatEvent[][];
}

/**
 * Starts one rotation, again after a failure the dev server gives under load ("Namespace not found" while its store
 * is too busy to read the namespace, Unavailable). A start that went through the first time is found by its ID.
 */
async function startWithRetry(client: Client, organization: string): Promise<{ workflowId: string; runId: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await startRotation(client, rotationInput(organization));
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    } catch (error) {
      if (error instanceof RotationAlreadyRunningError) {
        const handle = rotationHandle(client, organization);
        return { workflowId: handle.workflowId, runId: (await handle.describe()).runId };
      }
      if (attempt >= START_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 2000));
    }
  }
}

/** The rotation's report; a failed wait for it (the dev server's, not the workflow's) is tried again. */
async function resultOf(client: Client, run: { workflowId: string; runId: string }): Promise<RotationReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await client.workflow.getHandle(run.workflowId, run.runId).result()) as RotationReport;
    } catch (error) {
      if (error instanceof WorkflowFailedError || attempt >= START_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 2000));
    }
  }
}

async function runFleet(
  client: Client,
  organizations: string[],
  progress: { done: number } = { done: 0 },
  deadlineMs = Infinity,
): Promise<Phase & { results: PromiseSettledResult<RotationReport>[] }> {
  const start = Date.now();
  const handles = await mapLimit(organizations, START_CONCURRENCY, (organization) =>
    startWithRetry(client, organization),
  );
  let end = start;
  const settled = Promise.allSettled(
    handles.map((h) =>
      resultOf(client, h).finally(() => {
        end = Math.max(end, Date.now());
        progress.done += 1;
      }),
    ),
  );
  // Past the deadline the rotations still running are terminated: they count as not completed, and the wall time is
  // the deadline's (a lower bound).
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    settled.then(() => false),
    new Promise<boolean>((resolve) => {
      // (An infinite delay would overflow setTimeout and fire at once.)
      if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve(true), deadlineMs - (Date.now() - start));
    }),
  ]);
  clearTimeout(timer);
  if (late) {
    await Promise.allSettled(
      handles.map((h) => client.workflow.getHandle(h.workflowId).terminate('fleet bench: --minutes passed')),
    );
  }
  const results = await settled;
  if (late) end = start + deadlineMs;
  const histories = await mapLimit(handles, START_CONCURRENCY, (h) => historyOf(client, h.workflowId, h.runId));
  return { wallMs: end - start, histories, results };
}

async function runBaseline(client: Client, scripts: ReturnType<typeof replayScript>[], tag: string): Promise<Phase> {
  const start = Date.now();
  const handles = await mapLimit(scripts, START_CONCURRENCY, (script, i) =>
    client.workflow.start(NOOP_WORKFLOW_TYPE, {
      taskQueue: NOOP_TASK_QUEUE,
      workflowId: `bench-noop-${tag}-${i}`,
      args: [script],
    }),
  );
  let end = start;
  await Promise.all(handles.map((h) => h.result().finally(() => (end = Math.max(end, Date.now())))));
  const histories = await mapLimit(handles, START_CONCURRENCY, (h) =>
    historyOf(client, h.workflowId, h.firstExecutionRunId),
  );
  return { wallMs: end - start, histories };
}

const quiet = () => undefined;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
const round1 = (n: number) => Math.round(n * 10) / 10;

export async function runFleetBench(argv: string[]): Promise<void> {
  const args = parseFlags(argv, argsSchema);
  const clockRate = args['clock-rate'];
  const idleMs = durationSchema('positive').parse(args['shell-idle']);
  const scenario = SCENARIO_BY_SERVERS[args.servers] as string;
  const tag = Date.now().toString(36);
  const organizations = Array.from({ length: args.orgs }, (_, i) => `fleet-${tag}-${String(i + 1).padStart(4, '0')}`);
  // With more than one organisation, one more rotates alone first: the baseline replays its history, the waits of a
  // rotation that nothing slowed down. (Replaying the fleet's own histories would not do: a late rotation finds its
  // accelerated Exchange clock past the date already, and its waits shrink by as much as it was late.)
  const calibration = args.orgs > 1 ? [`fleet-${tag}-alone`] : [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-'));
  const stateFile = (organization: string) => path.join(dir, `${organization}.json`);
  const say = (line: string) => console.log(`[fleet] ${line}`);

  say(`creating ${args.orgs} simulated ${scenario} organisations (clock x${clockRate}) in ${dir}`);
  for (const organization of [...calibration, ...organizations]) {
    await createOrganization(scenario, stateFile(organization), { acceleration: clockRate });
  }
  // From dist/, the test helper's own guess at .tools/bin misses: name the CLI the worker's dev server uses.
  process.env.TEMPORAL_CLI_PATH ||= temporalCliPath();
  // The SDK's per-queue notices ("no workflows registered" for each organisation's activity queue) at ERROR only.
  installRuntime('ERROR');
  const env = await createDevServerEnv().catch((error: unknown) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const calls = countCalls(ExchangeShell.prototype, 'runPipeline');
  const sessionsEnded = countCalls(ShellSession.prototype, 'close');
  let sampler: Sampler | undefined;
  let workers: RotationWorkers | undefined;
  let running: Promise<void> | undefined;
  try {
    const passed = Object.fromEntries(PASSED_THROUGH.flatMap((v) => (process.env[v] ? [[v, process.env[v]]] : [])));
    const config = loadWorkerConfig({
      ...passed,
      EXCHANGE_ORGANIZATIONS: [...calibration, ...organizations].join(','),
      EXCHANGE_CONNECTION: 'simulated',
      EXCHANGE_SIM_STATE: path.join(dir, '{organization}.json'),
      EXCHANGE_CLOCK_RATE: String(clockRate),
      EXCHANGE_SHELL_IDLE_TIMEOUT: args['shell-idle'],
      WORKER_ROLE: 'all',
      WORKER_SHUTDOWN_GRACE: '5s',
      LOG_LEVEL: 'WARN',
    });
    workers = await createRotationWorkers({ config, connection: env.nativeConnection });
    running = workers.run();
    say(`worker: ${workers.workers.length} Workers (1 workflow, ${organizations.length} activity); rotations start`);

    let script: ScriptStep[] | undefined;
    if (calibration.length > 0) {
      const alone = await runFleet(env.client, calibration);
      script = replayScript(alone.histories[0] ?? []);
      say(`calibration: one rotation alone in ${round1(alone.wallMs / 1000)} s; the fleet starts`);
      // Its shells close first, so that what follows is the fleet's alone.
      await new Promise((resolve) => setTimeout(resolve, idleMs + 1000));
    }
    const callsBefore = calls();
    const sessionsBefore = sessionsEnded();
    sampler = new Sampler();
    const cpuBefore = process.cpuUsage();
    const childCpuBefore = exitedChildrenCpuS();
    // A line every half minute, so that a long run shows where it is (and a run stopped early still told something).
    const progress = { done: 0 };
    const started = Date.now();
    const ticker = setInterval(() => {
      const peak = (key: 'rssMb' | 'shells') => Math.round(Math.max(...sampler!.samples.map((x) => x[key])));
      say(
        `${Math.round((Date.now() - started) / 1000)} s: ${progress.done}/${organizations.length} rotations done; ` +
          `peak RSS ${peak('rssMb')} MB, peak shells ${peak('shells')}, ${calls() - callsBefore} shell calls`,
      );
    }, PROGRESS_EVERY_MS);
    const fleet = await runFleet(
      env.client,
      organizations,
      progress,
      args.minutes === undefined ? Infinity : args.minutes * 60_000,
    ).finally(() => clearInterval(ticker));
    const fleetEnd = Date.now();
    const serviceCpuS = (() => {
      const used = process.cpuUsage(cpuBefore);
      return (used.user + used.system) / 1e6;
    })();
    workers.shutdown();
    await running;
    running = undefined;
    // Every shell has exited and been waited for now: their CPU is in this process's children's account.
    const exchangeCpuS = exitedChildrenCpuS() - childCpuBefore;
    const fleetSamples = sampler.between(fleetEnd - fleet.wallMs, fleetEnd);
    const busy: Interval[] = fleet.histories.flatMap(activityIntervals);
    const atRest = restSamples(fleetSamples, busy, idleMs + SAMPLE_EVERY_MS);

    const reports = fleet.results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    for (const [i, r] of fleet.results.entries()) {
      if (r.status === 'rejected') say(`${organizations[i]}: ${(r.reason as Error).message}`);
    }
    const publicationDueMs =
      AUTH_ADMIN_CYCLE_HOURS * HOUR_MS + rotationInputSchema.parse({ organization: 'x' }).publicationMargin;
    let falseOverdue = 0;
    const recycleMinutes: number[] = [];
    for (const [i, report] of reports.entries()) {
      if (!report?.newThumbprint) continue;
      const truth = truthOf(stateFile(organizations[i] as string), report.newThumbprint);
      const stagedAt = Math.min(...truth.installedAt.filter((t): t is number => t !== null));
      falseOverdue += falseOverdueCount(
        truth,
        {
          publicationOverdueFrom: report.diagnosis && report.effectiveDate ? report.effectiveDate : null,
          replicationMoveCutoffs: replicationMoveCutoffs(report, stagedAt),
        },
        publicationDueMs,
      );
      if (truth.publishedAt !== null && truth.lastRecycleAt !== null) {
        recycleMinutes.push((truth.lastRecycleAt - truth.publishedAt) / 60_000);
      }
    }

    say(
      `baseline: ${organizations.length} no-op workflows replaying ${script ? 'the lone' : 'the'} rotation's history`,
    );
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./noop-workflow'),
      logger: { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: quiet, error: console.error },
    });
    const noopWorker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: NOOP_TASK_QUEUE,
      workflowBundle: bundle,
      activities: { noop: async () => undefined },
    });
    const baseline = await noopWorker.runUntil(
      runBaseline(
        env.client,
        fleet.histories.map((h) => script ?? replayScript(h)),
        tag,
      ),
    );

    const fleetRuns = fleet.histories.map(runTimes);
    const baseRuns = baseline.histories.map(runTimes);
    const completed = reports.filter((r) => r?.outcome === 'completed').length;
    const totalServers = organizations.length * args.servers;
    say(
      JSON.stringify({
        fleetWallS: round1(fleet.wallMs / 1000),
        baselineWallS: round1(baseline.wallMs / 1000),
        nonTimerMeanS: [
          round1(mean(fleetRuns.map((r) => r.nonTimerMs)) / 1000),
          round1(mean(baseRuns.map((r) => r.nonTimerMs)) / 1000),
        ],
        cpuS: { service: round1(serviceCpuS), simulatedExchange: round1(exchangeCpuS) },
        activitySeconds: activitySecondsByType(fleet.histories),
        shellCalls: calls() - callsBefore,
        shellSessions: sessionsEnded() - sessionsBefore,
        restSamples: atRest.length,
        publicationToLastRecycleMinutesMedian: recycleMinutes.length ? round1(median(recycleMinutes)) : null,
        outcomes: reports
          .map((r) => r?.outcome ?? 'failed')
          .reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {}),
      }),
    );
    console.log(
      fleetLine({
        orgs: organizations.length,
        servers: args.servers,
        completed,
        wallRatio: ratio(fleet.wallMs, baseline.wallMs),
        nonTimerRatio: ratio(mean(fleetRuns.map((r) => r.nonTimerMs)), mean(baseRuns.map((r) => r.nonTimerMs))),
        workerRssMb: Math.round(Math.max(...fleetSamples.map((s) => s.rssMb))),
        shellsAliveAtRest: atRest.length ? Math.max(...atRest.map((s) => s.shells)) : null,
        shellsAlivePeak: Math.max(...fleetSamples.map((s) => s.shells)),
        workflowTaskTimeouts: fleet.histories.flat().filter((e) => e.kind === 'task-timed-out').length,
        callsPerServer: Math.round(((calls() - callsBefore) / totalServers) * 10) / 10,
        publicationToLastRecycleMinutes: recycleMinutes.length ? round1(Math.max(...recycleMinutes)) : null,
        falseOverdue,
      }),
    );
  } finally {
    sampler?.stop();
    // A run that failed half-way still stops its worker before the server it polls.
    if (running) {
      workers?.shutdown();
      await running.catch(() => undefined);
    }
    await env.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
