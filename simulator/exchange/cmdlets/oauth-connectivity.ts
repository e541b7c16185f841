// Test-OAuthConnectivity: whether OAuth sign-in works against a server, from the simulated sign-in probe.
import { CmdletSpec, PSEnum, PSObject } from '../../shell/types';
import { signInProbe } from '../behaviour';
import { invalidArgument } from '../errors';
import { findServer } from '../model';
import { common, str } from './args';
import { Runner } from './run';
import { connected } from './targets';

export function oauthConnectivityCmdlets(run: Runner): CmdletSpec[] {
  return [
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
