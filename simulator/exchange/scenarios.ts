// Named starting points for the organisation. Each one sets up a fact the rotation must cope with.
import {
  AUTH_CERT_FRIENDLY_NAME,
  AUTH_CERT_SUBJECT,
  DEFAULT_CERT_FRIENDLY_NAME,
  makeCertificate,
  rawData,
} from './certificates';
import {
  certificateKeyCredential,
  hybridApplicationName,
  newApplication,
  newTenant,
  seededGuid,
} from '../entra/tenant';
import type { StoredKeyCredential } from '../entra/model';
import {
  announceCurrent,
  authAdminCanRun,
  AUTH_ADMIN_INTERVAL_MS,
  ECP_POOL,
  HOUR_MS,
  lastRunAtOrBefore,
  OWA_POOL,
} from './behaviour';
import {
  Certificate,
  DEFAULT_CALL_LATENCY_MS,
  DEFAULT_PAST_EFFECTIVE_DATE_TOLERANCE_MS,
  Event2014On,
  Organisation,
  Role,
  Server,
  STATE_VERSION,
} from './model';
import { at } from '../invariant';

const DAY_MS = 24 * HOUR_MS;
const YEAR_MS = 365.25 * DAY_MS;

export const SCENARIOS = {
  healthy: 'two servers in one AD site, a valid current auth certificate everywhere',
  'two-sites': 'two servers in each of two AD sites; the servicelet never replicates across sites',
  expired: 'two servers; the current auth certificate expired ten days ago, so OWA/ECP sign-in fails',
  'missing-on-one': 'two servers; the current auth certificate is missing on the second one',
  hybrid: 'two servers with a hybrid configuration (the Hybrid Configuration Wizard must be re-run)',
  'dedicated-hybrid-app':
    'hybrid with the dedicated Exchange hybrid application: its Entra app (simulated Graph) holds the Auth key',
  'child-domain': 'servers in a child domain with EnableAuthAdminReadSession off: the AuthAdmin servicelet cannot run',
  unreachable: 'three servers, the third does not answer RPC or remoting',
  large: '200 servers in 5 AD sites; replication across sites takes 6 hours',
  'exchange-2013':
    'EX1, EX2 (Exchange 2019) and EX3, an Exchange 2013 Client Access server without the transport role: Get-TransportService fails for it',
  'broken-serialization':
    'the current auth certificate expired ten days ago and serialized data signing is on: certificate objects come back as RawData only',
} as const;
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export class UnknownScenarioError extends Error {
  constructor(name: string) {
    super(`unknown scenario "${name}": valid scenarios are ${SCENARIO_NAMES.join(', ')}`);
    this.name = 'UnknownScenarioError';
  }
}

export function isScenarioName(name: string): name is ScenarioName {
  return Object.prototype.hasOwnProperty.call(SCENARIOS, name);
}

/** What the Default Web Site (the front end, port 443) is bound to on every server. */
export const DEFAULT_WEB_SITE_CERTIFICATES = ['self-signed', 'third-party'] as const;
export type DefaultWebSiteCertificate = (typeof DEFAULT_WEB_SITE_CERTIFICATES)[number];

export interface ScenarioOptions {
  /** Real time of creation (ms); the simulated clock starts there unless `start` is given. */
  realNow?: number;
  start?: number;
  acceleration?: number;
  /** Which servers write event 2014 (also for Setup's certificate, long ago); every server by default. */
  event2014On?: Event2014On;
  /**
   * `self-signed` (default): Setup's certificate on both web sites, as after a fresh install. `third-party`: the
   * organisation's CA-issued certificate (the same on every server, services IIS) on the Default Web Site, Setup's
   * self-signed certificate (services IMAP, POP, IIS, SMTP) only on Exchange Back End.
   */
  defaultWebSite?: DefaultWebSiteCertificate;
}

interface ServerPlan {
  name: string;
  site: string;
  reachable?: boolean;
  /** Exchange 2019 with the Mailbox role unless said otherwise. */
  roles?: Role[];
  version?: Server['version'];
}

const EXCHANGE_2019: Server['version'] = { major: 15, minor: 2, build: 1544, revision: 4 };
const EXCHANGE_2013: Server['version'] = { major: 15, minor: 0, build: 1497, revision: 2 };

