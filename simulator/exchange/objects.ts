// Output objects shaped as Windows PowerShell 5.1 hands them over from the Exchange Management Shell: deserialized
// objects ("Deserialized." type names, PSComputerName/RunspaceId/PSShowComputerName added by remoting), DateTime values
// as local-kind PSDateTime, enums as PSEnum. AD object ids (Site, Identity) travel as their ToString() text.
import { randomUUID } from 'node:crypto';
import { PSDateTime, PSEnum, PSObject, PSValue } from '../shell/types';
import { serializationBroken } from './behaviour';
import { rawData } from './certificates';
import {
  Certificate,
  domainController,
  EventRecord,
  IisBindings,
  Organisation,
  Server,
  servicesFlags,
  servicesNames,
} from './model';
import { at } from '../invariant';

const RUNSPACE_ID = randomUUID();
/** Get-WinEvent's level names, by the level number (0..5) the model keeps. */
const LEVEL_NAMES = ['LogAlways', 'Critical', 'Error', 'Warning', 'Information', 'Verbose'];

const dt = (ms: number) => new PSDateTime(ms, 'Local');
const dtUtc = (ms: number) => new PSDateTime(ms, 'Utc');

function deserialized(types: string[]): string[] {
  return types.map((t) => `Deserialized.${t}`);
}

function remoting(org: Organisation): Record<string, PSValue> {
  const connected = org.servers.find((s) => s.name === org.connectedServer);
  return {
    PSComputerName: connected ? connected.fqdn : org.connectedServer,
    RunspaceId: RUNSPACE_ID,
    PSShowComputerName: false,
  };
}

function configurationDn(org: Organisation): string {
  return `CN=${org.organisationName},CN=Microsoft Exchange,CN=Services,CN=Configuration,${org.rootDomain
    .split('.')
    .map((p) => `DC=${p}`)
    .join(',')}`;
}

export function servicesEnum(c: Certificate): PSEnum {
  return new PSEnum(
    'Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices',
    servicesFlags(c.services),
    servicesNames(c.services),
  );
}

/** CertificateStatus: Valid = 1, DateInvalid = 3. */
function certificateStatus(c: Certificate, now: number): PSEnum {
  const valid = c.notBefore <= now && now < c.notAfter;
  return new PSEnum(
    'Microsoft.Exchange.Management.SystemConfigurationTasks.CertificateStatus',
    valid ? 1 : 3,
    valid ? 'Valid' : 'DateInvalid',
  );
}

const CERTIFICATE_TYPES = deserialized([
  'Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate',
  'System.Security.Cryptography.X509Certificates.X509Certificate2',
  'System.Security.Cryptography.X509Certificates.X509Certificate',
  'System.Object',
]);

/** An ExchangeCertificate as remoting delivers it; with serialization broken, nothing but RawData (the DER). */
export function certificateObject(org: Organisation, server: Server, c: Certificate, now: number): PSObject {
  if (serializationBroken(org, now)) return new PSObject(CERTIFICATE_TYPES, { RawData: rawData(c), ...remoting(org) });
  return new PSObject(CERTIFICATE_TYPES, {
    AccessRules: [],
    CertificateDomains: [...c.domains],
    HasPrivateKey: true,
    IsSelfSigned: c.subject === c.issuer,
    Issuer: c.issuer,
    NotAfter: dt(c.notAfter),
    NotBefore: dt(c.notBefore),
    PublicKeySize: c.keySize,
    RootCAType: new PSEnum(
      'Microsoft.Exchange.Management.SystemConfigurationTasks.CertificateAuthorityType',
      c.subject === c.issuer ? 0 : 3,
      c.subject === c.issuer ? 'None' : 'ThirdParty',
    ),
    SerialNumber: c.serialNumber,
    Services: servicesEnum(c),
    Status: certificateStatus(c, now),
    PrivateKeyExportable: c.privateKeyExportable,
    Archived: false,
    FriendlyName: c.friendlyName,
    IISServices: [],
    Identity: `${server.fqdn}\\${c.thumbprint}`,
    KeyIdentifier: c.keyMaterial.slice(0, 40).toUpperCase(),
    RawData: rawData(c),
    Subject: c.subject,
    Thumbprint: c.thumbprint,
    Version: 3,
    ...remoting(org),
  });
}

/** The Transport service runs with the Mailbox role (2013 on); a 2013 Client Access server alone has none. */
export function isTransportServer(s: Server): boolean {
  return s.roles.includes('Mailbox');
}

