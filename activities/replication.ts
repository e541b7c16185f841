// Replication: which servers have the certificate, and the export/import across AD sites where the servicelet does not
// reach. The PFX password never exists outside the PowerShell process that exports and imports in one call, so it is
// never an input, output, heartbeat, or even a string in this worker.
import type { Thumbprint } from '../common/exchange';
import type { CopyResult, ReplicationCheck, ServerIdentity } from '../common/rotation';
import type { ResolvedDeps } from './deps';
import { CopySourceMissingError } from './errors';
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

  return {
    async checkReplication(request: { thumbprint: Thumbprint; servers: ServerIdentity[] }): Promise<ReplicationCheck> {
      const servers: ReplicationCheck['servers'] = [];
      for (const server of request.servers) {
        const lookup = await lookUp(exchange, server.fqdn, request.thumbprint);
        servers.push({
          server: server.name,
          site: server.site,
          state: lookup.status,
          ...(lookup.status === 'unreachable' ? { detail: lookup.error } : {}),
        });
      }
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
      for (const target of pending) {
        const lookup = await exchange.getCertificate(target.fqdn, request.thumbprint);
        if (lookup.status === 'present') {
          done.push({ server: target.name, outcome: 'already-present' });
        } else {
          try {
            await exchange.copyCertificate(request.source.fqdn, request.thumbprint, target.fqdn);
            done.push({ server: target.name, outcome: 'imported' });
            deps.log.info('imported the certificate', { server: target.name, thumbprint: request.thumbprint });
          } catch (error) {
            // One unreachable target must not stop the others; the workflow polls and tries again.
            if (!isTransient(error)) throw error;
            done.push({ server: target.name, outcome: 'failed', detail: (error as Error).message });
          }
        }
        saveProgress({ done: [...done] } satisfies CopyHeartbeat);
      }
      return done;
    },
  };
}
