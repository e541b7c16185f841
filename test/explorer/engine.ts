// One scenario's engine, between the production activities and the simulated Exchange:
// - the activity interceptor: at every attempt's start it moves Exchange's clock to Temporal's (the attempt's scheduled
//   time, never backwards, frozen until the next attempt) and applies the timeline events that clock has passed; it
//   decides whether the worker "dies" during the attempt; and it records the organisation once the attempt is over;
// - the session decorator (around the in-process or the real shell): every Exchange call is recorded with its cmdlets
//   and parameter names, and the seeded faults are placed on it (transient error, shell death, worker kill).
// A killed attempt fails with WorkerKilled and `nextRetryDelay` = the downtime; the abandoned body's further Exchange
// calls never reach Exchange (they fail at once, so the body ends and releases its timers, and changes nothing more).
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { RunCommandOptions } from '../../activities/powershell/session';
import { ShellSession } from '../../activities/powershell/session';
import type { ShellLaunch } from '../../activities/powershell/settings';
import type { RotationNotification } from '../../common/rotation';
import {
  PSSecureString,
  catchUp,
  clearFaults,
  findServer,
  injectFault,
  parseScript,
  readState,
  restartServiceHost,
  withFileLock,
  writeStateAtomically,
} from 'simulated-exchange';
import type { Organisation, PSValue } from 'simulated-exchange';
import { CommandSession, InProcessShellSession, isExchangeCmdlet, LinePlan } from './in-process-session';
import { accessDeniedFault } from './organisation';
import { Prng } from './prng';
import type { Scenario, ScriptedFault, TimelineEvent } from './scenario';
import { AttemptRecord, CallRecord, OrgView, viewOf } from './trace';
import { debug } from './debug';

export const WORKER_KILLED = 'WorkerKilled';
export type EngineMode = 'in-process' | 'real-shell';

type KillPoint = 'before' | 'after' | 'result-lost';

interface Attempt {
  seq: number;
  activity: string;
  attempt: number;
  at: number;
  calls: number;
  plan: { point: KillPoint; call: number; downtimeMs: number; heartbeatsKept: number } | null;
  abandoned: boolean;
  /** Resolves when the worker "dies" during this attempt. */
  killed: Promise<number>;
  kill(downtimeMs?: number): void;
}

/** The body of an attempt whose worker was killed: its calls never reach Exchange. */
export class AbandonedAttemptError extends Error {
  constructor(cmdlet: string | undefined) {
    super(`${cmdlet ?? 'PowerShell'}: the worker running this attempt was killed`);
    this.name = 'AbandonedAttemptError';
  }
}

const parsedLines = new Map<string, Array<{ name: string; params: string[] }>>();
const PARSED_LINES_KEPT = 2000;

/** The Exchange cmdlets a line runs, in text order, with the parameter names each is given. */
export function exchangeCmdletsOf(command: string): Array<{ name: string; params: string[] }> {
  const known = parsedLines.get(command);
  if (known) return known.map((c) => ({ name: c.name, params: [...c.params] }));
  const found = parseCmdlets(command);
  if (parsedLines.size >= PARSED_LINES_KEPT) parsedLines.clear();
  parsedLines.set(command, found);
  return found.map((c) => ({ name: c.name, params: [...c.params] }));
}

