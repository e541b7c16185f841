// The starting organisation of a scenario, made with the simulator's own API: buildScenario gives a healthy
// organisation, which is then edited to the scenario's servers, certificates and switches. Certificates come from
// makeCertificate with a seed, so the same scenario at the same start has the same thumbprints.
import {
  AUTH_CERT_FRIENDLY_NAME,
  AUTH_CERT_SUBJECT,
  DEFAULT_CERT_FRIENDLY_NAME,
  ECP_POOL,
  OWA_POOL,
  announceCurrent,
  authAdminCanRun,
  buildScenario,
  lastRunAtOrBefore,
  makeCertificate,
  organisationSchema,
  scriptKeyCredential,
} from 'simulated-exchange';
import type { Certificate, Organisation, Server } from 'simulated-exchange';
import { DAY, HOUR, MINUTE, OrgSpec, Scenario, YEAR } from './scenario';

/** Exchange's self-signed Auth certificate is valid for five years from its creation. */
export const LIFETIME_YEARS = 5;

function authCertificate(label: string, notAfter: number, installedAt: number, friendlyName = AUTH_CERT_FRIENDLY_NAME) {
  const notBefore = Math.floor(notAfter - LIFETIME_YEARS * YEAR);
  return makeCertificate({
    subject: AUTH_CERT_SUBJECT,
    friendlyName,
    notBefore,
    lifetimeYears: LIFETIME_YEARS,
    services: ['SMTP'],
    privateKeyExportable: true,
    installedAt: Math.min(installedAt, notBefore),
    installedBy: 'scenario',
    seed: label,
  });
}

function installed(certificate: Certificate, at: number): Certificate {
  return { ...certificate, installedAt: at };
}

