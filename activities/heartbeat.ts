// Heartbeats for every activity: a ticker keeps a slow cmdlet (New-ExchangeCertificate, a recycle on a busy server)
// from looking like a dead worker, and re-sends the latest progress so a ticker never wipes what a retry resumes from.
import { Context } from '@temporalio/activity';

const latest = new WeakMap<Context, { details: unknown }>();

/** Records progress a retry resumes from (heartbeat details). */
export function saveProgress(details: unknown): void {
  const context = Context.current();
  latest.set(context, { details });
  context.heartbeat(details);
}

/** What an earlier attempt saved with saveProgress, if anything. */
export function resumedProgress<T>(): T | undefined {
  return Context.current().info.heartbeatDetails as T | undefined;
}

export async function keepBeating<R>(body: () => Promise<R>, everyMs: number): Promise<R> {
  const context = Context.current();
  const timer = setInterval(() => {
    const saved = latest.get(context);
    context.heartbeat(saved ? saved.details : context.info.heartbeatDetails);
  }, everyMs);
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
}