/**
 * Client Access services: a role of its own in Exchange 2013 (15.0), part of the Mailbox role from Exchange 2016
 * (15.1) on, where ServerRole says only Mailbox and IsClientAccessServer is still true.
 */
function hasClientAccess(s: Server): boolean {
  return s.roles.includes('ClientAccess') || (s.roles.includes('Mailbox') && s.version.minor >= 1);
}

/** Microsoft.Exchange.Data.Directory.SystemConfiguration.ServerRole, a [Flags] enum. */
function serverRoleEnum(server: Server): PSEnum {
  const bits: Array<[string, number, boolean]> = [
    ['Mailbox', 2, server.roles.includes('Mailbox')],
    ['ClientAccess', 4, server.roles.includes('ClientAccess')],
    ['Edge', 64, server.roles.includes('Edge')],
  ];
  const on = bits.filter(([, , b]) => b);
  return new PSEnum(
    'Microsoft.Exchange.Data.Directory.SystemConfiguration.ServerRole',
    on.reduce((a, [, v]) => a | v, 0),
    on.length ? on.map(([n]) => n).join(', ') : 'None',
  );
}

export function serverObject(org: Organisation, s: Server, now: number): PSObject {
  const v = s.version;
  return new PSObject(deserialized(['Microsoft.Exchange.Data.Directory.Management.ExchangeServer', 'System.Object']), {
    Name: s.name,
    Domain: s.domain,
    Edition: 'Enterprise',
    Fqdn: s.fqdn,
    IsHubTransportServer: isTransportServer(s),
    IsClientAccessServer: hasClientAccess(s),
    IsEdgeServer: s.roles.includes('Edge'),
    IsMailboxServer: s.roles.includes('Mailbox'),
    IsE14OrLater: true,
    IsE15OrLater: true,
    IsProvisionedServer: false,
    OrganizationalUnit: `${s.domain}/${s.name}`,
    AdminDisplayVersion: `Version ${v.major}.${v.minor} (Build ${v.build}.${v.revision})`,
    Site: `${org.rootDomain}/Configuration/Sites/${s.site}`,
    ServerRole: serverRoleEnum(s),
    Identity: s.name,
    IsValid: true,
    DistinguishedName: `CN=${s.name},CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,${configurationDn(org)}`,
    WhenChanged: dt(now),
    WhenChangedUTC: dtUtc(now),
    OriginatingServer: domainController(org),
    ...remoting(org),
  });
}

export function authConfigObject(org: Organisation): PSObject {
  const a = org.authConfig;
  return new PSObject(
    deserialized([
      'Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthConfig',
      'Microsoft.Exchange.Data.Directory.SystemConfiguration.ADConfigurationObject',
      'Microsoft.Exchange.Data.Directory.ADObject',
      'Microsoft.Exchange.Data.Directory.ADRawEntry',
      'Microsoft.Exchange.Data.ConfigurableObject',
      'System.Object',
    ]),
    {
      CurrentCertificateThumbprint: a.currentCertificateThumbprint ?? '',
      PreviousCertificateThumbprint: a.previousCertificateThumbprint ?? '',
      NextCertificateThumbprint: a.nextCertificateThumbprint ?? '',
      NextCertificateEffectiveDate: a.nextCertificateEffectiveDate === null ? null : dt(a.nextCertificateEffectiveDate),
      ServiceName: '00000002-0000-0ff1-ce00-000000000000',
      Realm: '',
      Name: 'Auth Configuration',
      Identity: 'Auth Configuration',
      DistinguishedName: `CN=Auth Configuration,${configurationDn(org)}`,
      WhenChanged: dt(a.whenChanged),
      WhenChangedUTC: dtUtc(a.whenChanged),
      IsValid: true,
      OriginatingServer: domainController(org),
      ...remoting(org),
    },
  );
}

export function organizationConfigObject(org: Organisation): PSObject {
  return new PSObject(
    deserialized(['Microsoft.Exchange.Data.Directory.Management.OrganizationConfig', 'System.Object']),
    {
      Name: org.organisationName,
      Identity: org.organisationName,
      // Not a documented property: some builds do not list it at all.
      ...(org.organizationConfig.readSessionListed
        ? { EnableAuthAdminReadSession: org.organizationConfig.enableAuthAdminReadSession }
        : {}),
      OAuth2ClientProfileEnabled: org.organizationConfig.oauth2ClientProfileEnabled,
      IsValid: true,
      DistinguishedName: configurationDn(org),
      ...remoting(org),
    },
  );
}

