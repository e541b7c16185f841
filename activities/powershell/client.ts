// ExchangeClient over node-powershell: each method renders one catalogue command inside the per-call envelope, runs it
// on the target's long-lived session and validates the answer.
import { z } from 'zod';
import {
  AUTH_ADMIN_EVENT_SOURCE,
  AUTH_ADMIN_PUBLISHED_EVENT_ID,
  AUTH_CERTIFICATE_FRIENDLY_NAME,
  AUTH_CERTIFICATE_KEY_SIZE,
  AUTH_CERTIFICATE_SUBJECT,
  APPLICATION_LOG,
  SERVICE_HOST_SERVICE,
} from '../../common/names';
import {
  AuthAdminEvent,
  AuthConfig,
  CertificateLookup,
  EffectiveDate,
  ExchangeCertificate,
  ExchangeServer,
  PerServerResult,
  Thumbprint,
  isoDateSchema,
  thumbprintSchema,
} from '../../common/exchange';
import {
  CmdletName,
  ParamsOf,
  SCRIPT_BLOCKS,
  SelectProperty,
  VARIABLES,
  renderCertificateCopy,
  renderCommand,
  renderEnvelope,
  renderPipeline,
} from './catalogue';
import {
  AccessDeniedError,
  CatalogueError,
  CertificateNotFoundError,
  CommandNotFoundError,
  ExchangeShellError,
  NoMatchingEventsError,
  OutputSchemaError,
  ParameterBindingError,
  ParameterNotFoundError,
  RemoteSessionBrokenError,
  ShellConfigurationError,
  classifyErrorRecord,
} from './errors';
import type { AppPoolWorkerProcess, ExchangeClient, NewAuthCertificateOptions } from './exchange-client';
import {
  Envelope,
  authAdminLastRunFromDiagnosticXml,
  authConfigOutputSchema,
  certificateOutputSchema,
  exchangeServerOutputSchema,
  parseEnvelope,
  parseItems,
  processStartFromDiagnosticXml,
  psDateSchema,
  thumbprintFromAuthAdminMessage,
  winEventOutputSchema,
  workerProcessOutputSchema,
} from './output';
import { PS_NOW, PsAbsoluteDate, PsHashtable, PsRelativeDate, PsScriptBlock } from './render';
import { CommandSession, ShellSession, ShellSessionPool } from './session';
import { ExchangeShellSettingsInput, launchFor, parseShellSettings } from './settings';

export const CERTIFICATE_PROPERTIES: readonly SelectProperty[] = [
  'Thumbprint',
  'Subject',
  'FriendlyName',
  { name: 'NotBefore', isoDateOf: 'NotBefore' },
  { name: 'NotAfter', isoDateOf: 'NotAfter' },
  { name: 'Services', stringOf: 'Services' },
  'PrivateKeyExportable',
  // The certificate itself: all that survives a broken serialization (output.ts reads the rest from it).
  { name: 'RawData', base64Of: 'RawData' },
];

export const SERVER_PROPERTIES: readonly SelectProperty[] = [
  'Name',
  'Fqdn',
  { name: 'Site', stringOf: 'Site' },
  { name: 'ServerRole', stringOf: 'ServerRole' },
  { name: 'AdminDisplayVersion', stringOf: 'AdminDisplayVersion' },
  // The server's AD domain, and (from the server object's DN in the configuration partition) the forest root's.
  'Domain',
  'DistinguishedName',
];

// NextCertificateEffectiveDate is null when nothing is staged; a calculated .ToUniversalTime() would fail on null, so
// the raw value travels and the schema reads both "\/Date(ms)\/" (5.1) and ISO (7).
export const AUTH_CONFIG_PROPERTIES: readonly SelectProperty[] = [
  'CurrentCertificateThumbprint',
  'PreviousCertificateThumbprint',
  'NextCertificateThumbprint',
  'NextCertificateEffectiveDate',
];

export const EVENT_PROPERTIES: readonly SelectProperty[] = [
  'Id',
  'ProviderName',
  'Message',
  { name: 'TimeCreated', isoDateOf: 'TimeCreated' },
  'MachineName',
];

export const WORKER_PROCESS_PROPERTIES: readonly SelectProperty[] = [
  'ProcessId',
  'CommandLine',
  { name: 'CreationDate', isoDateOf: 'CreationDate' },
];

