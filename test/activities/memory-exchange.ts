// An in-memory ExchangeClient: a stub of the interface (not of PowerShell) for activity tests. It keeps just enough
// state to show that activities look before they act, and lets a test make any call throw a named error.
import type {
  AbsoluteDate,
  AuthAdminEvent,
  AuthConfig,
  CertificateLookup,
  ClockReading,
  ExchangeCertificate,
  ExchangeServer,
  PerServerResult,
  TransportCertificateLookup,
} from '../../common/exchange';
import { AUTH_CERTIFICATE_FRIENDLY_NAME, AUTH_CERTIFICATE_SUBJECT } from '../../common/names';
import type { ExchangeClient, NewAuthCertificateOptions } from '../../activities/powershell/exchange-client';

export const T = (n: number) => n.toString(16).toUpperCase().padStart(40, '0');
const HOUR = 3_600_000;

export interface Call {
  method: keyof ExchangeClient;
  args: unknown[];
}

export function server(name: string, site = 'Tokyo', extra: Partial<ExchangeServer> = {}): ExchangeServer {
  return {
    name,
    fqdn: `${name.toLowerCase()}.contoso.test`,
    site,
    roles: ['Mailbox'],
    version: '15.2.1544.4',
    majorVersion: 15,
    ...extra,
  };
}

export function authCertificate(thumbprint: string, notBefore: string, extra: Partial<ExchangeCertificate> = {}) {
  return {
    thumbprint,
    subject: 'CN=Microsoft Exchange Server Auth Certificate',
    friendlyName: AUTH_CERTIFICATE_FRIENDLY_NAME,
    notBefore,
    notAfter: new Date(Date.parse(notBefore) + 5 * 365 * 24 * HOUR).toISOString(),
    services: ['SMTP'],
    privateKeyExportable: true,
    ...extra,
  } satisfies ExchangeCertificate;
}

export class MemoryExchange implements ExchangeClient {
  now = Date.parse('2026-11-25T06:00:00.000Z');
  servers: ExchangeServer[] = [server('EX1'), server('EX2'), server('EX3', 'Osaka')];
  authConfig: AuthConfig = {
    currentCertificateThumbprint: T(1),
    previousCertificateThumbprint: null,
    nextCertificateThumbprint: null,
    nextCertificateEffectiveDate: null,
  };
  /** Certificates per server fqdn. */
  stores = new Map<string, ExchangeCertificate[]>();
  transport = new Map<string, string | null>();
  /** Servers without the transport role (Exchange 2013 Client Access): Get-TransportService does not know them. */
  notTransport = new Set<string>();
  /** Thumbprints bound to each server's Default Web Site (https); absent: none. */
  defaultWebSite = new Map<string, string[]>();
  unreachable = new Set<string>();
  events = new Map<string, AuthAdminEvent[]>();
  lastRuns = new Map<string, string | null>();
  poolStates = new Map<string, string>();
  /** When each pool's worker process started, per "fqdn/pool"; absent: no worker process (idle). */
  poolWorkerStarts = new Map<string, string>();
  /** When MSExchangeServiceHost last started, per server fqdn; absent: unreadable. */
  serviceHostStarts = new Map<string, string>();
  /** How far the worker host's clock is behind this Exchange's (negative: ahead). */
  hostSkewMs = 0;
  hybrid = false;
  enableAuthAdminReadSession: boolean | null = false;
  /** How far NotBefore of a new certificate lies from this Exchange's clock (negative: back-dated). */
  createdNotBeforeOffsetMs = 0;
  /** The SMTP role moves to a new certificate on creation (what -Services None should prevent). */
  smtpMovesOnCreate = false;
  /** Make a method throw: checked before each call. */
  faults = new Map<keyof ExchangeClient, () => Error>();
  calls: Call[] = [];
  private counter = 100;

  constructor() {
    for (const s of this.servers) {
      this.stores.set(s.fqdn, [authCertificate(T(1), this.iso(-400 * 24 * HOUR))]);
      this.transport.set(s.fqdn, T(900));
    }
  }

  iso(offsetMs = 0): string {
    return new Date(this.now + offsetMs).toISOString();
  }

  count(method: keyof ExchangeClient): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private enter(method: keyof ExchangeClient, ...args: unknown[]) {
    this.calls.push({ method, args });
    const fault = this.faults.get(method);
    if (fault) throw fault();
  }

  private store(fqdn: string): ExchangeCertificate[] {
    const store = this.stores.get(fqdn);
    if (!store) throw new Error(`no server ${fqdn}`);
    return store;
  }

