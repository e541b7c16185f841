// Generate the Auth certificate exactly as Microsoft specifies, without letting it take the SMTP role, and without
// ever making a second one: a retry first looks for the certificate this run already made.
import type { ExchangeCertificate, Thumbprint } from '../common/exchange';
import { AUTH_CERTIFICATE_FRIENDLY_NAME, AUTH_CERTIFICATE_SUBJECT } from '../common/names';
import type { GeneratedCertificate, ServerIdentity, TransportCertificateCheck } from '../common/rotation';
import type { ResolvedDeps } from './deps';
import { resumedProgress, saveProgress } from './heartbeat';

export interface GenerateRequest {
  /** The server that runs New-ExchangeCertificate. */
  server: ServerIdentity;
  /** The workflow run's start (first run of the chain): only certificates made after it can be this run's. */
  runStartedAt: string;
  /** Current, previous and next thumbprints: never "found" as this run's certificate. */
  exclude: Thumbprint[];
}

interface GenerateHeartbeat {
  thumbprint?: Thumbprint;
}

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Is this an Auth certificate made by this run? Pure, so it is tested on its own. */
export function isCertificateOfThisRun(
  certificate: ExchangeCertificate,
  request: Pick<GenerateRequest, 'runStartedAt' | 'exclude'>,
  toleranceMs: number,
): boolean {
  return (
    sameText(certificate.subject, AUTH_CERTIFICATE_SUBJECT) &&
    sameText(certificate.friendlyName, AUTH_CERTIFICATE_FRIENDLY_NAME) &&
    Date.parse(certificate.notBefore) >= Date.parse(request.runStartedAt) - toleranceMs &&
    !request.exclude.some((t) => t.toUpperCase() === certificate.thumbprint.toUpperCase())
  );
}

export function certificateActivities(deps: ResolvedDeps) {
  const { exchange } = deps;

  async function findThisRunsCertificate(
    request: GenerateRequest,
    madeByEarlierAttempt?: Thumbprint,
  ): Promise<ExchangeCertificate | undefined> {
    const certificates = await exchange.listCertificates(request.server.fqdn);
    // The thumbprint an earlier attempt heartbeated is the surest sign; NotBefore is the fallback for an attempt that
    // died before its heartbeat reached the server (how far NotBefore lies before creation: verify on a real server).
    const remembered = certificates.find(
      (c) =>
        madeByEarlierAttempt !== undefined &&
        c.thumbprint.toUpperCase() === madeByEarlierAttempt.toUpperCase() &&
        isCertificateOfThisRun(c, { runStartedAt: c.notBefore, exclude: request.exclude }, 0),
    );
    if (remembered) return remembered;
    const mine = certificates.filter((c) => isCertificateOfThisRun(c, request, deps.settings.notBeforeToleranceMs));
    // Should there be two (a person made one too), the newest is the one a retry of this activity made last.
    return mine.sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore))[0];
  }

  return {
    /** The internal transport certificate of every server, recorded before the new certificate exists. */
    async recordTransportCertificates(servers: ServerIdentity[]): Promise<TransportCertificateCheck[]> {
      const records: TransportCertificateCheck[] = [];
      for (const server of servers) {
        const before = await exchange.getInternalTransportCertificate(server.fqdn);
        records.push({ server: server.name, before, after: before, restored: false });
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
      const made = await exchange.newAuthCertificate({ server: request.server.fqdn, services: 'None' });
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
        let after = await exchange.getInternalTransportCertificate(server.fqdn);
        let restored = record.restored;
        if (record.before !== null && after !== record.before) {
          const previous = await exchange.getCertificate(server.fqdn, record.before);
          const services = previous.status === 'present' ? withSmtp(previous.certificate.services) : ['SMTP'];
          await exchange.enableCertificate(server.fqdn, record.before, services);
          after = await exchange.getInternalTransportCertificate(server.fqdn);
          restored = true;
          deps.log.warn('restored the internal transport certificate', {
            server: server.name,
            thumbprint: record.before,
          });
        }
        results.push({ server: record.server, before: record.before, after, restored });
      }
      return results;
    },
  };
}

function withSmtp(services: string[]): string[] {
  const kept = services.filter((s) => s !== 'None');
  return kept.some((s) => s.toUpperCase() === 'SMTP') ? kept : [...kept, 'SMTP'];
}

function pick(certificate: ExchangeCertificate) {
  return { thumbprint: certificate.thumbprint, notBefore: certificate.notBefore, notAfter: certificate.notAfter };
}
