// Sign-in: does OAuth work against a server's EWS?
import type { ExchangeClient } from '../exchange-client';
import { OAUTH_TEST_RESULT, oauthSucceeded } from '../objects/oauth-connectivity';
import type { ClientContext } from './context';

export function signInArea({ shell }: ClientContext): Pick<ExchangeClient, 'testOAuthConnectivity'> {
  return {
    async testOAuthConnectivity(server: string, mailbox: string) {
      const results = await shell.read(
        'Test-OAuthConnectivity',
        { Service: 'EWS', TargetUri: `https://${server}/ews/exchange.asmx`, Mailbox: mailbox },
        OAUTH_TEST_RESULT,
      );
      return oauthSucceeded(results);
    },
  };
}
