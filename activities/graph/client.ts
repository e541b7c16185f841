// GraphClient over the real libraries: @azure/identity's ClientSecretCredential or ClientCertificateCredential for the
// token, Microsoft's Graph client (@microsoft/microsoft-graph-client) for the requests. Neither library retries here:
// a transient failure is thrown as a named error and Temporal retries the activity (Graph's Retry-After becomes the
// next attempt's delay), so no activity sleeps inside a library. Requests go through node:https, so a private CA
// (GRAPH_CA_FILE) is trusted for these endpoints alone, without touching the process's other connections.
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as tls from 'node:tls';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  CredentialUnavailableError,
  type TokenCredential,
} from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  AuthenticationHandler,
  Client,
  GraphError,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { z } from 'zod';
import {
  GraphAuthenticationError,
  GraphOutputSchemaError,
  GraphPermissionError,
  GraphRequestRejectedError,
  GraphThrottledError,
  GraphUnavailableError,
  HybridAppNotFoundError,
} from './errors';
import type { GraphClient } from './port';
import { applicationListSchema, type HybridApplication, type KeyCredentialInput } from './schemas';
import type { GraphSettings } from './settings';

const REQUEST_TIMEOUT_MS = 30_000;

/** The permissions, least first, in the words a person needs to grant them. */
export const READ_PERMISSION =
  'Application.ReadWrite.OwnedBy with the worker as an owner of the hybrid application, or Application.Read.All';
export const WRITE_PERMISSION =
  'Application.ReadWrite.OwnedBy with the worker as an owner of the hybrid application, or Application.ReadWrite.All';

type TlsSettings = { ca: string[] } | undefined;

