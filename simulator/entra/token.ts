// The tenant's OAuth 2.0 endpoints for confidential clients: OpenID discovery and the client-credentials grant with a
// client secret or a certificate-signed client assertion (RFC 7523), checked as Entra checks them. Access tokens are
// JWTs signed with the tenant's HMAC key, so the simulated Graph can check them without a network.
import { createHash, createHmac, timingSafeEqual, verify, X509Certificate } from 'node:crypto';
import { Entra, ServiceClient } from './model';
import { secretHash } from './tenant';

export interface OAuthError {
  status: number;
  body: { error: string; error_description: string; error_codes: number[]; timestamp: string; trace_id: string };
}

function oauthError(status: number, error: string, code: number, description: string): OAuthError {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: createHash('sha1').update(`${Date.now()}|${Math.random()}`).digest('hex').slice(0, 32),
    },
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const fromB64url = (s: string) => Buffer.from(s, 'base64url');

function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown>; signed: string; signature: Buffer } | null {
  const [header, payload, signature, ...extra] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || extra.length > 0) return null;
  try {
    return {
      header: JSON.parse(fromB64url(header).toString('utf8')) as Record<string, unknown>,
      payload: JSON.parse(fromB64url(payload).toString('utf8')) as Record<string, unknown>,
      signed: `${header}.${payload}`,
      signature: fromB64url(signature),
    };
  } catch {
    return null;
  }
}

export function openIdConfiguration(base: string, tenantId: string): Record<string, unknown> {
  const root = `${base}/${tenantId}`;
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    issuer: `${root}/v2.0`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    tenant_region_scope: 'EU',
  };
}

/** The certificate an assertion names by x5t (SHA-1) or x5t#S256, among the client's registered ones. */
function assertionCertificate(client: ServiceClient, header: Record<string, unknown>): X509Certificate | null {
  for (const der of client.certificates) {
    const bytes = Buffer.from(der, 'base64');
    if (header['x5t#S256'] === b64url(createHash('sha256').update(bytes).digest())) return new X509Certificate(bytes);
    if (header.x5t === b64url(createHash('sha1').update(bytes).digest())) return new X509Certificate(bytes);
  }
  return null;
}

const ALGORITHMS: Record<string, { hash: string; pss: boolean }> = {
  RS256: { hash: 'sha256', pss: false },
  PS256: { hash: 'sha256', pss: true },
};

