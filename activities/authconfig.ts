// Set-AuthConfig steps: stage the next certificate, and (emergency path only) publish it and clear the previous one.
// Each looks at AuthConfig first, so a retry after a step that succeeded changes nothing.
import type { EffectiveDate, Thumbprint } from '../common/exchange';
import type { PublishResult, ServerIdentity, StagingResult } from '../common/rotation';
import { effectiveDateOnServerClock, readServerClock } from './clock';
import type { ResolvedDeps } from './deps';
import { NextCertificateNotEverywhereError, StagingNotConfirmedError } from './errors';
import { resumedProgress, saveProgress } from './heartbeat';
import { lookUp } from './transient';

export interface StageRequest {
  thumbprint: Thumbprint;
  /**
   * Hours from now on the Exchange server's clock, a fixed date (brought in front of an expiry, or moved), or now
   * (emergency). The activity reads the server's clock and stages an absolute date built from it; "now" becomes a
   * date just ahead of it (minEffectiveDateLeadMs), never one Exchange finds in the past.
   */
  effectiveDate: EffectiveDate;
  /** -Force: suppresses the under-48-hours prompt (acknowledged in the input, a moved date) and the emergency "now". */
  force: boolean;
}

interface StageHeartbeat {
  /** The date an attempt passed to Set-AuthConfig: a retry that finds the certificate current reports it. */
  staged?: string;
}

interface PublishHeartbeat {
  published?: boolean;
}

/** A date already set within this of the one asked for is the one asked for (a retry, or two clocks' rounding). */
const SAME_DATE_MS = 60 * 1000;

/**
 * Whether a date AuthConfig already holds for the certificate is what the request asks for. `wanted` is the date this
 * call would stage (for "now": the server's clock plus the lead), so a retry of an emergency leaves its date alone.
 */
export function stagedDateSatisfies(staged: string | null, request: EffectiveDate, wanted: string): boolean {
  switch (request.kind) {
    case 'relative':
      // Staged by an earlier attempt of this very step: its date stands (a second date would only be later).
      return true;
    case 'now':
      return staged === null || Date.parse(staged) <= Date.parse(wanted);
    case 'absolute':
      return staged !== null && Math.abs(Date.parse(staged) - Date.parse(request.iso)) <= SAME_DATE_MS;
  }
}

export function authConfigActivities(deps: ResolvedDeps) {
  const { exchange } = deps;

  return {
    /**
     * Looks first: a certificate already current (the servicelet published it while a retry was pending) is reported
     * as such, one staged for the date asked is left alone; otherwise it is staged (or its date set) and read back.
     */
    async stageCertificate(request: StageRequest): Promise<StagingResult> {
      const thumbprint = request.thumbprint.toUpperCase();
      const before = await exchange.getAuthConfig();
      const { reading, warning } = await readServerClock(deps);
      const clockWarning = warning === null ? {} : { clockWarning: warning };
      const lookedAt = reading.serverTime;
      const wanted = effectiveDateOnServerClock(request.effectiveDate, lookedAt, deps.settings);
      // Published while this retry was pending: the date is the one the attempt that staged it saved, if it could.
      const stagedEarlier = resumedProgress<StageHeartbeat>()?.staged;
      if (before.currentCertificateThumbprint === thumbprint) {
        const known = stagedEarlier === undefined ? {} : { effectiveDate: stagedEarlier };
        return { thumbprint, state: 'current', serverTime: lookedAt, ...known, ...clockWarning };
      }
      if (
        before.nextCertificateThumbprint === thumbprint &&
        stagedDateSatisfies(before.nextCertificateEffectiveDate, request.effectiveDate, wanted)
      ) {
        return {
          thumbprint,
          state: 'already-staged',
          effectiveDate: before.nextCertificateEffectiveDate ?? lookedAt,
          serverTime: lookedAt,
          ...clockWarning,
        };
      }
      saveProgress({ staged: wanted } satisfies StageHeartbeat);
      await exchange.stageNextCertificate(thumbprint, { kind: 'absolute', iso: wanted }, request.force);
      const after = await exchange.getAuthConfig();
      const serverTime = await exchange.getServerTime();
      if (after.currentCertificateThumbprint === thumbprint) {
        return { thumbprint, state: 'current', serverTime, effectiveDate: wanted, ...clockWarning };
      }
      if (after.nextCertificateThumbprint !== thumbprint) {
        throw new StagingNotConfirmedError(
          `Set-AuthConfig ran but AuthConfig names ${after.nextCertificateThumbprint ?? 'no'} next certificate, not ${thumbprint}`,
        );
      }
      return {
        thumbprint,
        state: 'staged',
        effectiveDate: after.nextCertificateEffectiveDate ?? serverTime,
        serverTime,
        ...clockWarning,
      };
    },

    /**
     * Emergency only: -PublishCertificate requires the next certificate on every server, so that is checked first. A
     * retry reports what earlier attempts did too: publishing from their saved progress, clearing from AuthConfig.
     */
    async publishCertificateNow(request: {
      thumbprint: Thumbprint;
      servers: ServerIdentity[];
      /** The current certificate before this rotation (it becomes the previous one on publication), if any. */
      replacing?: Thumbprint | null;
    }): Promise<PublishResult> {
      const thumbprint = request.thumbprint.toUpperCase();
      const resumed = resumedProgress<PublishHeartbeat>() ?? {};
      let config = await exchange.getAuthConfig();
      const alreadyCurrent = config.currentCertificateThumbprint === thumbprint;
      if (!alreadyCurrent) {
        if (config.nextCertificateThumbprint !== thumbprint) {
          throw new StagingNotConfirmedError(`cannot publish ${thumbprint}: it is not the staged next certificate`);
        }
        const lacking: string[] = [];
        for (const server of request.servers) {
          const lookup = await lookUp(exchange, server.fqdn, thumbprint);
          if (lookup.status !== 'present') lacking.push(server.name);
        }
        if (lacking.length > 0) throw new NextCertificateNotEverywhereError(lacking);
        await exchange.publishCertificate();
        config = await exchange.getAuthConfig();
        if (config.currentCertificateThumbprint !== thumbprint) {
          throw new StagingNotConfirmedError(
            `Set-AuthConfig -PublishCertificate ran but the current certificate is ${config.currentCertificateThumbprint}`,
          );
        }
        saveProgress({ published: true } satisfies PublishHeartbeat);
      }
      const published = !alreadyCurrent || resumed.published === true;
      let previousCleared: boolean;
      if (config.previousCertificateThumbprint !== null) {
        await exchange.clearPreviousCertificate();
        previousCleared = true;
      } else {
        // Publication made the replaced certificate the previous one; gone now, it was cleared (by an earlier attempt).
        previousCleared = request.replacing !== undefined && request.replacing !== null;
      }
      return {
        currentThumbprint: thumbprint,
        previousCleared,
        alreadyCurrent,
        published,
        serverTime: await exchange.getServerTime(),
      };
    },
  };
}
