// The organisation and its servers: Get-ExchangeServer, Get-TransportService, Get-OrganizationConfig,
// Set-OrganizationConfig, Get-HybridConfiguration.
import { CmdletSpec } from '../../shell/types';
import { objectNotFound } from '../errors';
import { domainController, findServer } from '../model';
import {
  hybridConfigurationObject,
  isTransportServer,
  organizationConfigObject,
  serverObject,
  transportServiceObject,
} from '../objects';
import { bool, common, str } from './args';
import { Runner } from './run';

export function organizationCmdlets(run: Runner): CmdletSpec[] {
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
      name: 'Get-TransportService',
      params: [{ name: 'Identity', type: 'String', position: 0 }, ...common('DomainController')],
      invoke: (args, ctx) =>
        run((org) => {
          const id = str(args.Identity);
          if (id === undefined) return org.servers.filter(isTransportServer).map((s) => transportServiceObject(org, s));
          const s = findServer(org, id);
          // A server without the transport service (an Exchange 2013 Client Access server) is no transport server.
          if (!s || !isTransportServer(s))
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
      name: 'Get-HybridConfiguration',
      params: [...common('DomainController')],
      invoke: () => run((org) => (org.hybrid.present ? [hybridConfigurationObject(org)] : [])),
    },
  ];
}
