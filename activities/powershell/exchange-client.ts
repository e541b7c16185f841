// The contract between the activities and the PowerShell layer: one method per Exchange operation the rotation needs.
// The PowerShell layer implements it over node-powershell (docs/powershell-dialect.md); activities depend only on this.
// Every method throws the named errors of ./errors (certificate missing, server unreachable, access denied, ...).
import type {
  AbsoluteDate,
  AuthAdminEvent,
  AuthConfig,
  CertificateLookup,
  ClockReading,
  ExchangeCertificate,
  ExchangeServer,
  OrganizationConfig,
  PerServerResult,
  Thumbprint,
  TransportCertificateLookup,
} from '../../common/exchange';

export interface NewAuthCertificateOptions {
  /** The server that creates the certificate (New-ExchangeCertificate -Server). */
  server: string;
  /** Declines the SMTP overwrite without a prompt: -Services None. */
  services: 'None';
  /**
   * The end of validity (ISO-8601, from the server's clock) when it must be sooner than New-ExchangeCertificate's five
   * years: the certificate is then made with New-SelfSignedCertificate on the server (docs/powershell-dialect.md).
   */
  notAfter?: string;
}

/** An IIS worker process (w3wp.exe) of an application pool. */
export interface AppPoolWorkerProcess {
  pool: string;
  processId: number;
  /** When it started (server clock, ISO), or null when Windows did not say. */
  startedAt: string | null;
}

export interface ExchangeClient {
  /**
   * The Exchange server's clock and the worker host's, read in one call: dates are built from the server's, and the
   * difference says whether the host's clock is off.
   */
  readClock(): Promise<ClockReading>;
  /** The Exchange server's clock (readClock's serverTime): what effective dates are compared against. */
  getServerTime(): Promise<string>;
  getExchangeServers(): Promise<ExchangeServer[]>;
  getAuthConfig(): Promise<AuthConfig>;
  /** Get-ExchangeCertificate -Server -Thumbprint, classified as present, missing or unreachable. */
  getCertificate(server: string, thumbprint: Thumbprint): Promise<CertificateLookup>;
  /** Every certificate on a server (Get-ExchangeCertificate -Server), to find one this run already made. */
  listCertificates(server: string): Promise<ExchangeCertificate[]>;
  isHybridConfigured(): Promise<boolean>;
  /** Get-OrganizationConfig; a switch Exchange did not return is null (unknown), never false. */
  getOrganizationConfig(): Promise<OrganizationConfig>;
  /**
   * Get-TransportService -Identity: the internal transport (default SMTP) certificate's thumbprint, or, for a server
   * Get-TransportService does not know (Exchange 2013 without the transport role), `transportServer: false`.
   */
  getInternalTransportCertificate(server: string): Promise<TransportCertificateLookup>;
  /**
   * The thumbprints of the certificates bound to the Default Web Site's https bindings (Get-WebBinding through
   * Invoke-Command): the front end, where IIS must not get a certificate that was not there before.
   */
  getDefaultWebSiteCertificates(server: string): Promise<Thumbprint[]>;
  newAuthCertificate(options: NewAuthCertificateOptions): Promise<ExchangeCertificate>;
  /** Enable-ExchangeCertificate -Force: restores a certificate's services (used when the SMTP role moved). */
  enableCertificate(server: string, thumbprint: Thumbprint, services: string[]): Promise<void>;
  /**
   * Set-AuthConfig -NewCertificateThumbprint -NewCertificateEffectiveDate [-Force]. The date is absolute, built from
   * the Exchange server's clock (readClock): nothing is evaluated against the worker's own clock.
   */
  stageNextCertificate(thumbprint: Thumbprint, effectiveDate: AbsoluteDate, force: boolean): Promise<void>;
  publishCertificate(): Promise<void>;
  clearPreviousCertificate(): Promise<void>;
  /**
   * Export-ExchangeCertificate on `source`, Import-ExchangeCertificate on `target`, in one PowerShell call: the PFX
   * password is made inside PowerShell and neither it nor the PFX ever leaves that process. Returns the thumbprint the
   * import reports.
   */
  copyCertificate(source: string, thumbprint: Thumbprint, target: string): Promise<Thumbprint>;
  /**
   * Event 2014 of MSExchange AuthAdmin in the Application log since a date; none is an empty list, not an error. Read
   * on the server through Invoke-Command (WinRM), or with Get-WinEvent -ComputerName (remote event-log RPC) when the
   * settings say `eventLog: 'rpc'`.
   */
  getAuthAdminEvents(server: string, sinceIso: string): Promise<AuthAdminEvent[]>;
  /** The AuthAdmin servicelet's last run (Get-ExchangeDiagnosticInfo), or null when it cannot be read. */
  getAuthAdminLastRun(server: string): Promise<string | null>;
  /** When MSExchangeServiceHost last started (Get-ExchangeDiagnosticInfo's ProcessInfo), or null when unreadable. */
  getServiceHostStartTime(server: string): Promise<string | null>;
  restartServiceHost(servers: string[]): Promise<PerServerResult[]>;
  recycleAppPool(servers: string[], pool: string): Promise<PerServerResult[]>;
  getAppPoolState(server: string, pool: string): Promise<string>;
  /**
   * The application pools' worker processes on a server (Win32_Process through Invoke-Command). A pool without one
   * has not served a request since it last started or went idle; IIS starts one on the next request.
   */
  getAppPoolWorkerProcesses(server: string): Promise<AppPoolWorkerProcess[]>;
  /** Test-OAuthConnectivity against a server's EWS: does OAuth (and so OWA/EAC sign-in) work there? */
  testOAuthConnectivity(server: string, mailbox: string): Promise<{ ok: boolean; detail: string }>;
  /** Releases the PowerShell session(s). */
  close(): Promise<void>;
}
