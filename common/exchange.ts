// The Exchange facts the service reasons about, as the PowerShell layer hands them over: already validated,
// dates as ISO-8601 UTC strings (they cross into workflow history, which is JSON), thumbprints upper-case.
import { z } from 'zod';

export const thumbprintSchema = z
  .string()
  .regex(/^[0-9A-Fa-f]{40}$/, 'must be 40 hexadecimal characters')
  .transform((t) => t.toUpperCase());
export type Thumbprint = string;

export const isoDateSchema = z.iso.datetime({ offset: true });

export const serverRoleSchema = z.enum(['Mailbox', 'ClientAccess', 'Edge', 'UnifiedMessaging', 'HubTransport']);
export type ServerRole = z.infer<typeof serverRoleSchema>;

export const exchangeServerSchema = z.object({
  name: z.string().min(1),
  fqdn: z.string().min(1),
  site: z.string(),
  roles: z.array(serverRoleSchema),
  /** AdminDisplayVersion, e.g. "Version 15.2 (Build 1544.4)" normalised to "15.2.1544.4". */
  version: z.string(),
  majorVersion: z.number().int(),
  /** The server's Active Directory domain (Domain), when known. */
  domain: z.string().min(1).optional(),
  /** The forest root domain: the one the configuration partition holding the server object is named after. */
  forestRootDomain: z.string().min(1).optional(),
});
export type ExchangeServer = z.infer<typeof exchangeServerSchema>;

export const exchangeCertificateSchema = z.object({
  thumbprint: thumbprintSchema,
  subject: z.string(),
  friendlyName: z.string(),
  notBefore: isoDateSchema,
  notAfter: isoDateSchema,
  services: z.array(z.string()),
  privateKeyExportable: z.boolean(),
});
export type ExchangeCertificate = z.infer<typeof exchangeCertificateSchema>;

export const authConfigSchema = z.object({
  currentCertificateThumbprint: thumbprintSchema.nullable(),
  previousCertificateThumbprint: thumbprintSchema.nullable(),
  nextCertificateThumbprint: thumbprintSchema.nullable(),
  nextCertificateEffectiveDate: isoDateSchema.nullable(),
});
export type AuthConfig = z.infer<typeof authConfigSchema>;

/** What the service reads of Get-OrganizationConfig. */
export interface OrganizationConfig {
  /**
   * Lets the AuthAdmin servicelet read the system mailbox of the forest root from a child domain. Not a documented
   * property of Get-OrganizationConfig: null when Exchange did not return it (unknown, never "off").
   */
  enableAuthAdminReadSession: boolean | null;
}

/**
 * The internal transport (default SMTP) certificate of a server. A server without the transport role (an Exchange 2013
 * Client Access server) has none, and Get-TransportService does not know it.
 */
export type TransportCertificateLookup =
  { transportServer: true; thumbprint: Thumbprint | null } | { transportServer: false };

/** "missing" and "unreachable" are different facts: one is repaired by an import, the other stops a rotation. */
export type CertificateLookup =
  | { status: 'present'; certificate: ExchangeCertificate }
  | { status: 'missing' }
  | { status: 'unreachable'; error: string };

export interface AuthAdminEvent {
  server: string;
  timeCreated: string;
  thumbprint: Thumbprint | null;
  message: string;
}

/** The outcome of a per-server step (recycle, restart): a partial failure says which servers are done. */
export interface PerServerResult {
  server: string;
  ok: boolean;
  error?: string;
  at?: string;
}

/**
 * An effective date as the workflow asks for it: hours from now, or now (the emergency), on the Exchange server's
 * clock. The activity turns either into an absolute date from the clock it read (see ClockReading); only absolute dates
 * reach PowerShell, so no date is ever built from the worker's own clock.
 */
export type EffectiveDate = { kind: 'relative'; hours: number } | { kind: 'absolute'; iso: string } | { kind: 'now' };
export type AbsoluteDate = Extract<EffectiveDate, { kind: 'absolute' }>;

/**
 * The Exchange server's clock and the worker host's, read in one PowerShell call. Dates are built from `serverTime`;
 * `skewMs` says how far the host that runs the worker (and its PowerShell) is off.
 */
export interface ClockReading {
  /** The clock of the Exchange server the cmdlets act on (ISO-8601 UTC). */
  serverTime: string;
  /** The worker host's clock, read in the same call just before (ISO-8601 UTC). */
  hostTime: string;
  /** serverTime minus hostTime in milliseconds: positive when the host is behind. */
  skewMs: number;
  /**
   * `exchange-server`: read on `server` through Invoke-Command. `host`: the host's own clock, because the host is the
   * Exchange server the cmdlets act on, or because the settings say so (clock: 'host').
   */
  source: 'exchange-server' | 'host';
  server?: string;
}