function checkAssertion(
  client: ServiceClient,
  assertion: string,
  tokenEndpoint: string,
  nowSec: number,
): OAuthError | null {
  const jwt = decodeJwt(assertion);
  if (!jwt) return oauthError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  const certificate = assertionCertificate(client, jwt.header);
  if (!certificate) {
    return oauthError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. The key was not found. (Key ID: ${String(jwt.header.x5t ?? jwt.header['x5t#S256'] ?? jwt.header.kid)}, application ${client.appId})`,
    );
  }
  const alg = ALGORITHMS[String(jwt.header.alg)];
  const signatureOk =
    alg !== undefined &&
    verify(
      alg.hash,
      Buffer.from(jwt.signed),
      alg.pss
        ? { key: certificate.publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }
        : certificate.publicKey,
      jwt.signature,
    );
  if (!signatureOk) return oauthError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  const p = jwt.payload;
  if (p.iss !== client.appId || p.sub !== client.appId) {
    return oauthError(
      401,
      'invalid_client',
      700021,
      'Client assertion application identifier does not match the client_id.',
    );
  }
  if (p.aud !== tokenEndpoint) {
    return oauthError(
      401,
      'invalid_client',
      700212,
      `No matching federated identity record found for presented assertion audience '${String(p.aud)}'.`,
    );
  }
  const skew = 300;
  if (typeof p.exp !== 'number' || p.exp + skew < nowSec || (typeof p.nbf === 'number' && p.nbf - skew > nowSec)) {
    return oauthError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
  }
  if (new Date(certificate.validTo).getTime() / 1000 < nowSec) {
    return oauthError(
      401,
      'invalid_client',
      700027,
      'Client assertion contains an invalid signature. [Reason - The key used is expired.]',
    );
  }
  return null;
}

function sameSecret(hashes: readonly string[], secret: string): boolean {
  const given = Buffer.from(secretHash(secret), 'hex');
  return hashes.some((h) => timingSafeEqual(Buffer.from(h, 'hex'), given));
}

export interface TokenRequest {
  tenant: string;
  form: URLSearchParams;
  /** The HTTP Basic credentials (client_secret_basic), if any. */
  basic?: { id: string; secret: string };
  tokenEndpoint: string;
  /** Real time, seconds: tokens live in the worker's real time, whatever the organisation's clock does. */
  nowSec: number;
}

export type TokenResult = { status: 200; body: Record<string, unknown> } | OAuthError;

export const TOKEN_LIFETIME_SEC = 3599;

/** The client-credentials grant: a token for `<resource>/.default` carrying the client's granted permissions. */
export function issueToken(entra: Entra | undefined, r: TokenRequest): TokenResult {
  if (!entra || r.tenant !== entra.tenantId) {
    return oauthError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${r.tenant}' not found. Check to make sure you have the correct tenant ID.`,
    );
  }
  const grant = r.form.get('grant_type');
  if (grant !== 'client_credentials') {
    return oauthError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant ?? ''}'.`,
    );
  }
  const clientId = r.form.get('client_id') ?? r.basic?.id ?? '';
  const client = entra.clients.find((c) => c.appId === clientId);
  if (!client) {
    return oauthError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${entra.tenantId}'.`,
    );
  }
  const scope = r.form.get('scope') ?? '';
  if (!/^https:\/\/\S+\/\.default$/.test(scope)) {
    return oauthError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const secret = r.form.get('client_secret') ?? r.basic?.secret;
  const assertion = r.form.get('client_assertion');
  if (assertion !== null) {
    if (r.form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return oauthError(400, 'invalid_request', 50027, 'Invalid client_assertion_type.');
    }
    const problem = checkAssertion(client, assertion, r.tokenEndpoint, r.nowSec);
    if (problem) return problem;
  } else if (secret !== undefined && secret !== null) {
    if (!sameSecret(client.secretHashes, secret)) {
      return oauthError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.appId}'.`,
      );
    }
  } else {
    return oauthError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const resource = scope.slice(0, -'/.default'.length);
  const claims = {
    aud: resource,
    iss: `https://sts.windows.net/${entra.tenantId}/`,
    iat: r.nowSec,
    nbf: r.nowSec,
    exp: r.nowSec + TOKEN_LIFETIME_SEC,
    appid: client.appId,
    idtyp: 'app',
    oid: client.appId,
    roles: [...client.permissions],
    tid: entra.tenantId,
  };
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SEC,
      ext_expires_in: TOKEN_LIFETIME_SEC,
      access_token: signAccessToken(entra, claims),
    },
  };
}

function signAccessToken(entra: Entra, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const body = b64url(JSON.stringify(claims));
  const mac = createHmac('sha256', Buffer.from(entra.tokenSigningKey, 'hex')).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(mac)}`;
}

export interface AccessToken {
  appid: string;
  roles: string[];
  aud: string;
  exp: number;
}

/** The token's claims if this tenant signed it and it is still valid; otherwise why not (Graph's 401 message). */
export function checkAccessToken(entra: Entra, token: string, audience: string, nowSec: number): AccessToken | string {
  const jwt = decodeJwt(token);
  if (!jwt) return 'IDX14100: JWT is not well formed.';
  const mac = createHmac('sha256', Buffer.from(entra.tokenSigningKey, 'hex')).update(jwt.signed).digest();
  if (mac.length !== jwt.signature.length || !timingSafeEqual(mac, jwt.signature)) {
    return 'Access token validation failure. Invalid signature.';
  }
  const p = jwt.payload as Partial<AccessToken> & { tid?: string };
  if (p.tid !== entra.tenantId) return 'Access token validation failure. Invalid issuer.';
  if (p.aud !== audience) return 'Access token validation failure. Invalid audience.';
  if (typeof p.exp !== 'number' || p.exp < nowSec) return 'Lifetime validation failed, the token is expired.';
  return { appid: String(p.appid), roles: Array.isArray(p.roles) ? p.roles.map(String) : [], aud: p.aud, exp: p.exp };
}
