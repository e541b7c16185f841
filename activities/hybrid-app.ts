// The dedicated Exchange hybrid application's keys in Entra ID: which Auth certificates are on it, add the next one
// before its effective date, remove the previous one after publication. Each looks first (a retry after a write that
// succeeded changes nothing), keeps every other key (Graph replaces keyCredentials as a whole), and verifies by reading
// back. Without Graph write access it changes nothing and says what a person must run; that is a result, not a failure.
import type { Thumbprint } from '../common/exchange';
import { UPDATE_CERTIFICATE_SCRIPT } from '../common/hybrid-app';
import type { ResolvedDeps } from './deps';
import {
  HybridAppCertificateUnavailableError,
  HybridAppKeyInUseError,
  HybridAppKeyNotVisibleError,
} from './graph/errors';
import {
  credentialThumbprint,
  keptCredentials,
  keyCredentialBody,
  type HybridApplication,
  type KeyCredential,
} from './graph/schemas';

export interface HybridAppKeysRequest {
  /** The application (client) id Get-AuthServer's EvoSTS server names. */
  appId: string;
  thumbprints: Thumbprint[];
}

export interface HybridAppKeyRequest {
  appId: string;
  thumbprint: Thumbprint;
}

export interface HybridAppKey {
  thumbprint: Thumbprint | null;
  keyId: string;
  endDateTime: string | null;
}

/** What a person must do when the worker may not (or cannot) do it. */
export interface PersonNeeded {
  status: 'needs-person';
  appId: string;
  /** Why the worker did not act: no Graph configured, or read access only. */
  reason: string;
  /** The exact command (or portal steps) to run. */
  command: string;
  /** The worker can check the result itself (Graph read access is configured). */
  verifiable: boolean;
}

export type HybridAppKeys =
  | {
      status: 'read';
      appId: string;
      objectId: string;
      present: Thumbprint[];
      missing: Thumbprint[];
      keys: HybridAppKey[];
    }
  | PersonNeeded;

export type HybridAppKeyChange =
  | {
      status: 'added' | 'already-present' | 'removed' | 'already-absent';
      appId: string;
      objectId: string;
      thumbprint: Thumbprint;
      keys: HybridAppKey[];
    }
  | PersonNeeded;

/** Microsoft's script, run in the Exchange Management Shell on an Exchange server (it uploads current and next). */
export const UPDATE_CERTIFICATE_COMMAND = `.\\${UPDATE_CERTIFICATE_SCRIPT}`;

/** Pure: the command that uploads this certificate as Microsoft documents it. */
export function uploadCommand(thumbprint: Thumbprint): string {
  return (
    `In the Exchange Management Shell on an Exchange server that has the certificate, run ${UPDATE_CERTIFICATE_COMMAND} ` +
    `(it uploads the current and the next Auth certificate), or for this one only: ${UPDATE_CERTIFICATE_COMMAND} ` +
    `-CertificateMethod Thumbprint -CertificateInformation ${thumbprint}. ` +
    'Download: https://aka.ms/ConfigureExchangeHybridApplication'
  );
}

/** Pure: Microsoft's script removes only expired keys, so a key still valid is removed in the admin center. */
export function removalSteps(appId: string, thumbprint: Thumbprint): string {
  return (
    `In the Microsoft Entra admin center, App registrations > the application with Application (client) ID ${appId} > ` +
    `Certificates & secrets > Certificates: delete the certificate with thumbprint ${thumbprint}. (After it expires, ` +
    `${UPDATE_CERTIFICATE_COMMAND} also removes it.)`
  );
}

function keysOf(app: HybridApplication): HybridAppKey[] {
  return app.keyCredentials.map((k) => ({
    thumbprint: credentialThumbprint(k),
    keyId: k.keyId,
    endDateTime: k.endDateTime ?? null,
  }));
}

const holds = (thumbprint: Thumbprint) => (k: KeyCredential) => credentialThumbprint(k) === thumbprint.toUpperCase();

