// IIS site bindings (WebAdministration): Get-WebBinding, for a site's https binding and its certificate. The bindings
// are the same ones Get-Website shows (one model: the server's IIS bindings).
import { CmdletSpec, PSError, PSObject } from '../../shell/types';
import { WEB_SITES, websiteObject } from '../objects';
import { str } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

export function webBindingCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
      // Without -Name every site's bindings, as IIS does.
      name: 'Get-WebBinding',
      params: [
        { name: 'Name', type: 'String', position: 0 },
        { name: 'Protocol', type: 'String' },
        { name: 'Port', type: 'Int32' },
        { name: 'IPAddress', type: 'String' },
        { name: 'HostHeader', type: 'String' },
      ],
      invoke: (args, ctx) =>
        run((org) => {
          const server = localMachine(org, ctx);
          const name = str(args.Name);
          const sites = WEB_SITES.filter((s) => name === undefined || s.name.toLowerCase() === name.toLowerCase());
          if (name !== undefined && sites.length === 0) {
            throw new PSError(`Cannot find path 'IIS:\\Sites\\${name}' because it does not exist.`, {
              category: 'ObjectNotFound',
              reason: 'ItemNotFoundException',
              exceptionType: 'System.Management.Automation.ItemNotFoundException',
              errorId: 'PathNotFound,Microsoft.IIs.PowerShell.Provider.GetWebBindingCommand',
              targetObject: `IIS:\\Sites\\${name}`,
            });
          }
          const protocol = str(args.Protocol)?.toLowerCase();
          return sites
            .flatMap((site) => bindingsOf(websiteObject(server, site)))
            .filter((b) => protocol === undefined || String(b.get('protocol')).toLowerCase() === protocol);
        }),
    },
  ];
}

function bindingsOf(site: PSObject): PSObject[] {
  const bindings = site.get('bindings') as PSObject;
  return bindings.get('Collection') as PSObject[];
}
