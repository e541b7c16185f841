#!/usr/bin/env node
// `npm run preflight`: before the first rotation, test every right and path the worker needs against the real
// organisation, read-only, through the same ExchangeClient the activities use. Each check says what it needs and how to
// give it; what cannot be tested without changing the organisation is listed, not tried. Exit 0 when everything
// answered, 1 otherwise. Configured like the worker (its environment; README.md, "Configuration").
import { Command } from 'commander';
import { isAuthCertificateServer } from '../activities/inspect';
import { createExchangeClient } from '../activities/powershell';
import type { ExchangeClient } from '../activities/powershell';
import { ConfigurationError } from '../common/environment';
import { OWA_APP_POOL } from '../common/names';
import { loadWorkerConfig } from './config';
import type { WorkerConfig } from './config';

export interface PreflightResult {
  /** The check's name, as docs/operations.md lists it. */
  check: string;
  server?: string;
  ok: boolean;
  /** What was found, or what went wrong. */
  detail: string;
  /** On failure: what the check needs and how to give it. */
  fix?: string;
}

interface Check<T> {
  check: string;
  /** What an "access denied" asks for: the right, and how to see who has it. */
  rights: string;
  /** What a server that does not answer asks for: the path to it. */
  reach: string;
  run(): Promise<T>;
  found(value: T): string;
}

/** The errors that say a server or the session could not be reached, as opposed to refused or wrong. */
const UNREACHABLE = ['ServerUnreachableError', 'RemoteSessionBrokenError', 'ShellTimeoutError', 'ShellProcessError'];

function fixFor(c: Check<unknown>, error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'AccessDeniedError') return c.rights;
  if (UNREACHABLE.includes(name)) return c.reach;
  return `${c.reach}; ${c.rights}`;
}

/** The organisation-wide checks, in the order the rotation needs them. */
export const ORGANIZATION_CHECKS = ['session', 'AuthConfig', 'servers', 'organization config', 'hybrid'] as const;
/** The checks on each Mailbox/Client Access server. */
export const SERVER_CHECKS = [
  'certificates',
  'transport certificate',
  'AuthAdmin events',
  'service host',
  'app pools',
  'worker processes',
] as const;

/** What the rotation does that only a change could test: the rights it needs, named. */
export const UNTESTED = [
  'New-ExchangeCertificate, Enable-ExchangeCertificate, Export- and Import-ExchangeCertificate (Organization Management)',
  'Set-AuthConfig -NewCertificateThumbprint / -PublishCertificate / -ClearPreviousCertificate (Organization Management)',
  'Restart-Service MSExchangeServiceHost and Restart-WebAppPool through Invoke-Command (local Administrators on each server)',
];

const SESSION_RIGHTS =
  'the account a member of Organization Management, with remote PowerShell allowed (Get-User <account> | fl ' +
  'RemotePowerShellEnabled)';
const SESSION_REACH =
  'local: the worker on an Exchange server or a host with the Exchange Management Tools; remote: TCP 80 (443 ' +
  'with https) from this host to EXCHANGE_SERVER and its /PowerShell virtual directory answering Kerberos';
const RBAC_RIGHTS =
  'the account needs Organization Management: Get-RoleGroupMember "Organization Management"; which roles hold a ' +
  'cmdlet: Get-ManagementRole -Cmdlet <cmdlet>';
const WINRM_REACH =
  'WinRM from this host to the server: TCP 5985, rule "Windows Remote Management (HTTP-In)"; test with Test-WSMan ' +
  '<server> -Authentication Kerberos';
const ADMIN_RIGHTS = "the account in the server's local Administrators group";
const EVENTS_REACH =
  'the Application log of the server read remotely: with EXCHANGE_EVENT_LOG_ACCESS=winrm (the default), WinRM as for ' +
  'the app pools; with rpc, the firewall group "Remote Event Log Management" enabled on it (Enable-NetFirewallRule ' +
  '-DisplayGroup "Remote Event Log Management"); test with Get-WinEvent -ComputerName <server> -LogName Application ' +
  '-MaxEvents 1';
const EVENTS_RIGHTS = "the account in the server's Event Log Readers or Administrators group";
const EXCHANGE_REACH = 'the server running Exchange and answering RPC from the Exchange server that hosts the session';

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
}

async function attempt<T>(c: Check<T>, server?: string): Promise<{ result: PreflightResult; value?: T }> {
  try {
    const value = await c.run();
    return { result: { check: c.check, server, ok: true, detail: c.found(value) }, value };
  } catch (error) {
    return { result: { check: c.check, server, ok: false, detail: message(error), fix: fixFor(c, error) } };
  }
}

