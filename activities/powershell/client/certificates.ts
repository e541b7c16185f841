// Certificates on the servers: look one up, list them, create the Auth certificate, restore services, copy across
// sites, and the internal transport certificate that creating one may displace.
import { z } from 'zod';
import {
  AUTH_CERTIFICATE_FRIENDLY_NAME,
  AUTH_CERTIFICATE_KEY_SIZE,
  AUTH_CERTIFICATE_SUBJECT,
} from '../../../common/names';
import {
  CertificateLookup,
  ExchangeCertificate,
  Thumbprint,
  TransportCertificateLookup,
  thumbprintSchema,
} from '../../../common/exchange';
import { ParamsOf, SCRIPT_BLOCKS, renderCertificateCopy, renderPipeline } from '../catalogue';
import { CatalogueError, CertificateNotFoundError, ExchangeShellError, RemoteSessionBrokenError } from '../errors';
import type { ExchangeClient, NewAuthCertificateOptions } from '../exchange-client';
import { PsObjectType, exactlyOne, parseOneObject } from '../output';
import { PsAbsoluteDate } from '../render';
import { CERTIFICATE } from '../objects/certificate';
import { TRANSPORT_SERVICE } from '../objects/transport-service';
import { ClientContext, isEnvironmentError } from './context';

/** Names the export-and-import call in errors. */
const CERTIFICATE_COPY = 'Export-ExchangeCertificate | Import-ExchangeCertificate';

/** A thumbprint argument from the activity; a bad one is refused before any PowerShell runs. */
export function validThumbprint(thumbprint: string): Thumbprint {
  const parsed = thumbprintSchema.safeParse(thumbprint);
  if (!parsed.success)
    throw new CatalogueError(`thumbprint ${JSON.stringify(thumbprint)} must be 40 hexadecimal characters`);
  return parsed.data;
}

/**
 * What a failed Get-ExchangeCertificate -Server -Thumbprint means. The certificate is missing when Exchange says so:
 * by message in English, or, in any language, by CategoryInfo.Reason InvalidOperationException, which is what the
 * "not found" RPC error carries. Any other error means the server could not be asked; only a wrong environment (or the
 * shell itself failing) is thrown.
 */
export function certificateLookupFailure(error: unknown): CertificateLookup {
  if (error instanceof CertificateNotFoundError) return { status: 'missing' };
  if (isEnvironmentError(error) || !(error instanceof ExchangeShellError)) throw error;
  if (error.record === undefined || error instanceof RemoteSessionBrokenError) throw error;
  if (error.record.reason === 'InvalidOperationException') return { status: 'missing' };
  return { status: 'unreachable', error: `${error.name}: ${error.message}` };
}

/** What the self-signed certificate block returns: the new certificate's thumbprint. */
const MADE_THUMBPRINT: PsObjectType<Thumbprint> = {
  name: 'X509Certificate2',
  select: ['Thumbprint'],
  schema: z.looseObject({ Thumbprint: thumbprintSchema }).transform((o) => o.Thumbprint),
};

/**
 * Get-TransportService -Identity for a server it does not know: ManagementObjectNotFoundException ("couldn't be
 * found"). For a server Get-ExchangeServer listed, that means it has no transport role (Exchange 2013 Client Access).
 */
function isUnknownToTransport(error: unknown): boolean {
  return error instanceof ExchangeShellError && error.record?.reason === 'ManagementObjectNotFoundException';
}

export function certificatesArea({
  shell,
  readOn,
}: ClientContext): Pick<
  ExchangeClient,
  | 'getCertificate'
  | 'listCertificates'
  | 'newAuthCertificate'
  | 'enableCertificate'
  | 'copyCertificate'
  | 'getInternalTransportCertificate'
> {
  const getCertificates = (params: ParamsOf<'Get-ExchangeCertificate'>): Promise<ExchangeCertificate[]> =>
    shell.read('Get-ExchangeCertificate', params, CERTIFICATE);

  return {
    async getCertificate(server: string, thumbprint: Thumbprint): Promise<CertificateLookup> {
      const wanted = validThumbprint(thumbprint);
      try {
        const found = (await getCertificates({ Server: server, Thumbprint: wanted })).filter(
          (c) => c.thumbprint === wanted,
        );
        return found.length > 0 ? { status: 'present', certificate: found[0]! } : { status: 'missing' };
      } catch (error) {
        return certificateLookupFailure(error);
      }
    },

    listCertificates(server: string) {
      return getCertificates({ Server: server });
    },

    async newAuthCertificate(options: NewAuthCertificateOptions) {
      if (options.notAfter !== undefined) {
        const made = await readOn(
          options.server,
          SCRIPT_BLOCKS.newSelfSignedAuthCertificate,
          MADE_THUMBPRINT,
          new PsAbsoluteDate(options.notAfter),
        );
        const thumbprint = exactlyOne(made, 'New-SelfSignedCertificate');
        // Exchange's own view of it, from the server it was made on (its store is where Exchange looks).
        return exactlyOne(
          await getCertificates({ Server: options.server, Thumbprint: thumbprint }),
          'Get-ExchangeCertificate',
        );
      }
      return shell.readOne(
        'New-ExchangeCertificate',
        {
          KeySize: AUTH_CERTIFICATE_KEY_SIZE,
          PrivateKeyExportable: true,
          SubjectName: AUTH_CERTIFICATE_SUBJECT,
          FriendlyName: AUTH_CERTIFICATE_FRIENDLY_NAME,
          DomainName: [],
          Services: options.services,
          Server: options.server,
        },
        CERTIFICATE,
      );
    },

    async enableCertificate(server: string, thumbprint: Thumbprint, services: string[]) {
      await shell.run('Enable-ExchangeCertificate', {
        Thumbprint: validThumbprint(thumbprint),
        Server: server,
        Services: services.length === 0 ? ['None'] : services,
        Force: true,
      });
    },

    async copyCertificate(source: string, thumbprint: Thumbprint, target: string) {
      // The imported certificate as a whole: under broken serialization it is RawData alone, read as any other.
      const items = await shell.runPipeline(
        CERTIFICATE_COPY,
        renderPipeline(renderCertificateCopy(source, validThumbprint(thumbprint), target), CERTIFICATE.select),
      );
      return parseOneObject(CERTIFICATE, items, CERTIFICATE_COPY).thumbprint;
    },

    async getInternalTransportCertificate(server: string): Promise<TransportCertificateLookup> {
      try {
        const thumbprint = await shell.readOne('Get-TransportService', { Identity: server }, TRANSPORT_SERVICE);
        return { transportServer: true, thumbprint };
      } catch (error) {
        if (isUnknownToTransport(error)) return { transportServer: false };
        throw error;
      }
    },
  };
}
