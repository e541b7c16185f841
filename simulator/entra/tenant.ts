// Building a simulated tenant: the dedicated Exchange hybrid application and the service principals (the rotation
// worker's registration) that may reach it through Graph.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Application, Entra, GraphPermission, StoredKeyCredential } from './model';

/** A GUID derived from a seed: scenarios are reproducible from their start time. */
export function seededGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function newTenant(seed: string): Entra {
  return {
    tenantId: seededGuid(`tenant|${seed}`),
    tokenSigningKey: createHash('sha256').update(`token-key|${seed}`).digest('hex'),
    applications: [],
    clients: [],
    faults: [],
  };
}

/** The name Microsoft's ConfigureExchangeHybridApplication.ps1 gives the application. */
export function hybridApplicationName(exchangeOrganizationGuid: string): string {
  return `ExchangeServerApp-${exchangeOrganizationGuid}`;
}

export function newApplication(seed: string, displayName: string): Application {
  return {
    id: seededGuid(`object|${seed}`),
    appId: seededGuid(`app|${seed}`),
    displayName,
    owners: [],
    keyCredentials: [],
  };
}

export interface CertificateKey {
  thumbprint: string;
  /** The certificate (DER), base64. */
  rawData: string;
  notBefore: number;
  notAfter: number;
}

/** A certificate's key credential as Microsoft's script uploads it (AsymmetricX509Cert, Verify, thumbprint id). */
export function certificateKeyCredential(c: CertificateKey, addedAt: number, displayName: string): StoredKeyCredential {
  return {
    keyId: randomUUID(),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    displayName,
    customKeyIdentifier: c.thumbprint,
    key: c.rawData,
    startDateTime: new Date(c.notBefore).toISOString().replace('.000Z', 'Z'),
    endDateTime: new Date(c.notAfter).toISOString().replace('.000Z', 'Z'),
    addedAt,
  };
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface ServiceClientRequest {
  displayName?: string;
  permissions: GraphPermission[];
  /** A client secret is made (and returned once) unless false. */
  secret?: boolean;
  /** Client certificates (DER base64) the client may sign its assertions with. */
  certificates?: string[];
  /** Object ids of applications this client's service principal owns (Application.ReadWrite.OwnedBy). */
  owns?: string[];
}

/** Adds a confidential client to the tenant; the secret exists only in the return value. */
export function addServiceClient(
  entra: Entra,
  request: ServiceClientRequest,
): { clientId: string; tenantId: string; secret?: string } {
  const clientId = randomUUID();
  const secret = request.secret === false ? undefined : randomBytes(30).toString('base64url');
  entra.clients.push({
    appId: clientId,
    displayName: request.displayName ?? 'Exchange Auth certificate rotation',
    secretHashes: secret === undefined ? [] : [secretHash(secret)],
    certificates: request.certificates ?? [],
    permissions: request.permissions,
  });
  for (const id of request.owns ?? []) entra.applications.find((a) => a.id === id)?.owners.push(clientId);
  return { clientId, tenantId: entra.tenantId, ...(secret === undefined ? {} : { secret }) };
}
