// The Exchange (and Windows) cmdlets the service uses, with the parameter names and types of Microsoft's references.
// Each invocation is one read-modify-write of the state file under its lock, after the lazy catch-up to now.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CmdletContext,
  CmdletSpec,
  ParamSpec,
  PSDateTime,
  PSEnum,
  PSError,
  PSHashtable,
  PSObject,
  PSSecureString,
  PSValue,
} from '../shell/types';
import {
  APPLICATION_LOG,
  authAdminCanRun,
  HOUR_MS,
  nextAuthAdminRun,
  recyclePool,
  restartServiceHost,
  SERVICE_HOST,
  signInProbe,
} from './behaviour';
import {
  AUTH_CERT_FRIENDLY_NAME,
  DEFAULT_CERT_FRIENDLY_NAME,
  exportPfx,
  importPfx,
  makeCertificate,
  PfxError,
} from './certificates';
import {
  certificateNotFound,
  exchangeError,
  invalidArgument,
  invalidOperation,
  objectNotFound,
  remotingFailed,
  rpcUnavailable,
} from './errors';
import {
  Certificate,
  domainController,
  findCertificate,
  findServer,
  Organisation,
  Server,
  ServiceName,
  serviceNameSchema,
} from './model';
import {
  authConfigObject,
  certificateObject,
  eventObject,
  hybridConfigurationObject,
  organizationConfigObject,
  serverObject,
  SimulatedProcess,
  transportServiceObject,
  win32ProcessObject,
} from './objects';
import { withOrganization } from './organisation';
import { cmdletStateWriter, dieNow, takeFault } from './faults';
import { Prompter, Question, refusePrompts } from '../shell/prompt';

/** Set-AuthConfig warns below this lead time: Microsoft's advice is at least 48 hours for replication. */
export const MIN_EFFECTIVE_DATE_LEAD_MS = 48 * HOUR_MS;
export const SERVICE_HOST_PROCESS = 'Microsoft.Exchange.ServiceHost';
/** Restarting IIS (or its activation service) restarts every application pool. */
const IIS_SERVICES = ['W3SVC', 'WAS'];
const KNOWN_SERVICES = [
  SERVICE_HOST,
  'MSExchangeTransport',
  'MSExchangeIS',
  'MSExchangeFrontEndTransport',
  ...IIS_SERVICES,
];

const SERVICES_PARAM: ParamSpec['type'] = {
  enum: 'Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices',
  values: ['None', 'IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'Federation', 'UMCallRouter'],
  flags: true,
};
const common = (...names: string[]): ParamSpec[] =>
  names.map((name) => ({ name, type: name === 'DomainController' ? 'String' : 'SwitchParameter' }) as ParamSpec);

// ---- argument readers: the binder has converted to the declared type; these only unwrap it.

function str(v: PSValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof PSEnum) return v.names;
  if (Array.isArray(v)) return v.length === 1 ? str(v[0]) : v.map((x) => str(x) ?? '').join(' ');
  return String(v);
}

function bool(v: PSValue | undefined): boolean {
  if (Array.isArray(v)) return v.length > 0 && bool(v[0]);
  return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && /^true$/i.test(v));
}

function dateMs(v: PSValue | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof PSDateTime) return v.ms;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

function bytes(v: PSValue | undefined): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Uint8Array.from(v as number[]);
  return undefined;
}

function secret(v: PSValue | undefined): string | undefined {
  if (v instanceof PSSecureString) return v.plainText;
  if (typeof v === 'string') return v;
  return undefined;
}

function strings(v: PSValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => strings(x));
  const s = str(v);
  return s === undefined ? [] : [s];
}

function parseServices(v: PSValue | undefined): ServiceName[] | undefined {
  if (v === undefined || v === null) return undefined;
  const names = strings(v instanceof PSEnum ? v.names : v).flatMap((s) => s.split(','));
  const out: ServiceName[] = [];
  for (const raw of names.map((n) => n.trim()).filter(Boolean)) {
    if (/^none$/i.test(raw)) continue;
    const hit = serviceNameSchema.options.find((o) => o.toLowerCase() === raw.toLowerCase());
    if (!hit) {
      throw new PSError(
        `Cannot bind parameter 'Services'. Cannot convert value "${raw}" to type "Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices". Error: "Unable to match the identifier name ${raw} to a valid enumerator name. Specify one of the following enumerator names and try again: None, IMAP, POP, UM, IIS, SMTP, Federation, UMCallRouter"`,
        {
          category: 'InvalidArgument',
          reason: 'ParameterBindingException',
          exceptionType: 'System.Management.Automation.ParameterBindingException',
          errorId: 'CannotConvertArgumentNoMessage',
        },
      );
    }
    if (!out.includes(hit)) out.push(hit);
  }
  return out;
}

// ---- servers

function connected(org: Organisation): Server {
  return findServer(org, org.connectedServer)!;
}

/** -Server, or the machine the command runs on (Invoke-Command), or the server the shell is connected to. */
function targetServer(org: Organisation, cmdlet: string, args: Record<string, PSValue>, ctx: CmdletContext): Server {
  const name = str(args.Server) ?? ctx.computerName ?? org.connectedServer;
  const s = findServer(org, name);
  if (!s) throw objectNotFound(cmdlet, org.connectedServer, name, domainController(org));
  return s;
}

function reachableServer(org: Organisation, cmdlet: string, args: Record<string, PSValue>, ctx: CmdletContext): Server {
  const s = targetServer(org, cmdlet, args, ctx);
  if (!s.reachable) throw rpcUnavailable(cmdlet, s);
  return s;
}

