// The part of Microsoft Graph v1.0 the rotation needs, with Graph's behaviour: GET an application by object id or by
// `$filter=appId eq '...'`, PATCH its keyCredentials (the collection is replaced as a whole; an existing credential is
// kept by sending its keyId without a key), permissions checked per call (Application.ReadWrite.OwnedBy reaches only
// applications the caller owns), and Graph's error bodies.
import { randomUUID, X509Certificate } from 'node:crypto';
import { Application, Entra, StoredKeyCredential } from './model';
import { AccessToken } from './token';

export interface GraphResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): GraphResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

const READ = ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'];
const WRITE_ALL = 'Application.ReadWrite.All';
const OWNED_BY = 'Application.ReadWrite.OwnedBy';

const denied = () =>
  graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

function canRead(token: AccessToken, app: Application): boolean {
  return (
    token.roles.some((r) => READ.includes(r)) || (token.roles.includes(OWNED_BY) && app.owners.includes(token.appid))
  );
}

function canWrite(token: AccessToken, app: Application): boolean {
  return token.roles.includes(WRITE_ALL) || (token.roles.includes(OWNED_BY) && app.owners.includes(token.appid));
}

function notFound(id: string): GraphResponse {
  return graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function servedKey(k: StoredKeyCredential, withKey: boolean): Record<string, unknown> {
  return {
    customKeyIdentifier: k.customKeyIdentifier,
    displayName: k.displayName,
    endDateTime: k.endDateTime,
    key: withKey ? k.key : null,
    keyId: k.keyId,
    startDateTime: k.startDateTime,
    type: k.type,
    usage: k.usage,
  };
}

function servedApplication(app: Application, select: string[] | null, single: boolean): Record<string, unknown> {
  // The key itself only for a single object whose $select names keyCredentials (Graph's rule).
  const withKey = single && select !== null && select.includes('keyCredentials');
  const all: Record<string, unknown> = {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    signInAudience: 'AzureADMyOrg',
    keyCredentials: app.keyCredentials.map((k) => servedKey(k, withKey)),
    passwordCredentials: [],
  };
  if (select === null) return all;
  return Object.fromEntries(Object.entries(all).filter(([k]) => k === 'id' || select.includes(k)));
}

const APP_ID_FILTER = /^appId eq '([0-9a-fA-F-]{36})'$/;

export function getApplications(
  entra: Entra,
  token: AccessToken,
  base: string,
  id: string | null,
  query: URLSearchParams,
): GraphResponse {
  const select =
    query
      .get('$select')
      ?.split(',')
      .map((s) => s.trim()) ?? null;
  if (id !== null) {
    const app = entra.applications.find((a) => a.id === id);
    if (!app) return notFound(id);
    if (!canRead(token, app)) return denied();
    return {
      status: 200,
      body: {
        '@odata.context': `${base}/v1.0/$metadata#applications/$entity`,
        ...servedApplication(app, select, true),
      },
    };
  }
  const filter = query.get('$filter');
  let apps = entra.applications;
  if (filter !== null) {
    const [, appId] = APP_ID_FILTER.exec(filter.trim()) ?? [];
    if (appId === undefined)
      return graphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for property 'appId' of resource 'Application'.`,
      );
    apps = apps.filter((a) => a.appId === appId.toLowerCase());
  }
  // Without a read-all permission, listing shows only what the caller owns.
  if (!token.roles.some((r) => READ.includes(r))) {
    if (!token.roles.includes(OWNED_BY)) return denied();
    apps = apps.filter((a) => a.owners.includes(token.appid));
  }
  return {
    status: 200,
    body: {
      '@odata.context': `${base}/v1.0/$metadata#applications`,
      value: apps.map((a) => servedApplication(a, select, false)),
    },
  };
}

