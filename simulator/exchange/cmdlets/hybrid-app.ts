// What says an organisation uses the dedicated Exchange hybrid application: Get-SettingOverride (the Global
// ExchangeOnpremAsThirdPartyAppId override) and Get-AuthServer (the EvoSTS server's ApplicationIdentifier). An
// organisation whose build lacks a cmdlet (missingCmdlets) answers as PowerShell does for an unknown command.
import { commandNotFound } from '../../shell/errors';
import { CmdletSpec } from '../../shell/types';
import { objectNotFound } from '../errors';
import { domainController, Organisation } from '../model';
import { authServerObject, settingOverrideObject } from '../objects';
import { common, str } from './args';
import { Runner } from './run';

function requireCmdlet(org: Organisation, name: string): void {
  if (org.missingCmdlets.some((c) => c.toLowerCase() === name.toLowerCase())) throw commandNotFound(name);
}

function byIdentity<T extends { name: string }>(
  org: Organisation,
  cmdlet: string,
  items: readonly T[],
  identity: string | undefined,
): T[] {
  if (identity === undefined) return [...items];
  const found = items.filter((i) => i.name.toLowerCase() === identity.trim().toLowerCase());
  if (found.length === 0) throw objectNotFound(cmdlet, org.connectedServer, identity, domainController(org));
  return found;
}

export function hybridAppCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
      name: 'Get-SettingOverride',
      params: [{ name: 'Identity', type: 'String', position: 0 }, ...common('DomainController')],
      invoke: (args) =>
        run((org) => {
          requireCmdlet(org, 'Get-SettingOverride');
          return byIdentity(org, 'Get-SettingOverride', org.settingOverrides, str(args.Identity)).map((o) =>
            settingOverrideObject(org, o),
          );
        }),
    },
    {
      name: 'Get-AuthServer',
      params: [{ name: 'Identity', type: 'String', position: 0 }, ...common('DomainController')],
      invoke: (args) =>
        run((org) => {
          requireCmdlet(org, 'Get-AuthServer');
          return byIdentity(org, 'Get-AuthServer', org.authServers, str(args.Identity)).map((a) =>
            authServerObject(org, a),
          );
        }),
    },
  ];
}
