// Copying a certificate to servers that lack it, as the import, emergency and replication steps all do: the copy, the
// import time of each server in the report, and what to do when the copy kept failing with errors Temporal may retry.
import type { CopyResult } from '../../common/rotation';
import { failureText, gaveUpRetrying, nowIso, type Rotation } from './context';

type CopyRequest = Parameters<Rotation['changes']['copyCertificate']>[0];

/**
 * The results per target, each import's time recorded in the report. A copy whose retries ran out on transient
 * trouble (explorer seed 829: AD errors reading the source for an hour) is not a verdict: it yields no results and a
 * warning, and the caller's next look copies again; a permanent, named error still ends the run.
 */
export async function copyCertificate(r: Rotation, request: CopyRequest): Promise<CopyResult[]> {
  let results: CopyResult[];
  try {
    results = await r.changes.copyCertificate(request);
  } catch (error) {
    if (!gaveUpRetrying(error)) throw error;
    r.warn(`copying ${request.thumbprint} from ${request.source.name} failed for now: ${failureText(error)}`);
    return [];
  }
  for (const result of results) {
    const outcome = r.serverOutcome(result.server);
    if (result.outcome === 'imported' && outcome) outcome.importedAt = nowIso();
  }
  return results;
}
