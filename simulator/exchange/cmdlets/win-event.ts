// Get-WinEvent: the Application log of a server, locally (on the connected server, or inside Invoke-Command on the
// machine it targets, over WinRM), or from another machine with -ComputerName (remote event-log RPC, which a server's
// firewall may refuse while WinRM works: both fail as Windows does, "The RPC server is unavailable").
import { CmdletSpec, PSError, PSHashtable, PSValue } from '../../shell/types';
import { APPLICATION_LOG } from '../behaviour';
import { invalidArgument } from '../errors';
import { findServer, Server } from '../model';
import { eventObject } from '../objects';
import { bool, dateMs, str, strings } from './args';
import { Runner } from './run';

export function winEventCmdlets(run: Runner): CmdletSpec[] {
  return [
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
          const local = findServer(org, ctx.computerName ?? org.connectedServer);
          const s = findServer(org, str(args.ComputerName) ?? ctx.computerName ?? org.connectedServer);
          const noRpc = () =>
            new PSError('The RPC server is unavailable', {
              category: 'NotSpecified',
              reason: 'EventLogException',
              exceptionType: 'System.Diagnostics.Eventing.Reader.EventLogException',
              errorId:
                'System.Diagnostics.Eventing.Reader.EventLogException,Microsoft.PowerShell.Commands.GetWinEventCommand',
            });
          if (!s || !s.reachable || (s !== local && s.remoteEventLogBlocked)) throw noRpc();
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
  ];
}
