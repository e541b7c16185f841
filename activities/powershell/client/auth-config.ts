// AuthConfig: read it, stage the next certificate, publish it, clear the previous one.
import type { AbsoluteDate, AuthConfig, Thumbprint } from '../../../common/exchange';
import type { ExchangeClient } from '../exchange-client';
import { AUTH_CONFIG } from '../objects/auth-config';
import { PsAbsoluteDate } from '../render';
import type { ClientContext } from './context';
import { validThumbprint } from './certificates';

export function authConfigArea({
  shell,
}: ClientContext): Pick<
  ExchangeClient,
  'getAuthConfig' | 'stageNextCertificate' | 'publishCertificate' | 'clearPreviousCertificate'
> {
  return {
    getAuthConfig(): Promise<AuthConfig> {
      return shell.readOne('Get-AuthConfig', {}, AUTH_CONFIG);
    },

    async stageNextCertificate(thumbprint: Thumbprint, effectiveDate: AbsoluteDate, force: boolean) {
      await shell.run('Set-AuthConfig', {
        NewCertificateThumbprint: validThumbprint(thumbprint),
        NewCertificateEffectiveDate: new PsAbsoluteDate(effectiveDate.iso),
        Force: force || undefined,
      });
    },

    async publishCertificate() {
      await shell.run('Set-AuthConfig', { PublishCertificate: true, Force: true });
    },

    async clearPreviousCertificate() {
      await shell.run('Set-AuthConfig', { ClearPreviousCertificate: true, Force: true });
    },
  };
}