const invalidKey = (why: string) =>
  graphError(
    400,
    'KeyCredentialsInvalid',
    `Invalid value specified for property 'keyCredentials' of resource 'Application'. ${why}`,
  );

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What the certificate itself says, when the key is an X.509 certificate Node can read. */
function certificateFacts(key: string): { thumbprint: string; start: string; end: string } | null {
  try {
    const c = new X509Certificate(Buffer.from(key, 'base64'));
    return {
      thumbprint: c.fingerprint.replace(/:/g, ''),
      start: new Date(c.validFrom).toISOString(),
      end: new Date(c.validTo).toISOString(),
    };
  } catch {
    return null;
  }
}

/** PATCH /applications/{id}: only keyCredentials is supported; the list given replaces the application's list. */
export function patchApplication(
  entra: Entra,
  token: AccessToken,
  id: string,
  body: unknown,
  now: number,
): GraphResponse {
  const app = entra.applications.find((a) => a.id === id);
  if (!app) return notFound(id);
  if (!canWrite(token, app)) return denied();
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return graphError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  const { keyCredentials, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest).filter((k) => k !== 'displayName');
  if (unknown.length)
    return graphError(400, 'Request_BadRequest', `Property '${unknown[0]}' is not supported by this simulator.`);
  if (keyCredentials === undefined) return { status: 204 };
  if (!Array.isArray(keyCredentials)) return invalidKey('keyCredentials must be a collection.');
  const next: StoredKeyCredential[] = [];
  for (const raw of keyCredentials as unknown[]) {
    if (!raw || typeof raw !== 'object') return invalidKey('Each key credential must be an object.');
    const k = raw as Record<string, unknown>;
    const keyId = typeof k.keyId === 'string' ? k.keyId.toLowerCase() : undefined;
    if (keyId !== undefined && !GUID.test(keyId)) return invalidKey(`keyId '${String(k.keyId)}' is not a GUID.`);
    if (keyId !== undefined && next.some((n) => n.keyId === keyId)) return invalidKey(`keyId ${keyId} appears twice.`);
    const existing = keyId === undefined ? undefined : app.keyCredentials.find((e) => e.keyId === keyId);
    if (k.key === undefined || k.key === null) {
      // An existing credential sent back as read (key null): kept as it is.
      if (!existing) return invalidKey('A new key credential needs its key.');
      next.push(existing);
      continue;
    }
    if (typeof k.key !== 'string' || !BASE64.test(k.key)) return invalidKey('The key must be Base64.');
    if (k.type !== 'AsymmetricX509Cert')
      return invalidKey(`Key credential type '${String(k.type)}' is not supported here.`);
    if (k.usage !== 'Verify')
      return invalidKey(`Key credential usage '${String(k.usage)}' is not valid for a certificate.`);
    const facts = certificateFacts(k.key);
    const start = typeof k.startDateTime === 'string' ? k.startDateTime : facts?.start;
    const end = typeof k.endDateTime === 'string' ? k.endDateTime : facts?.end;
    if (!start || !end || !Number.isFinite(Date.parse(start)) || !Number.isFinite(Date.parse(end))) {
      return invalidKey('The certificate could not be read and no valid startDateTime and endDateTime were given.');
    }
    if (Date.parse(end) <= Date.parse(start)) return invalidKey('endDateTime must be after startDateTime.');
    const customKeyIdentifier =
      typeof k.customKeyIdentifier === 'string' ? k.customKeyIdentifier : (facts?.thumbprint ?? null);
    if (customKeyIdentifier !== null && !BASE64.test(customKeyIdentifier))
      return invalidKey('customKeyIdentifier must be Base64.');
    next.push({
      keyId: keyId ?? randomUUID(),
      type: k.type,
      usage: k.usage,
      displayName: typeof k.displayName === 'string' ? k.displayName.slice(0, 90) : null,
      customKeyIdentifier,
      key: k.key,
      startDateTime: start,
      endDateTime: end,
      addedAt: existing?.key === k.key ? existing.addedAt : now,
    });
  }
  app.keyCredentials = next;
  if (typeof rest.displayName === 'string') app.displayName = rest.displayName;
  return { status: 204 };
}
