// The simulated organisation as it is persisted: plain JSON, validated with zod on every load so that a hand-edited or
// foreign file fails with a message naming the field instead of surfacing later as a wrong answer from a cmdlet.
import { z } from 'zod';
import { entraSchema } from '../entra/model';
import { at } from '../invariant';

export const STATE_VERSION = 1;

const thumbprint = z.string().regex(/^[0-9A-F]{40}$/, 'must be 40 upper-case hexadecimal characters');
const epochMs = z.number().int('must be an integer number of milliseconds since 1970');

/** Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices, a [Flags] enum. */
export const ALLOWED_SERVICES: ReadonlyArray<readonly [string, number]> = [
  ['IMAP', 1],
  ['POP', 2],
  ['UM', 4],
  ['IIS', 8],
  ['SMTP', 16],
  ['Federation', 32],
  ['UMCallRouter', 64],
];
export const serviceNameSchema = z.enum(['IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'Federation', 'UMCallRouter']);
export type ServiceName = z.infer<typeof serviceNameSchema>;

export const roleSchema = z.enum(['Mailbox', 'ClientAccess', 'Edge']);
export type Role = z.infer<typeof roleSchema>;

export const certificateSchema = z.object({
  thumbprint,
  subject: z.string().min(1),
  issuer: z.string().min(1),
  friendlyName: z.string(),
  serialNumber: z.string().regex(/^[0-9A-F]+$/),
  notBefore: epochMs,
  notAfter: epochMs,
  services: z.array(serviceNameSchema),
  privateKeyExportable: z.boolean(),
  keySize: z.number().int().positive(),
  domains: z.array(z.string()),
  /** Opaque key material: travels inside exported PFX data so an import reproduces the same certificate. */
  keyMaterial: z.string().regex(/^[0-9a-f]+$/),
  /** When it arrived on this server (created, imported or replicated), for replication timing. */
  installedAt: epochMs,
  installedBy: z.enum(['scenario', 'new', 'import', 'replication']),
});
export type Certificate = z.infer<typeof certificateSchema>;

export const eventSchema = z.object({
  recordId: z.number().int().nonnegative(),
  time: epochMs,
  logName: z.string(),
  providerName: z.string(),
  id: z.number().int(),
  level: z.number().int().min(0).max(5),
  message: z.string(),
});
export type EventRecord = z.infer<typeof eventSchema>;

/** The https certificate of each IIS web site Exchange uses (what `Get-Website` shows in a binding's certificateHash). */
export const iisBindingsSchema = z.object({
  /** The front end (port 443): Setup's self-signed certificate, or the organisation's own (a CA-issued one). */
  defaultWebSite: thumbprint.nullable(),
  /** Exchange Back End (port 444): Setup's self-signed certificate. */
  backEnd: thumbprint.nullable(),
});
export type IisBindings = z.infer<typeof iisBindingsSchema>;

export const appPoolSchema = z.object({
  name: z.string(),
  state: z.enum(['Started', 'Stopped']),
  lastRecycle: epochMs,
  /** The auth certificate the worker process read when it started; null when none could be loaded. */
  cachedCertificate: thumbprint.nullable(),
});
export type AppPool = z.infer<typeof appPoolSchema>;

export const serverSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9-]{1,15}$/, 'must be a NetBIOS-style name of 1 to 15 letters, digits or dashes'),
  fqdn: z.string().min(3),
  site: z.string().min(1),
  domain: z.string().min(1),
  roles: z.array(roleSchema).min(1),
  version: z.object({
    major: z.literal(15),
    minor: z.number().int(),
    build: z.number().int(),
    revision: z.number().int(),
  }),
  reachable: z.boolean(),
  /**
   * The firewall refuses remote event-log RPC (Get-WinEvent -ComputerName from another machine) while WinRM
   * (Invoke-Command) still works, as is common.
   */
  remoteEventLogBlocked: z.boolean().default(false),
  certificates: z.array(certificateSchema),
  internalTransportCertificate: thumbprint.nullable(),
  /** Absent in state files written before it was stored: both sites then use the internal transport certificate. */
  iis: iisBindingsSchema.optional(),
  events: z.array(eventSchema),
  appPools: z.array(appPoolSchema),
  serviceHost: z.object({
    lastStart: epochMs,
    /** The AuthAdmin servicelet's last run, as Get-ExchangeDiagnosticInfo reports it; null before the first run. */
    authAdminLastRun: epochMs.nullable(),
    /** The current certificate this server's servicelet last announced with event 2014. */
    announcedCurrent: thumbprint.nullable(),
  }),
});
export type Server = z.infer<typeof serverSchema>;

