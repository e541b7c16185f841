// The contract between the activities and Microsoft Graph: what the rotation reads and writes of the dedicated Exchange
// hybrid application. The implementation (client.ts) runs over @azure/identity and Microsoft's Graph client; the
// activities depend only on this, and tests drive it against the simulated Graph endpoint.
import type { HybridApplication, KeyCredentialInput } from './schemas';

export interface GraphClient {
  /** The application whose appId (client id) Exchange's EvoSTS auth server names; HybridAppNotFoundError if none. */
  getApplicationByAppId(appId: string): Promise<HybridApplication>;
  /**
   * Replaces the application's keyCredentials with `keyCredentials` (Graph replaces the collection as a whole: an
   * existing credential is kept by sending its keyId without a key).
   */
  replaceKeyCredentials(objectId: string, keyCredentials: KeyCredentialInput[]): Promise<void>;
}

/** What this worker may do through Graph: nothing configured, read the keys, or also change them. */
export type GraphAccess = 'none' | 'read' | 'write';