const SERVICE_HOST_PROCESS = 'Microsoft.Exchange.ServiceHost';
/** Names the export-and-import call in errors. */
const CERTIFICATE_COPY = 'Export-ExchangeCertificate | Import-ExchangeCertificate';
const MAX_AUTH_ADMIN_EVENTS = 20;

export interface ExchangeClientDeps<S extends CommandSession = ShellSession> {
  /** Shared by every client of the worker process; defaults to one module-wide pool. */
  pool?: ShellSessionPool<S>;
  /** The worker's clock, for the `at` of per-server results. */
  now?: () => Date;
}

export interface RunOptions {
  select?: readonly SelectProperty[];
  timeoutMs?: number;
}

/** The low-level entry point under ExchangeClient: one catalogue command, enveloped, parsed. */
export class ExchangeShell<S extends CommandSession = ShellSession> {
  constructor(readonly session: S) {}

  render<C extends CmdletName>(cmdlet: C, params: ParamsOf<C>, select?: readonly SelectProperty[]): string {
    return renderEnvelope(renderPipeline(renderCommand(cmdlet, params), select), this.session.launch.guard);
  }

  /** Runs a command and returns its output objects; a PowerShell error becomes its named error class. */
  run<C extends CmdletName>(cmdlet: C, params: ParamsOf<C>, options: RunOptions = {}): Promise<unknown[]> {
    return this.runPipeline(cmdlet, renderPipeline(renderCommand(cmdlet, params), options.select), options);
  }

  /** Runs a pipeline the catalogue rendered; `label` names it in errors (never the text: see session.ts). */
  async runPipeline(label: string, pipeline: string, options: Pick<RunOptions, 'timeoutMs'> = {}): Promise<unknown[]> {
    const line = renderEnvelope(pipeline, this.session.launch.guard);
    let envelope: Envelope | undefined;
    const stdout = await this.session.run(line, {
      cmdlet: label,
      timeoutMs: options.timeoutMs,
      discardIf: (out) => {
        envelope = parseEnvelope(out, label);
        return !envelope.ok && classifyErrorRecord(envelope.error, label) instanceof RemoteSessionBrokenError;
      },
    });
    envelope ??= parseEnvelope(stdout, label);
    if (!envelope.ok) throw classifyErrorRecord(envelope.error, label);
    return envelope.value;
  }
}

const defaultPool = new ShellSessionPool();

/** Closes every session of the module-wide pool (worker shutdown). */
export function closeDefaultShellPool(): Promise<void> {
  return defaultPool.closeAll();
}

function effectiveDateLiteral(date: EffectiveDate) {
  switch (date.kind) {
    case 'relative':
      return new PsRelativeDate(date.hours);
    case 'absolute':
      return new PsAbsoluteDate(date.iso);
    case 'now':
      return PS_NOW;
  }
}

/** Errors that mean "this environment or call is wrong", never "this server is unreachable". */
function isEnvironmentError(error: unknown): boolean {
  return (
    error instanceof AccessDeniedError ||
    error instanceof CommandNotFoundError ||
    error instanceof ParameterNotFoundError ||
    error instanceof ParameterBindingError ||
    error instanceof CatalogueError ||
    error instanceof ShellConfigurationError ||
    error instanceof OutputSchemaError
  );
}

/**
 * What a failed Get-ExchangeCertificate -Server -Thumbprint means. The certificate is missing when Exchange says so:
 * by message in English, or, in any language, by CategoryInfo.Reason InvalidOperationException, which is what the
 * "not found" RPC error carries. Any other error means the server could not be asked; only a wrong environment (or the
 * shell itself failing) is thrown.
 */
export function certificateLookupFailure(error: unknown): CertificateLookup {
  if (error instanceof CertificateNotFoundError) return { status: 'missing' };
  if (isEnvironmentError(error) || !(error instanceof ExchangeShellError)) throw error;
  if (error.record === undefined || error instanceof RemoteSessionBrokenError) throw error;
  if (error.record.reason === 'InvalidOperationException') return { status: 'missing' };
  return { status: 'unreachable', error: `${error.name}: ${error.message}` };
}

/** A thumbprint argument from the activity; a bad one is refused before any PowerShell runs. */
function validThumbprint(thumbprint: string): Thumbprint {
  const parsed = thumbprintSchema.safeParse(thumbprint);
  if (!parsed.success)
    throw new CatalogueError(`thumbprint ${JSON.stringify(thumbprint)} must be 40 hexadecimal characters`);
  return parsed.data;
}