export function hybridAppActivities(deps: ResolvedDeps) {
  const { exchange, log } = deps;
  const graph = deps.graph;

  function personNeeded(appId: string, command: string): PersonNeeded {
    const reason = graph
      ? 'the worker has read-only Graph access (GRAPH_ACCESS=read)'
      : 'the worker has no Microsoft Graph credentials configured (GRAPH_TENANT_ID, GRAPH_CLIENT_ID, ...)';
    return { status: 'needs-person', appId, reason, command, verifiable: graph !== undefined };
  }

  /** The certificate's public part from the first server that has it. */
  async function publicPart(thumbprint: Thumbprint) {
    const problems: string[] = [];
    for (const server of await exchange.getExchangeServers()) {
      try {
        return await exchange.getCertificatePublicPart(server.fqdn, thumbprint);
      } catch (error) {
        problems.push(`${server.name}: ${(error as Error).message}`);
      }
    }
    throw new HybridAppCertificateUnavailableError(
      `no Exchange server returned certificate ${thumbprint} to upload (${problems.join('; ') || 'no servers'})`,
    );
  }

  return {
    /** Which of the thumbprints are keys of the hybrid application (Graph read access, or a person is asked). */
    async readHybridAppKeys(request: HybridAppKeysRequest): Promise<HybridAppKeys> {
      const thumbprints = request.thumbprints.map((t) => t.toUpperCase());
      if (!graph) return personNeeded(request.appId, uploadCommand(thumbprints[0] ?? '<thumbprint>'));
      const app = await graph.client.getApplicationByAppId(request.appId);
      const present = thumbprints.filter((t) => app.keyCredentials.some(holds(t)));
      return {
        status: 'read',
        appId: request.appId,
        objectId: app.id,
        present,
        missing: thumbprints.filter((t) => !present.includes(t)),
        keys: keysOf(app),
      };
    },

    /** Adds the certificate's public key, keeping every existing key; verified by reading back. */
    async addHybridAppKey(request: HybridAppKeyRequest): Promise<HybridAppKeyChange> {
      const thumbprint = request.thumbprint.toUpperCase();
      if (graph?.access !== 'write') return personNeeded(request.appId, uploadCommand(thumbprint));
      const before = await graph.client.getApplicationByAppId(request.appId);
      const base = { appId: request.appId, objectId: before.id, thumbprint };
      if (before.keyCredentials.some(holds(thumbprint))) {
        return { status: 'already-present', ...base, keys: keysOf(before) };
      }
      const certificate = await publicPart(thumbprint);
      const displayName = `Exchange Auth certificate ${thumbprint}, added by the rotation service`;
      await graph.client.replaceKeyCredentials(before.id, [
        ...keptCredentials(before),
        keyCredentialBody(certificate, displayName),
      ]);
      const after = await graph.client.getApplicationByAppId(request.appId);
      if (!after.keyCredentials.some(holds(thumbprint))) {
        // Graph replicates: a read right after a write may not see it yet; the retry looks again before writing.
        throw new HybridAppKeyNotVisibleError(`the key of ${thumbprint} is not on application ${request.appId} yet`);
      }
      log.info('added the Auth certificate to the dedicated hybrid application', { appId: request.appId, thumbprint });
      return { status: 'added', ...base, keys: keysOf(after) };
    },

    /**
     * Removes the (previous) certificate's key, keeping every other; refused for the certificate AuthConfig names as
     * current or next, which Exchange Online still needs.
     */
    async removeHybridAppKey(request: HybridAppKeyRequest): Promise<HybridAppKeyChange> {
      const thumbprint = request.thumbprint.toUpperCase();
      const authConfig = await exchange.getAuthConfig();
      if (
        authConfig.currentCertificateThumbprint === thumbprint ||
        authConfig.nextCertificateThumbprint === thumbprint
      ) {
        throw new HybridAppKeyInUseError(
          `certificate ${thumbprint} is AuthConfig's ${authConfig.currentCertificateThumbprint === thumbprint ? 'current' : 'next'} ` +
            'certificate: its key stays on the hybrid application',
        );
      }
      if (graph?.access !== 'write') return personNeeded(request.appId, removalSteps(request.appId, thumbprint));
      const before = await graph.client.getApplicationByAppId(request.appId);
      const base = { appId: request.appId, objectId: before.id, thumbprint };
      if (!before.keyCredentials.some(holds(thumbprint))) {
        return { status: 'already-absent', ...base, keys: keysOf(before) };
      }
      await graph.client.replaceKeyCredentials(before.id, keptCredentials(before, holds(thumbprint)));
      const after = await graph.client.getApplicationByAppId(request.appId);
      if (after.keyCredentials.some(holds(thumbprint))) {
        throw new HybridAppKeyNotVisibleError(`the key of ${thumbprint} is still on application ${request.appId}`);
      }
      log.info('removed the previous Auth certificate from the dedicated hybrid application', {
        appId: request.appId,
        thumbprint,
      });
      return { status: 'removed', ...base, keys: keysOf(after) };
    },
  };
}
