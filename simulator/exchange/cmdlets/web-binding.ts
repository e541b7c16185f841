// IIS site bindings (WebAdministration): Get-WebBinding, for the Default Web Site's https binding and its certificate.
import { createHash } from 'node:crypto';
import { CmdletSpec, PSError, PSObject } from '../../shell/types';
import type { Server } from '../model';
import { str } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

export const DEFAULT_WEB_SITE = 'Default Web Site';

/** The organisation's own CA certificate on the front end, which the simulation does not model: a stable stand-in. */
function organisationCertificate(server: Server): string {
  return createHash('sha1').update(`ca-certificate|${server.fqdn.toLowerCase()}`).digest('hex').toUpperCase();
}

export function webBindingCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
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
          const site = str(args.Name) ?? DEFAULT_WEB_SITE;
          if (site.toLowerCase() !== DEFAULT_WEB_SITE.toLowerCase()) {
            throw new PSError(`Cannot find path 'IIS:\\Sites\\${site}' because it does not exist.`, {
              category: 'ObjectNotFound',
              reason: 'ItemNotFoundException',
              exceptionType: 'System.Management.Automation.ItemNotFoundException',
              errorId: 'PathNotFound,Microsoft.IIs.PowerShell.Provider.GetWebBindingCommand',
              targetObject: `IIS:\\Sites\\${site}`,
            });
          }
          const bindings = [
            { protocol: 'http', bindingInformation: '*:80:', certificateHash: '' },
            {
              protocol: 'https',
              bindingInformation: '*:443:',
              certificateHash: server.defaultWebSiteCertificate ?? organisationCertificate(server),
            },
          ];
          const protocol = str(args.Protocol)?.toLowerCase();
          return bindings
            .filter((b) => protocol === undefined || b.protocol === protocol)
            .map(
              (b) =>
                new PSObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement', 'System.Object'], {
                  ...b,
                  certificateStoreName: b.certificateHash ? 'My' : '',
                  ItemXPath: `/system.applicationHost/sites/site[@name='${DEFAULT_WEB_SITE}']`,
                }),
            );
        }),
    },
  ];
}
