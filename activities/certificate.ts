// Generate the Auth certificate exactly as Microsoft specifies, without letting it take the SMTP role, and without
// ever making a second one. Before creating, the workflow records (in its history, through listAuthCertificates) which
// Auth-subject certificates the creating server already holds; any other Auth-subject certificate found there by a
// retry is the one an earlier attempt made, whatever its NotBefore says and whether or not its heartbeat arrived.
import type {
  CertificateLookup,
  ExchangeCertificate,
  Thumbprint,
  TransportCertificateLookup,
} from '../common/exchange';
import { AUTH_CERTIFICATE_FRIENDLY_NAME, AUTH_CERTIFICATE_SUBJECT } from '../common/names';
import type { GeneratedCertificate, ServerIdentity, TransportCertificateCheck } from '../common/rotation';
import type { ResolvedDeps } from './deps';
import { readServerClock } from './clock';
import { resumedProgress, saveProgress } from './heartbeat';
import { cannotLook } from './transient';

export interface GenerateRequest {
  /** The server that runs New-ExchangeCertificate. */
  server: ServerIdentity;
  /**
   * The Auth-subject certificates on that server before this rotation created one (listAuthCertificates, whose result
   * is in the workflow's history). Absent only for rotations started before it was recorded; they fall back to
   * runStartedAt.
   */
  existing?: Thumbprint[];
  /**
   * Legacy fallback, used only without `existing`: the workflow run's start (first run of the chain), compared with the
   * certificate's NotBefore, which is Exchange's clock. Kept so that rotations already past this step replay.
   */
  runStartedAt?: string;
  /** Current, previous and next thumbprints: never "found" as this run's certificate. */
  exclude: Thumbprint[];
}

