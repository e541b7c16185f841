// Recycle and sign-in: the OWA and ECP pools cache the Auth certificate, so once the new one is current each server's
// pools are recycled (not one that started since the publication: it serves the new certificate already, and a recycle
// drops users' sessions); then, with a probe mailbox, OAuth sign-in is checked on every server.
import { HOUR_MS } from '../../common/policy';
import { changes, reads } from './proxies';
import { nowIso, type Rotation } from './context';
import type { StepResult } from './steps';
import { need } from './state';

const RECYCLE_ROUNDS = 3;
const RECYCLE_RETRY_MS = HOUR_MS / 60;

export async function recycle(r: Rotation): Promise<StepResult> {
  r.enterPhase('recycling');
  const { servers, publication } = need(r.facts, 'servers', 'publication');
  for (let round = 1; ; round += 1) {
    const alreadyRecycled = r.report.servers.filter((s) => s.poolsRecycledAfterPublication).map((s) => s.name);
    const notBefore = publication.publishedAt;
    const results = await changes.recycleAuthAppPools({ servers, alreadyRecycled, notBefore });
    for (const result of results) {
      const outcome = r.serverOutcome(result.server);
      if (outcome && result.verified && !result.skipped) {
        outcome.poolsRecycledAfterPublication = true;
        outcome.poolsRecycledAt = result.recycledAt ?? nowIso();
      }
      for (const pool of result.alreadyRecycled ?? []) {
        r.report.reasons.push(
          `${pool.pool} on ${result.server} had started a worker process at ${pool.startedAt}, after ${notBefore}: not recycled again`,
        );
      }
    }
    const failed = results.filter((result) => !result.verified);
    if (failed.length === 0) return 'next';
    if (round >= RECYCLE_ROUNDS) {
      for (const result of failed) {
        r.warn(`recycling the OWA/ECP pools on ${result.server} did not verify: ${result.detail}`);
      }
      return 'next';
    }
    await r.pause(
      r.temporalMs(RECYCLE_RETRY_MS),
      `another recycle of the pools on ${failed.map((f) => f.server).join(', ')}`,
    );
  }
}

export async function checkSignIn(r: Rotation): Promise<StepResult> {
  const { servers } = need(r.facts, 'servers');
  const mailbox = r.input.probeMailbox;
  if (!mailbox) return 'next';
  r.enterPhase('verifying-sign-in');
  const results = await reads.checkSignIn({ servers, mailbox });
  for (const result of results) {
    const outcome = r.serverOutcome(result.server);
    if (outcome) outcome.signIn = { ok: result.ok, detail: result.detail };
    if (!result.ok) r.warn(`OAuth sign-in check failed on ${result.server}: ${result.detail}`);
  }
  return 'next';
}
