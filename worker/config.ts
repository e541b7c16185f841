// The worker's configuration comes from its environment alone, validated here once: an error names the variable and
// the rule, and nothing starts. Workflow input never feeds any of this, so credentials stay out of Temporal history.
import { z } from 'zod';
import { organizationSchema } from '../common/names';
import type { ExchangeShellSettingsInput } from '../activities/powershell';
import { CLOCK_SOURCES, EVENT_LOG_ACCESS, LOCAL_LOADERS } from '../activities/powershell/settings';
import type { ActivitySettings } from '../activities/deps';
import { WEBHOOK_FORMATS } from './webhook';
import type { WebhookFormat } from './webhook';

export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "30s", "5m", "1h", "1500ms" or a bare number of milliseconds. */
const durationMs = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'must be a duration such as 1500ms, 30s, 5m or 1h')
  .transform((text) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)!;
    return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
  });

const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive');

const PORT_RANGE = 'must be between 1 and 65535';
const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, PORT_RANGE)
  .max(65535, PORT_RANGE);

/** `host:port` with a port a socket can bind or reach; the example is the variable's usual value. */
function hostPort(example: string) {
  return (
    z
      .string()
      .trim()
      // Aborts on a bad shape: the port rule below would only repeat the same complaint.
      .regex(/^[^\s:]+:\d+$/, { message: `must be host:port, e.g. ${example}`, abort: true })
      .refine(
        (text) => port.safeParse(text.slice(text.lastIndexOf(':') + 1)).success,
        `must be host:port; the port ${PORT_RANGE}`,
      )
  );
}

const organization = z.string().trim().pipe(organizationSchema);

/**
 * A custom Auth certificate lifetime: long enough to outlast the rotation's renewBefore window (60 days by default) and
 * a rotation's own weeks, at most the five years New-ExchangeCertificate would give.
 */
export const MIN_CERTIFICATE_LIFETIME_DAYS = 90;
export const MAX_CERTIFICATE_LIFETIME_DAYS = 1826;

const organizationList = z
  .string()
  .trim()
  .min(1, 'must name at least one organisation')
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(z.array(organization).min(1, 'must name at least one organisation'));

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/**
 * Every variable the worker, `npm start`, the demo and the CLI read. README.md lists the same variables: keep the two in
 * step. Empty strings count as unset, as they do in most shells' `VAR= cmd`.
 */
export const environmentSchema = z.object({
  TEMPORAL_ADDRESS: hostPort('localhost:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default(DEFAULT_TEMPORAL_NAMESPACE),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: booleanText.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),

  EXCHANGE_ORGANIZATION: organization.optional(),
  EXCHANGE_ORGANIZATIONS: organizationList.optional(),
  EXCHANGE_CONNECTION: z
    .enum(['simulated', 'local', 'remote'], { error: 'must be simulated, local or remote' })
    .default('simulated'),
  EXCHANGE_SERVER: z.string().trim().min(1).optional(),
  EXCHANGE_URI: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^/\s:]+(:\d+)?\/powershell\/?$/i, 'must look like http://ex1.contoso.com/PowerShell/')
    .optional(),
  EXCHANGE_AUTHENTICATION: z
    .enum(['Kerberos', 'Negotiate', 'Basic', 'Default'], { error: 'must be Kerberos, Negotiate, Basic or Default' })
    .optional(),
  EXCHANGE_USERNAME: z.string().min(1).optional(),
  EXCHANGE_PASSWORD: z.string().min(1).optional(),
  EXCHANGE_SHELL_PATH: z.string().min(1).optional(),
  EXCHANGE_SHELL_LOADER: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOCAL_LOADERS, { error: `must be ${LOCAL_LOADERS.join(' or ')}` }))
    .optional(),
  EXCHANGE_COMMAND_TIMEOUT: durationMs.optional(),
  EXCHANGE_MAX_SHELLS: positiveInt.optional(),
  EXCHANGE_MAX_SHELLS_PER_ORGANIZATION: positiveInt.optional(),
  EXCHANGE_SHELL_IDLE_TIMEOUT: durationMs.optional(),
  EXCHANGE_CLOCK_SOURCE: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(CLOCK_SOURCES, { error: `must be ${CLOCK_SOURCES.join(' or ')}` }))
    .optional(),
  EXCHANGE_MAX_CLOCK_SKEW: durationMs.optional(),
  EXCHANGE_EFFECTIVE_DATE_LEAD: durationMs.optional(),
  EXCHANGE_EVENT_LOG_ACCESS: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(EVENT_LOG_ACCESS, { error: `must be ${EVENT_LOG_ACCESS.join(' or ')}` }))
    .optional(),
  EXCHANGE_CERTIFICATE_LIFETIME_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(MIN_CERTIFICATE_LIFETIME_DAYS, `must be at least ${MIN_CERTIFICATE_LIFETIME_DAYS} days`)
    .max(MAX_CERTIFICATE_LIFETIME_DAYS, `must be at most ${MAX_CERTIFICATE_LIFETIME_DAYS} days (five years)`)
    .optional(),
  EXCHANGE_SIM_STATE: z.string().trim().min(1).optional(),
  EXCHANGE_CLOCK_RATE: z.coerce
    .number({ error: 'must be a number' })
    .positive('must be more than 0 (server seconds per real second)')
    .max(1e7, 'must be at most 10000000')
    .optional(),

  NOTIFY_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  NOTIFY_WEBHOOK_FORMAT: z.enum(WEBHOOK_FORMATS, { error: 'must be json, slack or teams' }).default('json'),
  METRICS_BIND_ADDRESS: hostPort('0.0.0.0:9464').optional(),
  LOG_LEVEL: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('INFO'),
  WORKER_SHUTDOWN_GRACE: durationMs.default(300_000),
  /** `npm start` only: where it keeps simulated organisations and the dev server's database and log. */
  START_STATE_DIR: z.string().trim().min(1).optional(),
  /** `npm start` only: the dev server's gRPC and Web UI ports. */
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(20),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface TemporalConfig {
  /** Absent: `npm start` runs its own dev server; the worker alone defaults to localhost:7233. */
  address?: string;
  namespace: string;
  apiKey?: string;
  tls?: {
    clientCertPair?: { certPath: string; keyPath: string };
    caPath?: string;
    serverNameOverride?: string;
  };
}

