// The fleet benchmark's arithmetic, pure so that tests can pin it: what a workflow history says about time spent in
// timers and in activities, the no-op script a rotation's history becomes, when the fleet was at rest, which overdue
// diagnoses the simulated organisation's own record contradicts, and the one JSON line the bench ends with.

/** The history events the figures need, flattened from Temporal's protobuf (bench/fleet.ts does that). */
export type FlatEvent =
  | { kind: 'started' | 'closed' | 'task-completed' | 'task-timed-out'; atMs: number }
  | { kind: 'activity-scheduled'; atMs: number; id: string; name?: string }
  | { kind: 'activity-closed'; atMs: number; id: string }
  | { kind: 'timer-started'; atMs: number; id: string; timerMs: number }
  | { kind: 'timer-fired' | 'timer-canceled'; atMs: number; id: string };

export type Interval = [start: number, end: number];

/** Total length of the union of `intervals` (overlaps counted once). */
export function unionMs(intervals: Interval[]): number {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

/** Pairs `open` events with the `close` events of the same id; one still open at the end closes at `endMs`. */
function pairs(events: FlatEvent[], open: FlatEvent['kind'], close: FlatEvent['kind'][], endMs: number): Interval[] {
  const started = new Map<string, number>();
  const out: Interval[] = [];
  for (const e of events) {
    if (!('id' in e)) continue;
    if (e.kind === open) started.set(e.id, e.atMs);
    else if (close.includes(e.kind) && started.has(e.id)) {
      out.push([started.get(e.id)!, e.atMs]);
      started.delete(e.id);
    }
  }
  for (const s of started.values()) out.push([s, endMs]);
  return out;
}

function span(events: FlatEvent[]): Interval {
  const start = events.find((e) => e.kind === 'started')?.atMs ?? events[0]?.atMs ?? 0;
  const end = [...events].reverse().find((e) => e.kind === 'closed')?.atMs ?? events[events.length - 1]?.atMs ?? start;
  return [start, end];
}

export function timerIntervals(events: FlatEvent[]): Interval[] {
  return pairs(events, 'timer-started', ['timer-fired', 'timer-canceled'], span(events)[1]);
}

/** From scheduled to completed, failed, timed out or cancelled: the activity's whole stay, queueing included. */
export function activityIntervals(events: FlatEvent[]): Interval[] {
  return pairs(events, 'activity-scheduled', ['activity-closed'], span(events)[1]);
}

/** Seconds from scheduled to closed, summed per activity type over `runs`, most first: where the non-timer time went. */
export function activitySecondsByType(runs: FlatEvent[][]): Record<string, number> {
  const totals = new Map<string, number>();
  for (const events of runs) {
    const names = new Map(events.flatMap((e) => (e.kind === 'activity-scheduled' ? [[e.id, e.name ?? '?']] : [])));
    const scheduled = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'activity-scheduled') scheduled.set(e.id, e.atMs);
      else if (e.kind === 'activity-closed' && scheduled.has(e.id)) {
        const name = names.get(e.id) ?? '?';
        totals.set(name, (totals.get(name) ?? 0) + (e.atMs - scheduled.get(e.id)!) / 1000);
      }
    }
  }
  return Object.fromEntries(
    [...totals].sort((a, b) => b[1] - a[1]).map(([name, s]) => [name, Math.round(s * 10) / 10]),
  );
}

/** A run's wall time and the part of it not spent waiting on a timer. */
export function runTimes(events: FlatEvent[]): { wallMs: number; nonTimerMs: number } {
  const [start, end] = span(events);
  const wallMs = end - start;
  return { wallMs, nonTimerMs: wallMs - unionMs(timerIntervals(events)) };
}

/**
 * One step of the no-op baseline: what one workflow task of the rotation started together (its activities, and the
 * timer that then fired), replayed as no-op activities and a sleep of the same length, side by side.
 */
export interface ScriptStep {
  activities: number;
  timerMs: number;
}