/** Every check against one organisation's Exchange; stops after the session when the session itself fails. */
export async function preflight(
  exchange: ExchangeClient,
  now: () => Date = () => new Date(),
): Promise<PreflightResult[]> {
  const results: PreflightResult[] = [];
  const session = await attempt({
    check: 'session',
    rights: SESSION_RIGHTS,
    reach: SESSION_REACH,
    run: () => exchange.getServerTime(),
    found: (time) => `the Exchange Management Shell answers; server time ${time}`,
  });
  results.push(session.result);
  if (!session.result.ok) return results;

  const organizationChecks = [
    {
      check: 'AuthConfig',
      rights: RBAC_RIGHTS,
      reach: EXCHANGE_REACH,
      run: () => exchange.getAuthConfig(),
      found: (a: Awaited<ReturnType<ExchangeClient['getAuthConfig']>>) =>
        `Get-AuthConfig: current ${a.currentCertificateThumbprint ?? 'none'}, next ${a.nextCertificateThumbprint ?? 'none'}`,
    },
    {
      check: 'organization config',
      rights: RBAC_RIGHTS,
      reach: EXCHANGE_REACH,
      run: () => exchange.getOrganizationConfig(),
      found: (o: { enableAuthAdminReadSession: boolean }) =>
        `Get-OrganizationConfig: EnableAuthAdminReadSession ${o.enableAuthAdminReadSession}`,
    },
    {
      check: 'hybrid',
      rights: RBAC_RIGHTS,
      reach: EXCHANGE_REACH,
      run: () => exchange.isHybridConfigured(),
      found: (h: boolean) => `Get-HybridConfiguration: ${h ? 'hybrid (the HCW step will be asked for)' : 'not hybrid'}`,
    },
  ] as const;
  for (const c of organizationChecks) results.push((await attempt(c as Check<unknown>)).result);

  const servers = await attempt({
    check: 'servers',
    rights: RBAC_RIGHTS,
    reach: EXCHANGE_REACH,
    run: async () => (await exchange.getExchangeServers()).filter(isAuthCertificateServer),
    found: (list) =>
      `Get-ExchangeServer: ${list.length} Mailbox/Client Access server(s) of version 15: ${list.map((s) => s.name).join(', ')}`,
  });
  results.push(servers.result);
  const since = new Date(now().getTime() - 24 * 3600_000).toISOString();
  for (const server of servers.value ?? []) {
    const perServer: Array<Check<unknown>> = [
      {
        check: 'certificates',
        rights: RBAC_RIGHTS,
        reach: EXCHANGE_REACH,
        run: () => exchange.listCertificates(server.fqdn),
        found: (list) => `Get-ExchangeCertificate -Server: ${(list as unknown[]).length} certificate(s)`,
      },
      {
        check: 'transport certificate',
        rights: RBAC_RIGHTS,
        reach: EXCHANGE_REACH,
        run: () => exchange.getInternalTransportCertificate(server.fqdn),
        found: (t) => `Get-TransportService: internal transport certificate ${t ?? 'none'}`,
      },
      {
        check: 'AuthAdmin events',
        rights: EVENTS_RIGHTS,
        reach: EVENTS_REACH,
        run: () => exchange.getAuthAdminEvents(server.fqdn, since),
        found: (events) => `Get-WinEvent: ${(events as unknown[]).length} event(s) 2014 in the last day`,
      },
      {
        check: 'service host',
        rights: RBAC_RIGHTS,
        reach: `${EXCHANGE_REACH}, MSExchangeServiceHost running`,
        run: async () => {
          const started = await exchange.getServiceHostStartTime(server.fqdn);
          if (started === null) throw new Error('Get-ExchangeDiagnosticInfo gave no process start time');
          return { started, lastRun: await exchange.getAuthAdminLastRun(server.fqdn) };
        },
        found: (v) => {
          const { started, lastRun } = v as { started: string; lastRun: string | null };
          return `MSExchangeServiceHost started ${started}; AuthAdmin servicelet last ran ${lastRun ?? '(not readable)'}`;
        },
      },
      {
        check: 'app pools',
        rights: ADMIN_RIGHTS,
        reach: `${WINRM_REACH}; the WebAdministration module on the server`,
        run: () => exchange.getAppPoolState(server.fqdn, OWA_APP_POOL),
        found: (state) => `Invoke-Command Get-WebAppPoolState ${OWA_APP_POOL}: ${String(state)}`,
      },
      {
        check: 'worker processes',
        rights: ADMIN_RIGHTS,
        reach: WINRM_REACH,
        run: () => exchange.getAppPoolWorkerProcesses(server.fqdn),
        found: (list) =>
          `Invoke-Command Get-CimInstance Win32_Process: ${(list as unknown[]).length} IIS worker process(es)`,
      },
    ];
    for (const c of perServer) results.push((await attempt(c, server.name)).result);
  }
  return results;
}

export function renderPreflight(
  organization: string,
  config: Pick<WorkerConfig, 'connection'>,
  results: PreflightResult[],
): string[] {
  const lines = [`Preflight of ${organization} (${config.connection} connection), read-only:`];
  for (const r of results) {
    const what = r.server ? `${r.server} ${r.check}` : r.check;
    lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${what}: ${r.detail}`);
    if (r.fix) lines.push(`        needs: ${r.fix}`);
  }
  lines.push('  not tested (they change the organisation; the rotation needs them too):');
  for (const u of UNTESTED) lines.push(`    - ${u}`);
  return lines;
}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const program = new Command('preflight')
    .description("test the worker's rights against its Exchange organisation, read-only")
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({ writeOut: (text) => out(text.trimEnd()), writeErr: (text) => out(text.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const { json } = program.opts<{ json?: boolean }>();
  const config = loadWorkerConfig();
  let failed = false;
  const all: Record<string, PreflightResult[]> = {};
  for (const organization of config.organizations) {
    const exchange = createExchangeClient(config.exchange[organization]);
    try {
      const results = await preflight(exchange);
      all[organization] = results;
      failed ||= results.some((r) => !r.ok);
      if (!json) renderPreflight(organization, config, results).forEach((l) => out(l));
    } finally {
      await exchange.close();
    }
  }
  if (json) out(JSON.stringify(all, null, 2));
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ConfigurationError ? error.message : `preflight: ${(error as Error).message}`);
      process.exit(2);
    },
  );
}
