// The worker's PowerShell sessions: opened when a call needs one, closed after a short idle time, and never more than
// a fixed number at once (further calls wait their turn, first come first served). Between the steps of a rotation
// that waits two days nothing stays running; a fleet of organisations on one worker holds at most `maxSessions`
// processes. A session serves one call at a time, so calls of one target may run side by side on several sessions.
import { ShellProcessError } from './errors';
import { ShellSession } from './session';
import type { ShellLaunch } from './settings';

export interface ShellPoolOptions {
  /** The most shell processes alive at once in this worker. */
  maxSessions?: number;
  /**
   * The most of them for one Exchange target: calls of one organisation run side by side up to this (each session
   * loads the Exchange Management Shell, and Exchange allows a user 18 remote runspaces).
   */
  maxSessionsPerTarget?: number;
  /** How long a session may sit unused before its process is closed. */
  idleTimeoutMs?: number;
  /** Runs `fn` once after `ms` unless cancelled; tests pass their own to fire idle timeouts at will. */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** Opens a session; production never passes one (the scenario explorer runs the simulated shell in-process). */
  openSession?: (launch: ShellLaunch) => ShellSession;
}

export const DEFAULT_MAX_SESSIONS = 4;
export const DEFAULT_MAX_SESSIONS_PER_TARGET = 2;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** A timer that never keeps the worker alive on its own. */
const realSchedule = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Entry {
  session: ShellSession;
  busy: boolean;
  /** Settles when the session this one replaced has closed: the process count never exceeds the cap. */
  ready: Promise<void>;
  cancelIdle?: () => void;
  /** When it was last checked in (a counter): the least recently used idle session is the one to give up. */
  lastUsed: number;
  /** Just checked in: kept for its own target until the event loop turns (checkIn says why). */
  reserved?: boolean;
}

interface Waiter {
  launch: ShellLaunch;
  resolve(entry: Entry): void;
  reject(error: unknown): void;
}

export interface PoolStats {
  /** Sessions opened since the pool was made. */
  opened: number;
  /** The most sessions alive at once. */
  peak: number;
}

export class ShellSessionPool {
  readonly maxSessions: number;
  readonly maxSessionsPerTarget: number;
  readonly idleTimeoutMs: number;
  readonly stats: PoolStats = { opened: 0, peak: 0 };
  private readonly schedule: NonNullable<ShellPoolOptions['schedule']>;
  private readonly openSession: NonNullable<ShellPoolOptions['openSession']>;
  private readonly entries: Entry[] = [];
  private readonly waiters: Waiter[] = [];
  /** Clients per target: when the last one lets go, its idle sessions close at once. */
  private readonly users = new Map<string, number>();
  /** Sessions being closed: closeAll waits for them. */
  private readonly closing = new Set<Promise<void>>();
  private uses = 0;
  private closed = false;