/** Windows cmdlets run on the machine Invoke-Command targets (or locally, on the connected server). */
function localMachine(org: Organisation, ctx: CmdletContext): Server {
  const name = ctx.computerName ?? org.connectedServer;
  const s = findServer(org, name);
  if (!s) throw remotingFailed(name, false);
  if (!s.reachable) throw remotingFailed(name, true);
  return s;
}

/** -Thumbprint or -Identity "SERVER\THUMBPRINT". */
function thumbprintAndServer(
  org: Organisation,
  cmdlet: string,
  args: Record<string, PSValue>,
  ctx: CmdletContext,
): { server: Server; thumbprint: string | undefined } {
  const identity = str(args.Identity);
  if (identity !== undefined) {
    const i = identity.lastIndexOf('\\');
    if (i > 0) {
      const server = findServer(org, identity.slice(0, i));
      if (!server) throw objectNotFound(cmdlet, org.connectedServer, identity, domainController(org));
      if (!server.reachable) throw rpcUnavailable(cmdlet, server);
      return {
        server,
        thumbprint: identity
          .slice(i + 1)
          .trim()
          .toUpperCase(),
      };
    }
    return { server: reachableServer(org, cmdlet, args, ctx), thumbprint: identity.trim().toUpperCase() };
  }
  const t = str(args.Thumbprint);
  return { server: reachableServer(org, cmdlet, args, ctx), thumbprint: t?.trim().toUpperCase() };
}

