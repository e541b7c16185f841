// Microsoft Graph for the dedicated Exchange hybrid application, from the worker's environment (GRAPH_*), validated once:
// none set means no Graph (a person is asked instead); a partial set is an error naming the variable. The secret is
// wrapped at once so it prints as "[secret]" and never reaches a log, an activity result or workflow history.
import { z } from 'zod';
import {
  DEFAULT_AUTHORITY_HOST,
  DEFAULT_GRAPH_ENDPOINT,
  Secret,
  type GraphSettings,
} from '../activities/graph/settings';
import { ConfigurationError } from '../common/environment';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const httpsUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL');

export const graphEnvironmentSchema = z.object({
  GRAPH_TENANT_ID: z
    .string()
    .trim()
    .refine((t) => GUID.test(t) || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(t), 'must be the tenant ID (a GUID) or domain'),
  GRAPH_CLIENT_ID: z.string().trim().regex(GUID, "must be the worker's application (client) ID, a GUID"),
  GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
  GRAPH_CLIENT_CERTIFICATE_PATH: z.string().trim().min(1).optional(),
  GRAPH_ACCESS: z.enum(['read', 'write'], { error: 'must be read or write' }).default('write'),
  GRAPH_AUTHORITY_HOST: httpsUrl.default(DEFAULT_AUTHORITY_HOST),
  GRAPH_ENDPOINT: httpsUrl.default(DEFAULT_GRAPH_ENDPOINT),
  GRAPH_CA_FILE: z.string().trim().min(1).optional(),
});

const GRAPH_VARIABLES = Object.keys(graphEnvironmentSchema.shape);

/** The Graph settings, or undefined when no GRAPH_* variable is set. */
export function loadGraphSettings(env: NodeJS.ProcessEnv = process.env): GraphSettings | undefined {
  const given: Record<string, string> = {};
  for (const key of GRAPH_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') given[key] = value;
  }
  if (Object.keys(given).length === 0) return undefined;
  const parsed = graphEnvironmentSchema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ');
    throw new ConfigurationError(`invalid Microsoft Graph configuration: ${problems}`);
  }
  const e = parsed.data;
  if ((e.GRAPH_CLIENT_SECRET === undefined) === (e.GRAPH_CLIENT_CERTIFICATE_PATH === undefined)) {
    throw new ConfigurationError(
      'invalid Microsoft Graph configuration: GRAPH_CLIENT_SECRET: set exactly one of GRAPH_CLIENT_SECRET and ' +
        'GRAPH_CLIENT_CERTIFICATE_PATH (a certificate is preferred)',
    );
  }
  return {
    tenantId: e.GRAPH_TENANT_ID,
    clientId: e.GRAPH_CLIENT_ID,
    credential:
      e.GRAPH_CLIENT_SECRET !== undefined
        ? { kind: 'secret', secret: new Secret(e.GRAPH_CLIENT_SECRET) }
        : { kind: 'certificate', certificatePath: e.GRAPH_CLIENT_CERTIFICATE_PATH! },
    access: e.GRAPH_ACCESS,
    authorityHost: e.GRAPH_AUTHORITY_HOST,
    endpoint: e.GRAPH_ENDPOINT,
    ...(e.GRAPH_CA_FILE ? { caFile: e.GRAPH_CA_FILE } : {}),
  };
}
