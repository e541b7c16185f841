// Reaching Temporal from the worker: a server that is not up yet (a compose stack starting, a cluster restarting, a
// wrong address) is retried with one clear line per attempt, not a raw `tonic::transport` error and an exit. A
// configuration error (an unreadable TLS file) is not retried: it was raised before any attempt.
import { NativeConnection } from '@temporalio/worker';
import type { ConnectionOptions } from '../common/temporal-config';

/** Seconds between attempts: quick at first (a server starting), then every 30 s. */
const DELAYS_S = [1, 2, 5, 10, 30];

export class ConnectAbortedError extends Error {
  constructor(address: string) {
    super(`stopped before Temporal at ${address} answered`);
    this.name = 'ConnectAbortedError';
  }
}

/**
 * Why a connection failed, in a few words: the operating system's reason inside the SDK's transport error
 * ("Connection refused", "failed to lookup address information: ..."), else the error's first line.
 */
export function connectFailureReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // The innermost words: `message: "Connection refused"` (an OS error), `error: "failed to lookup ..."` (DNS).
  const os = [...text.matchAll(/(?:message|error): "([^"]+)"/g)].pop()?.[1];
  if (os) return os;
  const inner = [...text.matchAll(/Error\("([^"]+)"/g)].pop()?.[1];
  if (inner) return inner;
  return (text.split('\n')[0] ?? '').replace(/^tonic::transport::Error\((.*)\)$/, '$1');
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Connects, retrying until Temporal answers or `signal` aborts; `log` gets one line per failed attempt. */
export async function connectWithRetry(
  options: ConnectionOptions,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<NativeConnection> {
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw new ConnectAbortedError(options.address);
    try {
      const connection = await NativeConnection.connect(options);
      if (attempt > 0) log(`connected to Temporal at ${options.address}`);
      return connection;
    } catch (error) {
      const delay = DELAYS_S[Math.min(attempt, DELAYS_S.length - 1)] ?? 1;
      log(
        `cannot reach Temporal at ${options.address}: ${connectFailureReason(error)}; retrying in ${delay}s ` +
          '(check TEMPORAL_ADDRESS; Ctrl-C to stop)',
      );
      await pause(delay * 1000, signal);
    }
  }
}