/** The rotation's history as the no-op baseline replays it: timers that were cancelled are left out. */
export function replayScript(events: FlatEvent[]): ScriptStep[] {
  const steps: ScriptStep[] = [];
  const timers = new Map<string, { step: ScriptStep; ms: number }>();
  let current: ScriptStep = { activities: 0, timerMs: 0 };
  for (const e of events) {
    if (e.kind === 'task-completed') {
      current = { activities: 0, timerMs: 0 };
      steps.push(current);
    } else if (e.kind === 'activity-scheduled') current.activities += 1;
    else if (e.kind === 'timer-started') timers.set(e.id, { step: current, ms: e.timerMs });
    else if (e.kind === 'timer-fired') {
      const t = timers.get(e.id);
      if (t) t.step.timerMs = Math.max(t.step.timerMs, t.ms);
    }
  }
  return steps.filter((s) => s.activities > 0 || s.timerMs > 0);
}

/** Samples of the worker taken while the fleet runs. */
export interface Sample {
  atMs: number;
  shells: number;
  rssMb: number;
}

/**
 * The samples taken at rest: no activity of any rotation scheduled or running, and the last one ended at least
 * `idleMs` before (the pool's idle time: a shell may live that long after its last call, by design).
 */
export function restSamples(samples: Sample[], busy: Interval[], idleMs: number): Sample[] {
  return samples.filter(
    (s) =>
      !busy.some(([start, end]) => s.atMs >= start && s.atMs < end + idleMs) &&
      busy.some(([, end]) => end <= s.atMs) &&
      busy.some(([start]) => start > s.atMs),
  );
}

/** a ÷ b to two decimals; null when it has no meaning (nothing to divide by). */
export function ratio(a: number, b: number): number | null {
  return b > 0 && Number.isFinite(a) ? Math.round((a / b) * 100) / 100 : null;
}

/** What the simulated organisation recorded of one rotation, on its own (Exchange) clock, in epoch ms. */
export interface OrganizationTruth {
  /** First event 2014 naming the new certificate: when the servicelet published it. */
  publishedAt: number | null;
  /** The latest recycle of a pool that then cached the new certificate. */
  lastRecycleAt: number | null;
  /** When the new certificate reached each server (null: never). */
  installedAt: Array<number | null>;
}

/** What the rotation diagnosed, from its report. */
export interface Diagnoses {
  /** The effective date the publication-overdue check counted from (null: never diagnosed overdue). */
  publicationOverdueFrom: string | null;
  /** Each date move for missing replication: the cut-off it was moved at (server clock, epoch ms). */
  replicationMoveCutoffs: number[];
}

/**
 * Overdue diagnoses the organisation's record contradicts: publication called overdue though the servicelet had
 * published before `cycle + margin` after the date, or a date moved for replication though every server held the
 * certificate by the cut-off.
 */
export function falseOverdueCount(truth: OrganizationTruth, diagnosed: Diagnoses, publicationDueMs: number): number {
  let count = 0;
  if (diagnosed.publicationOverdueFrom !== null && truth.publishedAt !== null) {
    if (truth.publishedAt < Date.parse(diagnosed.publicationOverdueFrom) + publicationDueMs) count += 1;
  }
  const everywhere = truth.installedAt.every((t) => t !== null) ? Math.max(...(truth.installedAt as number[])) : null;
  for (const cutoff of diagnosed.replicationMoveCutoffs) {
    if (everywhere !== null && everywhere <= cutoff) count += 1;
  }
  return count;
}

/** The bench's last line: exactly these fields, in this order (issue 12, item 6). */
export interface FleetLine {
  orgs: number;
  servers: number;
  completed: number;
  wallRatio: number | null;
  nonTimerRatio: number | null;
  workerRssMb: number;
  shellsAliveAtRest: number | null;
  shellsAlivePeak: number;
  workflowTaskTimeouts: number;
  callsPerServer: number;
  publicationToLastRecycleMinutes: number | null;
  falseOverdue: number;
}

export const FLEET_LINE_FIELDS = [
  'orgs',
  'servers',
  'completed',
  'wallRatio',
  'nonTimerRatio',
  'workerRssMb',
  'shellsAliveAtRest',
  'shellsAlivePeak',
  'workflowTaskTimeouts',
  'callsPerServer',
  'publicationToLastRecycleMinutes',
  'falseOverdue',
] as const satisfies ReadonlyArray<keyof FleetLine>;

export function fleetLine(figures: FleetLine): string {
  return JSON.stringify(Object.fromEntries(FLEET_LINE_FIELDS.map((k) => [k, figures[k]])));
}