/** The last middleware: the request over node:https with the configured trust, the answer as a fetch Response. */
class NodeHttpsHandler implements Middleware {
  constructor(private readonly tlsSettings: TlsSettings) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach(
      (value, name) => (headers[name] = value),
    );
    const body = typeof options.body === 'string' ? options.body : undefined;
    context.response = await new Promise<Response>((resolve, reject) => {
      const req = https.request(
        url,
        { method: options.method ?? 'GET', headers, timeout: REQUEST_TIMEOUT_MS, ...this.tlsSettings },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks);
            resolve(
              new Response(status === 204 || text.length === 0 ? null : text, { status, headers: responseHeaders }),
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

/** Sets the trust on every token request of @azure/identity's pipeline (one object: the pipeline caches by it). */
function trustPolicy(tlsSettings: NonNullable<TlsSettings>): PipelinePolicy {
  return {
    name: 'graphTrustedCa',
    sendRequest: (request, next) => {
      request.tlsSettings = tlsSettings;
      return next(request);
    },
  };
}

export function createCredential(settings: GraphSettings, tlsSettings: TlsSettings): TokenCredential {
  const options = {
    authorityHost: settings.authorityHost,
    // The simulated (or a private) authority is not in Microsoft's instance-discovery list; its own metadata is used.
    disableInstanceDiscovery: new URL(settings.authorityHost).hostname !== 'login.microsoftonline.com',
    retryOptions: { maxRetries: 0 },
    ...(tlsSettings
      ? { additionalPolicies: [{ policy: trustPolicy(tlsSettings), position: 'perCall' as const }] }
      : {}),
  };
  const c = settings.credential;
  return c.kind === 'secret'
    ? new ClientSecretCredential(settings.tenantId, settings.clientId, c.secret.reveal(), options)
    : new ClientCertificateCredential(
        settings.tenantId,
        settings.clientId,
        { certificatePath: c.certificatePath },
        options,
      );
}

function retryAfterMs(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/** Entra's answers that mean "these credentials, this tenant or this scope will not do": retrying cannot help. */
const REFUSED =
  /\b(invalid_client|unauthorized_client|invalid_tenant|invalid_scope|invalid_request|invalid_grant|unsupported_grant_type)\b/;
/** AADSTS errors that are Entra's own transient trouble. */
const ENTRA_TRANSIENT = /AADSTS(90033|50196|900561)\b/;
/** A client certificate file that cannot be used. */
const BAD_CERTIFICATE_FILE = /ENOENT|EACCES|PEM|private key|certificate/i;

/** A failure to get a token, named: `authorityHost` is where the worker asked. */
export function classifyTokenFailure(error: unknown, what: string, authorityHost: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  // MSAL's description follows "Description:"; the first line is all a person needs.
  const description = (/Description: (.*?)(?: - Correlation ID|$)/.exec(message)?.[1] ?? message).split('\n')[0];
  if (REFUSED.test(message) && !ENTRA_TRANSIENT.test(message)) {
    return new GraphAuthenticationError(`${what}: Entra ID refused the worker's credentials: ${description}`, {
      cause: error,
    });
  }
  if (
    error instanceof CredentialUnavailableError &&
    BAD_CERTIFICATE_FILE.test(message) &&
    !/endpoints_resolution/.test(message)
  ) {
    return new GraphAuthenticationError(`${what}: the worker's client certificate cannot be used: ${description}`, {
      cause: error,
    });
  }
  const hint = /endpoints_resolution_error/.test(message)
    ? ` (the authority's metadata at ${authorityHost} could not be fetched: the network, the TLS trust of that ` +
      'endpoint (GRAPH_CA_FILE for a private CA), or a wrong GRAPH_AUTHORITY_HOST)'
    : '';
  return new GraphUnavailableError(`${what}: no token from Entra ID: ${description}${hint}`, { cause: error });
}

/** Any failure of a Graph call as one of the named errors; `what` says what was asked, `permission` what it needs. */
export function classifyGraphFailure(error: unknown, what: string, permission: string): Error {
  if (error instanceof GraphError) {
    const status = error.statusCode;
    const said = `${status}${error.code ? ` ${error.code}` : ''}: ${error.message}`;
    if (status === 429) {
      return new GraphThrottledError(`${what}: Graph is throttling (${said})`, retryAfterMs(error.headers), {
        cause: error,
      });
    }
    if (status === 401)
      return new GraphAuthenticationError(`${what}: Graph refused the token (${said})`, { cause: error });
    if (status === 403) {
      return new GraphPermissionError(
        `${what}: the worker lacks the permission (${said}); it needs ${permission}`,
        permission,
        { cause: error },
      );
    }
    if (status === 404)
      return new HybridAppNotFoundError(`${what}: Graph has no such application (${said})`, { cause: error });
    if (status >= 400 && status < 500 && status !== 408) {
      return new GraphRequestRejectedError(`${what}: Graph refused the request (${said})`, { cause: error });
    }
    // 5xx, 408, and -1 (the request never got an answer)
    return new GraphUnavailableError(`${what}: Graph did not answer (${said})`, { cause: error });
  }
  return new GraphUnavailableError(`${what}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new GraphOutputSchemaError(`${what}: unexpected answer from Graph: ${z.prettifyError(r.error)}`, {
      cause: r.error,
    });
  return r.data;
}

export interface GraphClientDeps {
  /** A ready credential (tests of the credential itself); otherwise made from the settings. */
  credential?: TokenCredential;
}

export function createGraphClient(settings: GraphSettings, deps: GraphClientDeps = {}): GraphClient {
  const endpoint = settings.endpoint.replace(/\/+$/, '');
  const tlsSettings: TlsSettings = settings.caFile
    ? { ca: [...tls.rootCertificates, fs.readFileSync(settings.caFile, 'utf8')] }
    : undefined;
  const credential = deps.credential ?? createCredential(settings, tlsSettings);
  const graphUrl = new URL(endpoint);
  const scope = `${graphUrl.origin}/.default`;
  const provider = new TokenCredentialAuthenticationProvider(credential, { scopes: [scope] });
  // The token first, on its own: the Graph client would fold a credential's failure into a status-less GraphError,
  // losing what Entra said. The Graph client's own request then finds the token in the credential's cache.
  const token = async (what: string) => {
    try {
      await credential.getToken(scope);
    } catch (error) {
      throw classifyTokenFailure(error, what, settings.authorityHost);
    }
  };
  const client = Client.initWithMiddleware({
    middleware: [new AuthenticationHandler(provider), new NodeHttpsHandler(tlsSettings)],
    baseUrl: endpoint,
    defaultVersion: 'v1.0',
    // The Graph client attaches the token only to Graph's own hosts and these.
    customHosts: new Set([graphUrl.hostname]),
  });

  return {
    async getApplicationByAppId(appId: string): Promise<HybridApplication> {
      const what = `reading the hybrid application ${appId}`;
      let answer: unknown;
      await token(what);
      try {
        answer = await client
          .api('/applications')
          .filter(`appId eq '${z.guid().parse(appId)}'`)
          .select(['id', 'appId', 'displayName', 'keyCredentials'])
          .get();
      } catch (error) {
        throw classifyGraphFailure(error, what, READ_PERMISSION);
      }
      const list = parse(applicationListSchema, answer, what).value;
      if (list.length === 0) {
        throw new HybridAppNotFoundError(
          `${what}: Graph lists no application with that appId for client ${settings.clientId} (with ` +
            'Application.ReadWrite.OwnedBy, the worker must be an owner of the application)',
        );
      }
      return list[0] as (typeof list)[number];
    },

    async replaceKeyCredentials(objectId: string, keyCredentials: KeyCredentialInput[]): Promise<void> {
      const what = `updating the keys of application ${objectId}`;
      await token(what);
      try {
        await client.api(`/applications/${z.guid().parse(objectId)}`).patch({ keyCredentials });
      } catch (error) {
        throw classifyGraphFailure(error, what, WRITE_PERMISSION);
      }
    },
  };
}
