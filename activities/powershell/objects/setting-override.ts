// A setting override (Get-SettingOverride): the Global ExchangeOnpremAsThirdPartyAppId override is what turns the
// dedicated Exchange hybrid application on (Microsoft's ConfigureExchangeHybridApplication.ps1 creates it).
import { z } from 'zod';
import { PsObjectType, asList, unwrapValue } from '../output';

export interface SettingOverride {
  name: string;
  componentName: string;
  sectionName: string;
  /** "Name=Value" strings. */
  parameters: string[];
}

export const SETTING_OVERRIDE: PsObjectType<SettingOverride> = {
  name: 'SettingOverride',
  select: ['Name', 'ComponentName', 'SectionName', 'Parameters'],
  schema: z
    .looseObject({
      Name: z.preprocess(unwrapValue, z.string()),
      ComponentName: z.preprocess(unwrapValue, z.string()),
      SectionName: z.preprocess(unwrapValue, z.string()),
      // A MultiValuedProperty: a list, one string, or 5.1's {value: [...], Count: n}.
      Parameters: z.preprocess((v) => asList(unwrapValue(v)).map(String), z.array(z.string())),
    })
    .transform((o) => ({
      name: o.Name,
      componentName: o.ComponentName,
      sectionName: o.SectionName,
      parameters: o.Parameters,
    })),
};