/** The servers whose transport certificate must stay as recorded; used by the invariants too. */
export function buildOrganisation(scenario: Pick<Scenario, 'seed' | 'org' | 'timeline'>, start: number): Organisation {
  const spec: OrgSpec = scenario.org;
  const base = buildScenario('healthy', { start, realNow: Date.now(), acceleration: 0 });
  const label = (what: string) => `explorer|${scenario.seed}|${what}|${start}`;
  const domain = spec.childDomain ? `corp.${base.rootDomain}` : base.rootDomain;
  const template = base.servers[0];
  if (!template) throw new Error('the base scenario has no server to copy');
  const interval = base.behaviour.authAdminIntervalMs;

  const current =
    spec.current.state === 'none'
      ? null
      : authCertificate(label('current'), start + Math.round(spec.current.expiresInHours * HOUR), start - 3 * YEAR);
  const previous =
    spec.previous && current
      ? authCertificate(label('previous'), current.notBefore + 30 * DAY, current.notBefore - YEAR)
      : null;
  const next = spec.next
    ? authCertificate(
        label('next'),
        start + Math.round(spec.next.validDays * DAY),
        start - Math.max(1, spec.next.replicatingForHours ?? 1) * HOUR,
        spec.next.stagedBy === 'person' ? 'Auth certificate (staged by hand)' : AUTH_CERT_FRIENDLY_NAME,
      )
    : null;
  const stray = authCertificate(label('stray'), start + 2 * YEAR, start - 30 * DAY, 'left over');

  const servers: Server[] = spec.servers.map((s) => {
    const fqdn = `${s.name.toLowerCase()}.${domain}`;
    const own = makeCertificate({
      subject: `CN=${s.name}`,
      friendlyName: DEFAULT_CERT_FRIENDLY_NAME,
      notBefore: start - 3 * YEAR,
      services: ['IMAP', 'POP', 'IIS', 'SMTP'],
      privateKeyExportable: false,
      domains: [s.name, fqdn],
      installedAt: start - 3 * YEAR,
      installedBy: 'scenario',
      seed: label(`transport|${s.name}`),
    });
    const hasCurrent = current !== null && !spec.current.missingOn.includes(s.name);
    const certificates: Certificate[] = [own];
    if (hasCurrent) certificates.unshift(installed(current, current.notBefore));
    if (previous) certificates.push(installed(previous, previous.notBefore));
    if (next && spec.next!.presentOn.includes(s.name)) certificates.push(next);
    if (spec.strayAuthOn.includes(s.name)) certificates.push(stray);
    const transport =
      s.transport === 'own' ? own.thumbprint : s.transport === 'auth' && hasCurrent ? current!.thumbprint : null;
    // The service host started within the last month, at this server's phase of the 12-hour cycle.
    const lastStart = start - 30 * DAY + ((s.serviceletPhaseMinutes * MINUTE) % interval);
    return {
      ...structuredClone(template),
      name: s.name,
      fqdn,
      site: s.site,
      domain,
      reachable: !scenario.timeline.some((e) => e.kind === 'reachable' && e.atMs <= 0 && e.server === s.name),
      certificates,
      internalTransportCertificate: transport,
      events: [],
      appPools: [OWA_POOL, ECP_POOL].map((name) => ({
        name,
        state: 'Started' as const,
        lastRecycle: lastStart,
        cachedCertificate: hasCurrent ? current!.thumbprint : null,
      })),
      serviceHost: { lastStart, authAdminLastRun: null, announcedCurrent: null },
    };
  });

  const org: Organisation = {
    ...base,
    scenario: `explorer-${scenario.seed}`,
    behaviour: {
      ...base.behaviour,
      sameSiteReplicationDelayMs: Math.round(spec.sameSiteReplicationMinutes * MINUTE),
      crossSiteReplicationDelayMs:
        spec.crossSiteReplicationHours === null ? null : Math.round(spec.crossSiteReplicationHours * HOUR),
    },
    authConfig: {
      currentCertificateThumbprint: current?.thumbprint ?? null,
      previousCertificateThumbprint: previous?.thumbprint ?? null,
      nextCertificateThumbprint: next?.thumbprint ?? null,
      nextCertificateEffectiveDate: next ? start + Math.round(spec.next!.effectiveInHours * HOUR) : null,
      whenChanged: start - DAY,
    },
    replicating:
      next && spec.next!.replicatingForHours !== null
        ? { [next.thumbprint]: start - Math.round(spec.next!.replicatingForHours * HOUR) }
        : {},
    hybrid: { present: spec.hybrid, name: 'Hybrid Configuration' },
    organizationConfig: {
      ...base.organizationConfig,
      enableAuthAdminReadSession: spec.enableAuthAdminReadSession,
      serversInChildDomain: spec.childDomain,
    },
    connectedServer: servers[0]?.name ?? '',
    faults: scenario.timeline
      .filter((e) => e.kind === 'access-denied' && e.atMs <= 0)
      .map((e) => (e.kind === 'access-denied' ? accessDeniedFault(e.cmdlet, e.once) : never())),
    servers,
  };
  if (spec.hybrid && spec.dedicatedApp) withDedicatedApp(org, current, start);
  for (const s of servers) {
    s.serviceHost.authAdminLastRun = authAdminCanRun(org) ? lastRunAtOrBefore(org, s, start) : null;
    // The current certificate was announced long ago, when it became current.
    if (current) announceCurrent(org, s, Math.max(current.notBefore, start - 2 * YEAR) + HOUR);
  }
  return organisationSchema.parse(org);
}

export function accessDeniedFault(cmdlet: string, once: boolean): Organisation['faults'][number] {
  return { kind: 'access-denied', cmdlet, ...(once ? { remaining: 1 } : {}) };
}

function never(): never {
  throw new Error('unreachable');
}

/**
 * The dedicated hybrid application as Microsoft's script leaves it (the simulator's own dedicated-hybrid-app
 * scenario: tenant, application, setting override, EvoSTS auth server), holding the current certificate's key.
 */
function withDedicatedApp(org: Organisation, current: Certificate | null, start: number): void {
  const dedicated = buildScenario('dedicated-hybrid-app', { start, realNow: Date.now(), acceleration: 0 });
  if (!dedicated.entra) throw new Error('the dedicated-hybrid-app scenario has no Entra tenant');
  org.entra = dedicated.entra;
  org.settingOverrides = dedicated.settingOverrides;
  org.authServers = dedicated.authServers;
  for (const app of org.entra.applications) {
    app.keyCredentials = current ? [scriptKeyCredential(current, start - 30 * DAY)] : [];
  }
}
