// Certificates on a server: Get-, New-, Enable-, Export- and Import-ExchangeCertificate.
import { CmdletSpec, PSError, PSObject, PSValue } from '../../shell/types';
import { Question } from '../../shell/prompt';
import {
  AUTH_CERT_FRIENDLY_NAME,
  DEFAULT_CERT_FRIENDLY_NAME,
  exportPfx,
  importPfx,
  makeCertificate,
  PfxError,
} from '../certificates';
import { exchangeError, invalidArgument, invalidOperation } from '../errors';
import { Certificate, findCertificate, Server, ServiceName } from '../model';
import { certificateObject, iisBindings } from '../objects';
import { bool, bytes, common, parseServices, secret, SERVICES_PARAM, str, strings } from './args';
import { Runner } from './run';
import { reachableServer, requireCertificate, thumbprintAndServer } from './targets';

function overwriteDefaultSmtp(server: Server, replacement: Certificate): Question {
  const current = server.internalTransportCertificate && findCertificate(server, server.internalTransportCertificate);
  const describe = (c: Certificate) => `'${c.thumbprint}' (expires ${new Date(c.notAfter).toISOString()})`;
  return {
    id: 'overwrite-default-smtp',
    caption: 'Confirm',
    message:
      'Overwrite the existing default SMTP certificate?\n\n' +
      `Current certificate: ${current ? describe(current) : "''"}\n` +
      `Replace it with certificate: ${describe(replacement)}`,
  };
}

/**
 * Enabling a certificate for IIS binds it to the Default Web Site's https binding (the front end clients reach); the
 * Exchange Back End keeps its own. Its IIS flag stays on a certificate that loses the binding: services are never
 * taken away.
 */
function bindToDefaultWebSite(server: Server, cert: Certificate): void {
  server.iis = { ...iisBindings(server), defaultWebSite: cert.thumbprint };
}