function requireCertificate(cmdlet: string, server: Server, thumbprint: string) {
  const c = findCertificate(server, thumbprint);
  if (!c) throw certificateNotFound(cmdlet, server, thumbprint);
  return c;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** DateTime as XElement writes it (XmlConvert, round-trip kind). */
function xmlDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** TimeSpan.ToString(): "12:00:00", "1.00:00:00". */
function timeSpan(ms: number): string {
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86400);
  const hms = [Math.floor((total % 86400) / 3600), Math.floor((total % 3600) / 60), total % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return d ? `${d}.${hms}` : hms;
}

export function diagnosticInfoXml(org: Organisation, s: Server, now: number, component?: string): string {
  const run = s.serviceHost.authAdminLastRun;
  const canRun = authAdminCanRun(org);
  const interval = org.behaviour.authAdminIntervalMs;
  const scheduler = (last: number | null, next: number | null) =>
    `<CacheScheduler>${last === null ? '' : `<lastRunTime>${xmlDate(last)}</lastRunTime>`}` +
    `${next === null ? '' : `<nextRunTime>${xmlDate(next)}</nextRunTime>`}<runInterval>${timeSpan(interval)}</runInterval></CacheScheduler>`;
  // Another anchor application comes first, as on a real server, so a reader must pick AuthAdmin by name.
  const other = `<AnchorApplication name="MailboxAssociationReplication"><AnchorServiceComponents><count>1</count>${scheduler(
    s.serviceHost.lastStart + Math.floor((now - s.serviceHost.lastStart) / HOUR_MS) * HOUR_MS,
    null,
  )}</AnchorServiceComponents></AnchorApplication>`;
  const authAdmin = `<AnchorApplication name="AuthAdmin"><AnchorServiceComponents><count>1</count>${scheduler(
    run,
    canRun ? nextAuthAdminRun(org, s, now + 1) : null,
  )}</AnchorServiceComponents><Config><IsEnabled>${canRun}</IsEnabled><IdleRunDelay>${interval / 1000}</IdleRunDelay></Config></AnchorApplication>`;
  const apps = [other, authAdmin].filter(
    (a) => !component || a.toLowerCase().includes(`name="${component.toLowerCase()}"`) || /anchor/i.test(component),
  );
  return (
    `<Diagnostics><ProcessInfo><id>${4000 + ((s.name.length * 97) % 900)}</id><serverName>${xmlEscape(s.name)}</serverName>` +
    `<startTime>${xmlDate(s.serviceHost.lastStart)}</startTime><currentTime>${xmlDate(now)}</currentTime>` +
    `<lifetime>${Math.floor((now - s.serviceHost.lastStart) / 1000)}</lifetime></ProcessInfo>` +
    `<Components>${apps.join('')}</Components></Diagnostics>`
  );
}

function overwriteDefaultSmtp(server: Server, replacement: Certificate): Question {
  const current = server.internalTransportCertificate && findCertificate(server, server.internalTransportCertificate);
  const describe = (c: Certificate) => `'${c.thumbprint}' (expires ${new Date(c.notAfter).toISOString()})`;
  return {
    id: 'overwrite-default-smtp',
    caption: 'Confirm',
    message:
      'Overwrite the existing default SMTP certificate?\n\n' +
      `Current certificate: ${current ? describe(current) : "''"}\n` +
      `Replace it with certificate: ${describe(replacement)}`,
  };
}

const SHORT_LEAD_TIME: Question = {
  id: 'effective-date-within-48h',
  caption: 'Confirm',
  message:
    'The effective date is less than 48 hours from now. The new certificate might not be available on all servers ' +
    'by then, which could cause authentication failures. Do you want to continue?',
};

/** A question asked inside the locked read-modify-write before it has an answer: the attempt is abandoned. */
class Unanswered extends Error {
  constructor(readonly question: Question) {
    super(`unanswered prompt ${question.id}`);
  }
}

/** ShouldContinue as a cmdlet sees it: the answer, known by the time the attempt that asked runs again. */
type Confirm = (question: Question) => boolean;

/** The Exchange cmdlet running in this async context. */
interface Invocation {
  cmdlet: string;
  /** Simulated time the shell called it, before any lock or state read: "the current time" for its checks. */
  calledAt: number;
}
const invocation = new AsyncLocalStorage<Invocation>();

export interface ExchangeCmdletOptions {
  /** Answers prompts; by default nobody can (a -NonInteractive shell). */
  prompt?: Prompter;
  /** When the shell called the cmdlet (the host notes it in beforeCmdlet); by default when it started to run. */
  calledAt?: (cmdlet: string) => number | undefined;
}

export function exchangeCmdlets(file: string, options: ExchangeCmdletOptions = {}): CmdletSpec[] {
  const prompt = options.prompt ?? refusePrompts;
  // A prompt may wait for stdin indefinitely, so it is never asked under the state file's lock: the attempt that
  // needs an answer stops without writing, the question is asked, and the cmdlet runs again on fresh state.
  const run: Runner = async (fn) => {
    const answers = new Map<string, boolean>();
    const confirm: Confirm = (question) => {
      const answer = answers.get(question.id);
      if (answer === undefined) throw new Unanswered(question);
      return answer;
    };
    for (;;) {
      try {
        return await withOrganization(
          file,
          (org, now) => fn(org, now, confirm),
          cmdletStateWriter(invocation.getStore()?.cmdlet, EXCHANGE_CMDLET_NAMES),
        );
      } catch (e) {
        if (!(e instanceof Unanswered)) throw e;
        answers.set(e.question.id, await prompt(e.question));
      }
    }
  };
  return cmdletSpecs(run).map((spec) => ({
    ...spec,
    invoke: (args, ctx) =>
      invocation.run({ cmdlet: spec.name, calledAt: options.calledAt?.(spec.name) ?? ctx.now().ms }, async () => {
        const output = await spec.invoke(args, ctx);
        // A "die --after" fault: the change is on disk, the caller never hears of it.
        if (await takeFault(file, spec.name, EXCHANGE_CMDLET_NAMES, Math.random, 'after')) await dieNow();
        return output;
      }),
  }));
}

type Runner = <T>(fn: (org: Organisation, now: number, confirm: Confirm) => T | Promise<T>) => Promise<T>;

function cmdletSpecs(run: Runner): CmdletSpec[] {
  return [
    {
      name: 'Get-ExchangeServer',
      params: [
        { name: 'Identity', type: 'String', position: 0 },
        { name: 'Status', type: 'SwitchParameter' },
        { name: 'Domain', type: 'String' },
        ...common('DomainController'),
      ],
      invoke: (args) =>
        run((org, now) => {
          const id = str(args.Identity);
          if (id === undefined) return org.servers.map((s) => serverObject(org, s, now));
          const s = findServer(org, id);
          if (!s) throw objectNotFound('Get-ExchangeServer', org.connectedServer, id, domainController(org));
          return [serverObject(org, s, now)];
        }),
    },
    {
      name: 'Get-ExchangeCertificate',
      params: [
        { name: 'Thumbprint', type: 'String', position: 0 },
        { name: 'Identity', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'DomainName', type: 'String[]' },
        { name: 'Instance', type: 'Object' },
        ...common('DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const { server, thumbprint } = thumbprintAndServer(org, 'Get-ExchangeCertificate', args, ctx);
          if (thumbprint !== undefined) {
            return [
              certificateObject(org, server, requireCertificate('Get-ExchangeCertificate', server, thumbprint), now),
            ];
          }
          const domains = strings(args.DomainName).map((d) => d.toLowerCase());
          return server.certificates
            .filter((c) => !domains.length || c.domains.some((d) => domains.includes(d.toLowerCase())))
            .map((c) => certificateObject(org, server, c, now));
        }),
    },
    {
      name: 'New-ExchangeCertificate',
      params: [
        { name: 'BinaryEncoded', type: 'SwitchParameter' },
        { name: 'DomainName', type: 'String[]' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'FriendlyName', type: 'String' },
        { name: 'GenerateRequest', type: 'SwitchParameter' },
        { name: 'IncludeAcceptedDomains', type: 'SwitchParameter' },
        { name: 'IncludeAutoDiscover', type: 'SwitchParameter' },
        { name: 'IncludeServerFQDN', type: 'SwitchParameter' },
        { name: 'IncludeServerNetBIOSName', type: 'SwitchParameter' },
        { name: 'Instance', type: 'Object' },
        { name: 'KeySize', type: 'Int32' },
        { name: 'PrivateKeyExportable', type: 'Boolean' },
        { name: 'RequestFile', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'Services', type: SERVICES_PARAM },
        { name: 'SubjectKeyIdentifier', type: 'String' },
        { name: 'SubjectName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now, confirm) => {
          const cmd = 'New-ExchangeCertificate';
          const server = reachableServer(org, cmd, args, ctx);
          if (bool(args.GenerateRequest)) {
            throw invalidOperation(
              cmd,
              server.name,
              'The simulated organisation has no certification authority: -GenerateRequest is not supported.',
            );
          }
          const keySize = args.KeySize === undefined ? 2048 : Number(args.KeySize);
          if (![1024, 2048, 4096].includes(keySize)) {
            throw invalidArgument(
              cmd,
              server.name,
              `The key size ${keySize} isn't valid. Valid key sizes are 1024, 2048 and 4096.`,
              String(keySize),
            );
          }
          const services = parseServices(args.Services) ?? ['IMAP', 'POP', 'SMTP'];
          const domains = strings(args.DomainName);
          if (bool(args.IncludeServerFQDN)) domains.push(server.fqdn);
          if (bool(args.IncludeServerNetBIOSName)) domains.push(server.name);
          const subject = str(args.SubjectName) ?? `CN=${domains[0] ?? server.name}`;
          const cert = makeCertificate({
            subject,
            friendlyName:
              str(args.FriendlyName) ??
              (subject.toLowerCase().includes('auth certificate')
                ? AUTH_CERT_FRIENDLY_NAME
                : DEFAULT_CERT_FRIENDLY_NAME),
            notBefore: now,
            services,
            privateKeyExportable: bool(args.PrivateKeyExportable),
            keySize,
            domains,
            installedAt: now,
            installedBy: 'new',
          });
          if (bool(args.WhatIf)) return [];
          // "Overwrite the existing default SMTP certificate?" -Force answers yes; no keeps the default.
          const replacesTransport =
            services.includes('SMTP') &&
            server.internalTransportCertificate !== cert.thumbprint &&
            (bool(args.Force) || confirm(overwriteDefaultSmtp(server, cert)));
          server.certificates.push(cert);
          if (replacesTransport) server.internalTransportCertificate = cert.thumbprint;
          return [certificateObject(org, server, cert, now)];
        }),
    },
    {
      name: 'Enable-ExchangeCertificate',
      params: [
        { name: 'Thumbprint', type: 'String', position: 0 },
        { name: 'Identity', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'Services', type: SERVICES_PARAM, mandatory: true },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'DoNotRequireSsl', type: 'SwitchParameter' },
        { name: 'NetworkServiceAllowed', type: 'SwitchParameter' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now, confirm) => {
          const cmd = 'Enable-ExchangeCertificate';
          const { server, thumbprint } = thumbprintAndServer(org, cmd, args, ctx);
          if (!thumbprint) {
            throw new PSError(
              'Cannot process command because of one or more missing mandatory parameters: Thumbprint.',
              {
                category: 'InvalidArgument',
                reason: 'ParameterBindingException',
                exceptionType: 'System.Management.Automation.ParameterBindingException',
                errorId: 'MissingMandatoryParameter',
              },
            );
          }
          const cert = requireCertificate(cmd, server, thumbprint);
          if (cert.notAfter <= now) {
            throw invalidOperation(
              cmd,
              server.name,
              `The certificate with thumbprint ${thumbprint} has expired and can't be enabled.`,
              thumbprint,
            );
          }
          const services = parseServices(args.Services) ?? [];
          if (bool(args.WhatIf)) return [];
          const replacesTransport =
            services.includes('SMTP') &&
            server.internalTransportCertificate !== cert.thumbprint &&
            (bool(args.Force) || confirm(overwriteDefaultSmtp(server, cert)));
          for (const sv of services) if (!cert.services.includes(sv)) cert.services.push(sv);
          if (replacesTransport) server.internalTransportCertificate = cert.thumbprint;
          return [];
        }),
    },
    {
      name: 'Export-ExchangeCertificate',
      params: [
        { name: 'Thumbprint', type: 'String', position: 0 },
        { name: 'Identity', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'BinaryEncoded', type: 'SwitchParameter' },
        { name: 'Password', type: 'SecureString' },
        { name: 'FileName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org) => {
          const cmd = 'Export-ExchangeCertificate';
          const { server, thumbprint } = thumbprintAndServer(org, cmd, args, ctx);
          if (!thumbprint) throw invalidArgument(cmd, server.name, 'Specify -Thumbprint or -Identity.');
          const cert = requireCertificate(cmd, server, thumbprint);
          if (!cert.privateKeyExportable) {
            throw invalidOperation(
              cmd,
              server.name,
              `The private key for the certificate with thumbprint ${thumbprint} isn't exportable. Specify a certificate with an exportable private key.`,
              thumbprint,
            );
          }
          const pfx = exportPfx(cert, secret(args.Password) ?? '');
          const fileData: PSValue = bool(args.BinaryEncoded) ? pfx : Buffer.from(pfx).toString('base64');
          return [
            new PSObject(['Deserialized.Microsoft.Exchange.Data.BinaryFileDataObject', 'Deserialized.System.Object'], {
              FileData: fileData,
              Identity: null,
              IsValid: true,
              PSComputerName: server.fqdn,
            }),
          ];
        }),
    },
    {
      name: 'Import-ExchangeCertificate',
      params: [
        { name: 'FileData', type: 'Byte[]' },
        { name: 'FileName', type: 'String' },
        { name: 'Instance', type: 'Object' },
        { name: 'Password', type: 'SecureString' },
        { name: 'PrivateKeyExportable', type: 'Boolean' },
        { name: 'Server', type: 'String' },
        { name: 'FriendlyName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const cmd = 'Import-ExchangeCertificate';
          const server = reachableServer(org, cmd, args, ctx);
          const data = bytes(args.FileData);
          if (!data) {
            if (args.FileName !== undefined) {
              throw invalidArgument(
                cmd,
                server.name,
                'The simulated servers have no file system: pass the certificate as -FileData.',
              );
            }
            throw new PSError('Cannot process command because of one or more missing mandatory parameters: FileData.', {
              category: 'InvalidArgument',
              reason: 'ParameterBindingException',
              exceptionType: 'System.Management.Automation.ParameterBindingException',
              errorId:
                'MissingMandatoryParameter,Microsoft.Exchange.Management.SystemConfigurationTasks.ImportExchangeCertificate',
            });
          }
          let payload: ReturnType<typeof importPfx>;
          try {
            payload = importPfx(data, secret(args.Password) ?? '');
          } catch (e) {
            if (!(e instanceof PfxError)) throw e;
            throw exchangeError(cmd, server.name, `Cannot import certificate. ${e.message}`, {
              category: 'NotSpecified',
              reason: 'CryptographicException',
              exceptionType: 'System.Security.Cryptography.CryptographicException',
            });
          }
          if (findCertificate(server, payload.thumbprint)) {
            throw invalidOperation(
              cmd,
              server.name,
              `Cannot import certificate. A certificate with the thumbprint ${payload.thumbprint} already exists.`,
              payload.thumbprint,
            );
          }
          if (bool(args.WhatIf)) return [];
          const cert = {
            ...payload,
            friendlyName: str(args.FriendlyName) ?? payload.friendlyName,
            services: [] as ServiceName[],
            privateKeyExportable: bool(args.PrivateKeyExportable),
            installedAt: now,
            installedBy: 'import' as const,
          };
          server.certificates.push(cert);
          return [certificateObject(org, server, cert, now)];
        }),
    },
    {
      name: 'Get-AuthConfig',
      params: [...common('DomainController')],
      invoke: () => run((org) => [authConfigObject(org)]),
    },
    {
      name: 'Set-AuthConfig',
      params: [
        { name: 'NewCertificateThumbprint', type: 'String' },
        { name: 'NewCertificateEffectiveDate', type: 'DateTime' },
        { name: 'CertificateThumbprint', type: 'String' },
        { name: 'PublishCertificate', type: 'SwitchParameter' },
        { name: 'ClearPreviousCertificate', type: 'SwitchParameter' },
        { name: 'SkipImmediateCertificateDeployment', type: 'SwitchParameter' },
        { name: 'Server', type: 'String' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'Realm', type: 'String' },
        { name: 'ServiceName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) => {
        // The current time as the call was made: the fault check and the lock are not the caller's lateness.
        const calledAt = invocation.getStore()?.calledAt ?? ctx.now().ms;
        return run((org, now, confirm) => {
          const cmd = 'Set-AuthConfig';
          const server = reachableServer(org, cmd, args, ctx);
          const a = org.authConfig;
          const force = bool(args.Force);
          const whatIf = bool(args.WhatIf);
          const newThumb = str(args.NewCertificateThumbprint)?.trim().toUpperCase();
          const effective = dateMs(args.NewCertificateEffectiveDate);
          if (newThumb !== undefined) {
            if (!/^[0-9A-F]{40}$/.test(newThumb)) {
              throw invalidArgument(cmd, server.name, `The certificate thumbprint ${newThumb} isn't valid.`, newThumb);
            }
            if (effective === undefined) {
              throw invalidArgument(
                cmd,
                server.name,
                'The NewCertificateEffectiveDate parameter must be specified with NewCertificateThumbprint.',
              );
            }
            requireCertificate(cmd, server, newThumb);
            const { pastEffectiveDateToleranceMs, callLatencyMs } = org.behaviour;
            if (effective < calledAt - pastEffectiveDateToleranceMs - callLatencyMs * org.clock.acceleration) {
              throw invalidArgument(
                cmd,
                server.name,
                'The effective date must be greater than the current time.',
                new Date(effective).toISOString(),
              );
            }
            // Declining the short lead time cancels the whole call.
            if (effective - now < MIN_EFFECTIVE_DATE_LEAD_MS && !force && !confirm(SHORT_LEAD_TIME)) return [];
            if (!whatIf) {
              a.nextCertificateThumbprint = newThumb;
              a.nextCertificateEffectiveDate = effective;
              a.whenChanged = now;
              if (!(newThumb in org.replicating)) org.replicating[newThumb] = now;
            }
          } else if (effective !== undefined) {
            throw invalidArgument(
              cmd,
              server.name,
              'The NewCertificateThumbprint parameter must be specified with NewCertificateEffectiveDate.',
            );
          }
          const direct = str(args.CertificateThumbprint)?.trim().toUpperCase();
          if (direct !== undefined) {
            requireCertificate(cmd, server, direct);
            if (!whatIf && direct !== a.currentCertificateThumbprint) {
              a.previousCertificateThumbprint = a.currentCertificateThumbprint;
              a.currentCertificateThumbprint = direct;
              a.whenChanged = now;
            }
          }
          if (bool(args.PublishCertificate)) {
            const next = a.nextCertificateThumbprint;
            if (!next)
              throw invalidOperation(
                cmd,
                server.name,
                'There is no next certificate configured to publish. Use -NewCertificateThumbprint first.',
              );
            const lacking = org.servers.filter((s) => !s.roles.includes('Edge') && !findCertificate(s, next));
            if (lacking.length) {
              throw invalidOperation(
                cmd,
                server.name,
                `The certificate with thumbprint ${next} isn't installed on server(s) ${lacking.map((s) => s.name).join(', ')}. The next certificate must be installed on all servers before it can be published.`,
                next,
              );
            }
            if (!whatIf) {
              a.previousCertificateThumbprint = a.currentCertificateThumbprint;
              a.currentCertificateThumbprint = next;
              a.nextCertificateThumbprint = null;
              a.nextCertificateEffectiveDate = null;
              a.whenChanged = now;
            }
          }
          if (bool(args.ClearPreviousCertificate) && !whatIf) {
            a.previousCertificateThumbprint = null;
            a.whenChanged = now;
          }
          return [];
        });
      },
    },
    {
      name: 'Get-HybridConfiguration',
      params: [...common('DomainController')],
      invoke: () => run((org) => (org.hybrid.present ? [hybridConfigurationObject(org)] : [])),
    },
    {
      name: 'Get-OrganizationConfig',
      params: [{ name: 'Identity', type: 'String', position: 0 }, ...common('DomainController')],
      invoke: () => run((org) => [organizationConfigObject(org)]),
    },
    {
      name: 'Set-OrganizationConfig',
      params: [
        { name: 'EnableAuthAdminReadSession', type: 'SwitchParameter' },
        { name: 'OAuth2ClientProfileEnabled', type: 'Boolean' },
        ...common('Force', 'Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args) =>
        run((org) => {
          if (bool(args.WhatIf)) return [];
          // Only what the call names changes: an absent parameter is not in args, `-Switch:$false` is.
          const config = org.organizationConfig;
          if (args.EnableAuthAdminReadSession !== undefined) {
            config.enableAuthAdminReadSession = bool(args.EnableAuthAdminReadSession);
          }
          if (args.OAuth2ClientProfileEnabled !== undefined) {
            config.oauth2ClientProfileEnabled = bool(args.OAuth2ClientProfileEnabled);
          }
          return [];
        }),
    },
    {
      name: 'Get-TransportService',
      params: [{ name: 'Identity', type: 'String', position: 0 }, ...common('DomainController')],
      invoke: (args, ctx) =>
        run((org) => {
          const id = str(args.Identity);
          if (id === undefined) {
            return org.servers.filter((s) => !s.roles.includes('Edge')).map((s) => transportServiceObject(org, s));
          }
          const s = findServer(org, id);
          if (!s)
            throw objectNotFound(
              'Get-TransportService',
              ctx.computerName ?? org.connectedServer,
              id,
              domainController(org),
            );
          return [transportServiceObject(org, s)];
        }),
    },
    {
      name: 'Get-WinEvent',
      params: [
        { name: 'LogName', type: 'String[]', position: 0 },
        { name: 'ComputerName', type: 'String' },
        { name: 'FilterHashtable', type: 'Hashtable[]' },
        { name: 'MaxEvents', type: 'Int64' },
        { name: 'ProviderName', type: 'String[]' },
        { name: 'Oldest', type: 'SwitchParameter' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'Credential', type: 'PSCredential' },
      ],
      invoke: (args, ctx) =>
        run((org) => {
          const name = str(args.ComputerName) ?? ctx.computerName ?? org.connectedServer;
          const s = findServer(org, name);
          const noRpc = () =>
            new PSError('The RPC server is unavailable', {
              category: 'NotSpecified',
              reason: 'EventLogException',
              exceptionType: 'System.Diagnostics.Eventing.Reader.EventLogException',
              errorId:
                'System.Diagnostics.Eventing.Reader.EventLogException,Microsoft.PowerShell.Commands.GetWinEventCommand',
            });
          if (!s || !s.reachable) throw noRpc();
          const filters: Array<(e: Server['events'][number]) => boolean> = [];
          const lists = (v: PSValue | undefined) => strings(v).map((x) => x.toLowerCase());
          let logs = lists(args.LogName);
          const providers = lists(args.ProviderName);
          const tables = (Array.isArray(args.FilterHashtable) ? args.FilterHashtable : [args.FilterHashtable]).filter(
            (t): t is PSHashtable => t instanceof PSHashtable,
          );
          for (const t of tables) {
            for (const [key, value] of t.entries()) {
              const k = key.toLowerCase();
              if (k === 'logname') logs = lists(value);
              else if (k === 'providername') providers.push(...lists(value));
              else if (k === 'id') {
                const ids = strings(value).map(Number);
                filters.push((e) => ids.includes(e.id));
              } else if (k === 'level') {
                const levels = strings(value).map(Number);
                filters.push((e) => levels.includes(e.level));
              } else if (k === 'starttime' || k === 'endtime') {
                const t0 = dateMs(value as PSValue);
                if (t0 === undefined) {
                  throw new PSError(`Cannot convert value "${str(value as PSValue)}" to type "System.DateTime".`, {
                    category: 'InvalidArgument',
                    reason: 'InvalidCastException',
                    exceptionType: 'System.InvalidCastException',
                    errorId: 'System.InvalidCastException,Microsoft.PowerShell.Commands.GetWinEventCommand',
                  });
                }
                filters.push(k === 'starttime' ? (e) => e.time >= t0 : (e) => e.time <= t0);
              } else {
                throw new PSError(`The '${key}' key is not valid in a FilterHashtable.`, {
                  category: 'InvalidArgument',
                  reason: 'Exception',
                  exceptionType: 'System.Exception',
                  errorId: 'InvalidFilterHashtableKey,Microsoft.PowerShell.Commands.GetWinEventCommand',
                });
              }
            }
          }
          if (!logs.length && !providers.length) {
            throw invalidArgument('Get-WinEvent', s.name, 'Specify -LogName, -ProviderName or -FilterHashtable.');
          }
          const unknownLog = logs.find((l) => l !== APPLICATION_LOG.toLowerCase());
          if (unknownLog) {
            throw new PSError(`There is not an event log on the ${s.fqdn} computer that matches "${unknownLog}".`, {
              category: 'ObjectNotFound',
              reason: 'Exception',
              exceptionType: 'System.Exception',
              errorId: 'NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand',
            });
          }
          if (providers.length) filters.push((e) => providers.includes(e.providerName.toLowerCase()));
          let hits = s.events.filter((e) => filters.every((f) => f(e)));
          hits = bool(args.Oldest) ? hits : [...hits].reverse();
          const max = args.MaxEvents === undefined ? undefined : Number(args.MaxEvents);
          if (max !== undefined && max > 0) hits = hits.slice(0, max);
          if (!hits.length) {
            throw new PSError('No events were found that match the specified selection criteria.', {
              category: 'ObjectNotFound',
              reason: 'Exception',
              exceptionType: 'System.Exception',
              errorId: 'NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand',
            });
          }
          return hits.map((e) => eventObject(s, e));
        }),
    },
    {
      name: 'Get-ExchangeDiagnosticInfo',
      params: [
        { name: 'Server', type: 'String' },
        { name: 'Process', type: 'String' },
        { name: 'Component', type: 'String' },
        { name: 'Argument', type: 'String' },
        { name: 'Unlimited', type: 'SwitchParameter' },
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const cmd = 'Get-ExchangeDiagnosticInfo';
          const server = reachableServer(org, cmd, args, ctx);
          const proc = str(args.Process);
          if (proc !== undefined && proc.toLowerCase() !== SERVICE_HOST_PROCESS.toLowerCase()) {
            throw invalidArgument(
              cmd,
              server.name,
              `Process ${proc} couldn't be found or doesn't expose diagnostic information.`,
              proc,
            );
          }
          const xml = diagnosticInfoXml(org, server, now, str(args.Component));
          return [
            new PSObject(
              [
                'Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeDiagnosticInfoResult',
                'Deserialized.System.Object',
              ],
              {
                Result: xml,
                Identity: null,
                IsValid: true,
                PSComputerName: server.fqdn,
              },
            ),
          ];
        }),
    },
    {
      name: 'Restart-Service',
      params: [
        { name: 'Name', type: 'String[]', position: 0 },
        { name: 'DisplayName', type: 'String[]' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'PassThru', type: 'SwitchParameter' },
        { name: 'NoWait', type: 'SwitchParameter' },
        { name: 'Include', type: 'String[]' },
        { name: 'Exclude', type: 'String[]' },
        { name: 'InputObject', type: 'Object[]', fromPipeline: true },
        ...common('Confirm', 'WhatIf'),
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const server = localMachine(org, ctx);
          const out: PSValue[] = [];
          for (const name of strings(args.Name)) {
            const known = KNOWN_SERVICES.find((k) => k.toLowerCase() === name.toLowerCase());
            if (!known) {
              throw new PSError(`Cannot find any service with service name '${name}'.`, {
                category: 'ObjectNotFound',
                reason: 'ServiceCommandException',
                exceptionType: 'Microsoft.PowerShell.Commands.ServiceCommandException',
                errorId: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.RestartServiceCommand',
                targetObject: name,
              });
            }
            if (bool(args.WhatIf)) continue;
            if (known === SERVICE_HOST) restartServiceHost(org, server, now);
            // The new worker processes reload the auth certificate.
            if (IIS_SERVICES.includes(known)) for (const p of server.appPools) recyclePool(org, server, p.name, now);
            if (bool(args.PassThru)) {
              out.push(
                new PSObject('Deserialized.System.ServiceProcess.ServiceController', {
                  Name: known,
                  Status: 'Running',
                  MachineName: server.fqdn,
                }),
              );
            }
          }
          return out;
        }),
    },
    {
      name: 'Restart-WebAppPool',
      params: [
        { name: 'Name', type: 'String', position: 0 },
        { name: 'PassThru', type: 'SwitchParameter' },
        { name: 'InputObject', type: 'Object', fromPipeline: true },
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const server = localMachine(org, ctx);
          const name = str(args.Name) ?? '';
          if (!recyclePool(org, server, name, now)) throw poolNotFound(name, 'RestartAppPoolCommand');
          return [];
        }),
    },
    {
      name: 'Get-WebAppPoolState',
      params: [{ name: 'Name', type: 'String[]', position: 0 }],
      invoke: (args, ctx) =>
        run((org) => {
          const server = localMachine(org, ctx);
          const names = strings(args.Name);
          const pools = names.length ? names : server.appPools.map((p) => p.name);
          return pools.map((n) => {
            const pool = server.appPools.find((p) => p.name.toLowerCase() === n.toLowerCase());
            if (!pool) throw poolNotFound(n, 'GetAppPoolStateCommand');
            return new PSObject(['Microsoft.IIs.PowerShell.Framework.CodeProperty', 'System.Object'], {
              Name: 'state',
              Value: pool.state,
              ItemXPath: `/system.applicationHost/applicationPools/add[@name='${pool.name}']`,
              PSComputerName: server.fqdn,
            });
          });
        }),
    },
    {
      // CimCmdlets: only the class the service reads, Win32_Process, on the machine the command runs on.
      name: 'Get-CimInstance',
      params: [
        { name: 'ClassName', type: 'String', position: 0 },
        { name: 'Filter', type: 'String' },
        { name: 'Namespace', type: 'String' },
      ],
      invoke: (args, ctx) =>
        run((org) => {
          const server = localMachine(org, ctx);
          const className = str(args.ClassName) ?? '';
          const namespace = str(args.Namespace) ?? 'root/cimv2';
          if (className.toLowerCase() !== 'win32_process' || !/^root[\\/]cimv2$/i.test(namespace)) {
            throw cimError('Invalid class', 'MetadataError', '0x80041010', `${namespace}:${className}`);
          }
          const matches = wqlFilter(str(args.Filter));
          return runningProcesses(server)
            .filter(matches)
            .map((p) => win32ProcessObject(server, p));
        }),
    },
    {
      name: 'Test-OAuthConnectivity',
      params: [
        {
          name: 'Service',
          type: { enum: 'Microsoft.Exchange.Security.OAuth.ModuleToTest', values: ['EWS', 'AutoD', 'Generic'] },
          mandatory: true,
        },
        { name: 'TargetUri', type: 'String', mandatory: true },
        { name: 'Mailbox', type: 'String' },
        { name: 'AppOnly', type: 'SwitchParameter' },
        { name: 'OrganizationDomain', type: 'String' },
        { name: 'ReloadConfig', type: 'SwitchParameter' },
        { name: 'UseCachedToken', type: 'SwitchParameter' },
        ...common('Confirm', 'WhatIf'),
      ],
      invoke: (args) =>
        run((org, now) => {
          const cmd = 'Test-OAuthConnectivity';
          const uri = str(args.TargetUri) ?? '';
          let host: string;
          try {
            host = new URL(uri).hostname;
          } catch {
            throw invalidArgument(cmd, org.connectedServer, `The TargetUri "${uri}" isn't a valid absolute URI.`, uri);
          }
          const server = findServer(org, host) ?? connected(org);
          const service = str(args.Service) ?? 'EWS';
          const probe = server.reachable
            ? signInProbe(org, server, now)
            : { works: false, reason: `the server ${server.fqdn} did not respond` };
          const task =
            service === 'AutoD'
              ? 'Checking Autodiscover API call under OAuth'
              : `Checking ${service} API call under OAuth`;
          return [
            new PSObject(
              ['Deserialized.Microsoft.Exchange.Security.OAuth.ValidationResultNode', 'Deserialized.System.Object'],
              {
                Task: task,
                Detail: probe.works
                  ? `The configuration was last successfully loaded at ${new Date(now).toISOString()}. The call to ${uri} succeeded.`
                  : `The remote server returned an error: (401) Unauthorized. ${probe.reason}`,
                ResultType: new PSEnum(
                  'Microsoft.Exchange.Security.OAuth.ResultType',
                  probe.works ? 0 : 2,
                  probe.works ? 'Success' : 'Error',
                ),
                Identity: null,
                IsValid: true,
                ObjectState: 'New',
              },
            ),
          ];
        }),
    },
  ];
}

