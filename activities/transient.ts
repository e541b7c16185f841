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

/** The ExchangeClient methods that only read: asking again is always safe. */
const READS = [
  'readClock',
  'getServerTime',
  'getExchangeServers',
  'getAuthConfig',
  'listCertificates',
  'isHybridConfigured',
  'getOrganizationConfig',
  'getInternalTransportCertificate',
  'getDefaultWebSiteCertificates',
  'getAuthAdminEvents',
  'getAuthAdminEventsOnServers',
  'getHybridApplication',
  'getCertificatePublicPart',
  'getAuthAdminLastRun',
  'getServiceHostStartTime',
  'getAppPoolState',
  'getAppPoolStateOnServers',
  'getAppPoolWorkerProcesses',
  'getAppPoolWorkerProcessesOnServers',
] as const satisfies ReadonlyArray<keyof ExchangeClient>;

/**
 * The client with each read asked again, up to SERVER_ASKS times, after a transient error: under frequent transient
 * faults an activity that reads a dozen times would otherwise rarely finish an attempt, and its retries run out while
 * Exchange is merely busy. Changes are not repeated here: their activities look before acting on a retry.
 */
export function withReadsAskedAgain(exchange: ExchangeClient): ExchangeClient {
  const reads = new Set<PropertyKey>(READS);
  return new Proxy(exchange, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (!reads.has(name)) return method.bind(target);
      return async (...args: unknown[]) => {
        for (let ask = 1; ; ask++) {
          try {
            return await method.apply(target, args);
          } catch (error) {
            if (ask >= SERVER_ASKS || !isTransient(error)) throw error;
          }
        }
      };
    },
  });
}
