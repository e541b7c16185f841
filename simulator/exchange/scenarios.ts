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
  Organisation,
  Server,
  STATE_VERSION,
} from './model';

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

export interface ScenarioOptions {
  /** Real time of creation (ms); the simulated clock starts there unless `start` is given. */
  realNow?: number;
  start?: number;
  acceleration?: number;
}

interface ServerPlan {
  name: string;
  site: string;
  reachable?: boolean;
}

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
    roles: ['Mailbox'],
    version: { major: 15, minor: 2, build: 1544, revision: 4 },
    reachable: plan.reachable ?? true,
    certificates: [transport],
    internalTransportCertificate: transport.thumbprint,
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
  };
  const servers = plans.map((p, i) => buildServer(p, domain, now, i, behaviour.authAdminIntervalMs));

  // The auth certificate made by Setup three years ago (ten days past its five years in "expired").
  const authNotBefore = name === 'expired' ? now - 5 * YEAR_MS - 10 * DAY_MS : now - 3 * YEAR_MS;
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
    },
    settingOverrides: [],
    authServers: [],
    missingCmdlets: [],
    connectedServer: servers[0].name,
    faults: [],
    nextRecordId: 1,
    createdAt: now,
    servers,
  };
  if (org.hybrid.present) addHybridIdentity(org, name === 'dedicated-hybrid-app', auth, `${name}|${now}`, now);
  servers.forEach((s, i) => {
    const missing = name === 'missing-on-one' && i === 1;
    if (!missing) s.certificates.unshift({ ...auth });
    for (const pool of s.appPools) pool.cachedCertificate = missing ? null : auth.thumbprint;
    s.serviceHost.authAdminLastRun = authAdminCanRun(org) ? lastRunAtOrBefore(org, s, now) : null;
    // Setup's certificate became current long ago, and each server announced it then.
    announceCurrent(org, s, authNotBefore + HOUR_MS + i * 60_000);
  });
  return org;
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
    app.keyCredentials.push(
      certificateKeyCredential(
        {
          thumbprint: auth.thumbprint,
          rawData: Buffer.from(rawData(auth)).toString('base64'),
          notBefore: auth.notBefore,
          notAfter: auth.notAfter,
        },
        uploaded,
        'Added by ConfigureExchangeHybridApplication.ps1',
      ),
    );
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
