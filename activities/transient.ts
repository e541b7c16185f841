// Which errors a per-server loop records and moves past (the server may answer later) rather than fails on.
import { RETRYABLE_ERROR_TYPES } from './powershell/errors';

const TRANSIENT = new Set<string>(RETRYABLE_ERROR_TYPES);

export function isTransient(error: unknown): boolean {
  return error instanceof Error && TRANSIENT.has(error.name);
}