function buildServer(plan: ServerPlan, domain: string, now: number, index: number, authAdminInterval: number): Server {
  const fqdn = `${plan.name.toLowerCase()}.${domain}`;
  const transport = makeCertificate({
    subject: `CN=${plan.name}`,
    friendlyName: DEFAULT_CERT_FRIENDLY_NAME,
    notBefore: now - 3 * YEAR_MS + index * 60_000,
    services: ['IMAP', 'POP', 'IIS', 'SMTP'],
    privateKeyExportable: false,
    domains: [plan.name, fqdn],
    installedAt: now - 3 * YEAR_MS,
    installedBy: 'scenario',
    seed: `transport|${fqdn}|${now}`,
  });
  // Service hosts started at different times over the last month, so their AuthAdmin cycles are out of phase.
  const lastStart = now - 30 * DAY_MS + ((index * 37 * 60_000) % authAdminInterval);
  return {
    name: plan.name,
    fqdn,
    site: plan.site,
    domain,
    // Exchange 2016 and 2019 install one Mailbox role that includes the Client Access services.
    roles: plan.roles ?? ['Mailbox'],
    version: plan.version ?? EXCHANGE_2019,
    reachable: plan.reachable ?? true,
    remoteEventLogBlocked: false,
    certificates: [transport],
    internalTransportCertificate: transport.thumbprint,
    iis: { defaultWebSite: transport.thumbprint, backEnd: transport.thumbprint },
    events: [],
    appPools: [OWA_POOL, ECP_POOL].map((name) => ({
      name,
      state: 'Started' as const,
      lastRecycle: lastStart,
      cachedCertificate: null,
    })),
    serviceHost: { lastStart, authAdminLastRun: null, announcedCurrent: null },
  };
}

export function buildScenario(name: string, opts: ScenarioOptions = {}): Organisation {
  if (!isScenarioName(name)) throw new UnknownScenarioError(name);
  const realNow = opts.realNow ?? Date.now();
  const now = opts.start ?? realNow;
  const rootDomain = 'contoso.com';
  const childDomain = name === 'child-domain';
  const domain = childDomain ? `corp.${rootDomain}` : rootDomain;

  let plans: ServerPlan[] = [
    { name: 'EX1', site: 'Default-First-Site-Name' },
    { name: 'EX2', site: 'Default-First-Site-Name' },
  ];
  let crossSite: number | null = 2 * HOUR_MS;
  if (name === 'two-sites') {
    plans = [
      { name: 'EX1', site: 'Site-A' },
      { name: 'EX2', site: 'Site-A' },
      { name: 'EX3', site: 'Site-B' },
      { name: 'EX4', site: 'Site-B' },
    ];
    crossSite = null;
  } else if (name === 'unreachable') {
    plans.push({ name: 'EX3', site: 'Default-First-Site-Name', reachable: false });
  } else if (name === 'exchange-2013') {
    // Exchange 2013 could install Client Access alone: no Mailbox role, so no transport service.
    plans.push({ name: 'EX3', site: 'Default-First-Site-Name', roles: ['ClientAccess'], version: EXCHANGE_2013 });
  } else if (name === 'large') {
    plans = Array.from({ length: 200 }, (_, i) => ({
      name: `EX${String(i + 1).padStart(3, '0')}`,
      site: `Site-${Math.floor(i / 40) + 1}`,
    }));
    crossSite = 6 * HOUR_MS;
  }
  const behaviour: Organisation['behaviour'] = {
    sameSiteReplicationDelayMs: HOUR_MS,
    crossSiteReplicationDelayMs: crossSite,
    authAdminIntervalMs: AUTH_ADMIN_INTERVAL_MS,
    pastEffectiveDateToleranceMs: DEFAULT_PAST_EFFECTIVE_DATE_TOLERANCE_MS,
    callLatencyMs: DEFAULT_CALL_LATENCY_MS,
    event2014On: opts.event2014On ?? 'every-server',
  };
  const servers = plans.map((p, i) => buildServer(p, domain, now, i, behaviour.authAdminIntervalMs));

  // The auth certificate made by Setup three years ago (ten days past its five years when expired).
  const expired = name === 'expired' || name === 'broken-serialization';
  const authNotBefore = expired ? now - 5 * YEAR_MS - 10 * DAY_MS : now - 3 * YEAR_MS;
  const auth: Certificate = makeCertificate({
    subject: AUTH_CERT_SUBJECT,
    friendlyName: AUTH_CERT_FRIENDLY_NAME,
    notBefore: authNotBefore,
    services: ['SMTP'],
    privateKeyExportable: true,
    installedAt: authNotBefore,
    installedBy: 'scenario',
    seed: `auth|${name}|${now}`,
  });
  const org: Organisation = {
    version: STATE_VERSION,
    scenario: name,
    organisationName: 'Contoso',
    rootDomain,
    clock: { anchorReal: realNow, anchorSim: now, acceleration: opts.acceleration ?? 1 },
    processedUntil: now,
    behaviour,
    authConfig: {
      currentCertificateThumbprint: auth.thumbprint,
      previousCertificateThumbprint: null,
      nextCertificateThumbprint: null,
      nextCertificateEffectiveDate: null,
      whenChanged: authNotBefore,
    },
    replicating: {},
    hybrid: { present: name === 'hybrid' || name === 'dedicated-hybrid-app', name: 'Hybrid Configuration' },
    organizationConfig: {
      enableAuthAdminReadSession: false,
      oauth2ClientProfileEnabled: true,
      serversInChildDomain: childDomain,
      readSessionListed: true,
      serializedDataSigning: name === 'broken-serialization',
    },
    settingOverrides: [],
    authServers: [],
    missingCmdlets: [],
    connectedServer: at(servers, 0, 'server').name,
    faults: [],
    nextRecordId: 1,
    createdAt: now,
    servers,
  };
  if (org.hybrid.present) addHybridIdentity(org, name === 'dedicated-hybrid-app', auth, `${name}|${now}`, now);
  const frontEnd = opts.defaultWebSite === 'third-party' ? thirdPartyCertificate(rootDomain, now) : null;
  servers.forEach((s, i) => {
    const missing = name === 'missing-on-one' && i === 1;
    if (!missing) s.certificates.unshift({ ...auth });
    for (const pool of s.appPools) pool.cachedCertificate = missing ? null : auth.thumbprint;
    s.serviceHost.authAdminLastRun = authAdminCanRun(org) ? lastRunAtOrBefore(org, s, now) : null;
    // Setup's certificate became current long ago, and each server (or the one that published it) announced it then.
    if (i === 0 || behaviour.event2014On === 'every-server')
      announceCurrent(org, s, authNotBefore + HOUR_MS + i * 60_000);
    s.serviceHost.announcedCurrent = auth.thumbprint;
    if (frontEnd) {
      s.certificates.push({ ...frontEnd });
      s.iis = { defaultWebSite: frontEnd.thumbprint, backEnd: s.internalTransportCertificate };
    }
  });
  return org;
}