export interface WorkerConfig {
  temporal: TemporalConfig;
  /** One task queue (and one Worker) per organisation. */
  organizations: string[];
  /** Shell settings per organisation (the simulated state file may differ per organisation). */
  exchange: Record<string, ExchangeShellSettingsInput>;
  connection: 'simulated' | 'local' | 'remote';
  /** Server seconds per real second: how fast the Exchange clock runs compared with Temporal's. */
  serverClockRate: number;
  /** The PowerShell session pool: most processes at once, and how long one may sit idle (absent: the defaults). */
  shells: { maxSessions?: number; maxSessionsPerTarget?: number; idleTimeoutMs?: number };
  /** Activity settings from the environment (absent: the activities' defaults). */
  activity: Partial<Pick<ActivitySettings, 'maxClockSkewMs' | 'minEffectiveDateLeadMs' | 'certificateLifetimeDays'>>;
  notifyWebhookUrl?: string;
  /** The webhook body: json (default), slack (Block Kit) or teams (Adaptive Card). */
  notifyWebhookFormat?: WebhookFormat;
  /** host:port of the Prometheus endpoint (SDK and rotation metrics); absent: no metrics. */
  metricsBindAddress?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownGraceMs: number;
  maxConcurrentActivities: number;
}

/** A zod failure as one line per variable: `EXCHANGE_CONNECTION: must be simulated, local or remote`. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${String(i.path[0] ?? '(environment)')}: ${i.message}`).join('; ');
}

function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(environmentSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

export function parseEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(withoutEmpty(env));
  if (!result.success) {
    throw new ConfigurationError(`invalid configuration: ${describeIssues(result.error)}`, { cause: result.error });
  }
  return result.data;
}

const TEMPORAL_VARIABLES = {
  TEMPORAL_ADDRESS: true,
  TEMPORAL_NAMESPACE: true,
  TEMPORAL_API_KEY: true,
  TEMPORAL_TLS: true,
  TEMPORAL_TLS_CERT_PATH: true,
  TEMPORAL_TLS_KEY_PATH: true,
  TEMPORAL_TLS_CA_PATH: true,
  TEMPORAL_TLS_SERVER_NAME: true,
} as const;

/** Only the TEMPORAL_* variables: the CLI does not care about the worker's Exchange settings. */
export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const result = environmentSchema.pick(TEMPORAL_VARIABLES).safeParse(withoutEmpty(env));
  if (!result.success) {
    throw new ConfigurationError(`invalid configuration: ${describeIssues(result.error)}`, { cause: result.error });
  }
  return temporalConfigFrom(result.data);
}

