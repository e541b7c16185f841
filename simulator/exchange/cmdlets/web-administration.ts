// IIS (WebAdministration) on a server: its application pools (Restart-WebAppPool, Get-WebAppPoolState) and its web
// sites with their https bindings (Get-Website).
import { CmdletSpec, PSError, PSObject } from '../../shell/types';
import { recyclePool } from '../behaviour';
import { WEB_SITES, websiteObject } from '../objects';
import { str, strings } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

export function webAdministrationCmdlets(run: Runner): CmdletSpec[] {
  return [
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
      // Without -Name every site; a name that matches none gives nothing, as IIS does.
      name: 'Get-Website',
      params: [{ name: 'Name', type: 'String', position: 0 }],
      invoke: (args, ctx) =>
        run((org) => {
          const server = localMachine(org, ctx);
          const wanted = str(args.Name)?.toLowerCase();
          return WEB_SITES.filter((site) => wanted === undefined || site.name.toLowerCase() === wanted).map((site) =>
            websiteObject(server, site),
          );
        }),
    },
  ];
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
