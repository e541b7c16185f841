// The programmatic face of the simulator, used by the shell host, the CLI, the demo and tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catchUp, serializationBroken, signInProbe, simulatedNow, SignInProbe } from './behaviour';
import { Organisation, StateFileError } from './model';
import { iisBindings } from './objects';
import { Configuration, configurationSchema, configure } from './configure';
import { buildScenario, ScenarioOptions } from './scenarios';
import {
  cachedState,
  forgetState,
  readState,
  StateWriter,
  withFileLock,
  writeCachedState,
  writeStateAtomically,
} from './store';
import { trackChanges } from './track';

export interface CreateOptions extends ScenarioOptions {
  /** Replace an existing state file; without it an existing file is an error. */
  overwrite?: boolean;
  /** Behaviours switched on from the start (`configure`). */
  configuration?: Configuration;
}

export async function createOrganization(
  scenario: string,
  file: string,
  opts: CreateOptions = {},
): Promise<Organisation> {
  const org = buildScenario(scenario, opts);
  const configuration = configurationSchema.parse({ event2014On: opts.event2014On, ...opts.configuration });
  configure(org, configuration);
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir))
    throw new StateFileError(`cannot create state file ${file}: directory ${dir} does not exist`);
  await withFileLock(file, () => {
    if (!opts.overwrite && fs.existsSync(file)) {
      throw new StateFileError(`state file ${file} already exists (pass --force / overwrite to replace it)`);
    }
    writeStateAtomically(file, org);
  });
  return org;
}

/** Switches behaviours of the organisation in `file` (see `configure`), under its lock. */
export async function configureOrganization(file: string, configuration: Configuration): Promise<void> {
  const parsed = configurationSchema.parse(configuration);
  await withOrganization(file, (org) => configure(org, parsed));
}

/** The organisation brought up to the simulated now, without writing it back. */
export function loadOrganization(file: string, realNow: number = Date.now()): { org: Organisation; now: number } {
  const org = readState(file);
  const now = simulatedNow(org, realNow);
  catchUp(org, now);
  return { org, now };
}

/**
 * Read-modify-write under the lock: load (from this process's copy while the file is unchanged), catch up to now, let
 * `fn` act, and write once if anything but the catch-up marker changed (catch-up is deterministic, so skipping that
 * write loses nothing). `fn` acts on a tracking proxy, so finding out whether it changed anything costs nothing like
 * comparing two serialisations of the organisation. A change that is not written (`fn` failed, or asked a question)
 * leaves no trace: the copy is dropped and the file read again next time.
 */
export async function withOrganization<T>(
  file: string,
  fn: (org: Organisation, now: number) => Promise<T> | T,
  write: StateWriter = (f, next) => writeStateAtomically(f, next),
): Promise<T> {
  return withFileLock(file, async () => {
    const org = cachedState(file);
    const now = simulatedNow(org);
    const caughtUp = catchUp(org, now);
    const tracked = trackChanges(org, (target, key) => target === org && key === 'processedUntil');
    let result: T;
    try {
      result = await fn(tracked.value, now);
    } catch (e) {
      if (caughtUp || tracked.changed()) forgetState(file);
      throw e;
    }
    // The state before this change, should the writer need it (die --during-write): the file still holds it.
    if (caughtUp || tracked.changed()) writeCachedState(file, org, (f) => write(f, org, () => readState(f)));
    return result;
  });
}

export interface CertificateView {
  thumbprint: string;
  subject: string;
  friendlyName: string;
  notBefore: string;
  notAfter: string;
  services: string;
  expired: boolean;
  /**
   * current / next / previous in AuthConfig, transport for the internal transport certificate, default-web-site for
   * the certificate IIS serves on the front end.
   */
  roles: string[];
}