function parseCmdlets(command: string): Array<{ name: string; params: string[] }> {
  const found: Array<{ name: string; params: string[] }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as { kind?: unknown; name?: unknown; elements?: unknown };
    if (n.kind === 'command' && typeof n.name === 'string' && isExchangeCmdlet(n.name)) {
      const params = (n.elements as Array<{ kind: string; name?: string }>)
        .filter((e) => e.kind === 'parameter')
        .map((e) => e.name!);
      found.push({ name: n.name, params });
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') walk(value);
  };
  try {
    walk(parseScript(command));
  } catch {
    // Not parseable: the shell will say so; nothing to record.
  }
  return found;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class ScenarioEngine {
  readonly calls: CallRecord[] = [];
  readonly attempts: AttemptRecord[] = [];
  readonly notifications: Array<{ at: number; notification: RotationNotification }> = [];
  /** Views of the organisation: each attempt's start (after the clock moved) and end, in order. */
  readonly views: OrgView[] = [];
  readonly secrets = new Set<string>();
  /** Real milliseconds spent in Exchange calls and in the clock/snapshot bookkeeping. */
  readonly spent = { calls: 0, bookkeeping: 0, bodies: 0 };
  private clock: number;
  private applied = 0;
  private kills = 0;
  private seq = 0;
  private readonly events: Array<TimelineEvent & { at: number }>;
  private readonly callChance: Prng;
  private readonly attemptChance: Prng;
  private readonly store = new AsyncLocalStorage<Attempt>();
  private readonly scriptedSeen = new Map<ScriptedFault, number>();
  /** Serialises clock moves and snapshots: one activity runs at a time, but a killed body may still be unwinding. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly scenario: Scenario,
    readonly file: string,
    readonly start: number,
    readonly mode: EngineMode,
    /** Temporal's clock now (the test server's, which time skipping moves). */
    private readonly temporalNow: () => Promise<number>,
  ) {
    this.clock = start;
    this.events = scenario.timeline.map((e) => ({ ...e, at: start + e.atMs })).sort((a, b) => a.at - b.at);
    // Events at the start are part of the starting organisation.
    this.applied = this.events.filter((e) => e.atMs <= 0).length;
    const chance = new Prng(`run:${scenario.seed}`);
    this.callChance = chance.fork('calls');
    this.attemptChance = chance.fork('attempts');
  }

  /** Exchange's clock as the engine last set it (the worker's clock, for the activities). */
  now(): number {
    return this.clock;
  }

  get killCount(): number {
    return this.kills;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Clock and timeline

  /** Moves Exchange's clock to `at` (never back), applying the timeline events it passes at their own instants. */
  advanceTo(at: number): Promise<OrgView> {
    const step = this.lock.then(() =>
      withFileLock(this.file, () => {
        const target = Math.max(this.clock, at);
        const org = readState(this.file);
        for (let event = this.events[this.applied]; event && event.at <= target; event = this.events[this.applied]) {
          this.applied++;
          freeze(org, event.at);
          catchUp(org, event.at);
          this.apply(org, event);
        }
        freeze(org, target);
        catchUp(org, target);
        writeStateAtomically(this.file, org);
        this.clock = target;
        this.collectSecrets(org);
        return viewOf(org, target);
      }),
    );
    this.lock = step.catch(() => undefined);
    return step;
  }

  /** The organisation now, caught up to the frozen clock. */
  snapshot(): Promise<OrgView> {
    const step = this.lock.then(() => {
      const org = readState(this.file);
      catchUp(org, this.clock);
      this.collectSecrets(org);
      return viewOf(org, this.clock);
    });
    this.lock = step.catch(() => undefined);
    return step;
  }

  private apply(org: Organisation, event: TimelineEvent & { at: number }): void {
    switch (event.kind) {
      case 'reachable': {
        const server = findServer(org, event.server);
        if (server) server.reachable = event.reachable;
        return;
      }
      case 'service-host-restart': {
        const server = findServer(org, event.server);
        if (server) restartServiceHost(org, server, event.at);
        return;
      }
      case 'authadmin':
        org.behaviour.authAdminPaused = event.paused;
        return;
      case 'access-denied':
        org.faults.push(accessDeniedFault(event.cmdlet, event.once));
        return;
      case 'graph-outage':
        org.entra?.faults.push({ kind: 'outage', remaining: event.requests });
        return;
    }
  }

  private collectSecrets(org: Organisation): void {
    for (const s of org.servers) for (const c of s.certificates) this.secrets.add(c.keyMaterial);
  }

  /** Export-ExchangeCertificate's password and the PFX bytes it returned (in-process only: the real shell keeps them). */
  private onCmdlet = (name: string, args: Record<string, PSValue>, output: PSValue[]): void => {
    if (name !== 'Export-ExchangeCertificate') return;
    const password = args.Password;
    if (password instanceof PSSecureString) this.secrets.add(password.plainText);
    else if (typeof password === 'string') this.secrets.add(password);
    for (const item of output) {
      const data =
        item && typeof item === 'object' && 'get' in item
          ? (item as { get(n: string): unknown }).get('FileData')
          : null;
      if (data instanceof Uint8Array) {
        this.secrets.add(Buffer.from(data).toString('base64').slice(0, 64));
        this.secrets.add(Array.from(data.slice(0, 24)).join(','));
      }
    }
  };

  // -------------------------------------------------------------------------------------------------------------------
  // Sessions

  /** For the pool, which types its sessions as ShellSession: what it uses of them is CommandSession. */
  readonly sessionFactory = (launch: ShellLaunch): ShellSession => {
    const inner =
      this.mode === 'in-process'
        ? new InProcessShellSession(launch, { onCmdlet: this.onCmdlet })
        : new ShellSession(launch);
    return new ScenarioSession(this, inner) as CommandSession as ShellSession;
  };

  currentAttempt(): Attempt | undefined {
    return this.store.getStore();
  }

  /** What happens to one call: scripted faults first, then the seeded ones. Always draws the same numbers per call. */
  decideCall(
    attempt: Attempt | undefined,
    cmdlets: Array<{ name: string; params: string[] }>,
  ): { kill?: 'before' | 'after'; downtimeMs?: number; line: LinePlan; injected?: CallRecord['injected'] } {
    const [t, d, w] = [this.callChance.next(), this.callChance.next(), this.callChance.next()];
    for (const fault of this.scenario.scripted) {
      const hit = cmdlets.some(
        (c) => c.name.toLowerCase() === fault.cmdlet.toLowerCase() && (!fault.param || c.params.includes(fault.param)),
      );
      if (!hit) continue;
      const seen = (this.scriptedSeen.get(fault) ?? 0) + 1;
      this.scriptedSeen.set(fault, seen);
      if (seen !== fault.occurrence) continue;
      switch (fault.action) {
        case 'kill-before':
        case 'kill-after':
          if (!attempt) break;
          this.kills++;
          return {
            kill: fault.action === 'kill-before' ? 'before' : 'after',
            downtimeMs: fault.downtimeMs,
            line: {},
            injected: fault.action,
          };
        case 'shell-death-before':
          return { line: { death: 'before' }, injected: fault.action };
        case 'shell-death-after':
          return { line: { death: 'after' }, injected: fault.action };
        case 'transient':
          return { line: { transient: true }, injected: 'transient' };
      }
    }
    if (attempt?.plan && attempt.plan.point !== 'result-lost' && attempt.calls === attempt.plan.call) {
      this.kills++;
      return {
        kill: attempt.plan.point,
        downtimeMs: attempt.plan.downtimeMs,
        line: {},
        injected: `kill-${attempt.plan.point}`,
      };
    }
    if (cmdlets.length === 0 || !attempt) return { line: {} };
    const { transient, shellDeath } = this.scenario.faults;
    const first = cmdlets[0]?.name ?? '';
    const p = transient.byCmdlet[first] ?? transient.probability;
    if (d < shellDeath) {
      const death = w < 0.5 ? 'before' : 'after';
      return { line: { death }, injected: `shell-death-${death}` };
    }
    if (t < p) return { line: { transient: true }, injected: 'transient' };
    return { line: {} };
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Activity attempts

  readonly interceptors = [
    (ctx: Context) => ({
      inbound: {
        execute: (input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) =>
          this.execute(ctx, input, next),
      },
    }),
  ];

  private planAttempt(): Attempt['plan'] {
    const { kill } = this.scenario.faults;
    const [c = 1, p = 0, k = 0, down = 0, beats = 0] = Array.from({ length: 5 }, () => this.attemptChance.next());
    if (this.kills >= kill.max || c >= kill.probability) return null;
    const point: KillPoint = p < 0.4 ? 'before' : p < 0.8 ? 'after' : 'result-lost';
    const downtimeMs = Math.round(
      Math.exp(Math.log(kill.minDowntimeMs) + down * (Math.log(kill.maxDowntimeMs) - Math.log(kill.minDowntimeMs))),
    );
    return { point, call: 1 + Math.floor(k * 12), downtimeMs, heartbeatsKept: Math.floor(beats * 3) };
  }

  private async execute(
    ctx: Context,
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const { activityType, attempt: number, currentAttemptScheduledTimestampMs } = ctx.info;
    const t0 = Date.now();
    // A retry's scheduled time is when it was scheduled, not when its back-off (or a killed worker's downtime) ended:
    // Exchange's clock follows the server's clock at the start.
    const log = (what: string) => debug(this.scenario.seed, `${activityType} #${number}: ${what}`);
    log('starting');
    const temporalNow = await this.temporalNow();
    log('got time');
    const before = await this.advanceTo(Math.max(currentAttemptScheduledTimestampMs, temporalNow));
    log('clock moved');
    this.spent.bookkeeping += Date.now() - t0;
    this.views.push(before);
    const plan = this.planAttempt();
    log(`at ${new Date(this.clock).toISOString()}${plan ? `, kill ${JSON.stringify(plan)}` : ''}`);
    let killWith!: (downtimeMs: number) => void;
    const attempt: Attempt = {
      seq: this.seq++,
      activity: activityType,
      attempt: number,
      at: this.clock,
      calls: 0,
      plan,
      abandoned: false,
      killed: new Promise<number>((resolve) => {
        killWith = resolve;
      }),
      kill: (downtimeMs = plan?.downtimeMs ?? 60_000) => {
        attempt.abandoned = true;
        killWith(downtimeMs);
      },
    };
    // A process killed by SIGKILL never sends the heartbeats the SDK was still holding back: only the first few of an
    // attempt that dies reach the server. A scripted kill keeps the first one.
    let beats = 0;
    const forward = ctx.heartbeat.bind(ctx);
    Object.defineProperty(ctx, 'heartbeat', {
      configurable: true,
      value: (details?: unknown) => {
        beats += 1;
        if (attempt.abandoned) return;
        const kept = plan ? plan.heartbeatsKept : Infinity;
        if (beats <= kept || !plan) forward(details);
        else pendingBeat = { details };
      },
    });
    let pendingBeat: { details: unknown } | null = null;
    const body = this.store.run(attempt, () => next(input));
    const settled = body.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const t1 = Date.now();
    const raced = await Promise.race([settled, attempt.killed.then((downtimeMs) => ({ killed: downtimeMs }))]);
    this.spent.bodies += Date.now() - t1;
    let downtime: number | null = 'killed' in raced ? raced.killed : null;
    if (downtime === null && plan?.point === 'result-lost') {
      this.kills++;
      attempt.abandoned = true;
      downtime = plan.downtimeMs;
    }
    // An attempt that was not killed delivers its last heartbeat with its result, as the SDK flushes it.
    if (downtime === null && pendingBeat) forward((pendingBeat as { details: unknown }).details);
    const t2 = Date.now();
    const after = await this.snapshot();
    this.spent.bookkeeping += Date.now() - t2;
    this.views.push(after);
    const record: AttemptRecord = {
      seq: attempt.seq,
      activity: activityType,
      attempt: number,
      at: attempt.at,
      outcome: downtime !== null ? 'killed' : 'ok' in raced && raced.ok ? 'ok' : 'failed',
      before,
      after,
    };
    log(`finished: ${downtime !== null ? 'killed' : 'ok' in raced && raced.ok ? 'ok' : 'failed'}`);
    if (downtime !== null) {
      record.error = `worker killed; down for ${Math.round(downtime / 1000)} s`;
      this.attempts.push(record);
      throw ApplicationFailure.create({
        type: WORKER_KILLED,
        message: `explorer: the worker was killed during this attempt and stays down for ${Math.round(downtime / 1000)} s`,
        nonRetryable: false,
        nextRetryDelay: downtime,
      });
    }
    const result = raced as { ok: true; value: unknown } | { ok: false; error: unknown };
    if (!result.ok) record.error = describe(result.error);
    this.attempts.push(record);
    if (result.ok) return result.value;
    throw result.error;
  }

  recordNotification = async (notification: RotationNotification): Promise<void> => {
    this.notifications.push({ at: this.clock, notification });
  };
}

function freeze(org: Organisation, at: number): void {
  org.clock = { anchorReal: Date.now(), anchorSim: at, acceleration: 0 };
}

/** Records each call and places the engine's faults on it, around the in-process or the real shell. */
class ScenarioSession implements CommandSession {
  readonly launch: ShellLaunch;

  constructor(
    private readonly engine: ScenarioEngine,
    private readonly inner: CommandSession,
  ) {
    this.launch = inner.launch;
  }

  async run(command: string, options: RunCommandOptions = {}): Promise<string> {
    const attempt = this.engine.currentAttempt();
    if (attempt?.abandoned) throw new AbandonedAttemptError(options.cmdlet);
    const cmdlets = exchangeCmdletsOf(command);
    const record: CallRecord = {
      at: this.engine.now(),
      seq: attempt?.seq ?? -1,
      activity: attempt?.activity ?? '(none)',
      attempt: attempt?.attempt ?? 0,
      cmdlets,
      outcome: 'ok',
    };
    this.engine.calls.push(record);
    if (attempt) attempt.calls += 1;
    const decision = this.engine.decideCall(attempt, cmdlets);
    if (decision.injected) record.injected = decision.injected;
    if (decision.kill === 'before') {
      record.outcome = 'abandoned';
      attempt!.kill(decision.downtimeMs);
      throw new AbandonedAttemptError(options.cmdlet);
    }
    const log = (what: string) => debug(this.engine.scenario.seed, `call ${options.cmdlet}: ${what}`);
    log(`placing ${JSON.stringify(decision)}`);
    await this.place(decision.line);
    log('running');
    let stdout: string;
    const t0 = Date.now();
    try {
      stdout = await this.inner.run(command, options);
      this.engine.spent.calls += Date.now() - t0;
    } catch (error) {
      record.outcome = 'error';
      record.error = describe(error);
      if (decision.kill === 'after') attempt!.kill(decision.downtimeMs);
      throw error;
    } finally {
      await this.clearPlaced(decision.line);
    }
    log('done');
    if (decision.kill === 'after') {
      attempt!.kill(decision.downtimeMs);
      throw new AbandonedAttemptError(options.cmdlet);
    }
    return stdout;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** In-process the plan is armed on the session; the real shell gets a one-shot fault in the state file. */
  private async place(line: LinePlan): Promise<void> {
    if (this.inner instanceof InProcessShellSession) {
      this.inner.arm(line);
      return;
    }
    const file = this.launch.env.EXCHANGE_SIM_STATE!;
    if (line.death) await injectFault(file, { kind: 'die', point: line.death, remaining: 1 });
    else if (line.transient) await injectFault(file, { kind: 'rpc', probability: 1, remaining: 1 });
  }

  /** A one-shot fault the line did not consume must not hit the next one. */
  private async clearPlaced(line: LinePlan): Promise<void> {
    if (this.inner instanceof InProcessShellSession) return;
    const file = this.launch.env.EXCHANGE_SIM_STATE!;
    if (line.death) await clearFaults(file, 'die');
    else if (line.transient) await clearFaults(file, 'rpc');
  }
}
