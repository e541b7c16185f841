// An auth server (Get-AuthServer): the tenant's EvoSTS server (Type AzureAD) names the dedicated Exchange hybrid
// application in ApplicationIdentifier (April 2025 hotfix and later; older builds do not return the property).
import { z } from 'zod';
import { PsObjectType, asList, boolSchema, unwrapValue } from '../output';

export interface AuthServer {
  name: string;
  type: string;
  realm: string | null;
  applicationIdentifier: string | null;
  enabled: boolean;
}

const text = z.preprocess((v) => {
  v = unwrapValue(v);
  return v === '' || v === undefined ? null : v;
}, z.string().nullable());

export const AUTH_SERVER: PsObjectType<AuthServer> = {
  name: 'AuthServer',
  select: ['Name', { name: 'Type', stringOf: 'Type' }, 'Realm', 'ApplicationIdentifier', 'Enabled'],
  schema: z
    .looseObject({
      Name: z.preprocess(unwrapValue, z.string()),
      Type: text,
      Realm: text,
      ApplicationIdentifier: z.preprocess((v) => asList(unwrapValue(v))[0] ?? null, text),
      Enabled: boolSchema,
    })
    .transform((o) => ({
      name: o.Name,
      type: o.Type ?? '',
      realm: o.Realm,
      applicationIdentifier: o.ApplicationIdentifier,
      enabled: o.Enabled,
    })),
};
