// The organisation as a whole: its servers, hybrid and the organisation configuration.
import type { ExchangeServer } from '../../../common/exchange';
import { detectHybridApp, type HybridAppDetection } from '../../../common/hybrid-app';
import { CommandNotFoundError } from '../errors';
import { AUTH_SERVER } from '../objects/auth-server';
import { SETTING_OVERRIDE } from '../objects/setting-override';
import type { ExchangeClient } from '../exchange-client';
import { HYBRID_CONFIGURATION } from '../objects/hybrid-configuration';
import { ORGANIZATION_CONFIG } from '../objects/organization-config';
import { EXCHANGE_SERVER } from '../objects/server';
import type { ClientContext } from './context';

export function organizationArea({
  shell,
}: ClientContext): Pick<
  ExchangeClient,
  'getExchangeServers' | 'isHybridConfigured' | 'getOrganizationConfig' | 'getHybridApplication'
> {
  return {
    getExchangeServers(): Promise<ExchangeServer[]> {
      return shell.read('Get-ExchangeServer', {}, EXCHANGE_SERVER);
    },

    async isHybridConfigured() {
      return (await shell.read('Get-HybridConfiguration', {}, HYBRID_CONFIGURATION)).length > 0;
    },

    getOrganizationConfig() {
      return shell.readOne('Get-OrganizationConfig', {}, ORGANIZATION_CONFIG);
    },

    async getHybridApplication(): Promise<HybridAppDetection> {
      try {
        const overrides = await shell.read('Get-SettingOverride', {}, SETTING_OVERRIDE);
        const authServers = await shell.read('Get-AuthServer', {}, AUTH_SERVER);
        return detectHybridApp(overrides, authServers);
      } catch (error) {
        // A build without these cmdlets cannot have the feature configured the supported way; it is not a failure.
        if (!(error instanceof CommandNotFoundError)) throw error;
        const unknown = `${error.message.split('.')[0]} (an Exchange build older than the dedicated hybrid app)`;
        return { detected: false, appId: null, evidence: [unknown], unknown };
      }
    },
  };
}
