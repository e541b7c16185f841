// Inspect: everything the path decision needs, read in one activity so the decision sees one moment.
import type { AuthConfig, CertificateLookup, ExchangeServer, Thumbprint } from '../common/exchange';
import type {
  CertificateFacts,
  ChildDomainFacts,
  OrganizationSnapshot,
  PresenceState,
  ServerSnapshot,
} from '../common/rotation';
import { readServerClock } from './clock';
import type { ResolvedDeps } from './deps';
import { isTransient, lookUp, SERVER_ASKS } from './transient';

/** The servers that hold the Auth certificate: Mailbox or Client Access, Exchange 2013 and later (version 15). */
export function isAuthCertificateServer(server: ExchangeServer): boolean {
  return server.majorVersion === 15 && server.roles.some((role) => role === 'Mailbox' || role === 'ClientAccess');
}

export async function authCertificateServers(deps: ResolvedDeps): Promise<ExchangeServer[]> {
  const servers = (await deps.exchange.getExchangeServers()).filter(isAuthCertificateServer);
  return servers.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Servers in a domain other than the forest root's, from Get-ExchangeServer's Domain and the forest root its
 * distinguished name names; null when all are in the root domain, undefined when some server's domain is not known.
 */
export function childDomainOf(servers: ExchangeServer[]): ChildDomainFacts | null | undefined {
  const root = servers.find((s) => s.forestRootDomain !== undefined)?.forestRootDomain;
  if (root === undefined || servers.length === 0 || servers.some((s) => s.domain === undefined)) return undefined;
  const outside = servers.map((s) => s.domain!).filter((domain) => domain.toLowerCase() !== root.toLowerCase());
  if (outside.length === 0) return null;
  return { forestRootDomain: root, serverDomains: [...new Set(outside.map((d) => d.toLowerCase()))].sort() };
}

function presence(lookup: CertificateLookup): PresenceState {
  return lookup.status;
}

export function inspectActivities(deps: ResolvedDeps) {
  const { exchange } = deps;

  async function lookup(server: ExchangeServer, thumbprint: Thumbprint | null): Promise<CertificateLookup | null> {
    return thumbprint === null ? null : lookUp(exchange, server.fqdn, thumbprint);
  }

  async function unreachableReason(server: ExchangeServer): Promise<string | null> {
    let reason: string | null = null;
    for (let ask = 0; ask < SERVER_ASKS; ask++) {
      try {
        await exchange.listCertificates(server.fqdn);
        return null;
      } catch (error) {
        if (!isTransient(error)) throw error;
        reason = (error as Error).message;
      }
    }
    return reason;
  }

  return {
    async inspectOrganization(): Promise<OrganizationSnapshot> {
      const { reading, warning } = await readServerClock(deps);
      const authConfig = await exchange.getAuthConfig();
      const servers = await authCertificateServers(deps);
      const hybrid = await exchange.isHybridConfigured();
      // Only a hybrid organisation can use the dedicated hybrid application; others are not asked.
      const hybridApp = hybrid ? await exchange.getHybridApplication() : null;
      const { enableAuthAdminReadSession } = await exchange.getOrganizationConfig();
      const snapshots: ServerSnapshot[] = [];
      let current: CertificateFacts | null = null;
      let next: CertificateFacts | null = null;
      for (const server of servers) {
        const currentLookup = await lookup(server, authConfig.currentCertificateThumbprint);
        const nextLookup = await lookup(server, authConfig.nextCertificateThumbprint);
        const snapshot: ServerSnapshot = {
          name: server.name,
          fqdn: server.fqdn,
          site: server.site,
          current: currentLookup && presence(currentLookup),
          next: nextLookup && presence(nextLookup),
        };
        const unreachable = [currentLookup, nextLookup].find((l) => l?.status === 'unreachable');
        if (unreachable?.status === 'unreachable') snapshot.unreachableReason = unreachable.error;
        if (currentLookup === null && nextLookup === null) {
          // Nothing to look up (AuthConfig names no certificate), but an unreachable server must still be seen.
          const reason = await unreachableReason(server);
          if (reason !== null) snapshot.unreachableReason = reason;
        }
        if (currentLookup?.status === 'present' && current === null) current = facts(currentLookup.certificate);
        if (nextLookup?.status === 'present' && next === null) next = facts(nextLookup.certificate);
        snapshots.push(snapshot);
      }
      const childDomain = childDomainOf(servers);
      return {
        serverTime: reading.serverTime,
        ...(warning === null ? {} : { clockWarning: warning }),
        serverClockRate: deps.settings.serverClockRate,
        authConfig,
        servers: snapshots,
        current,
        next,
        hybrid,
        hybridApp,
        enableAuthAdminReadSession,
        ...(childDomain === undefined ? {} : { childDomain }),
      };
    },
  };
}

function facts(certificate: { thumbprint: string; notBefore: string; notAfter: string }): CertificateFacts {
  return { thumbprint: certificate.thumbprint, notBefore: certificate.notBefore, notAfter: certificate.notAfter };
}

export function clockActivities(deps: ResolvedDeps) {
  return {
    /** The Exchange server's clock: effective dates are compared with it, not with the worker's. */
    async readServerClock(): Promise<{ serverTime: string; serverClockRate: number; clockWarning?: string }> {
      const { reading, warning } = await readServerClock(deps);
      return {
        serverTime: reading.serverTime,
        serverClockRate: deps.settings.serverClockRate,
        ...(warning === null ? {} : { clockWarning: warning }),
      };
    },

    /** AuthConfig as it is now, with the server's clock: advice is worded from this, not from what a run remembers. */
    async readAuthConfig(): Promise<{ authConfig: AuthConfig; serverTime: string }> {
      const authConfig = await deps.exchange.getAuthConfig();
      return { authConfig, serverTime: await deps.exchange.getServerTime() };
    },
  };
}