export interface ServerView {
  name: string;
  fqdn: string;
  site: string;
  /** "15.2.1544.4" */
  version: string;
  roles: string[];
  reachable: boolean;
  remoteEventLogBlocked: boolean;
  /** The certificates bound to the Default Web Site and Exchange Back End. */
  iis: { defaultWebSite: string | null; backEnd: string | null };
  certificates: CertificateView[];
  pools: Array<{ name: string; state: string; lastRecycle: string; cachedCertificate: string | null }>;
  serviceHostLastStart: string;
  authAdminLastRun: string | null;
  signIn: SignInProbe;
  recentEvents: Array<{ time: string; id: number; providerName: string; message: string }>;
}

export interface OrganizationSummary {
  scenario: string;
  now: string;
  acceleration: number;
  authConfig: {
    current: string | null;
    next: string | null;
    nextEffectiveDate: string | null;
    previous: string | null;
  };
  hybrid: boolean;
  serversInChildDomain: boolean;
  enableAuthAdminReadSession: boolean;
  /** The behaviours `configure` switches. */
  event2014On: Organisation['behaviour']['event2014On'];
  readSessionListed: boolean;
  serializedDataSigning: boolean;
  /** Certificate objects come back as RawData only, now. */
  serializationBroken: boolean;
  faults: Organisation['faults'];
  servers: ServerView[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function summarizeOrganization(org: Organisation, now: number, eventsPerServer = 5): OrganizationSummary {
  const a = org.authConfig;
  return {
    scenario: org.scenario,
    now: iso(now),
    acceleration: org.clock.acceleration,
    authConfig: {
      current: a.currentCertificateThumbprint,
      next: a.nextCertificateThumbprint,
      nextEffectiveDate: a.nextCertificateEffectiveDate === null ? null : iso(a.nextCertificateEffectiveDate),
      previous: a.previousCertificateThumbprint,
    },
    hybrid: org.hybrid.present,
    serversInChildDomain: org.organizationConfig.serversInChildDomain,
    enableAuthAdminReadSession: org.organizationConfig.enableAuthAdminReadSession,
    event2014On: org.behaviour.event2014On,
    readSessionListed: org.organizationConfig.readSessionListed,
    serializedDataSigning: org.organizationConfig.serializedDataSigning,
    serializationBroken: serializationBroken(org, now),
    faults: org.faults,
    servers: org.servers.map((s) => ({
      name: s.name,
      fqdn: s.fqdn,
      site: s.site,
      version: `${s.version.major}.${s.version.minor}.${s.version.build}.${s.version.revision}`,
      roles: [...s.roles],
      reachable: s.reachable,
      remoteEventLogBlocked: s.remoteEventLogBlocked,
      iis: { ...iisBindings(s) },
      certificates: s.certificates.map((c) => ({
        thumbprint: c.thumbprint,
        subject: c.subject,
        friendlyName: c.friendlyName,
        notBefore: iso(c.notBefore),
        notAfter: iso(c.notAfter),
        services: c.services.length ? c.services.join(', ') : 'None',
        expired: c.notAfter <= now,
        roles: [
          ...(c.thumbprint === a.currentCertificateThumbprint ? ['current'] : []),
          ...(c.thumbprint === a.nextCertificateThumbprint ? ['next'] : []),
          ...(c.thumbprint === a.previousCertificateThumbprint ? ['previous'] : []),
          ...(c.thumbprint === s.internalTransportCertificate ? ['transport'] : []),
          ...(c.thumbprint === iisBindings(s).defaultWebSite ? ['default-web-site'] : []),
        ],
      })),
      pools: s.appPools.map((p) => ({
        name: p.name,
        state: p.state,
        lastRecycle: iso(p.lastRecycle),
        cachedCertificate: p.cachedCertificate,
      })),
      serviceHostLastStart: iso(s.serviceHost.lastStart),
      authAdminLastRun: s.serviceHost.authAdminLastRun === null ? null : iso(s.serviceHost.authAdminLastRun),
      signIn: signInProbe(org, s, now),
      recentEvents: s.events.slice(-eventsPerServer).map((e) => ({
        time: iso(e.time),
        id: e.id,
        providerName: e.providerName,
        message: e.message,
      })),
    })),
  };
}