const W3WP = 'w3wp.exe';
const INETSRV = 'c:\\windows\\system32\\inetsrv';
const EXCHANGE_BIN = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin';
const SERVICES_PID = 700;

/** Windows process IDs are multiples of four; these follow from when the process started, so they are stable. */
const processId = (started: number, index: number) => 1000 + ((Math.floor(started / 1000) * 4 + index * 4) % 60_000);

/**
 * What runs on a server: the service host since its last start, and one IIS worker process per started pool since the
 * pool last started a worker (a recycle starts a new one; a stopped pool has none).
 */
function runningProcesses(server: Server): SimulatedProcess[] {
  const serviceHost = `${SERVICE_HOST_PROCESS}.exe`;
  const processes: SimulatedProcess[] = [
    {
      name: serviceHost,
      processId: processId(server.serviceHost.lastStart, 0),
      parentProcessId: SERVICES_PID,
      executablePath: `${EXCHANGE_BIN}\\${serviceHost}`,
      commandLine: `"${EXCHANGE_BIN}\\${serviceHost}"`,
      started: server.serviceHost.lastStart,
    },
  ];
  server.appPools.forEach((pool, i) => {
    if (pool.state !== 'Started') return;
    processes.push({
      name: W3WP,
      processId: processId(pool.lastRecycle, i + 1),
      parentProcessId: SERVICES_PID + 4,
      executablePath: `${INETSRV}\\${W3WP}`,
      commandLine:
        `${INETSRV}\\${W3WP} -ap "${pool.name}" -v "v4.0" -l "webengine4.dll" -a \\\\.\\pipe\\iisipm${pool.lastRecycle.toString(16)} ` +
        `-h "C:\\inetpub\\temp\\apppools\\${pool.name}\\${pool.name}.config" -w "" -m 0`,
      started: pool.lastRecycle,
    });
  });
  return processes;
}