function single<T>(items: T[], cmdlet: string): T {
  if (items.length !== 1)
    throw new OutputSchemaError(`${cmdlet}: expected one object, got ${items.length}`, { cmdlet });
  return items[0];
}

const stringValue = z.preprocess(
  (v) => (v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v),
  z.string(),
);

export function createExchangeClient<S extends CommandSession = ShellSession>(
  settingsInput: ExchangeShellSettingsInput | unknown = {},
  deps: ExchangeClientDeps<S> = {},
): ExchangeClient & { shell: ExchangeShell<S> } {
  const settings = parseShellSettings(settingsInput);
  const launch = launchFor(settings);
  // Without a pool S is ShellSession (its default), which is what the module-wide pool holds.
  const pool = deps.pool ?? (defaultPool as ShellSessionPool as unknown as ShellSessionPool<S>);
  const now = deps.now ?? (() => new Date());
  const shell = new ExchangeShell(pool.acquire(launch));
  // Invoke-Command and Get-WinEvent -ComputerName reach the servers themselves, outside the Exchange session: without
  // -Credential they would run as the worker's own account, not as the configured one.
  const credential = settings.mode === 'remote' && settings.credential ? VARIABLES.credential : undefined;
  let closed = false;

  const getCertificates = async (params: ParamsOf<'Get-ExchangeCertificate'>): Promise<ExchangeCertificate[]> => {
    const items = await shell.run('Get-ExchangeCertificate', params, { select: CERTIFICATE_PROPERTIES });
    return parseItems(certificateOutputSchema, items, 'Get-ExchangeCertificate');
  };

  /** Runs one per-server step and reports it; the error text stays in the result so the caller sees which failed. */
  const perServer = async (servers: string[], step: (server: string) => Promise<void>): Promise<PerServerResult[]> => {
    const results: PerServerResult[] = [];
    for (const server of servers) {
      try {
        await step(server);
        results.push({ server, ok: true, at: now().toISOString() });
      } catch (error) {
        // A wrong environment (no such cmdlet or parameter, a catalogue or configuration fault) fails every server
        // alike: stop instead of reporting it N times. Access denied is not among them here: WinRM and the local
        // Administrators group are per server, so one denial says nothing of the others and the servers already done
        // must still be reported as done.
        if (isEnvironmentError(error) && !(error instanceof AccessDeniedError)) throw error;
        results.push({
          server,
          ok: false,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    }
    return results;
  };

  const invokeOn = (server: string, block: PsScriptBlock, argument?: string, select?: readonly SelectProperty[]) =>
    shell.run(
      'Invoke-Command',
      { ComputerName: server, ScriptBlock: block, ArgumentList: argument, Credential: credential },
      { select },
    );

  /** Get-ExchangeDiagnosticInfo's XML for the service host process, or null when the server would not give it. */
  const serviceHostDiagnostics = async (server: string): Promise<string | null> => {
    let items: unknown[];
    try {
      items = await shell.run(
        'Get-ExchangeDiagnosticInfo',
        { Server: server, Process: SERVICE_HOST_PROCESS },
        { select: ['Result'] },
      );
    } catch (error) {
      if (isEnvironmentError(error) || !(error instanceof ExchangeShellError) || error.record === undefined)
        throw error;
      return null;
    }
    return (
      items.map((i) => stringValue.safeParse((i as { Result?: unknown })?.Result)).find((r) => r.success)?.data ?? null
    );
  };

  return {
    shell,

    async getServerTime() {
      const items = await shell.run('Get-Date', {}, { select: [{ name: 'Now', isoDateOfSelf: true }] });
      const item = single(items, 'Get-Date') as { Now?: unknown };
      const parsed = psDateSchema.safeParse(item?.Now);
      if (!parsed.success)
        throw new OutputSchemaError(`Get-Date: ${z.prettifyError(parsed.error)}`, { cmdlet: 'Get-Date' });
      return parsed.data;
    },

    async getExchangeServers(): Promise<ExchangeServer[]> {
      const items = await shell.run('Get-ExchangeServer', {}, { select: SERVER_PROPERTIES });
      return parseItems(exchangeServerOutputSchema, items, 'Get-ExchangeServer');
    },

    async getAuthConfig(): Promise<AuthConfig> {
      const items = await shell.run('Get-AuthConfig', {}, { select: AUTH_CONFIG_PROPERTIES });
      return single(parseItems(authConfigOutputSchema, items, 'Get-AuthConfig'), 'Get-AuthConfig');
    },

    async getCertificate(server: string, thumbprint: Thumbprint): Promise<CertificateLookup> {
      const wanted = validThumbprint(thumbprint);
      try {
        const found = (await getCertificates({ Server: server, Thumbprint: wanted })).filter(
          (c) => c.thumbprint === wanted,
        );
        return found.length > 0 ? { status: 'present', certificate: found[0] } : { status: 'missing' };
      } catch (error) {
        return certificateLookupFailure(error);
      }
    },

    listCertificates(server: string) {
      return getCertificates({ Server: server });
    },

    async isHybridConfigured() {
      const items = await shell.run('Get-HybridConfiguration', {}, { select: ['Name'] });
      return items.length > 0;
    },

    async getOrganizationConfig() {
      const items = await shell.run('Get-OrganizationConfig', {}, { select: ['EnableAuthAdminReadSession'] });
      const item = single(items, 'Get-OrganizationConfig') as { EnableAuthAdminReadSession?: unknown };
      const value = item?.EnableAuthAdminReadSession;
      return { enableAuthAdminReadSession: value === true || value === 'True' };
    },

    async getInternalTransportCertificate(server: string) {
      const items = await shell.run(
        'Get-TransportService',
        { Identity: server },
        { select: ['InternalTransportCertificateThumbprint'] },
      );
      const item = single(items, 'Get-TransportService') as { InternalTransportCertificateThumbprint?: unknown };
      const value = item?.InternalTransportCertificateThumbprint;
      if (value === null || value === undefined || value === '') return null;
      const parsed = thumbprintSchema.safeParse(value);
      if (!parsed.success) {
        throw new OutputSchemaError(
          `Get-TransportService: InternalTransportCertificateThumbprint ${JSON.stringify(value)} is not a thumbprint`,
          {
            cmdlet: 'Get-TransportService',
          },
        );
      }
      return parsed.data;
    },

    async newAuthCertificate(options: NewAuthCertificateOptions) {
      const items = await shell.run(
        'New-ExchangeCertificate',
        {
          KeySize: AUTH_CERTIFICATE_KEY_SIZE,
          PrivateKeyExportable: true,
          SubjectName: AUTH_CERTIFICATE_SUBJECT,
          FriendlyName: AUTH_CERTIFICATE_FRIENDLY_NAME,
          DomainName: [],
          Services: options.services,
          Server: options.server,
        },
        { select: CERTIFICATE_PROPERTIES },
      );
      return single(parseItems(certificateOutputSchema, items, 'New-ExchangeCertificate'), 'New-ExchangeCertificate');
    },

    async enableCertificate(server: string, thumbprint: Thumbprint, services: string[]) {
      await shell.run('Enable-ExchangeCertificate', {
        Thumbprint: validThumbprint(thumbprint),
        Server: server,
        Services: services.length === 0 ? ['None'] : services,
        Force: true,
      });
    },

    async stageNextCertificate(thumbprint: Thumbprint, effectiveDate: EffectiveDate, force: boolean) {
      await shell.run('Set-AuthConfig', {
        NewCertificateThumbprint: validThumbprint(thumbprint),
        NewCertificateEffectiveDate: effectiveDateLiteral(effectiveDate),
        Force: force || undefined,
      });
    },

    async publishCertificate() {
      await shell.run('Set-AuthConfig', { PublishCertificate: true, Force: true });
    },

    async clearPreviousCertificate() {
      await shell.run('Set-AuthConfig', { ClearPreviousCertificate: true, Force: true });
    },

    async copyCertificate(source: string, thumbprint: Thumbprint, target: string) {
      const items = await shell.runPipeline(
        CERTIFICATE_COPY,
        renderPipeline(renderCertificateCopy(source, validThumbprint(thumbprint), target), ['Thumbprint']),
      );
      const item = single(items, CERTIFICATE_COPY) as { Thumbprint?: unknown };
      const parsed = thumbprintSchema.safeParse(item?.Thumbprint);
      if (!parsed.success) {
        throw new OutputSchemaError('Import-ExchangeCertificate: no thumbprint in the output', {
          cmdlet: CERTIFICATE_COPY,
        });
      }
      return parsed.data;
    },

    async getAuthAdminEvents(server: string, sinceIso: string): Promise<AuthAdminEvent[]> {
      const sinceParsed = isoDateSchema.safeParse(sinceIso);
      if (!sinceParsed.success)
        throw new CatalogueError(`sinceIso ${JSON.stringify(sinceIso)} must be ISO-8601 with an offset`);
      const since = sinceParsed.data;
      let items: unknown[];
      try {
        items = await shell.run(
          'Get-WinEvent',
          {
            ComputerName: server,
            FilterHashtable: PsHashtable.of({
              LogName: APPLICATION_LOG,
              ProviderName: AUTH_ADMIN_EVENT_SOURCE,
              Id: AUTH_ADMIN_PUBLISHED_EVENT_ID,
              StartTime: new PsAbsoluteDate(since),
            }),
            MaxEvents: MAX_AUTH_ADMIN_EVENTS,
            Credential: credential,
          },
          { select: EVENT_PROPERTIES },
        );
      } catch (error) {
        // Get-WinEvent reports "No events were found that match the specified selection criteria." as an error.
        if (error instanceof NoMatchingEventsError) return [];
        throw error;
      }
      return parseItems(winEventOutputSchema, items, 'Get-WinEvent').map((e) => ({
        server,
        timeCreated: e.TimeCreated,
        thumbprint: thumbprintFromAuthAdminMessage(e.Message ?? ''),
        message: e.Message ?? '',
      }));
    },

    async getAuthAdminLastRun(server: string) {
      const xml = await serviceHostDiagnostics(server);
      return xml ? authAdminLastRunFromDiagnosticXml(xml) : null;
    },

    async getServiceHostStartTime(server: string) {
      const xml = await serviceHostDiagnostics(server);
      return xml ? processStartFromDiagnosticXml(xml) : null;
    },

    restartServiceHost(servers: string[]) {
      return perServer(servers, async (server) => {
        await invokeOn(server, SCRIPT_BLOCKS.restartService, SERVICE_HOST_SERVICE);
      });
    },

    recycleAppPool(servers: string[], pool: string) {
      return perServer(servers, async (server) => {
        await invokeOn(server, SCRIPT_BLOCKS.restartWebAppPool, pool);
      });
    },

    async getAppPoolState(server: string, pool: string) {
      const items = await invokeOn(server, SCRIPT_BLOCKS.getWebAppPoolState, pool, ['Value']);
      const item = single(items, 'Get-WebAppPoolState') as { Value?: unknown };
      const parsed = stringValue.safeParse(item?.Value);
      if (!parsed.success)
        throw new OutputSchemaError('Get-WebAppPoolState: no Value in the output', { cmdlet: 'Invoke-Command' });
      return parsed.data;
    },

    async getAppPoolWorkerProcesses(server: string): Promise<AppPoolWorkerProcess[]> {
      const items = await invokeOn(server, SCRIPT_BLOCKS.getWorkerProcesses, undefined, WORKER_PROCESS_PROPERTIES);
      return parseItems(workerProcessOutputSchema, items, 'Get-CimInstance').flatMap((p) =>
        p.pool === null ? [] : [{ pool: p.pool, processId: p.processId, startedAt: p.startedAt }],
      );
    },

    async testOAuthConnectivity(server: string, mailbox: string) {
      const items = await shell.run(
        'Test-OAuthConnectivity',
        { Service: 'EWS', TargetUri: `https://${server}/ews/exchange.asmx`, Mailbox: mailbox },
        { select: [{ name: 'ResultType', stringOf: 'ResultType' }, 'Detail'] },
      );
      const results = items as Array<{ ResultType?: unknown; Detail?: unknown }>;
      const ok = results.length > 0 && results.every((r) => String(r?.ResultType) === 'Success');
      const detail = results
        .map((r) => (typeof r?.Detail === 'string' ? r.Detail : JSON.stringify(r?.Detail ?? null)))
        .join('\n');
      return { ok, detail };
    },

    async close() {
      // Idempotent: a second close must not release a session another client of the same target still uses.
      if (closed) return;
      closed = true;
      await pool.release(shell.session);
    },
  };
}
