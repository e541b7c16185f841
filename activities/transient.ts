// Which errors a per-server loop records and moves past (the server may answer later) rather than fails on.
import { AccessDeniedError, RETRYABLE_ERROR_TYPES } from './powershell/errors';

const TRANSIENT = new Set<string>(RETRYABLE_ERROR_TYPES);

export function isTransient(error: unknown): boolean {
  return error instanceof Error && TRANSIENT.has(error.name);
}

/**
 * A look before acting that failed this way says only "cannot tell": act anyway (or, where acting blind could harm,
 * take the cautious choice). Access denied is among them because WinRM and the local Administrators group are per
 * server; the step that follows reports that server's denial as its result, with the servers already done, instead of
 * failing the whole activity after publication.
 */
export function cannotLook(error: unknown): boolean {
  return isTransient(error) || error instanceof AccessDeniedError;
}