export function temporalConfigFrom(env: Pick<Environment, keyof typeof TEMPORAL_VARIABLES>): TemporalConfig {
  const { TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath } = env;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    const missing = certPath ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
    throw new ConfigurationError(`invalid configuration: ${missing}: is required with its pair for mutual TLS`);
  }
  const wantsTls =
    env.TEMPORAL_TLS ??
    Boolean(certPath || env.TEMPORAL_TLS_CA_PATH || env.TEMPORAL_TLS_SERVER_NAME || env.TEMPORAL_API_KEY);
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: wantsTls
      ? {
          clientCertPair: certPath && keyPath ? { certPath, keyPath } : undefined,
          caPath: env.TEMPORAL_TLS_CA_PATH,
          serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
  };
}

/** `{organization}` in EXCHANGE_SIM_STATE gives each simulated organisation its own state file. */
export const ORGANIZATION_PLACEHOLDER = '{organization}';

function fail(variable: string, rule: string): never {
  throw new ConfigurationError(`invalid configuration: ${variable}: ${rule}`);
}

function remoteTarget(env: Environment): { server: string; useHttps: boolean; connectionUri?: string } {
  if (env.EXCHANGE_URI) {
    const url = new URL(env.EXCHANGE_URI);
    if (env.EXCHANGE_SERVER && env.EXCHANGE_SERVER.toLowerCase() !== url.hostname.toLowerCase()) {
      fail('EXCHANGE_URI', `names ${url.hostname} but EXCHANGE_SERVER is ${env.EXCHANGE_SERVER}; set only one`);
    }
    // The whole URI travels: a port (WinRM behind a load balancer or a non-default binding) or the path's exact
    // spelling would be lost if only the host and scheme were kept.
    return { server: url.hostname, useHttps: url.protocol === 'https:', connectionUri: url.href };
  }
  if (!env.EXCHANGE_SERVER)
    fail('EXCHANGE_SERVER', 'is required when EXCHANGE_CONNECTION=remote (or set EXCHANGE_URI)');
  return { server: env.EXCHANGE_SERVER, useHttps: false };
}

