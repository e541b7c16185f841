// The organisation as a whole: its servers, hybrid and the organisation configuration.
import type { ExchangeServer } from '../../../common/exchange';
import type { ExchangeClient } from '../exchange-client';
import { HYBRID_CONFIGURATION } from '../objects/hybrid-configuration';
import { ORGANIZATION_CONFIG } from '../objects/organization-config';
import { EXCHANGE_SERVER } from '../objects/server';
import type { ClientContext } from './context';

export function organizationArea({
  shell,
}: ClientContext): Pick<ExchangeClient, 'getExchangeServers' | 'isHybridConfigured' | 'getOrganizationConfig'> {
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
  };
}
