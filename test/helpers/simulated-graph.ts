// A dedicated-hybrid-app organisation with its simulated Entra/Graph endpoint running, and the worker's Graph settings
// for a client registered in that tenant: what the Graph tests and the hybrid-app activity tests share.
import fs from 'node:fs';
import path from 'node:path';
import { issueCertificate, registerGraphClient, startEntraEndpoint } from 'simulated-exchange';
import type { EntraEndpoint, GraphPermission } from 'simulated-exchange';
import { Secret, type GraphSettings } from '../../activities/graph/settings';
import { createSimulatedOrganization, type SimulatedOrganization } from './simulated-org';

export interface SimulatedGraph {
  sim: SimulatedOrganization;
  endpoint: EntraEndpoint;
  /** Registers the worker's client with these permissions and returns its settings. */
  client(options: WorkerClientOptions): Promise<GraphSettings>;
  close(): Promise<void>;
}

export async function startSimulatedGraph(): Promise<SimulatedGraph> {
  const sim = await createSimulatedOrganization('dedicated-hybrid-app', { acceleration: 0 });
  const endpoint = await startEntraEndpoint({ stateFile: sim.stateFile });
  return {
    sim,
    endpoint,
    client: (options) => registerWorkerClient(sim.stateFile, sim.dir, endpoint, options),
    async close() {
      await endpoint.close();
      sim.cleanup();
    },
  };
}

export interface WorkerClientOptions {
  permissions: GraphPermission[];
  ownsHybridApp?: boolean;
  certificate?: boolean;
  access?: GraphSettings['access'];
}

/**
 * Registers the worker's own client in the organisation's tenant and returns the worker's Graph settings for it (a
 * certificate credential is written to `dir`).
 */
export async function registerWorkerClient(
  stateFile: string,
  dir: string,
  endpoint: EntraEndpoint,
  { permissions, ownsHybridApp = true, certificate = false, access = 'write' }: WorkerClientOptions,
): Promise<GraphSettings> {
  const now = Date.now();
  const cert = certificate
    ? issueCertificate({ commonName: 'rotation-worker', notBefore: now - 3_600_000, notAfter: now + 86_400_000 })
    : null;
  const registered = await registerGraphClient(stateFile, {
    permissions,
    ownsHybridApp,
    secret: !cert,
    certificates: cert ? [cert.der.toString('base64')] : [],
  });
  let credential: GraphSettings['credential'];
  if (cert) {
    const certificatePath = path.join(dir, `${registered.clientId}.pem`);
    fs.writeFileSync(certificatePath, cert.privateKeyPem + cert.pem, { mode: 0o600 });
    credential = { kind: 'certificate', certificatePath };
  } else {
    credential = { kind: 'secret', secret: new Secret(registered.secret!) };
  }
  return {
    tenantId: registered.tenantId,
    clientId: registered.clientId,
    credential,
    access,
    authorityHost: endpoint.authorityHost,
    endpoint: endpoint.graphEndpoint,
    caFile: endpoint.caFile,
  };
}