export function hybridConfigurationObject(org: Organisation): PSObject {
  return new PSObject(
    deserialized(['Microsoft.Exchange.Data.Directory.SystemConfiguration.HybridConfiguration', 'System.Object']),
    {
      Name: org.hybrid.name,
      Identity: org.hybrid.name,
      Domains: [org.rootDomain],
      Features: [
        'FreeBusy',
        'MoveMailbox',
        'Mailtips',
        'MessageTracking',
        'OwaRedirection',
        'OnlineArchive',
        'SecureMail',
        'Photos',
      ],
      OnPremisesSmartHost: `mail.${org.rootDomain}`,
      TlsCertificateName: `<I>CN=Contoso CA<S>CN=mail.${org.rootDomain}`,
      IsValid: true,
      ...remoting(org),
    },
  );
}

export function transportServiceObject(org: Organisation, s: Server): PSObject {
  return new PSObject(
    deserialized(['Microsoft.Exchange.Data.Directory.SystemConfiguration.TransportServer', 'System.Object']),
    {
      Name: s.name,
      Identity: s.name,
      InternalTransportCertificateThumbprint: s.internalTransportCertificate ?? '',
      IsValid: true,
      ...remoting(org),
    },
  );
}

export function eventObject(s: Server, e: EventRecord): PSObject {
  return new PSObject(
    [
      'System.Diagnostics.Eventing.Reader.EventLogRecord',
      'System.Diagnostics.Eventing.Reader.EventRecord',
      'System.Object',
    ],
    {
      Message: e.message,
      Id: e.id,
      Version: 0,
      Qualifiers: 16388,
      Level: e.level,
      Task: 1,
      Opcode: 0,
      Keywords: 36028797018963968,
      RecordId: e.recordId,
      ProviderName: e.providerName,
      ProviderId: null,
      LogName: e.logName,
      ProcessId: null,
      ThreadId: null,
      MachineName: s.fqdn,
      UserId: null,
      TimeCreated: dt(e.time),
      ContainerLog: e.logName,
      LevelDisplayName: at(LEVEL_NAMES, e.level, 'event level'),
      OpcodeDisplayName: 'Info',
      TaskDisplayName: 'General',
      KeywordsDisplayNames: ['Classic'],
    },
  );
}

/** A process as Get-CimInstance Win32_Process returns it (CIM datetime properties become DateTime, local kind). */
export interface SimulatedProcess {
  name: string;
  processId: number;
  parentProcessId: number;
  executablePath: string;
  commandLine: string;
  started: number;
}

export function win32ProcessObject(server: Server, p: SimulatedProcess): PSObject {
  return new PSObject(
    [
      'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_Process',
      'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/CIM_Process',
      'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/CIM_LogicalElement',
      'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/CIM_ManagedSystemElement',
      'Microsoft.Management.Infrastructure.CimInstance#Win32_Process',
      'Microsoft.Management.Infrastructure.CimInstance',
      'System.Object',
    ],
    {
      ProcessName: p.name,
      Handles: 1200,
      VM: 2_199_023_255_552,
      WS: 310_000_000,
      Path: p.executablePath,
      Caption: p.name,
      Description: p.name,
      Name: p.name,
      CSName: server.name.toUpperCase(),
      CommandLine: p.commandLine,
      CreationDate: dt(p.started),
      ExecutablePath: p.executablePath,
      Handle: String(p.processId),
      ParentProcessId: p.parentProcessId,
      ProcessId: p.processId,
      SessionId: 0,
    },
  );
}

/** SettingOverride (Get-SettingOverride), as HealthChecker's recorded output shows it. */
export function settingOverrideObject(org: Organisation, o: Organisation['settingOverrides'][number]): PSObject {
  const dn = `CN=${o.name},CN=Setting Overrides,CN=Global Settings,${configurationDn(org)}`;
  return new PSObject(
    deserialized([
      'Microsoft.Exchange.Data.Directory.SystemConfiguration.ConfigurationSettings.SettingOverride',
      'Microsoft.Exchange.Data.Directory.SystemConfiguration.ADConfigurationObject',
      'Microsoft.Exchange.Data.Directory.ADObject',
      'Microsoft.Exchange.Data.Directory.ADRawEntry',
      'Microsoft.Exchange.Data.ConfigurableObject',
      'System.Object',
    ]),
    {
      ComponentName: o.componentName,
      SectionName: o.sectionName,
      AppId: 'EXO',
      FlightName: null,
      ModifiedBy: o.modifiedBy,
      Reason: o.reason,
      MinVersion: null,
      MaxVersion: null,
      FixVersion: null,
      Server: o.server,
      IsFlight: false,
      Parameters: [...o.parameters],
      Status: new PSEnum(
        'Microsoft.Exchange.Data.Directory.SystemConfiguration.ConfigurationSettings.SettingOverrideStatus',
        3,
        'Accepted',
      ),
      Name: o.name,
      Identity: o.name,
      DistinguishedName: dn,
      WhenCreated: dt(o.whenCreated),
      WhenCreatedUTC: dtUtc(o.whenCreated),
      IsValid: true,
      OriginatingServer: domainController(org),
      ...remoting(org),
    },
  );
}

