// Runs scenarios on one time-skipping test server: one worker for the batch with the production workflow bundle on the
// central workflow queue; per scenario a fresh simulated organisation, a worker with the production activities on the
// organisation's own task queue, the person who answers
// the HCW question (a small workflow on the explorer's own queue), and afterwards the facts the invariants judge:
// the result, the status and report as queried, the organisation at the close and after the servicelet had its chance,
// every run's history (scanned for secrets and replayed under the current code).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, WorkflowFailedError, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createExchangeClient, ShellSessionPool } from '../../activities/powershell';
import {
  ROTATE_WORKFLOW_TYPE,
  rotationWorkflowId,
  activityTaskQueueFor,
  WORKFLOW_TASK_QUEUE,
} from '../../common/names';
import type { RotationReport, RotationStatus } from '../../common/rotation';
import { startEntraEndpoint, writeStateAtomically } from 'simulated-exchange';
import type { EntraEndpoint } from 'simulated-exchange';
import type { ActivityDeps } from '../../activities/deps';
import { createGraphClient } from '../../activities/graph/client';
import { registerWorkerClient } from '../helpers/simulated-graph';
import { reportQuery, statusQuery } from '../../workflows/messages';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { boundMs } from './bound';
import { EngineMode, ScenarioEngine } from './engine';
import { checkInvariants, Violation } from './invariants';
import { replayHistories, RunHistory } from './replayer';
import { debug } from './debug';
import { buildOrganisation } from './organisation';
import { createPeopleActivities } from './people/activities';
import type { PersonPlan } from './people/workflows';
import { DAY, HOUR, Scenario } from './scenario';
import { HistoryFacts, OrgView, RunResult, SignalRecord, Trace, viewOf } from './trace';

const EventType = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.IHistory;

/**
 * Real time a scenario may stand still (its history does not grow) before the explorer gives up on it: the run does not
 * end. Progress, not total time, so that a busy machine slows a scenario down without failing it.
 */
const WATCHDOG_MS = { 'in-process': 180_000, 'real-shell': 600_000 } as const;
/** Workflow task attempts seen before the explorer stops a run whose workflow task keeps failing. */
const STUCK_TASK_ATTEMPTS = 3;

export interface ExplorerEnv {
  env: TestWorkflowEnvironment;
  client: Client;
  workflowBundlePath: string;
  peopleQueue: string;
  close(): Promise<void>;
}

/** Bundles a workflow file once per content (webpack takes seconds): later processes reuse the file in tmp. */
export async function cachedBundle(workflowsPath: string, label: string): Promise<string> {
  const source = fs.readFileSync(workflowsPath);
  const sdk = (
    JSON.parse(fs.readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as { version: string }
  ).version;
  const key = crypto.createHash('sha256').update(source).update(sdk).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `explorer-${label}-${key}.js`);
  if (fs.existsSync(file)) return file;
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
  return file;
}

/**
 * The SDK logs every failed activity attempt and workflow task at WARN; the explorer causes thousands on purpose and
 * reports what matters itself. Installed before any environment exists (the Runtime is per process).
 */
