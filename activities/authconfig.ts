// Set-AuthConfig steps: stage the next certificate, and (emergency path only) publish it and clear the previous one.
// Each looks at AuthConfig first, so a retry after a step that succeeded changes nothing.
import type { EffectiveDate, Thumbprint } from '../common/exchange';
import type { PublishResult, ServerIdentity, StagingResult } from '../common/rotation';
import { effectiveDateOnServerClock, readServerClock } from './clock';
import type { ResolvedDeps } from './deps';
import { NextCertificateNotEverywhereError, StagingNotConfirmedError } from './errors';
import { resumedProgress, saveProgress } from './heartbeat';

export interface StageRequest {
  thumbprint: Thumbprint;
  /**
   * Hours from now, or now (the emergency), on the Exchange server's clock: the activity reads that clock and stages an
   * absolute date from it; "now" becomes a date just ahead of it (minEffectiveDateLeadMs), never one in the past.
   */
  effectiveDate: Extract<EffectiveDate, { kind: 'relative' } | { kind: 'now' }>;
  /** -Force: suppresses the under-48-hours prompt (acknowledged in the input) and the emergency "now". */
  force: boolean;
}

interface PublishHeartbeat {
  published?: boolean;
}

export function authConfigActivities(deps: ResolvedDeps) {
  const { exchange } = deps;

  return {
    async stageCertificate(request: StageRequest): Promise<StagingResult> {
      const thumbprint = request.thumbprint.toUpperCase();
      const before = await exchange.getAuthConfig();
      const { reading, warning } = await readServerClock(deps);
      const clockWarning = warning === null ? {} : { clockWarning: warning };
      const wanted = effectiveDateOnServerClock(request.effectiveDate, reading.serverTime, deps.settings);
      const current = before.currentCertificateThumbprint === thumbprint;
      const stagedFor = before.nextCertificateThumbprint === thumbprint ? before.nextCertificateEffectiveDate : null;
      if (current || stagedFor !== null) {
        // An emergency publishes now: a certificate staged earlier for a later date has that date brought forward.
        const later =
          !current &&
          request.effectiveDate.kind === 'now' &&
          stagedFor !== null &&
          Date.parse(stagedFor) > Date.parse(wanted);
        if (!later) {
          return {
            thumbprint,
            effectiveDate: before.nextCertificateEffectiveDate ?? reading.serverTime,
            serverTime: reading.serverTime,
            alreadyStaged: true,
            ...clockWarning,
          };
        }
      }
      await exchange.stageNextCertificate(thumbprint, { kind: 'absolute', iso: wanted }, request.force);
      const after = await exchange.getAuthConfig();
      const serverTime = await exchange.getServerTime();
      // In the emergency case the servicelet may already have made it current; both mean "staged".
      const staged =
        after.nextCertificateThumbprint === thumbprint || after.currentCertificateThumbprint === thumbprint;
      if (!staged) {
        throw new StagingNotConfirmedError(
          `Set-AuthConfig ran but AuthConfig names ${after.nextCertificateThumbprint ?? 'no'} next certificate, not ${thumbprint}`,
        );
      }
      return {
        thumbprint,
        effectiveDate: after.nextCertificateEffectiveDate ?? serverTime,
        serverTime,
        alreadyStaged: false,
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
          const lookup = await exchange.getCertificate(server.fqdn, thumbprint);
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
