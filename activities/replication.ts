// Replication: which servers have the certificate, and the export/import across AD sites where the servicelet does not
// reach. The PFX password never exists outside the PowerShell process that exports and imports in one call, so it is
// never an input, output, heartbeat, or even a string in this worker.
import type { Thumbprint } from '../common/exchange';
import type { CopyResult, ReplicationCheck, ServerIdentity } from '../common/rotation';
import { mapBounded } from './concurrency';
import type { ResolvedDeps } from './deps';
import { CopySourceMissingError } from './errors';
import { AccessDeniedError } from './powershell/errors';
import { resumedProgress, saveProgress } from './heartbeat';
import { isTransient, lookUp } from './transient';

export interface CopyRequest {
  thumbprint: Thumbprint;
  source: ServerIdentity;
  targets: ServerIdentity[];
}

interface CopyHeartbeat {
  done: CopyResult[];
}

export function replicationActivities(deps: ResolvedDeps) {
  const { exchange } = deps;
  const concurrency = deps.settings.serverConcurrency;

  return {
    /** Get-ExchangeCertificate takes one -Server: the look-ups run side by side (settings.serverConcurrency). */
    async checkReplication(request: { thumbprint: Thumbprint; servers: ServerIdentity[] }): Promise<ReplicationCheck> {
      const servers = await mapBounded(request.servers, concurrency, async (server) => {
        const lookup = await lookUp(exchange, server.fqdn, request.thumbprint);
        return {
          server: server.name,
          site: server.site,
          state: lookup.status,
          ...(lookup.status === 'unreachable' ? { detail: lookup.error } : {}),
        };
      });
      return { serverTime: await exchange.getServerTime(), servers };
    },

    async copyCertificate(request: CopyRequest): Promise<CopyResult[]> {
      const resumed = resumedProgress<CopyHeartbeat>()?.done ?? [];
      const done: CopyResult[] = resumed.filter((r) => r.outcome !== 'failed');
      const pending = request.targets.filter((t) => !done.some((r) => r.server === t.name));
      const source = await lookUp(exchange, request.source.fqdn, request.thumbprint);
      if (source.status === 'missing') {
        throw new CopySourceMissingError(`${request.thumbprint} is not on ${request.source.name}, nothing to export`);
      }
      if (source.status === 'unreachable') {
        throw new Error(`source server ${request.source.name} is unreachable: ${source.error}`);
      }
      // Imports side by side; each target is saved as soon as it is done, so a retry skips it whatever the order.
      const finished = await mapBounded(pending, concurrency, async (target): Promise<CopyResult> => {
        let result: CopyResult;
        const lookup = await exchange.getCertificate(target.fqdn, request.thumbprint);
        if (lookup.status === 'present') {
          result = { server: target.name, outcome: 'already-present' };
        } else {
          try {
            await exchange.copyCertificate(request.source.fqdn, request.thumbprint, target.fqdn);
            result = { server: target.name, outcome: 'imported' };
            deps.log.info('imported the certificate', { server: target.name, thumbprint: request.thumbprint });
          } catch (error) {
            // One unreachable target must not stop the others; the workflow polls and tries again. Access denied on
            // one target is that server's fact too: the workflow replaces a kept certificate, or tells people where
            // it is missing and by when, rather than fail with it staged (explorer seed 1244).
            if (!isTransient(error) && !(error instanceof AccessDeniedError)) throw error;
            result = { server: target.name, outcome: 'failed', detail: (error as Error).message };
          }
        }
        done.push(result);
        saveProgress({ done: [...done] } satisfies CopyHeartbeat);
        return result;
      });
      // Reported in the targets' order (earlier attempts' first), however the imports interleaved.
      return [...done.filter((r) => !finished.includes(r)), ...finished];
    },
  };
}
