// Get-ExchangeDiagnosticInfo: the service host's view of its servicelets, where the AuthAdmin servicelet's last and
// next run show.
import { CmdletSpec, PSObject } from '../../shell/types';
import { authAdminCanRun, HOUR_MS, nextAuthAdminRun } from '../behaviour';
import { invalidArgument } from '../errors';
import { Organisation, Server } from '../model';
import { str } from './args';
import { SERVICE_HOST_PROCESS } from './processes';
import { Runner } from './run';
import { reachableServer } from './targets';

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

export function diagnosticInfoCmdlets(run: Runner): CmdletSpec[] {
  return [
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
  ];
}