/** AuthServer (Get-AuthServer): the EvoSTS one carries the dedicated hybrid app's appId in ApplicationIdentifier. */
export function authServerObject(org: Organisation, a: Organisation['authServers'][number]): PSObject {
  return new PSObject(
    deserialized([
      'Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthServer',
      'Microsoft.Exchange.Data.Directory.SystemConfiguration.ADConfigurationObject',
      'Microsoft.Exchange.Data.Directory.ADObject',
      'Microsoft.Exchange.Data.Directory.ADRawEntry',
      'Microsoft.Exchange.Data.ConfigurableObject',
      'System.Object',
    ]),
    {
      IssuerIdentifier: a.issuerIdentifier,
      TokenIssuingEndpoint: a.tokenIssuingEndpoint,
      AuthorizationEndpoint: a.type === 'AzureAD' ? 'https://login.windows.net/common/oauth2/authorize' : null,
      ApplicationIdentifier: a.applicationIdentifier,
      AuthMetadataUrl: a.authMetadataUrl,
      Realm: a.realm,
      Type: new PSEnum(
        'Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthServerType',
        ['Unknown', 'MicrosoftACS', 'Facebook', 'LinkedIn', 'ADFS', 'AzureAD'].indexOf(a.type),
        a.type,
      ),
      Enabled: a.enabled,
      IsDefaultAuthorizationEndpoint: a.isDefaultAuthorizationEndpoint,
      DomainName: [...a.domainName],
      Name: a.name,
      Identity: a.name,
      DistinguishedName: `CN=${a.name},CN=Auth Servers,CN=Auth Configuration,${configurationDn(org)}`,
      IsValid: true,
      OriginatingServer: domainController(org),
      ...remoting(org),
    },
  );
}

/** The https certificates of the server's web sites; Setup binds its own certificate to both. */
export function iisBindings(s: Server): IisBindings {
  return s.iis ?? { defaultWebSite: s.internalTransportCertificate, backEnd: s.internalTransportCertificate };
}

export const WEB_SITES = [
  {
    name: 'Default Web Site',
    id: 1,
    http: '*:80:',
    https: '*:443:',
    key: 'defaultWebSite',
    path: '%SystemDrive%\\inetpub\\wwwroot',
  },
  {
    name: 'Exchange Back End',
    id: 2,
    http: '*:81:',
    https: '*:444:',
    key: 'backEnd',
    path: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy',
  },
] as const;

/**
 * A site as Get-Website (WebAdministration) returns it: `.bindings.Collection` holds one element per binding, the https
 * one with the certificate's thumbprint in `certificateHash` (what Microsoft's script reads to tell whether a
 * certificate serves the Default Web Site).
 */
export function websiteObject(server: Server, site: (typeof WEB_SITES)[number]): PSObject {
  const hash = iisBindings(server)[site.key];
  const binding = (protocol: string, bindingInformation: string, certificateHash: string) =>
    new PSObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement', 'System.Object'], {
      protocol,
      bindingInformation,
      sslFlags: 0,
      certificateHash,
      certificateStoreName: certificateHash ? 'My' : '',
      ItemXPath: `/system.applicationHost/sites/site[@name='${site.name}' and @id='${site.id}']`,
    });
  return new PSObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement#site', 'System.Object'], {
    name: site.name,
    id: site.id,
    serverAutoStart: true,
    state: 'Started',
    physicalPath: site.path,
    bindings: new PSObject(['Microsoft.IIs.PowerShell.Framework.ConfigurationElement', 'System.Object'], {
      Collection: [binding('http', site.http, ''), binding('https', site.https, hash ?? '')],
    }),
  });
}