export function exchangeCertificateCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
      name: 'Get-ExchangeCertificate',
      params: [
        { name: 'Thumbprint', type: 'String', position: 0 },
        { name: 'Identity', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'DomainName', type: 'String[]' },
        { name: 'Instance', type: 'Object' },
        ...common('DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const { server, thumbprint } = thumbprintAndServer(org, 'Get-ExchangeCertificate', args, ctx);
          if (thumbprint !== undefined) {
            return [
              certificateObject(org, server, requireCertificate('Get-ExchangeCertificate', server, thumbprint), now),
            ];
          }
          const domains = strings(args.DomainName).map((d) => d.toLowerCase());
          return server.certificates
            .filter((c) => !domains.length || c.domains.some((d) => domains.includes(d.toLowerCase())))
            .map((c) => certificateObject(org, server, c, now));
        }),
    },
    {
      name: 'New-ExchangeCertificate',
      params: [
        { name: 'BinaryEncoded', type: 'SwitchParameter' },
        { name: 'DomainName', type: 'String[]' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'FriendlyName', type: 'String' },
        { name: 'GenerateRequest', type: 'SwitchParameter' },
        { name: 'IncludeAcceptedDomains', type: 'SwitchParameter' },
        { name: 'IncludeAutoDiscover', type: 'SwitchParameter' },
        { name: 'IncludeServerFQDN', type: 'SwitchParameter' },
        { name: 'IncludeServerNetBIOSName', type: 'SwitchParameter' },
        { name: 'Instance', type: 'Object' },
        { name: 'KeySize', type: 'Int32' },
        { name: 'PrivateKeyExportable', type: 'Boolean' },
        { name: 'RequestFile', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'Services', type: SERVICES_PARAM },
        { name: 'SubjectKeyIdentifier', type: 'String' },
        { name: 'SubjectName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now, confirm) => {
          const cmd = 'New-ExchangeCertificate';
          const server = reachableServer(org, cmd, args, ctx);
          if (bool(args.GenerateRequest)) {
            throw invalidOperation(
              cmd,
              server.name,
              'The simulated organisation has no certification authority: -GenerateRequest is not supported.',
            );
          }
          const keySize = args.KeySize === undefined ? 2048 : Number(args.KeySize);
          if (![1024, 2048, 4096].includes(keySize)) {
            throw invalidArgument(
              cmd,
              server.name,
              `The key size ${keySize} isn't valid. Valid key sizes are 1024, 2048 and 4096.`,
              String(keySize),
            );
          }
          const services = parseServices(args.Services) ?? ['IMAP', 'POP', 'SMTP'];
          const domains = strings(args.DomainName);
          if (bool(args.IncludeServerFQDN)) domains.push(server.fqdn);
          if (bool(args.IncludeServerNetBIOSName)) domains.push(server.name);
          const subject = str(args.SubjectName) ?? `CN=${domains[0] ?? server.name}`;
          const cert = makeCertificate({
            subject,
            friendlyName:
              str(args.FriendlyName) ??
              (subject.toLowerCase().includes('auth certificate')
                ? AUTH_CERT_FRIENDLY_NAME
                : DEFAULT_CERT_FRIENDLY_NAME),
            notBefore: now,
            services,
            privateKeyExportable: bool(args.PrivateKeyExportable),
            keySize,
            domains,
            installedAt: now,
            installedBy: 'new',
          });
          if (bool(args.WhatIf)) return [];
          // "Overwrite the existing default SMTP certificate?" -Force answers yes; no keeps the default.
          const replacesTransport =
            services.includes('SMTP') &&
            server.internalTransportCertificate !== cert.thumbprint &&
            (bool(args.Force) || confirm(overwriteDefaultSmtp(server, cert)));
          server.certificates.push(cert);
          if (replacesTransport) server.internalTransportCertificate = cert.thumbprint;
          if (services.includes('IIS')) bindToDefaultWebSite(server, cert);
          return [certificateObject(org, server, cert, now)];
        }),
    },
    {
      name: 'Enable-ExchangeCertificate',
      params: [
        { name: 'Thumbprint', type: 'String', position: 0 },
        { name: 'Identity', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'Services', type: SERVICES_PARAM, mandatory: true },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'DoNotRequireSsl', type: 'SwitchParameter' },
        { name: 'NetworkServiceAllowed', type: 'SwitchParameter' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now, confirm) => {
          const cmd = 'Enable-ExchangeCertificate';
          const { server, thumbprint } = thumbprintAndServer(org, cmd, args, ctx);
          if (!thumbprint) {
            throw new PSError(
              'Cannot process command because of one or more missing mandatory parameters: Thumbprint.',
              {
                category: 'InvalidArgument',
                reason: 'ParameterBindingException',
                exceptionType: 'System.Management.Automation.ParameterBindingException',
                errorId: 'MissingMandatoryParameter',
              },
            );
          }
          const cert = requireCertificate(cmd, server, thumbprint);
          if (cert.notAfter <= now) {
            throw invalidOperation(
              cmd,
              server.name,
              `The certificate with thumbprint ${thumbprint} has expired and can't be enabled.`,
              thumbprint,
            );
          }
          const services = parseServices(args.Services) ?? [];
          if (bool(args.WhatIf)) return [];
          const replacesTransport =
            services.includes('SMTP') &&
            server.internalTransportCertificate !== cert.thumbprint &&
            (bool(args.Force) || confirm(overwriteDefaultSmtp(server, cert)));
          for (const sv of services) if (!cert.services.includes(sv)) cert.services.push(sv);
          if (replacesTransport) server.internalTransportCertificate = cert.thumbprint;
          if (services.includes('IIS')) bindToDefaultWebSite(server, cert);
          return [];
        }),
    },
    {
      name: 'Export-ExchangeCertificate',
      params: [
        { name: 'Thumbprint', type: 'String', position: 0 },
        { name: 'Identity', type: 'String' },
        { name: 'Server', type: 'String' },
        { name: 'BinaryEncoded', type: 'SwitchParameter' },
        { name: 'Password', type: 'SecureString' },
        { name: 'FileName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org) => {
          const cmd = 'Export-ExchangeCertificate';
          const { server, thumbprint } = thumbprintAndServer(org, cmd, args, ctx);
          if (!thumbprint) throw invalidArgument(cmd, server.name, 'Specify -Thumbprint or -Identity.');
          const cert = requireCertificate(cmd, server, thumbprint);
          if (!cert.privateKeyExportable) {
            throw invalidOperation(
              cmd,
              server.name,
              `The private key for the certificate with thumbprint ${thumbprint} isn't exportable. Specify a certificate with an exportable private key.`,
              thumbprint,
            );
          }
          const pfx = exportPfx(cert, secret(args.Password) ?? '');
          const fileData: PSValue = bool(args.BinaryEncoded) ? pfx : Buffer.from(pfx).toString('base64');
          return [
            new PSObject(['Deserialized.Microsoft.Exchange.Data.BinaryFileDataObject', 'Deserialized.System.Object'], {
              FileData: fileData,
              Identity: null,
              IsValid: true,
              PSComputerName: server.fqdn,
            }),
          ];
        }),
    },
    {
      name: 'Import-ExchangeCertificate',
      params: [
        { name: 'FileData', type: 'Byte[]' },
        { name: 'FileName', type: 'String' },
        { name: 'Instance', type: 'Object' },
        { name: 'Password', type: 'SecureString' },
        { name: 'PrivateKeyExportable', type: 'Boolean' },
        { name: 'Server', type: 'String' },
        { name: 'FriendlyName', type: 'String' },
        ...common('Confirm', 'WhatIf', 'DomainController'),
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const cmd = 'Import-ExchangeCertificate';
          const server = reachableServer(org, cmd, args, ctx);
          const data = bytes(args.FileData);
          if (!data) {
            if (args.FileName !== undefined) {
              throw invalidArgument(
                cmd,
                server.name,
                'The simulated servers have no file system: pass the certificate as -FileData.',
              );
            }
            throw new PSError('Cannot process command because of one or more missing mandatory parameters: FileData.', {
              category: 'InvalidArgument',
              reason: 'ParameterBindingException',
              exceptionType: 'System.Management.Automation.ParameterBindingException',
              errorId:
                'MissingMandatoryParameter,Microsoft.Exchange.Management.SystemConfigurationTasks.ImportExchangeCertificate',
            });
          }
          let payload: ReturnType<typeof importPfx>;
          try {
            payload = importPfx(data, secret(args.Password) ?? '');
          } catch (e) {
            if (!(e instanceof PfxError)) throw e;
            throw exchangeError(cmd, server.name, `Cannot import certificate. ${e.message}`, {
              category: 'NotSpecified',
              reason: 'CryptographicException',
              exceptionType: 'System.Security.Cryptography.CryptographicException',
            });
          }
          if (findCertificate(server, payload.thumbprint)) {
            throw invalidOperation(
              cmd,
              server.name,
              `Cannot import certificate. A certificate with the thumbprint ${payload.thumbprint} already exists.`,
              payload.thumbprint,
            );
          }
          if (bool(args.WhatIf)) return [];
          const cert = {
            ...payload,
            friendlyName: str(args.FriendlyName) ?? payload.friendlyName,
            services: [] as ServiceName[],
            privateKeyExportable: bool(args.PrivateKeyExportable),
            installedAt: now,
            installedBy: 'import' as const,
          };
          server.certificates.push(cert);
          return [certificateObject(org, server, cert, now)];
        }),
    },
  ];
}
