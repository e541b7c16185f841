// A PSSession (Get-PSSession): which computer the Exchange session of a local shell is connected to.
import { z } from 'zod';
import { PsObjectType, optionalText } from '../output';

export const EXCHANGE_CONFIGURATION = 'Microsoft.Exchange';

export interface PsSessionInfo {
  computerName: string | undefined;
  configurationName: string | undefined;
  state: string | undefined;
}

export const PS_SESSION: PsObjectType<PsSessionInfo> = {
  name: 'PSSession',
  select: ['ComputerName', 'ConfigurationName', { name: 'State', stringOf: 'State' }],
  schema: z
    .looseObject({ ComputerName: optionalText, ConfigurationName: optionalText, State: optionalText })
    .transform((o) => ({ computerName: o.ComputerName, configurationName: o.ConfigurationName, state: o.State })),
};
