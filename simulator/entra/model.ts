// The simulated Microsoft Entra tenant, persisted inside the organisation's state file (`entra`), so it shares the
// file's lock, atomic writes and simulated clock: the demo compares when a key was added with AuthConfig's dates.
import { z } from 'zod';

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case GUID');
const epochMs = z.number().int('must be an integer number of milliseconds since 1970');

/** Application permissions (app roles of Microsoft Graph) the simulated endpoint knows. */
export const GRAPH_PERMISSIONS = [
  'Application.Read.All',
  'Application.ReadWrite.OwnedBy',
  'Application.ReadWrite.All',
  'Directory.Read.All',
] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

/** A key credential as Entra stores it; `addedAt` (simulated time) is the simulator's own record, never served. */
export const storedKeyCredentialSchema = z.object({
  keyId: guid,
  type: z.string(),
  usage: z.string(),
  displayName: z.string().nullable(),
  /** Base64 (Edm.Binary), as Graph returns it. */
  customKeyIdentifier: z.string().nullable(),
  /** Base64 of the certificate (DER). */
  key: z.string(),
  startDateTime: z.string(),
  endDateTime: z.string(),
  addedAt: epochMs,
});
export type StoredKeyCredential = z.infer<typeof storedKeyCredentialSchema>;

export const applicationSchema = z.object({
  /** The object id (GET /applications/{id}). */
  id: guid,
  /** The application (client) id. */
  appId: guid,
  displayName: z.string(),
  /** The client ids of the service principals that own it (Application.ReadWrite.OwnedBy reaches only these). */
  owners: z.array(guid),
  keyCredentials: z.array(storedKeyCredentialSchema),
});
export type Application = z.infer<typeof applicationSchema>;

/** A confidential client that may ask the token endpoint for app-only tokens (the rotation worker's registration). */
export const serviceClientSchema = z.object({
  appId: guid,
  displayName: z.string(),
  /** SHA-256 of each client secret (the secret itself is never stored). */
  secretHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  /** Client certificates, DER base64: the assertion's x5t / x5t#S256 picks one. */
  certificates: z.array(z.string()),
  /** Graph application permissions granted with admin consent. */
  permissions: z.array(z.enum(GRAPH_PERMISSIONS)),
});
export type ServiceClient = z.infer<typeof serviceClientSchema>;

export const GRAPH_FAULT_KINDS = ['outage', 'throttle'] as const;
export type GraphFaultKind = (typeof GRAPH_FAULT_KINDS)[number];

/** outage: 503 from Graph and the token endpoint alike; throttle: Graph answers 429 with Retry-After. */
export const graphFaultSchema = z.object({
  kind: z.enum(GRAPH_FAULT_KINDS),
  remaining: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().positive().optional(),
});
export type GraphFault = z.infer<typeof graphFaultSchema>;

export const entraSchema = z.object({
  tenantId: guid,
  /** Signs the access tokens this tenant issues (HMAC-SHA256); Graph checks them with it. */
  tokenSigningKey: z.string().regex(/^[0-9a-f]{64}$/),
  applications: z.array(applicationSchema),
  clients: z.array(serviceClientSchema),
  faults: z.array(graphFaultSchema),
});
export type Entra = z.infer<typeof entraSchema>;