/**
 * When a die fault kills the shell: before the cmdlet acts; during-write, once the cmdlet's new state is complete in
 * the temporary file and before the rename (the state must stay the previous one); after, once the change is
 * persisted and before the cmdlet answers (the retry must find the change).
 */
export const DIE_POINTS = ['before', 'during-write', 'after'] as const;
export type DiePoint = (typeof DIE_POINTS)[number];

export const faultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('rpc'),
    probability: z.number().min(0).max(1),
    cmdlet: z.string().optional(),
    remaining: z.number().int().positive().optional(),
  }),
  z.object({ kind: z.literal('hang'), cmdlet: z.string().min(1), remaining: z.number().int().positive().optional() }),
  z.object({
    kind: z.literal('die'),
    cmdlet: z.string().optional(),
    remaining: z.number().int().positive().optional(),
    /** Where the shell dies; absent: before the cmdlet acts. */
    point: z.enum(DIE_POINTS).optional(),
  }),
  z.object({
    kind: z.literal('access-denied'),
    cmdlet: z.string().optional(),
    remaining: z.number().int().positive().optional(),
  }),
]);
export type Fault = z.infer<typeof faultSchema>;
export const FAULT_KINDS = ['rpc', 'hang', 'die', 'access-denied'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Which servers write event 2014 when the current certificate changes: every server's AuthAdmin servicelet at its next
 * run (what the service has assumed), or only the servicelet whose run published it (what the sources support).
 */
export const EVENT_2014_ON = ['every-server', 'publishing-server'] as const;
export type Event2014On = (typeof EVENT_2014_ON)[number];

export const DEFAULT_PAST_EFFECTIVE_DATE_TOLERANCE_MS = 60_000;
export const DEFAULT_CALL_LATENCY_MS = 100;

export const organisationSchema = z.object({
  version: z.literal(STATE_VERSION),
  scenario: z.string(),
  organisationName: z.string(),
  rootDomain: z.string(),
  clock: z.object({
    /** Simulated time = anchorSim + (real now - anchorReal) x acceleration; 0 freezes the clock (tests). */
    anchorReal: epochMs,
    anchorSim: epochMs,
    acceleration: z.number().min(0).max(1e7),
  }),
  /** Simulated time up to which the lazy behaviours (servicelets, replication) have been applied. */
  processedUntil: epochMs,
  behaviour: z.object({
    sameSiteReplicationDelayMs: z.number().int().nonnegative(),
    /** null: the servicelet never copies across AD sites, so export/import is the only way. */
    crossSiteReplicationDelayMs: z.number().int().nonnegative().nullable(),
    authAdminIntervalMs: z.number().int().positive(),
    /** How far (simulated) in the past Set-AuthConfig still takes an effective date: the caller computed it just now. */
    pastEffectiveDateToleranceMs: z.number().int().nonnegative().default(DEFAULT_PAST_EFFECTIVE_DATE_TOLERANCE_MS),
    /**
     * Real time a date computed in the command line may take to reach Set-AuthConfig (evaluating and binding the
     * arguments, a busy machine); the simulated clock runs `acceleration` times faster meanwhile, so this much real
     * time is tolerated too (x12000: 20 simulated minutes).
     */
    callLatencyMs: z.number().int().nonnegative().default(DEFAULT_CALL_LATENCY_MS),
    event2014On: z.enum(EVENT_2014_ON).default('every-server'),
    /** The AuthAdmin servicelet is not running anywhere (a hung service host); the scenario explorer sets it. */
    authAdminPaused: z.boolean().optional(),
  }),
  authConfig: z.object({
    currentCertificateThumbprint: thumbprint.nullable(),
    previousCertificateThumbprint: thumbprint.nullable(),
    nextCertificateThumbprint: thumbprint.nullable(),
    nextCertificateEffectiveDate: epochMs.nullable(),
    whenChanged: epochMs,
  }),
  /** Thumbprints the certificate servicelet distributes, with the time it started to. */
  replicating: z.record(thumbprint, epochMs),
  hybrid: z.object({ present: z.boolean(), name: z.string() }),
  organizationConfig: z.object({
    enableAuthAdminReadSession: z.boolean(),
    /** Modern authentication for clients; state files written before it was stored had it on. */
    oauth2ClientProfileEnabled: z.boolean().default(true),
    /** Exchange servers in a child domain, system mailbox in the root: AuthAdmin needs the read session. */
    serversInChildDomain: z.boolean(),
    /**
     * Whether Get-OrganizationConfig lists EnableAuthAdminReadSession at all: it is not a documented property, so a
     * client must read its absence as "unknown".
     */
    readSessionListed: z.boolean().default(true),
    /**
     * Serialized data signing (a setting override, on by default since the November 2023 security update), which
     * signs with the Auth certificate: while the current one is expired, certificate objects reach a remote client as
     * RawData only.
     */
    serializedDataSigning: z.boolean().default(false),
  }),
  /** New-SettingOverride's objects (Get-SettingOverride); state files written before they were stored had none. */
  settingOverrides: z
    .array(
      z.object({
        name: z.string().min(1),
        componentName: z.string().min(1),
        sectionName: z.string().min(1),
        /** "Name=Value" strings, as -Parameters takes them. */
        parameters: z.array(z.string()),
        reason: z.string(),
        modifiedBy: z.string(),
        /** The servers it is limited to; null: the whole organisation. */
        server: z.array(z.string()).nullable(),
        whenCreated: epochMs,
      }),
    )
    .default([]),
  /** The auth servers (Get-AuthServer): EvoSTS (Type AzureAD) for hybrid, ACS for the legacy partner. */
  authServers: z
    .array(
      z.object({
        name: z.string().min(1),
        type: z.enum(['AzureAD', 'MicrosoftACS', 'ADFS']),
        realm: z.string(),
        issuerIdentifier: z.string(),
        tokenIssuingEndpoint: z.string(),
        authMetadataUrl: z.string(),
        /** The dedicated Exchange hybrid application's appId (April 2025 hotfix and later); null: not set. */
        applicationIdentifier: z.string().nullable(),
        domainName: z.array(z.string()),
        enabled: z.boolean(),
        isDefaultAuthorizationEndpoint: z.boolean(),
      }),
    )
    .default([]),
  /** Cmdlets this organisation's Exchange build lacks (an older cumulative update): "not recognized". */
  missingCmdlets: z.array(z.string()).default([]),
  /** The simulated Entra tenant (Graph and its token endpoint); absent: the organisation has none. */
  entra: entraSchema.optional(),
  /** The server the management shell is connected to; cmdlets without -Server act there. */
  connectedServer: z.string(),
  faults: z.array(faultSchema),
  nextRecordId: z.number().int().nonnegative(),
  createdAt: epochMs,
  servers: z.array(serverSchema).min(1),
});
export type Organisation = z.infer<typeof organisationSchema>;

export class StateFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateFileError';
  }
}

