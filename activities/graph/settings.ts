// How the worker reaches Microsoft Graph, built from its environment by worker/config.ts (GRAPH_*). The secret is held
// in a Secret, which prints as "[secret]" however it is logged or serialised, and is handed only to @azure/identity.
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The value itself, for the credential only. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com';

export interface GraphSettings {
  tenantId: string;
  /** The worker's own app registration (not the hybrid application). */
  clientId: string;
  credential: { kind: 'secret'; secret: Secret } | { kind: 'certificate'; certificatePath: string };
  /** read: look at the hybrid application's keys; write: also add and remove them. */
  access: 'read' | 'write';
  /** Entra ID's authority host (a national cloud's, or the simulated endpoint's). */
  authorityHost: string;
  /** Microsoft Graph's root, without the version. */
  endpoint: string;
  /**
   * A CA certificate (PEM) trusted in addition to the system's for these two endpoints only (the simulated endpoint's
   * own CA, or a TLS-inspecting proxy's); certificate checks stay on.
   */
  caFile?: string;
}