function quietExplorerRuntime(): void {
  try {
    const sdkLog = process.env.EXPLORER_SDK_LOG;
    Runtime.install({
      logger: sdkLog
        ? new DefaultLogger('TRACE', (entry) => {
            if (/activit|heartbeat/i.test(entry.message)) {
              fs.appendFileSync(
                sdkLog,
                `${new Date().toISOString()} ${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {}).slice(0, 300)}\n`,
              );
            }
          })
        : new DefaultLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
  } catch {
    // installed already in this process
  }
}

/** The people workflow's file: TypeScript under jest, JavaScript in dist/. */
function peopleWorkflowsPath(): string {
  return require.resolve('./people/workflows');
}

/**
 * A time-skipping server for a batch of scenarios. Time skipping is unlocked once for the whole batch (results are
 * awaited with a plain client, which does not lock and unlock around each wait, so scenarios can run side by side).
 */
export async function createExplorerEnv(workflowBundlePath: string): Promise<ExplorerEnv> {
  quietExplorerRuntime();
  const env = await createTimeSkippingEnv();
  await testServiceOf(env).unlockTimeSkipping({});
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  const connection = { connection: env.nativeConnection, namespace: env.namespace ?? 'default' };
  const peopleQueue = `explorer-people-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const people = await Worker.create({
    ...connection,
    taskQueue: peopleQueue,
    workflowBundle: { codePath: await cachedBundle(peopleWorkflowsPath(), 'people') },
    activities: createPeopleActivities(client),
  });
  // As in production, the rotations run on the central workflow queue (one worker for the batch, each server its own)
  // and each scenario's activities on its organisation's queue: a workflow worker per scenario would load the bundle
  // and build a sandbox each time, which cost more than most scenarios.
  const workflows = await Worker.create({
    ...connection,
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowBundle: { codePath: workflowBundlePath },
    maxCachedWorkflows: 32,
    maxConcurrentWorkflowTaskExecutions: 4,
  });
  const running = [people.run(), workflows.run()];
  return {
    env,
    client,
    workflowBundlePath,
    peopleQueue,
    async close() {
      people.shutdown();
      workflows.shutdown();
      await Promise.all(running.map((r) => r.catch(() => undefined)));
      await env.teardown();
    },
  };
}

function testServiceOf(env: TestWorkflowEnvironment) {
  const service = env.connection.testService;
  if (!service) throw new Error('the explorer needs the time-skipping test server');
  return service;
}

let counter = 0;

function organizationFor(scenario: Scenario): string {
  counter += 1;
  const seed = String(scenario.seed)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 24);
  return `xp-${seed}-${process.pid.toString(36)}${counter.toString(36)}${crypto.randomBytes(2).toString('hex')}`;
}

function scratchDir(): string {
  // tmpfs where there is one: the state file is written on every change, with fsync.
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  return fs.mkdtempSync(path.join(base, 'explorer-'));
}

/** A scenario that ran, its histories not yet replayed nor its invariants checked (see judgeScenarios). */
export interface RanScenario {
  trace: Trace;
  runs: RunHistory[];
  seconds: number;
  timings: Record<string, number>;
}

export interface ScenarioOutcome {
  trace: Trace;
  violations: Violation[];
  /** Real seconds the scenario took, and where they went. */
  seconds: number;
  timings: Record<string, number>;
}

export async function runScenario(
  xenv: ExplorerEnv,
  scenario: Scenario,
  mode: EngineMode = 'in-process',
): Promise<RanScenario> {
  const began = Date.now();
  const timings: Record<string, number> = {};
  let mark = began;
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = (timings[name] ?? 0) + (now - mark) / 1000;
    mark = now;
  };
  const { env, client } = xenv;
  const organization = organizationFor(scenario);
  const workflowId = rotationWorkflowId(organization);
  const taskQueue = activityTaskQueueFor(organization);
  const dir = scratchDir();
  const file = path.join(dir, 'organisation.json');
  const testService = testServiceOf(env);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let exchange: ReturnType<typeof createExchangeClient> | undefined;
  let entra: EntraEndpoint | undefined;
  const secrets: string[] = [];
  try {
    // Locked while the scenario is laid out: another scenario idling on a timer must not skip time meanwhile.
    await testService.lockTimeSkipping({});
    let engine: ScenarioEngine;
    let handle: WorkflowHandleWithFirstExecutionRunId;
    let initial: OrgView;
    const boundTime = boundMs(scenario);
    try {
      const start = await env.currentTimeMs();
      const org = buildOrganisation(scenario, start);
      writeStateAtomically(file, org);
      initial = viewOf(org, start);
      let graph: ActivityDeps['graph'];
      if (scenario.org.dedicatedApp && org.entra) {
        // The worker may write the hybrid application's keys through Graph, as a production worker given credentials.
        entra = await startEntraEndpoint({ stateFile: file });
        const settings = await registerWorkerClient(file, dir, entra, {
          permissions: ['Application.ReadWrite.OwnedBy'],
        });
        if (settings.credential.kind === 'secret') secrets.push(settings.credential.secret.reveal());
        graph = { client: createGraphClient(settings), access: settings.access };
      }
      engine = new ScenarioEngine(scenario, file, start, mode, () => env.currentTimeMs());
      exchange = createExchangeClient(
        { mode: 'simulated', simulatorState: file },
        { pool: explorerPool(engine), now: () => new Date(engine.now()) },
      );
      const activities = createActivities({
        exchange,
        clock: () => new Date(engine.now()),
        settings: { serverClockRate: 1 },
        notify: engine.recordNotification,
        graph,
      });
      worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities,
        interceptors: { activity: engine.interceptors },
        maxConcurrentActivityTaskExecutions: 2,
      });
      running = worker.run();
      handle = await client.workflow.start(ROTATE_WORKFLOW_TYPE, {
        taskQueue: WORKFLOW_TASK_QUEUE,
        workflowId,
        args:
          scenario.carried === undefined
            ? [{ ...scenario.input, organization }]
            : [{ ...scenario.input, organization }, scenario.carried],
        workflowExecutionTimeout: boundTime,
      });
      if (scenario.hcw.length > 0) {
        const plan: PersonPlan = {
          workflowId,
          answers: scenario.hcw.map((a) => ({ at: start + a.atMs, signal: a.signal, payload: a.payload })),
        };
        await client.workflow.start('explorerPerson', {
          taskQueue: xenv.peopleQueue,
          workflowId: `person-${organization}`,
          args: [plan],
          workflowExecutionTimeout: boundTime + 60 * DAY,
        });
      }
    } finally {
      await testService.unlockTimeSkipping({});
    }

    lap('setup');
    debug(scenario.seed, 'started');
    const result = await awaitResult(client, handle, mode);
    lap('run');
    debug(scenario.seed, `closed: ${result.status}`);
    // The person is left to finish on its own (its later answers find the rotation closed): terminating a workflow
    // that waits on a timer leaves a time lock behind in the test server, and time stops for every scenario.
    const closed = await closedAt(client, workflowId);
    result.closedAt = closed;
    // One after the other: the test server holds a time lock per query task it schedules, and two queries at once
    // can leave one of those locks behind.
    result.statusQuery = (await handle.query(statusQuery).catch(() => undefined)) as RotationStatus | undefined;
    // The report is asked for only when the run gave none (each query of a closed run replays its whole history).
    if (!result.report) {
      result.queriedReport = (await handle.query(reportQuery).catch(() => undefined)) as RotationReport | undefined;
    }
    lap('queries');
    debug(scenario.seed, 'queried');
    const history = await historyFacts(client, workflowId, handle.firstExecutionRunId);
    lap('history');
    debug(scenario.seed, 'history read');
    const end = await engine.advanceTo(closed);
    const stagedFor = end.authConfig.nextEffective ?? 0;
    const later = await engine.advanceTo(Math.max(closed, stagedFor) + 2 * 12 * HOUR + 2 * HOUR);
    const report = result.report ?? result.queriedReport;
    const trace: Trace = {
      scenario,
      organization,
      workflowId,
      mode,
      start: engine.start,
      boundMs: boundTime,
      initial,
      views: [initial, ...engine.views, end, later],
      attempts: engine.attempts,
      calls: engine.calls,
      notifications: engine.notifications,
      signals: signalsOf(history.signals, scenario),
      end,
      later,
      result,
      history: history.facts,
      secrets: [...engine.secrets, ...secrets],
      ignored: (report?.servers ?? []).filter((s) => s.ignored).map((s) => s.name),
    };
    lap('settle'); // the organisation after the close and a servicelet cycle later (invariants: judgeScenarios)
    for (const [k, v] of Object.entries(engine.spent)) timings[`in-${k}`] = v / 1000;
    return { trace, runs: history.runs, seconds: (Date.now() - began) / 1000, timings };
  } finally {
    worker?.shutdown();
    await running?.catch(() => undefined);
    debug(scenario.seed, 'worker stopped');
    await exchange?.close().catch(() => undefined);
    await entra?.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The production pool, its sessions the engine's: one at a time per organisation, so that the calls (and the faults
 * drawn for them) come in one order, and kept until the scenario ends (an idle timeout in real time would make the
 * number of shell "processes" depend on the machine's speed).
 */
function explorerPool(engine: ScenarioEngine): ShellSessionPool {
  return new ShellSessionPool({
    openSession: engine.sessionFactory,
    maxSessions: 1,
    maxSessionsPerTarget: 1,
    schedule: () => () => undefined,
  });
}

async function awaitResult(
  client: Client,
  handle: WorkflowHandleWithFirstExecutionRunId,
  mode: EngineMode,
): Promise<RunResult> {
  let stop = false;
  let wake = () => undefined as void;
  let reason = '';
  // A workflow task that fails again and again never ends the run by itself: stop it once that is certain.
  const watch = (async () => {
    let moved = Date.now();
    let length = -1;
    while (!stop) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stop) return;
      try {
        const description = await handle.describe();
        const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
        if (description.historyLength !== length) {
          length = description.historyLength;
          moved = Date.now();
        }
        if (attempt >= STUCK_TASK_ATTEMPTS) reason = `workflow task failed ${attempt} times in a row`;
        else if (Date.now() - moved > WATCHDOG_MS[mode]) {
          reason = `its history stood still for ${WATCHDOG_MS[mode] / 1000} s of real time`;
        }
        if (reason) {
          const raw = description.raw;
          debug(
            handle.workflowId,
            `stuck: ${reason}; pending activities ${JSON.stringify(raw.pendingActivities)}; ` +
              `pending task ${JSON.stringify(raw.pendingWorkflowTask)}; history ${description.historyLength}`,
          );
          if (process.env.EXPLORER_DEBUG) {
            const history = await handle.fetchHistory();
            const last = (history.events ?? []).slice(-4).map((e) => {
              const timer = e.timerStartedEventAttributes?.startToFireTimeout;
              return `${EventType[e.eventType ?? 0]}${timer ? ` ${timer.seconds}s` : ''} at ${new Date(Number(e.eventTime?.seconds ?? 0) * 1000).toISOString()}`;
            });
            debug(handle.workflowId, `last events: ${last.join('; ')}`);
          }
          await client.workflow.getHandle(handle.workflowId).terminate(`explorer: ${reason}`);
          return;
        }
      } catch {
        // closed meanwhile
      }
    }
  })();
  try {
    const report = (await handle.result()) as RotationReport;
    return { status: 'completed', report, closedAt: 0 };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause as (Error & { type?: string; cause?: Error & { type?: string } }) | undefined;
    const name = cause?.constructor?.name ?? '';
    const status: RunResult['status'] =
      name === 'TerminatedFailure' ? 'terminated' : name === 'TimeoutFailure' ? 'timed-out' : 'failed';
    return {
      status,
      failure: {
        type: cause?.type ?? name,
        message: reason ? `${cause?.message ?? ''} (${reason})` : (cause?.message ?? error.message),
        ...(cause?.cause ? { cause: `${cause.cause.type ?? cause.cause.name}: ${cause.cause.message}` } : {}),
      },
      closedAt: 0,
    };
  } finally {
    stop = true;
    wake();
    await watch;
  }
}

async function closedAt(client: Client, workflowId: string): Promise<number> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.closeTime?.getTime() ?? Date.now();
}

function decodePayloads(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) decodePayloads(item, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (node instanceof Uint8Array) {
    out.push(Buffer.from(node).toString('utf8'));
    return;
  }
  for (const value of Object.values(node)) {
    if (typeof value === 'string') out.push(value);
    else decodePayloads(value, out);
  }
}

function payloadJson(payload: unknown): unknown {
  try {
    const data = (payload as { data?: Uint8Array })?.data;
    return data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

async function historyFacts(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<{
  facts: HistoryFacts;
  signals: Array<{ at: number; signal: string; payload: unknown }>;
  runs: RunHistory[];
}> {
  const facts: HistoryFacts = {
    runs: 0,
    events: 0,
    workflowTaskFailures: [],
    maxWorkflowTaskAttempt: 1,
    text: '',
    replay: { ok: true },
  };
  const signals: Array<{ at: number; signal: string; payload: unknown }> = [];
  const texts: string[] = [];
  const runs: RunHistory[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    facts.runs += 1;
    const events = history.events ?? [];
    facts.events += events.length;
    decodePayloads(events, texts);
    let next: string | undefined;
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        const failure = event.workflowTaskFailedEventAttributes?.failure;
        facts.workflowTaskFailures.push(failure?.message ?? 'workflow task failed');
      }
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        const attempt = event.workflowTaskScheduledEventAttributes?.attempt ?? 1;
        facts.maxWorkflowTaskAttempt = Math.max(facts.maxWorkflowTaskAttempt, attempt);
      }
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
        const attrs = event.workflowExecutionSignaledEventAttributes!;
        signals.push({
          at: Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6),
          signal: attrs.signalName ?? '',
          payload: payloadJson(attrs.input?.payloads?.[0]),
        });
      }
      const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (continued) next = continued;
    }
    const workflowTaskFailed = facts.workflowTaskFailures.length > 0;
    runs.push({ workflowId, runId, history, workflowTaskFailed });
    runId = next;
  }
  facts.text = texts.join('\n');
  return { facts, signals, runs };
}

/** Replays the scenarios' histories with one replay worker, then checks every invariant of each. */
export async function judgeScenarios(bundlePath: string, ran: RanScenario[]): Promise<ScenarioOutcome[]> {
  const verdicts = await replayHistories(
    bundlePath,
    ran.flatMap((r) => r.runs),
  );
  let index = 0;
  return ran.map(({ trace, runs, seconds, timings }) => {
    const broken = runs.map(() => verdicts[index++]).find((v) => v !== undefined);
    if (broken) trace.history.replay = { ok: false, error: broken };
    const violations = checkInvariants(trace);
    trace.history.text = '';
    return { trace, violations, seconds, timings };
  });
}

function signalsOf(
  delivered: Array<{ at: number; signal: string; payload: unknown }>,
  scenario: Scenario,
): SignalRecord[] {
  return delivered.map((d) => {
    const planned = scenario.hcw.find(
      (a) => a.signal === d.signal && JSON.stringify(a.payload ?? null) === JSON.stringify(d.payload ?? null),
    );
    return { ...d, valid: planned?.valid ?? false, delivered: true };
  });
}