  constructor(options: ShellPoolOptions = {}) {
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.maxSessionsPerTarget = Math.min(
      options.maxSessionsPerTarget ?? DEFAULT_MAX_SESSIONS_PER_TARGET,
      this.maxSessions,
    );
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    for (const [name, value] of [
      ['maxSessions', this.maxSessions],
      ['maxSessionsPerTarget', this.maxSessionsPerTarget],
    ] as const) {
      if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a whole number of at least 1`);
    }
    if (!(this.idleTimeoutMs >= 0)) throw new RangeError('idleTimeoutMs must be zero or more');
    this.schedule = options.schedule ?? realSchedule;
    this.openSession = options.openSession ?? ((launch) => new ShellSession(launch));
  }

  /** Sessions alive (busy or idle). */
  get size(): number {
    return this.entries.length;
  }

  /** Calls waiting for a session. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** A client of `launch`'s target starts using the pool; match each with one release. */
  acquire(launch: ShellLaunch): void {
    this.users.set(launch.key, (this.users.get(launch.key) ?? 0) + 1);
  }

  /** A client lets go; the last client of a target has its idle sessions closed now rather than after the timeout. */
  async release(launch: ShellLaunch): Promise<void> {
    const left = (this.users.get(launch.key) ?? 0) - 1;
    if (left > 0) {
      this.users.set(launch.key, left);
      return;
    }
    this.users.delete(launch.key);
    const idle = this.entries.filter((e) => !e.busy && e.session.launch.key === launch.key);
    await Promise.all(idle.map((e) => this.retire(e)));
  }

  /** Runs `fn` on a session of `launch`'s target that nobody else uses meanwhile. */
  async withSession<T>(launch: ShellLaunch, fn: (session: ShellSession) => Promise<T>): Promise<T> {
    const entry = await this.checkOut(launch);
    try {
      await entry.ready;
      return await fn(entry.session);
    } finally {
      this.checkIn(entry);
    }
  }

  /** For worker shutdown: refuses new calls, fails the waiting ones, closes every session (busy ones after their call). */
  async closeAll(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(poolClosed());
    await Promise.all([...this.entries].map((e) => this.retire(e)));
    await Promise.all(this.closing);
  }

  private checkOut(launch: ShellLaunch): Promise<Entry> {
    if (this.closed) return Promise.reject(poolClosed());
    const idle = this.entries
      .filter((e) => !e.busy && e.session.launch.key === launch.key)
      .sort((a, b) => b.lastUsed - a.lastUsed)[0];
    if (idle) return Promise.resolve(this.take(idle));
    if (this.sessionsOf(launch.key) < this.maxSessionsPerTarget) {
      if (this.entries.length < this.maxSessions) return Promise.resolve(this.open(launch));
      // Full: replace the idle session of another target unused the longest, or wait for one to come back.
      const other = this.entries.filter((e) => !e.busy && !e.reserved).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (other) return Promise.resolve(this.replace(other, launch));
    }
    return new Promise<Entry>((resolve, reject) => this.waiters.push({ launch, resolve, reject }));
  }

  private sessionsOf(key: string): number {
    return this.entries.filter((e) => e.session.launch.key === key).length;
  }

  /** Closes `old` and opens a session for `launch` in its place; the new one starts once the old one has gone. */
  private replace(old: Entry, launch: ShellLaunch): Entry {
    const closing = this.retire(old);
    const entry = this.open(launch);
    entry.ready = closing;
    return entry;
  }

  private take(entry: Entry): Entry {
    entry.cancelIdle?.();
    entry.cancelIdle = undefined;
    entry.busy = true;
    return entry;
  }

  private open(launch: ShellLaunch): Entry {
    const entry: Entry = {
      session: this.openSession(launch),
      busy: true,
      ready: Promise.resolve(),
      lastUsed: this.uses,
    };
    this.entries.push(entry);
    this.stats.opened++;
    this.stats.peak = Math.max(this.stats.peak, this.entries.length);
    return entry;
  }

  private checkIn(entry: Entry): void {
    entry.busy = false;
    entry.lastUsed = ++this.uses;
    if (!this.entries.includes(entry)) return;
    const waiter = this.waiters[this.nextWaiterFor(entry)];
    if (waiter && waiter.launch.key !== entry.session.launch.key) {
      // Replacing it would close this shell for another target's call. Its own target's next call, most often the same
      // activity's a moment later, has the first claim until the event loop turns: with more organisations than
      // sessions, handing it over at once made nearly every call start a new shell (bench/README.md, fleet).
      entry.reserved = true;
      setImmediate(() => {
        entry.reserved = false;
        if (!entry.busy && this.entries.includes(entry)) this.serveOrIdle(entry);
      });
      return;
    }
    this.serveOrIdle(entry);
  }

  /**
   * The first waiter `entry` can serve: one of its target, or one whose target may have another session (this one
   * makes room). A waiter whose target is at its own cap waits for a session of that target.
   */
  private nextWaiterFor(entry: Entry): number {
    const key = entry.session.launch.key;
    return this.waiters.findIndex(
      (w) => w.launch.key === key || this.sessionsOf(w.launch.key) < this.maxSessionsPerTarget,
    );
  }

  /** An idle session serves the next waiter it can, else closes (nobody uses its target) or waits its idle time. */
  private serveOrIdle(entry: Entry): void {
    const key = entry.session.launch.key;
    const index = this.nextWaiterFor(entry);
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(waiter!.launch.key === key ? this.take(entry) : this.replace(entry, waiter!.launch));
      return;
    }
    if (this.closed || !this.users.has(key)) {
      void this.retire(entry);
      return;
    }
    entry.cancelIdle = this.schedule(() => {
      entry.cancelIdle = undefined;
      if (!entry.busy) void this.retire(entry);
    }, this.idleTimeoutMs);
  }

  /** Takes the session out of the pool and closes it (after its current call, if any). */
  private retire(entry: Entry): Promise<void> {
    const index = this.entries.indexOf(entry);
    if (index < 0) return Promise.resolve();
    this.entries.splice(index, 1);
    entry.cancelIdle?.();
    entry.cancelIdle = undefined;
    const closing = entry.session.close().catch(() => undefined);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
    return closing;
  }
}

function poolClosed(): ShellProcessError {
  return new ShellProcessError('the PowerShell session pool was closed (the worker is shutting down)');
}