export function parseOrganisation(text: string, file: string): Organisation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`state file ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = organisationSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = at(parsed.error.issues, 0, 'issue');
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    throw new StateFileError(
      `state file ${file} is not a simulated Exchange organisation: ${where}: ${issue.message}` +
        (parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : ''),
    );
  }
  const org = parsed.data;
  const names = new Set<string>();
  for (const s of org.servers) {
    if (names.has(s.name.toLowerCase())) throw new StateFileError(`state file ${file}: server ${s.name} appears twice`);
    names.add(s.name.toLowerCase());
  }
  if (!names.has(org.connectedServer.toLowerCase())) {
    throw new StateFileError(`state file ${file}: connectedServer ${org.connectedServer} is not one of the servers`);
  }
  return org;
}

export function servicesFlags(services: readonly ServiceName[]): number {
  return ALLOWED_SERVICES.filter(([n]) => services.includes(n as ServiceName)).reduce((a, [, v]) => a | v, 0);
}

/** "IMAP, POP, SMTP" as [string] of the enum prints it; "None" for 0. */
export function servicesNames(services: readonly ServiceName[]): string {
  const names = ALLOWED_SERVICES.filter(([n]) => services.includes(n as ServiceName)).map(([n]) => n);
  return names.length ? names.join(', ') : 'None';
}

/** The domain controller Exchange names in AD errors and as OriginatingServer. */
export function domainController(org: Organisation): string {
  return `dc1.${org.rootDomain}`;
}

export function findServer(org: Organisation, nameOrFqdn: string): Server | undefined {
  const key = nameOrFqdn.trim().toLowerCase();
  return org.servers.find((s) => s.name.toLowerCase() === key || s.fqdn.toLowerCase() === key);
}

export function findCertificate(server: Server, thumbprint: string): Certificate | undefined {
  const key = thumbprint.trim().toUpperCase();
  return server.certificates.find((c) => c.thumbprint === key);
}