/** The WQL WHERE clauses a -Filter may hold here: `Property = 'value'` (or a number), joined by AND. */
function wqlFilter(filter: string | undefined): (p: SimulatedProcess) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const fields: Record<string, (p: SimulatedProcess) => string> = {
    name: (p) => p.name,
    processid: (p) => String(p.processId),
    handle: (p) => String(p.processId),
    parentprocessid: (p) => String(p.parentProcessId),
    executablepath: (p) => p.executablePath,
    commandline: (p) => p.commandLine,
  };
  const tests = filter.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*(\w+)\s*=\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*$/.exec(clause);
    const field = m && fields[m[1]!.toLowerCase()];
    if (!m || !field) throw cimError('Invalid query', 'InvalidArgument', '0x80041017', null);
    // WQL compares strings without regard to case.
    const wanted = (m[2] ?? m[3] ?? m[4]!).toLowerCase();
    return (p: SimulatedProcess) => field(p).toLowerCase() === wanted;
  });
  return (p) => tests.every((t) => t(p));
}

function cimError(message: string, category: string, hresult: string, target: string | null): PSError {
  return new PSError(message, {
    category,
    reason: 'CimException',
    exceptionType: 'Microsoft.Management.Infrastructure.CimException',
    errorId: `HRESULT ${hresult},Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand`,
    ...(target === null ? {} : { targetObject: target }),
  });
}

function poolNotFound(name: string, command: string): PSError {
  return new PSError(`Cannot find path 'IIS:\\AppPools\\${name}' because it does not exist.`, {
    category: 'ObjectNotFound',
    reason: 'ItemNotFoundException',
    exceptionType: 'System.Management.Automation.ItemNotFoundException',
    errorId: `PathNotFound,Microsoft.IIs.PowerShell.Provider.${command}`,
    targetObject: `IIS:\\AppPools\\${name}`,
  });
}

export const EXCHANGE_CMDLET_NAMES = cmdletSpecs(() => Promise.reject(new Error('names only'))).map((c) => c.name);