interface GenerateHeartbeat {
  thumbprint?: Thumbprint;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const sameThumbprint = (a: Thumbprint, b: Thumbprint) => a.toUpperCase() === b.toUpperCase();

export function hasAuthSubject(certificate: Pick<ExchangeCertificate, 'subject'>): boolean {
  return sameText(certificate.subject, AUTH_CERTIFICATE_SUBJECT);
}

/**
 * Legacy rule for requests without `existing`: is this an Auth certificate made after the run started? Pure, so it is
 * tested on its own.
 */
export function isCertificateOfThisRun(
  certificate: ExchangeCertificate,
  request: { runStartedAt: string; exclude: Thumbprint[] },
  toleranceMs: number,
): boolean {
  return (
    hasAuthSubject(certificate) &&
    sameText(certificate.friendlyName, AUTH_CERTIFICATE_FRIENDLY_NAME) &&
    Date.parse(certificate.notBefore) >= Date.parse(request.runStartedAt) - toleranceMs &&
    !request.exclude.some((t) => sameThumbprint(t, certificate.thumbprint))
  );
}

/** Auth-subject certificates that were not on the server before, nor named by AuthConfig: made since the listing. */
export function madeSinceListing(
  certificates: ExchangeCertificate[],
  existing: Thumbprint[],
  exclude: Thumbprint[],
): ExchangeCertificate[] {
  const known = [...existing, ...exclude];
  return certificates.filter((c) => hasAuthSubject(c) && !known.some((t) => sameThumbprint(t, c.thumbprint)));
}

const newestFirst = (a: ExchangeCertificate, b: ExchangeCertificate) =>
  Date.parse(b.notBefore) - Date.parse(a.notBefore);

export function certificateActivities(deps: ResolvedDeps) {
  const { exchange } = deps;

  async function findThisRunsCertificate(
    request: GenerateRequest,
    madeByEarlierAttempt?: Thumbprint,
  ): Promise<ExchangeCertificate | undefined> {
    const certificates = await exchange.listCertificates(request.server.fqdn);
    const remembered = certificates.find(
      (c) =>
        madeByEarlierAttempt !== undefined &&
        sameThumbprint(c.thumbprint, madeByEarlierAttempt) &&
        hasAuthSubject(c) &&
        !request.exclude.some((t) => sameThumbprint(t, c.thumbprint)),
    );
    if (remembered) return remembered;
    // Should there be two (a person made one too), the newest (by Exchange's own clock) is the one made last.
    const { existing, runStartedAt, exclude } = request;
    const mine = existing
      ? madeSinceListing(certificates, existing, exclude)
      : runStartedAt !== undefined
        ? certificates.filter((c) =>
            isCertificateOfThisRun(c, { runStartedAt, exclude }, deps.settings.notBeforeToleranceMs),
          )
        : [];
    return mine.sort(newestFirst)[0];
  }

  return {
    /** The thumbprints of the Auth-subject certificates on a server, read before this rotation creates one there. */
    async listAuthCertificates(request: { server: ServerIdentity }): Promise<Thumbprint[]> {
      const certificates = await exchange.listCertificates(request.server.fqdn);
      return certificates.filter(hasAuthSubject).map((c) => c.thumbprint.toUpperCase());
    },

    /**
     * The internal transport certificate of every server, recorded before the new certificate exists. A server without
     * the transport role (Exchange 2013 Client Access) has none and is recorded as such.
     */
    async recordTransportCertificates(servers: ServerIdentity[]): Promise<TransportCertificateCheck[]> {
      const records: TransportCertificateCheck[] = [];
      for (const server of servers) {
        const lookup = await exchange.getInternalTransportCertificate(server.fqdn);
        records.push(
          lookup.transportServer
            ? { server: server.name, before: lookup.thumbprint, after: lookup.thumbprint, restored: false }
            : { server: server.name, before: null, after: null, restored: false, notTransportServer: true },
        );
      }
      return records;
    },

    async generateAuthCertificate(request: GenerateRequest): Promise<GeneratedCertificate> {
      const resumed = resumedProgress<GenerateHeartbeat>() ?? {};
      const found = await findThisRunsCertificate(request, resumed.thumbprint);
      if (found) {
        deps.log.info('found the certificate this run already made', { thumbprint: found.thumbprint });
        saveProgress({ thumbprint: found.thumbprint } satisfies GenerateHeartbeat);
        return { ...pick(found), server: request.server.name, reused: true };
      }
      if (resumed.thumbprint) {
        // An earlier attempt made one but it is gone or changed: say so rather than silently making another.
        deps.log.warn('the certificate an earlier attempt made is not on the server any more', { ...resumed });
      }
      saveProgress({} satisfies GenerateHeartbeat);
      const made = await exchange.newAuthCertificate({
        server: request.server.fqdn,
        services: 'None',
        ...(await customEndOfValidity()),
      });
      saveProgress({ thumbprint: made.thumbprint } satisfies GenerateHeartbeat);
      deps.log.info('created the Auth certificate', { thumbprint: made.thumbprint, server: request.server.name });
      return { ...pick(made), server: request.server.name, reused: false };
    },

    /**
     * After creation, every server's internal transport certificate must be what it was; where creating the Auth
     * certificate moved SMTP to it, the previous certificate gets its services back.
     */
    async verifyTransportCertificates(request: {
      servers: ServerIdentity[];
      records: TransportCertificateCheck[];
    }): Promise<TransportCertificateCheck[]> {
      const results: TransportCertificateCheck[] = [];
      for (const record of request.records) {
        const server = request.servers.find((s) => s.name === record.server);
        if (!server) continue;
        if (record.notTransportServer) {
          results.push(record);
          continue;
        }
        let after = thumbprintOf(await exchange.getInternalTransportCertificate(server.fqdn));
        let { restored, servicesRestored } = record;
        if (record.before !== null && after !== record.before) {
          const previous = await exchange.getCertificate(server.fqdn, record.before);
          const frontEnd = needsFrontEndAnswer(previous) ? await boundToDefaultWebSite(server, record.before) : null;
          servicesRestored = servicesToRestore(previous, frontEnd);
          await exchange.enableCertificate(server.fqdn, record.before, servicesRestored);
          after = thumbprintOf(await exchange.getInternalTransportCertificate(server.fqdn));
          restored = true;
          deps.log.warn('restored the internal transport certificate', {
            server: server.name,
            thumbprint: record.before,
            services: servicesRestored,
            boundToDefaultWebSite: frontEnd,
          });
        }
        results.push({
          server: record.server,
          before: record.before,
          after,
          restored,
          ...(servicesRestored === undefined ? {} : { servicesRestored }),
        });
      }
      return results;
    },
  };

  /** With a lifetime setting, the end of validity from the Exchange server's clock; none: New-ExchangeCertificate's. */
  async function customEndOfValidity(): Promise<{ notAfter?: string }> {
    const days = deps.settings.certificateLifetimeDays;
    if (days === null) return {};
    const { reading } = await readServerClock(deps);
    return { notAfter: new Date(Date.parse(reading.serverTime) + days * DAY_MS).toISOString() };
  }

  /** Is `thumbprint` bound to the server's Default Web Site? null when that cannot be read (then IIS is left out). */
  async function boundToDefaultWebSite(server: ServerIdentity, thumbprint: Thumbprint): Promise<boolean | null> {
    try {
      const bound = await exchange.getDefaultWebSiteCertificates(server.fqdn);
      return bound.some((t) => sameThumbprint(t, thumbprint));
    } catch (error) {
      if (!cannotLook(error)) throw error;
      deps.log.warn('could not read the Default Web Site bindings; IIS is not enabled again', {
        server: server.name,
        error: (error as Error).message,
      });
      return null;
    }
  }
}

function thumbprintOf(lookup: TransportCertificateLookup): Thumbprint | null {
  return lookup.transportServer ? lookup.thumbprint : null;
}

const isIis = (service: string) => service.toUpperCase() === 'IIS';

/** The previous certificate's services as known; empty when unknown (not found, or read from RawData alone). */
function knownServices(previous: CertificateLookup): string[] {
  return previous.status === 'present' ? previous.certificate.services.filter((s) => s !== 'None') : [];
}

/** Whether the restoration depends on the Default Web Site's bindings: IIS was among the services, or they are unknown. */
export function needsFrontEndAnswer(previous: CertificateLookup): boolean {
  const known = knownServices(previous);
  return known.length === 0 || known.some(isIis);
}

/**
 * Pure, as Microsoft's MonitorExchangeAuthCertificate decides: the services the previous internal transport certificate
 * gets back. IIS only when it was bound to the Default Web Site (the front end): the usual self-signed transport
 * certificate lists IIS for the Exchange Back End site, and enabling it for IIS would bind it to the front end in place
 * of the organisation's CA certificate. Unknown bindings (null) leave IIS out. SMTP always: that is what moved.
 */
export function servicesToRestore(previous: CertificateLookup, boundToDefaultWebSite: boolean | null): string[] {
  const known = knownServices(previous);
  const frontEnd = boundToDefaultWebSite === true;
  if (known.length === 0) return frontEnd ? ['IIS', 'SMTP'] : ['SMTP'];
  return withSmtp(known.filter((s) => frontEnd || !isIis(s)));
}

function withSmtp(services: string[]): string[] {
  const kept = services.filter((s) => s !== 'None');
  return kept.some((s) => s.toUpperCase() === 'SMTP') ? kept : [...kept, 'SMTP'];
}

function pick(certificate: ExchangeCertificate) {
  return { thumbprint: certificate.thumbprint, notBefore: certificate.notBefore, notAfter: certificate.notAfter };
}
