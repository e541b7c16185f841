// The one way tests wait for another process (a worker, a server, a browser) to reach a state: look again until it
// holds. The limit is generous and in time, not in attempts, so a busy machine slows a test down rather than failing it;
// on the limit the last value comes back and the caller's assertion shows what was seen.
export interface EventuallyOptions {
  /** How long to keep looking (default 60 s). */
  timeoutMs?: number;
  /** Pause between looks (default 100 ms). */
  intervalMs?: number;
  /** Stop early when this holds (e.g. the process being watched has exited). */
  giveUp?: () => boolean;
}

export async function eventually<T>(
  look: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 100, giveUp }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await look();
    if (done(value) || giveUp?.() || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The subset of a workflow handle that `statusEventually` needs (any client's handle has it). */
interface Queryable<S> {
  query(query: unknown): Promise<S>;
}

/**
 * Polls a running workflow's status query (the same the UI's details show) until `ready` holds: polling a query, not
 * sleeping for a duration under test, since the workflow's own timers decide when it moves.
 */
export async function statusEventually<S>(
  handle: Queryable<S>,
  query: unknown,
  ready: (status: S) => boolean,
  options: EventuallyOptions,
): Promise<S> {
  const last = await eventually(
    (): Promise<S | undefined> => handle.query(query).catch(() => undefined),
    (s) => s !== undefined && ready(s),
    options,
  );
  if (last === undefined || !ready(last)) throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
  return last;
}
