// AuthConfig: read it, stage the next certificate, publish it, clear the previous one.
import type { AuthConfig, EffectiveDate, Thumbprint } from '../../../common/exchange';
import type { ExchangeClient } from '../exchange-client';
import { AUTH_CONFIG } from '../objects/auth-config';
import { PS_NOW, PsAbsoluteDate, PsRelativeDate } from '../render';
import type { ClientContext } from './context';
import { validThumbprint } from './certificates';

function effectiveDateLiteral(date: EffectiveDate) {
  switch (date.kind) {
    case 'relative':
      return new PsRelativeDate(date.hours);
    case 'absolute':
      return new PsAbsoluteDate(date.iso);
    case 'now':
      return PS_NOW;
  }
}

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

    async stageNextCertificate(thumbprint: Thumbprint, effectiveDate: EffectiveDate, force: boolean) {
      await shell.run('Set-AuthConfig', {
        NewCertificateThumbprint: validThumbprint(thumbprint),
        NewCertificateEffectiveDate: effectiveDateLiteral(effectiveDate),
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
