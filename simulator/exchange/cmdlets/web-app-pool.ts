// IIS application pools (WebAdministration): Restart-WebAppPool and Get-WebAppPoolState.
import { CmdletSpec, PSError, PSObject } from '../../shell/types';
import { recyclePool } from '../behaviour';
import { str, strings } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

export function webAppPoolCmdlets(run: Runner): CmdletSpec[] {
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
