// The PKI module's New-SelfSignedCertificate, in the LocalMachine\My store of the machine it runs on (Invoke-Command):
// how a certificate with a lifetime other than New-ExchangeCertificate's five years is made.
import { CmdletSpec, PSDateTime, PSError, PSObject } from '../../shell/types';
import { makeCertificate, YEAR_MS } from '../certificates';
import { dateMs, str, strings } from './args';
import { Runner } from './run';
import { localMachine } from './targets';

const MACHINE_STORE = /^cert:\\localmachine\\my\\?$/i;

export function pkiCmdlets(run: Runner): CmdletSpec[] {
  return [
    {
      name: 'New-SelfSignedCertificate',
      params: [
        { name: 'Subject', type: 'String' },
        { name: 'DnsName', type: 'String[]' },
        { name: 'FriendlyName', type: 'String' },
        { name: 'KeyAlgorithm', type: 'String' },
        { name: 'KeyLength', type: 'Int32' },
        {
          name: 'KeyExportPolicy',
          type: { enum: 'KeyExportPolicy', values: ['NonExportable', 'ExportableEncrypted', 'Exportable'] },
        },
        { name: 'KeySpec', type: { enum: 'KeySpec', values: ['None', 'KeyExchange', 'Signature'] } },
        { name: 'Provider', type: 'String' },
        { name: 'HashAlgorithm', type: 'String' },
        {
          name: 'KeyUsage',
          type: {
            enum: 'KeyUsage',
            values: ['None', 'DigitalSignature', 'KeyEncipherment', 'DataEncipherment', 'KeyAgreement', 'CertSign'],
            flags: true,
          },
        },
        { name: 'CertStoreLocation', type: 'String' },
        { name: 'NotAfter', type: 'DateTime' },
        { name: 'NotBefore', type: 'DateTime' },
      ],
      invoke: (args, ctx) =>
        run((org, now) => {
          const server = localMachine(org, ctx);
          const store = str(args.CertStoreLocation) ?? 'Cert:\\CurrentUser\\My';
          if (!MACHINE_STORE.test(store)) {
            // Exchange looks in the machine's store only; anything else is a certificate Exchange never sees.
            throw new PSError(
              `The simulated server keeps certificates in Cert:\\LocalMachine\\My only, not ${store}.`,
              {
                category: 'InvalidArgument',
                reason: 'ArgumentException',
                exceptionType: 'System.ArgumentException',
                errorId:
                  'System.ArgumentException,Microsoft.CertificateServices.Commands.NewSelfSignedCertificateCommand',
              },
            );
          }
          const subject = str(args.Subject) ?? `CN=${strings(args.DnsName)[0] ?? server.name}`;
          const notBefore = dateMs(args.NotBefore) ?? now;
          const notAfter = dateMs(args.NotAfter) ?? notBefore + YEAR_MS;
          const cert = makeCertificate({
            subject,
            friendlyName: str(args.FriendlyName) ?? '',
            notBefore,
            lifetimeYears: (notAfter - notBefore) / YEAR_MS,
            services: [],
            privateKeyExportable: /^Exportable/i.test(str(args.KeyExportPolicy) ?? ''),
            keySize: args.KeyLength === undefined ? 2048 : Number(args.KeyLength),
            domains: strings(args.DnsName),
            installedAt: now,
            installedBy: 'new',
          });
          server.certificates.push(cert);
          return [
            new PSObject(['System.Security.Cryptography.X509Certificates.X509Certificate2', 'System.Object'], {
              Thumbprint: cert.thumbprint,
              Subject: cert.subject,
              FriendlyName: cert.friendlyName,
              NotBefore: new PSDateTime(cert.notBefore, 'Local'),
              NotAfter: new PSDateTime(cert.notAfter, 'Local'),
            }),
          ];
        }),
    },
  ];
}