/** An Auth certificate's key on the hybrid application, as ConfigureExchangeHybridApplication.ps1 uploads it. */
export function scriptKeyCredential(c: Certificate, addedAt: number): StoredKeyCredential {
  return certificateKeyCredential(
    {
      thumbprint: c.thumbprint,
      rawData: Buffer.from(rawData(c)).toString('base64'),
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    },
    addedAt,
    'Added by ConfigureExchangeHybridApplication.ps1',
  );
}

/**
 * What the Hybrid Configuration Wizard leaves behind (the EvoSTS auth server of the tenant) and, with the dedicated
 * hybrid application, what ConfigureExchangeHybridApplication.ps1 adds: the application in Entra ID holding the current
 * Auth certificate's key, its appId on the EvoSTS server, and the Global setting override that turns the feature on.
 */
function addHybridIdentity(org: Organisation, dedicated: boolean, auth: Certificate, seed: string, now: number): void {
  const entra = newTenant(seed);
  const tenantDomain = `${org.organisationName.toLowerCase()}.mail.onmicrosoft.com`;
  let appId: string | null = null;
  if (dedicated) {
    const app = newApplication(seed, hybridApplicationName(seededGuid(`exchange-organization|${seed}`)));
    // Uploaded when the feature was configured, a month ago.
    const uploaded = now - 30 * DAY_MS;
    app.keyCredentials.push(scriptKeyCredential(auth, uploaded));
    entra.applications.push(app);
    appId = app.appId;
    org.settingOverrides.push({
      name: 'EnableExchangeHybrid3PAppFeature',
      componentName: 'Global',
      sectionName: 'ExchangeOnpremAsThirdPartyAppId',
      parameters: ['Enabled=true'],
      reason: 'Created by ConfigureExchangeHybridApplication.ps1',
      modifiedBy: `${org.rootDomain}/Users/Administrator`,
      server: null,
      whenCreated: uploaded,
    });
  }
  org.authServers.push({
    name: `EvoSts - ${seededGuid(`evosts|${seed}`)}`,
    type: 'AzureAD',
    realm: entra.tenantId,
    issuerIdentifier: `https://sts.windows.net/${entra.tenantId}/`,
    tokenIssuingEndpoint: 'https://login.windows.net/common/oauth2/token',
    authMetadataUrl: `https://login.windows.net/${entra.tenantId}/federationmetadata/2007-06/federationmetadata.xml`,
    applicationIdentifier: appId,
    domainName: [tenantDomain],
    enabled: true,
    isDefaultAuthorizationEndpoint: true,
  });
  if (dedicated) org.entra = entra;
}

/** The organisation's own web certificate from its CA, imported on every server and bound to the Default Web Site. */
function thirdPartyCertificate(rootDomain: string, now: number): Certificate {
  return makeCertificate({
    subject: `CN=mail.${rootDomain}`,
    issuer: `CN=Contoso Issuing CA, DC=${rootDomain.split('.').join(', DC=')}`,
    friendlyName: `mail.${rootDomain}`,
    notBefore: now - 100 * DAY_MS,
    lifetimeYears: 1,
    services: ['IIS'],
    privateKeyExportable: true,
    domains: [`mail.${rootDomain}`, `autodiscover.${rootDomain}`],
    installedAt: now - 100 * DAY_MS,
    installedBy: 'import',
    seed: `third-party|${rootDomain}|${now}`,
  });
}
