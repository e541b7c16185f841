// Restart-Service: the Exchange service host (AuthAdmin runs at its start) and IIS (every pool gets a new worker).
import { CmdletSpec, PSError, PSObject, PSValue } from '../../shell/types';
import { recyclePool, restartServiceHost, SERVICE_HOST } from '../behaviour';
import { Server } from '../model';
import { bool, common, strings } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

/** Restarting IIS (or its activation service) restarts every application pool. */
const IIS_SERVICES = ['W3SVC', 'WAS'];
/** The Mailbox role's own services; an Exchange 2013 Client Access server alone has none of them. */
const MAILBOX_SERVICES = ['MSExchangeTransport', 'MSExchangeIS'];

function servicesOn(server: Server): string[] {
  const all = [SERVICE_HOST, 'MSExchangeFrontEndTransport', ...IIS_SERVICES];
  return server.roles.includes('Mailbox') ? [...all, ...MAILBOX_SERVICES] : all;
}

export function serviceCmdlets(run: Runner): CmdletSpec[] {
  return [
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
            const known = servicesOn(server).find((k) => k.toLowerCase() === name.toLowerCase());
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
  ];
}
