// Which errors a per-server loop records and moves past (the server may answer later) rather than fails on.
import type { CertificateLookup, Thumbprint } from '../common/exchange';
import { AccessDeniedError, RETRYABLE_ERROR_TYPES } from './powershell/errors';
import type { ExchangeClient } from './powershell/exchange-client';

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

/**
 * How often one server is asked within one step before it counts as not answering: a transient directory or RPC error
 * on one call says nothing of the server (the workflow still looks again later before it acts on "unreachable").
 */
export const SERVER_ASKS = 4;

/** Get-ExchangeCertificate on one server, asked again (a read, safe to repeat) while it does not answer. */
export async function lookUp(
  exchange: Pick<ExchangeClient, 'getCertificate'>,
  fqdn: string,
  thumbprint: Thumbprint,
): Promise<CertificateLookup> {
  let found = await exchange.getCertificate(fqdn, thumbprint);
  for (let ask = 1; ask < SERVER_ASKS && found.status === 'unreachable'; ask++) {
    found = await exchange.getCertificate(fqdn, thumbprint);
  }
  return found;
}