/** The worker's whole configuration; `overrides` lets `npm start` and the demo fill what they create themselves. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnvironment(env);
  const organizations = e.EXCHANGE_ORGANIZATIONS ?? (e.EXCHANGE_ORGANIZATION ? [e.EXCHANGE_ORGANIZATION] : undefined);
  if (!organizations) fail('EXCHANGE_ORGANIZATION', 'is required: the organisation this worker serves, e.g. contoso');
  if (e.EXCHANGE_ORGANIZATION && e.EXCHANGE_ORGANIZATIONS) {
    fail('EXCHANGE_ORGANIZATIONS', 'set either EXCHANGE_ORGANIZATION or EXCHANGE_ORGANIZATIONS, not both');
  }
  const lowered = organizations.map((o) => o.toLowerCase());
  const duplicate = lowered.find((o, i) => lowered.indexOf(o) !== i);
  if (duplicate) fail('EXCHANGE_ORGANIZATIONS', `names ${duplicate} twice (names are case-insensitive)`);

  const mode = e.EXCHANGE_CONNECTION;
  if (mode !== 'simulated') {
    if (e.EXCHANGE_SIM_STATE) fail('EXCHANGE_SIM_STATE', `is only for EXCHANGE_CONNECTION=simulated, not ${mode}`);
    if (e.EXCHANGE_CLOCK_RATE !== undefined && e.EXCHANGE_CLOCK_RATE !== 1) {
      fail('EXCHANGE_CLOCK_RATE', `is only for EXCHANGE_CONNECTION=simulated: a real Exchange clock runs at 1`);
    }
    // One Windows host reaches one Exchange organisation (its AD forest); a second needs its own worker.
    if (organizations.length > 1) {
      fail('EXCHANGE_ORGANIZATIONS', `a ${mode} connection reaches one organisation; run one worker per organisation`);
    }
  }
  if (mode !== 'remote') {
    for (const v of [
      'EXCHANGE_SERVER',
      'EXCHANGE_URI',
      'EXCHANGE_USERNAME',
      'EXCHANGE_PASSWORD',
      'EXCHANGE_AUTHENTICATION',
    ] as const) {
      if (e[v] !== undefined) fail(v, `is only for EXCHANGE_CONNECTION=remote, not ${mode}`);
    }
  }
  // The loader chooses how a local powershell.exe gets the Exchange cmdlets; a remote session has them already.
  if (mode !== 'local' && e.EXCHANGE_SHELL_LOADER !== undefined) {
    fail('EXCHANGE_SHELL_LOADER', `is only for EXCHANGE_CONNECTION=local, not ${mode}`);
  }
  if (Boolean(e.EXCHANGE_USERNAME) !== Boolean(e.EXCHANGE_PASSWORD)) {
    fail(e.EXCHANGE_USERNAME ? 'EXCHANGE_PASSWORD' : 'EXCHANGE_USERNAME', 'is required with its pair for a credential');
  }

  const common = {
    executable: e.EXCHANGE_SHELL_PATH,
    commandTimeoutMs: e.EXCHANGE_COMMAND_TIMEOUT,
    clock: e.EXCHANGE_CLOCK_SOURCE,
    eventLog: e.EXCHANGE_EVENT_LOG_ACCESS,
  };
  if (e.EXCHANGE_MAX_CLOCK_SKEW === 0) fail('EXCHANGE_MAX_CLOCK_SKEW', 'must be more than 0');
  const exchange: Record<string, ExchangeShellSettingsInput> = {};
  for (const org of organizations) {
    if (mode === 'simulated') {
      const state = e.EXCHANGE_SIM_STATE;
      if (!state)
        fail(
          'EXCHANGE_SIM_STATE',
          "is required when EXCHANGE_CONNECTION=simulated: the simulated organisation's state file",
        );
      if (organizations.length > 1 && !state.includes(ORGANIZATION_PLACEHOLDER)) {
        fail('EXCHANGE_SIM_STATE', `must contain ${ORGANIZATION_PLACEHOLDER} when several organisations are served`);
      }
      exchange[org] = {
        mode,
        ...common,
        simulatorState: state.split(ORGANIZATION_PLACEHOLDER).join(org.toLowerCase()),
      };
    } else if (mode === 'local') {
      exchange[org] = { mode, ...common, loader: e.EXCHANGE_SHELL_LOADER };
    } else {
      exchange[org] = {
        mode,
        ...common,
        ...remoteTarget(e),
        authentication: e.EXCHANGE_AUTHENTICATION,
        credential:
          e.EXCHANGE_USERNAME && e.EXCHANGE_PASSWORD
            ? { username: e.EXCHANGE_USERNAME, password: e.EXCHANGE_PASSWORD }
            : undefined,
      };
    }
  }

  return {
    temporal: temporalConfigFrom(e),
    organizations,
    exchange,
    connection: mode,
    serverClockRate: e.EXCHANGE_CLOCK_RATE ?? 1,
    shells: {
      ...(e.EXCHANGE_MAX_SHELLS === undefined ? {} : { maxSessions: e.EXCHANGE_MAX_SHELLS }),
      ...(e.EXCHANGE_MAX_SHELLS_PER_ORGANIZATION === undefined
        ? {}
        : { maxSessionsPerTarget: e.EXCHANGE_MAX_SHELLS_PER_ORGANIZATION }),
      ...(e.EXCHANGE_SHELL_IDLE_TIMEOUT === undefined ? {} : { idleTimeoutMs: e.EXCHANGE_SHELL_IDLE_TIMEOUT }),
    },
    activity: {
      ...(e.EXCHANGE_MAX_CLOCK_SKEW === undefined ? {} : { maxClockSkewMs: e.EXCHANGE_MAX_CLOCK_SKEW }),
      ...(e.EXCHANGE_EFFECTIVE_DATE_LEAD === undefined
        ? {}
        : { minEffectiveDateLeadMs: e.EXCHANGE_EFFECTIVE_DATE_LEAD }),
      ...(e.EXCHANGE_CERTIFICATE_LIFETIME_DAYS === undefined
        ? {}
        : { certificateLifetimeDays: e.EXCHANGE_CERTIFICATE_LIFETIME_DAYS }),
    },
    notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL,
    notifyWebhookFormat: e.NOTIFY_WEBHOOK_FORMAT,
    metricsBindAddress: e.METRICS_BIND_ADDRESS,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE,
    maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
  };
}