  async readClock(): Promise<ClockReading> {
    this.enter('readClock');
    return {
      serverTime: this.iso(),
      hostTime: this.iso(-this.hostSkewMs),
      skewMs: this.hostSkewMs,
      source: 'exchange-server',
      server: this.servers[0]!.fqdn,
    };
  }
  async getServerTime() {
    this.enter('getServerTime');
    return this.iso();
  }
  async getExchangeServers() {
    this.enter('getExchangeServers');
    return this.servers;
  }
  async getAuthConfig() {
    this.enter('getAuthConfig');
    return { ...this.authConfig };
  }
  async getCertificate(fqdn: string, thumbprint: string): Promise<CertificateLookup> {
    this.enter('getCertificate', fqdn, thumbprint);
    if (this.unreachable.has(fqdn)) return { status: 'unreachable', error: `The RPC server is unavailable: ${fqdn}` };
    const found = this.store(fqdn).find((c) => c.thumbprint === thumbprint);
    return found ? { status: 'present', certificate: found } : { status: 'missing' };
  }
  async listCertificates(fqdn: string) {
    this.enter('listCertificates', fqdn);
    return [...this.store(fqdn)];
  }
  async isHybridConfigured() {
    this.enter('isHybridConfigured');
    return this.hybrid;
  }
  async getOrganizationConfig() {
    this.enter('getOrganizationConfig');
    return { enableAuthAdminReadSession: this.enableAuthAdminReadSession };
  }
  async getInternalTransportCertificate(fqdn: string): Promise<TransportCertificateLookup> {
    this.enter('getInternalTransportCertificate', fqdn);
    if (this.notTransport.has(fqdn)) return { transportServer: false };
    return { transportServer: true, thumbprint: this.transport.get(fqdn) ?? null };
  }
  async getDefaultWebSiteCertificates(fqdn: string) {
    this.enter('getDefaultWebSiteCertificates', fqdn);
    return this.defaultWebSite.get(fqdn) ?? [];
  }
  async newAuthCertificate(options: NewAuthCertificateOptions) {
    this.enter('newAuthCertificate', options);
    this.counter += 1;
    const certificate = authCertificate(T(this.counter), this.iso(this.createdNotBeforeOffsetMs), {
      services: options.services === 'None' ? [] : ['SMTP'],
      subject: `CN=${AUTH_CERTIFICATE_SUBJECT.slice(3)}`,
      ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
    });
    this.store(options.server).push(certificate);
    if (this.smtpMovesOnCreate) this.transport.set(options.server, certificate.thumbprint);
    return certificate;
  }
  async enableCertificate(fqdn: string, thumbprint: string, services: string[]) {
    this.enter('enableCertificate', fqdn, thumbprint, services);
    if (services.includes('SMTP')) this.transport.set(fqdn, thumbprint);
  }
  async stageNextCertificate(thumbprint: string, effectiveDate: AbsoluteDate, force: boolean) {
    this.enter('stageNextCertificate', thumbprint, effectiveDate, force);
    if (Date.parse(effectiveDate.iso) < this.now) {
      const error = new Error('Set-AuthConfig: The effective date must be greater than the current time.');
      error.name = 'InvalidEffectiveDateError';
      throw error;
    }
    this.authConfig = {
      ...this.authConfig,
      nextCertificateThumbprint: thumbprint,
      nextCertificateEffectiveDate: new Date(Date.parse(effectiveDate.iso)).toISOString(),
    };
  }
  async publishCertificate() {
    this.enter('publishCertificate');
    this.authConfig = {
      currentCertificateThumbprint: this.authConfig.nextCertificateThumbprint,
      previousCertificateThumbprint: this.authConfig.currentCertificateThumbprint,
      nextCertificateThumbprint: null,
      nextCertificateEffectiveDate: null,
    };
  }
  async clearPreviousCertificate() {
    this.enter('clearPreviousCertificate');
    this.authConfig = { ...this.authConfig, previousCertificateThumbprint: null };
  }
  async copyCertificate(source: string, thumbprint: string, target: string) {
    this.enter('copyCertificate', source, thumbprint, target);
    if (this.unreachable.has(target)) {
      const error = new Error(`The RPC server is unavailable: ${target}`);
      error.name = 'ServerUnreachableError';
      throw error;
    }
    const original = this.store(source).find((c) => c.thumbprint === thumbprint);
    if (!original) {
      const error = new Error(`The certificate with thumbprint ${thumbprint} was not found.`);
      error.name = 'CertificateNotFoundError';
      throw error;
    }
    this.store(target).push({ ...original, services: [] });
    return thumbprint;
  }
  async getAuthAdminEvents(fqdn: string, sinceIso: string) {
    this.enter('getAuthAdminEvents', fqdn, sinceIso);
    return (this.events.get(fqdn) ?? []).filter((e) => Date.parse(e.timeCreated) >= Date.parse(sinceIso));
  }
  async getAuthAdminLastRun(fqdn: string) {
    this.enter('getAuthAdminLastRun', fqdn);
    return this.lastRuns.get(fqdn) ?? null;
  }
  async getServiceHostStartTime(fqdn: string) {
    this.enter('getServiceHostStartTime', fqdn);
    return this.serviceHostStarts.get(fqdn) ?? null;
  }
  async restartServiceHost(servers: string[]): Promise<PerServerResult[]> {
    this.enter('restartServiceHost', servers);
    return servers.map((s) => {
      if (this.unreachable.has(s)) return { server: s, ok: false, error: 'WinRM cannot complete the operation' };
      this.serviceHostStarts.set(s, this.iso());
      return { server: s, ok: true, at: this.iso() };
    });
  }
  async recycleAppPool(servers: string[], pool: string): Promise<PerServerResult[]> {
    this.enter('recycleAppPool', servers, pool);
    return servers.map((s) => {
      if (this.unreachable.has(s)) return { server: s, ok: false, error: 'WinRM cannot complete the operation' };
      // A recycle starts a new worker process.
      this.poolWorkerStarts.set(`${s}/${pool}`, this.iso());
      return { server: s, ok: true, at: this.iso() };
    });
  }
  async getAppPoolWorkerProcesses(fqdn: string) {
    this.enter('getAppPoolWorkerProcesses', fqdn);
    return [...this.poolWorkerStarts]
      .filter(([key]) => key.startsWith(`${fqdn}/`))
      .map(([key, startedAt], i) => ({ pool: key.slice(fqdn.length + 1), processId: 4000 + i, startedAt }));
  }
  async getAppPoolState(fqdn: string, pool: string) {
    this.enter('getAppPoolState', fqdn, pool);
    return this.poolStates.get(`${fqdn}/${pool}`) ?? 'Started';
  }
  async testOAuthConnectivity(fqdn: string, mailbox: string) {
    this.enter('testOAuthConnectivity', fqdn, mailbox);
    return { ok: true, detail: 'Success' };
  }
  async close() {}
}
