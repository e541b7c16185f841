// The organisation's Auth configuration: Get-AuthConfig and Set-AuthConfig (stage a next certificate with its
// effective date, publish it at once, set the current one directly, clear the previous one).
import { CmdletSpec } from '../../shell/types';
import { Question } from '../../shell/prompt';
import { HOUR_MS } from '../behaviour';
import { invalidArgument, invalidOperation } from '../errors';
import { findCertificate } from '../model';
import { authConfigObject } from '../objects';
import { bool, common, dateMs, str } from './args';
import { invocation, Runner } from './run';
import { reachableServer, requireCertificate } from './targets';

/** Set-AuthConfig warns below this lead time: Microsoft's advice is at least 48 hours for replication. */
export const MIN_EFFECTIVE_DATE_LEAD_MS = 48 * HOUR_MS;

const SHORT_LEAD_TIME: Question = {
  id: 'effective-date-within-48h',
  caption: 'Confirm',
  message:
    'The effective date is less than 48 hours from now. The new certificate might not be available on all servers ' +
    'by then, which could cause authentication failures. Do you want to continue?',
};

export function authConfigCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
      name: 'Get-AuthConfig',
      params: [...common('DomainController')],
      invoke: () => run((org) => [authConfigObject(org)]),
    },
    {
      name: 'Set-AuthConfig',
      params: [
        { name: 'NewCertificateThumbprint', type: 'String' },
        { name: 'NewCertificateEffectiveDate', type: 'DateTime' },
        { name: 'CertificateThumbprint', type: 'String' },
        { name: 'PublishCertificate', type: 'SwitchParameter' },
        { name: 'ClearPreviousCertificate', type: 'SwitchParameter' },
        { name: 'SkipImmediateCertificateDeployment', type: 'SwitchParameter' },
        { name: 'Server', type: 'String' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'Realm', type: 'String' },
        { name: 'ServiceName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) => {
        // The current time as the call was made: the fault check and the lock are not the caller's lateness.
        const calledAt = invocation.getStore()?.calledAt ?? ctx.now().ms;
        return run((org, now, confirm) => {
          const cmd = 'Set-AuthConfig';
          const server = reachableServer(org, cmd, args, ctx);
          const a = org.authConfig;
          const force = bool(args.Force);
          const whatIf = bool(args.WhatIf);
          const newThumb = str(args.NewCertificateThumbprint)?.trim().toUpperCase();
          const effective = dateMs(args.NewCertificateEffectiveDate);
          if (newThumb !== undefined) {
            if (!/^[0-9A-F]{40}$/.test(newThumb)) {
              throw invalidArgument(cmd, server.name, `The certificate thumbprint ${newThumb} isn't valid.`, newThumb);
            }
            if (effective === undefined) {
              throw invalidArgument(
                cmd,
                server.name,
                'The NewCertificateEffectiveDate parameter must be specified with NewCertificateThumbprint.',
              );
            }
            requireCertificate(cmd, server, newThumb);
            const { pastEffectiveDateToleranceMs, callLatencyMs } = org.behaviour;
            if (effective < calledAt - pastEffectiveDateToleranceMs - callLatencyMs * org.clock.acceleration) {
              throw invalidArgument(
                cmd,
                server.name,
                'The effective date must be greater than the current time.',
                new Date(effective).toISOString(),
              );
            }
            // Declining the short lead time cancels the whole call.
            if (effective - now < MIN_EFFECTIVE_DATE_LEAD_MS && !force && !confirm(SHORT_LEAD_TIME)) return [];
            if (!whatIf) {
              a.nextCertificateThumbprint = newThumb;
              a.nextCertificateEffectiveDate = effective;
              a.whenChanged = now;
              if (!(newThumb in org.replicating)) org.replicating[newThumb] = now;
            }
          } else if (effective !== undefined) {
            throw invalidArgument(
              cmd,
              server.name,
              'The NewCertificateThumbprint parameter must be specified with NewCertificateEffectiveDate.',
            );
          }
          const direct = str(args.CertificateThumbprint)?.trim().toUpperCase();
          if (direct !== undefined) {
            requireCertificate(cmd, server, direct);
            if (!whatIf && direct !== a.currentCertificateThumbprint) {
              a.previousCertificateThumbprint = a.currentCertificateThumbprint;
              a.currentCertificateThumbprint = direct;
              a.whenChanged = now;
            }
          }
          if (bool(args.PublishCertificate)) {
            const next = a.nextCertificateThumbprint;
            if (!next)
              throw invalidOperation(
                cmd,
                server.name,
                'There is no next certificate configured to publish. Use -NewCertificateThumbprint first.',
              );
            const lacking = org.servers.filter((s) => !s.roles.includes('Edge') && !findCertificate(s, next));
            if (lacking.length) {
              throw invalidOperation(
                cmd,
                server.name,
                `The certificate with thumbprint ${next} isn't installed on server(s) ${lacking.map((s) => s.name).join(', ')}. The next certificate must be installed on all servers before it can be published.`,
                next,
              );
            }
            if (!whatIf) {
              a.previousCertificateThumbprint = a.currentCertificateThumbprint;
              a.currentCertificateThumbprint = next;
              a.nextCertificateThumbprint = null;
              a.nextCertificateEffectiveDate = null;
              a.whenChanged = now;
            }
          }
          if (bool(args.ClearPreviousCertificate) && !whatIf) {
            a.previousCertificateThumbprint = null;
            a.whenChanged = now;
          }
          return [];
        });
      },
    },
  ];
}
