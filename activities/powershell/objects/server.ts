// An ExchangeServer (Get-ExchangeServer): name, FQDN, site, roles, version, and the domains it tells of.
import { z } from 'zod';
import { ExchangeServer, ServerRole, exchangeServerSchema } from '../../../common/exchange';
import type { SelectProperty } from '../catalogue';
import { PsObjectType, flagsSchema, optionalText } from '../output';

export const SERVER_PROPERTIES: readonly SelectProperty[] = [
  'Name',
  'Fqdn',
  { name: 'Site', stringOf: 'Site' },
  { name: 'ServerRole', stringOf: 'ServerRole' },
  { name: 'AdminDisplayVersion', stringOf: 'AdminDisplayVersion' },
  // The server's AD domain, and (from the server object's DN in the configuration partition) the forest root's.
  'Domain',
  'DistinguishedName',
];

/** Microsoft.Exchange.Data.Directory.SystemConfiguration.ServerRole (only the roles the service reasons about matter). */
export const SERVER_ROLE_BITS = {
  None: 0,
  Cafe: 1,
  Mailbox: 2,
  ClientAccess: 4,
  UnifiedMessaging: 16,
  HubTransport: 32,
  Edge: 64,
  Monitoring: 128,
  CentralAdmin: 256,
  CentralAdminDatabase: 512,
  DomainController: 1024,
  WindowsDeploymentServer: 2048,
  ProvisionedServer: 4096,
  LanguagePacks: 8192,
  FrontendTransport: 16384,
  CafeArray: 32768,
  FfoWebService: 65536,
  OSP: 131072,
  ARR: 262144,
  ManagementFrontEnd: 524288,
  ManagementBackEnd: 1048576,
  SCOM: 2097152,
  CentralAdminFrontEnd: 4194304,
  NAT: 8388608,
  DHCP: 16777216,
} as const;
const DOMAIN_ROLES: readonly ServerRole[] = ['Mailbox', 'ClientAccess', 'Edge', 'UnifiedMessaging', 'HubTransport'];
export const serverRolesSchema = flagsSchema(SERVER_ROLE_BITS).transform((names) =>
  names.filter((n): n is ServerRole => (DOMAIN_ROLES as readonly string[]).includes(n)),
);

/** AdminDisplayVersion: "Version 15.2 (Build 1544.4)", "15.2.1544.4", or a {Major,Minor,Build,Revision} object. */
export const adminDisplayVersionSchema = z
  .union([
    z.string(),
    z.looseObject({
      Major: z.number().int(),
      Minor: z.number().int(),
      Build: z.number().int(),
      Revision: z.number().int(),
    }),
  ])
  .transform((v, ctx) => {
    if (typeof v === 'object') return { version: `${v.Major}.${v.Minor}.${v.Build}.${v.Revision}`, major: v.Major };
    const m =
      /^(?:Version\s+)?(\d+)\.(\d+)\s*\(Build\s+(\d+)\.(\d+)\)$/i.exec(v.trim()) ??
      /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `unrecognised AdminDisplayVersion ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return { version: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`, major: Number(m[1]) };
  });

/** Site: an ADObjectId as "contoso.com/Configuration/Sites/Default-First-Site-Name" or {Name: ...}. */
export const siteSchema = z
  .union([z.string(), z.looseObject({ Name: z.string() }), z.null()])
  .transform((v) => (v === null ? '' : typeof v === 'string' ? (v.split('/').pop() ?? '') : v.Name));

/**
 * The forest root domain from the distinguished name of an object in the configuration partition, which is named after
 * it: "CN=EX1,...,CN=Configuration,DC=contoso,DC=com" gives "contoso.com". Null for any other name.
 */
export function forestRootOfConfigurationDn(dn: string): string | null {
  const m = /(?:^|,)\s*CN=Configuration\s*,((?:\s*DC=[^,]+\s*,?)+)$/i.exec(dn);
  if (!m) return null;
  return m[1]!
    .split(',')
    .map((part) => part.trim().replace(/^DC=/i, ''))
    .filter((part) => part !== '')
    .join('.');
}

export const exchangeServerOutputSchema = z
  .looseObject({
    Name: z.string().min(1),
    Fqdn: z.string().min(1),
    Site: siteSchema.optional(),
    ServerRole: serverRolesSchema,
    AdminDisplayVersion: adminDisplayVersionSchema,
    Domain: optionalText,
    DistinguishedName: optionalText,
  })
  .transform((o): ExchangeServer => {
    const forestRootDomain = o.DistinguishedName && forestRootOfConfigurationDn(o.DistinguishedName);
    return {
      name: o.Name,
      fqdn: o.Fqdn,
      site: o.Site ?? '',
      roles: o.ServerRole,
      version: o.AdminDisplayVersion.version,
      majorVersion: o.AdminDisplayVersion.major,
      ...(o.Domain ? { domain: o.Domain } : {}),
      ...(forestRootDomain ? { forestRootDomain } : {}),
    };
  })
  .pipe(exchangeServerSchema);

export const EXCHANGE_SERVER: PsObjectType<ExchangeServer> = {
  name: 'ExchangeServer',
  select: SERVER_PROPERTIES,
  schema: exchangeServerOutputSchema,
};
