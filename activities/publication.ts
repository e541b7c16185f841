// Publication: AuthConfig's current thumbprint is the new one AND every server wrote event 2014 naming it. When it
// does not come, the diagnosis reads what a person would read: the servicelet's last run and the child-domain switch.
import type { Thumbprint } from '../common/exchange';
import { AUTH_ADMIN_CYCLE_HOURS } from '../common/names';
import { childDomainBlocksAuthAdmin } from '../common/policy';
import type { ChildDomainFacts, PublicationCheck, ServerIdentity, ServiceletDiagnosis } from '../common/rotation';
import type { ResolvedDeps } from './deps';
import { isTransient } from './transient';

export function publicationActivities(deps: ResolvedDeps) {
  const { exchange } = deps;

  /** Each server's last AuthAdmin run; one that cannot be read now is null (unknown), not a failure. */
  async function lastRunsOf(servers: ServerIdentity[]): Promise<ServiceletDiagnosis['lastRuns']> {
    const lastRuns: ServiceletDiagnosis['lastRuns'] = [];
    for (const server of servers) {
      let lastRun: string | null = null;
      try {
        lastRun = await exchange.getAuthAdminLastRun(server.fqdn);
      } catch (error) {
        if (!isTransient(error)) throw error;
      }
      lastRuns.push({ server: server.name, lastRun });
    }
    return lastRuns;
  }

  return {
    async checkPublication(request: {
      thumbprint: Thumbprint;
      servers: ServerIdentity[];
      /** Only events after this count (the staging time): an old 2014 for another thumbprint says nothing. */
      since: string;
    }): Promise<PublicationCheck> {
      const thumbprint = request.thumbprint.toUpperCase();
      const config = await exchange.getAuthConfig();
      const servers: PublicationCheck['servers'] = [];
      for (const server of request.servers) {
        try {
          const events = await exchange.getAuthAdminEvents(server.fqdn, request.since);
          const match = events
            .filter(
              (e) => (e.thumbprint ?? '').toUpperCase() === thumbprint || e.message.toUpperCase().includes(thumbprint),
            )
            .sort((a, b) => Date.parse(a.timeCreated) - Date.parse(b.timeCreated))[0];
          servers.push({ server: server.name, event2014At: match?.timeCreated ?? null });
        } catch (error) {
          if (!isTransient(error)) throw error;
          servers.push({ server: server.name, event2014At: null, unreachable: (error as Error).message });
        }
      }
      return {
        serverTime: await exchange.getServerTime(),
        currentThumbprint: config.currentCertificateThumbprint,
        nextThumbprint: config.nextCertificateThumbprint,
        nextEffectiveDate: config.nextCertificateEffectiveDate,
        servers,
      };
    },

    /** When the AuthAdmin servicelet last ran on each server (null: not readable), with the server's clock. */
    async readServiceletSchedule(request: {
      servers: ServerIdentity[];
    }): Promise<{ serverTime: string; lastRuns: ServiceletDiagnosis['lastRuns'] }> {
      return { lastRuns: await lastRunsOf(request.servers), serverTime: await exchange.getServerTime() };
    },

    /** `childDomain` as the inspection found it; absent when not known. */
    async diagnoseServicelet(request: {
      servers: ServerIdentity[];
      childDomain?: ChildDomainFacts | null;
    }): Promise<ServiceletDiagnosis> {
      const lastRuns = await lastRunsOf(request.servers);
      const { enableAuthAdminReadSession } = await exchange.getOrganizationConfig();
      const serverTime = Date.parse(await exchange.getServerTime());
      return {
        lastRuns,
        enableAuthAdminReadSession,
        ...(request.childDomain === undefined ? {} : { childDomain: request.childDomain }),
        advice: adviceFor(lastRuns, enableAuthAdminReadSession, serverTime, request.childDomain),
      };
    },
  };
}

/**
 * Pure: what a person should do, given the servicelet's last runs and the child-domain facts (undefined: not known,
 * null: every server is in the forest root domain).
 */
export function adviceFor(
  lastRuns: ServiceletDiagnosis['lastRuns'],
  enableAuthAdminReadSession: boolean | null,
  serverTimeMs: number,
  childDomain?: ChildDomainFacts | null,
): string[] {
  const cycleMs = AUTH_ADMIN_CYCLE_HOURS * 60 * 60 * 1000;
  const stale = lastRuns.filter((r) => r.lastRun === null || serverTimeMs - Date.parse(r.lastRun) > cycleMs);
  const advice: string[] = [];
  // Known to be the cause: said first, whatever the last runs say.
  if (childDomain && enableAuthAdminReadSession !== true) {
    advice.push(
      `${childDomainBlocksAuthAdmin(childDomain, enableAuthAdminReadSession)}. Run Set-OrganizationConfig -EnableAuthAdminReadSession $true, then ` +
        'restart MSExchangeServiceHost.',
    );
  }
  if (stale.length > 0) {
    advice.push(
      `The AuthAdmin servicelet has not run within ${AUTH_ADMIN_CYCLE_HOURS} hours on ${stale
        .map((r) => r.server)
        .join(', ')}: check MSExchangeServiceHost there and the AuthAdmin logs (Logging\\AuthAdminLogs).`,
    );
    // Only when the domains are not known: a known child domain was said above, a known root domain rules it out.
    if (enableAuthAdminReadSession !== true && childDomain === undefined) {
      advice.push(
        'If the Exchange servers are in a child domain and the system mailbox is in the root domain, run ' +
          'Set-OrganizationConfig -EnableAuthAdminReadSession $true, then restart MSExchangeServiceHost.',
      );
    }
  }
  advice.push(
    'Restarting MSExchangeServiceHost makes the servicelet run at once; the rotation keeps watching and continues ' +
      'when the certificate is published. It never publishes by force on the planned path.',
  );
  return advice;
}
