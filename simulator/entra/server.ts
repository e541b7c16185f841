// The simulated Entra ID and Microsoft Graph on one local HTTPS listener. HTTPS because the Azure libraries require it
// (MSAL refuses an http authority); its certificate comes from a CA made at start, written to a PEM file the clients
// trust explicitly (the worker's GRAPH_CA_FILE), never by turning certificate checks off. Every request is one locked
// read-modify-write of the organisation's state file, so faults, keys and their times live where the demo reads them.
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { withOrganization } from '../exchange/organisation';
import { getApplications, graphError, GraphResponse, patchApplication } from './graph';
import { Entra, GraphFault } from './model';
import { checkAccessToken, issueToken, openIdConfiguration } from './token';
import { issueCertificate } from './x509';
import { at } from '../invariant';

export interface EntraEndpointOptions {
  stateFile: string;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Where the CA certificate (PEM) is written for clients to trust; default beside the state file. */
  caFile?: string;
}

export interface EntraEndpoint {
  /** https://host:port */
  url: string;
  /** The authority host for @azure/identity (the tenant is appended by the library). */
  authorityHost: string;
  /** Microsoft Graph's root here (Graph paths start with /v1.0). */
  graphEndpoint: string;
  caFile: string;
  close(): Promise<void>;
}

const DAY_MS = 24 * 3_600_000;
const DEFAULT_RETRY_AFTER_SECONDS = 2;

function takeFault(entra: Entra, applies: (f: GraphFault) => boolean): GraphFault | null {
  const i = entra.faults.findIndex(applies);
  if (i < 0) return null;
  const f = at(entra.faults, i, 'Graph fault');
  if (f.remaining !== undefined) {
    if (f.remaining <= 1) entra.faults.splice(i, 1);
    else entra.faults[i] = { ...f, remaining: f.remaining - 1 };
  }
  return f;
}

async function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0
    ? undefined
    : { id: decodeURIComponent(text.slice(0, i)), secret: decodeURIComponent(text.slice(i + 1)) };
}

async function handle(
  stateFile: string,
  base: string,
  method: string,
  url: URL,
  headers: import('node:http').IncomingHttpHeaders,
  body: string,
): Promise<GraphResponse> {
  const nowSec = Math.floor(Date.now() / 1000);
  const segments = url.pathname.split('/').filter(Boolean);
  return withOrganization(stateFile, (org, now) => {
    const entra = org.entra;
    // Entra ID: /{tenant}/v2.0/.well-known/openid-configuration and /{tenant}/oauth2/v2.0/token
    if (segments[0] !== 'v1.0') {
      const tenant = segments[0] ?? '';
      const rest = segments.slice(1).join('/');
      if (entra && takeFault(entra, (f) => f.kind === 'outage')) {
        return {
          status: 503,
          body: {
            error: 'temporarily_unavailable',
            error_description: 'AADSTS90033: A transient error has occurred. Please try again.',
          },
        };
      }
      if (method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') {
        if (!entra || entra.tenantId !== tenant)
          return {
            status: 400,
            body: { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` },
          };
        return { status: 200, body: openIdConfiguration(base, tenant) };
      }
      if (method === 'POST' && rest === 'oauth2/v2.0/token') {
        const result = issueToken(entra, {
          tenant,
          form: new URLSearchParams(body),
          basic: basicCredentials(headers.authorization),
          tokenEndpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          nowSec,
        });
        return { status: result.status, body: result.body };
      }
      return {
        status: 404,
        body: { error: 'not_found', error_description: `no such endpoint ${method} ${url.pathname}` },
      };
    }
    // Microsoft Graph v1.0
    if (entra) {
      const fault = takeFault(entra, () => true);
      if (fault?.kind === 'outage')
        return graphError(503, 'ServiceNotAvailable', 'Service is temporarily unavailable. Please try again.', {
          'Retry-After': '1',
        });
      if (fault?.kind === 'throttle') {
        const seconds = String(fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
        return graphError(429, 'TooManyRequests', 'Too many requests. Please retry after the time in Retry-After.', {
          'Retry-After': seconds,
        });
      }
    }
    const auth = headers.authorization;
    if (!auth?.startsWith('Bearer ')) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    if (!entra)
      return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid issuer.');
    const token = checkAccessToken(entra, auth.slice(7), base, nowSec);
    if (typeof token === 'string') return graphError(401, 'InvalidAuthenticationToken', token);
    if (segments[1] !== 'applications' || segments.length > 3) {
      return graphError(400, 'BadRequest', `Resource not found for the segment '${segments[1] ?? ''}'.`);
    }
    const id = segments[2] ?? null;
    if (method === 'GET') return getApplications(entra, token, base, id, url.searchParams);
    if (method === 'PATCH' && id !== null) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return graphError(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
      }
      return patchApplication(entra, token, id, parsed, now);
    }
    return graphError(405, 'Request_BadRequest', `The method ${method} is not supported here.`);
  });
}

/** Starts the endpoint; the CA is made for this start (a restart makes a new one and rewrites the file). */
export async function startEntraEndpoint(options: EntraEndpointOptions): Promise<EntraEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const now = Date.now();
  const ca = issueCertificate({
    commonName: 'Simulated Entra ID CA',
    notBefore: now - DAY_MS,
    notAfter: now + 365 * DAY_MS,
    ca: true,
  });
  const leaf = issueCertificate({
    commonName: host,
    notBefore: now - DAY_MS,
    notAfter: now + 365 * DAY_MS,
    issuer: ca,
    altNames: [...new Set([host, '127.0.0.1', 'localhost'])],
  });
  const caFile = options.caFile ?? path.join(path.dirname(path.resolve(options.stateFile)), 'entra-ca.pem');
  fs.writeFileSync(caFile, ca.pem, { mode: 0o644 });
  let base = '';
  const server = https.createServer({ cert: leaf.pem, key: leaf.privateKeyPem }, (req, res) => {
    void (async () => {
      let response: GraphResponse;
      try {
        const body = await readBody(req);
        response = await handle(
          options.stateFile,
          base,
          req.method ?? 'GET',
          new URL(req.url ?? '/', base),
          req.headers,
          body,
        );
      } catch (error) {
        response = graphError(500, 'InternalServerError', `simulated endpoint failure: ${(error as Error).message}`);
      }
      const text = response.body === undefined ? '' : JSON.stringify(response.body);
      res.writeHead(response.status, {
        ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
        ...response.headers,
      });
      res.end(text);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `https://${host}:${port}`;
  return {
    url: base,
    authorityHost: base,
    graphEndpoint: base,
    caFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
