// The worker's configuration comes from its environment alone, validated here once: an error names the variable and
// the rule, and nothing starts. Workflow input never feeds any of this, so credentials stay out of Temporal history.
import { z } from 'zod';
import { durationSchema } from '../common/duration';
import { booleanText, configurationError, hostPort, httpUrl, parseVariables, portText } from '../common/environment';
import type { Environment } from '../common/environment';
import { EXCHANGE_AUTHENTICATIONS } from '../common/exchange-values';
import { organizationSchema } from '../common/names';
import { temporalConfigFrom, temporalVariables } from '../common/temporal-config';
import type { TemporalConfig } from '../common/temporal-config';
import { alternatives } from '../common/validation';
import type { ExchangeShellSettingsInput } from '../activities/powershell';
import { CLOCK_SOURCES, EVENT_LOG_ACCESS, LOCAL_LOADERS } from '../activities/powershell/settings';
import type { ActivitySettings } from '../activities/deps';
import type { GraphSettings } from '../activities/graph/settings';
import { loadGraphSettings } from './graph-config';
import { WEBHOOK_FORMATS } from './webhook';
import type { WebhookFormat } from './webhook';

const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive');

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
/**
 * What a worker process serves (docs/deployment.md): `workflows` the central workflow queue only (no Exchange),
 * `activities` its organisations' activity queues only (next to their Exchange), `all` both (one host, the default).
 */
export const WORKER_ROLES = ['all', 'workflows', 'activities'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/**
 * Every variable the worker, `npm start`, the demo and the CLI read. README.md lists the same variables: keep the two in
 * step. Empty strings count as unset, as they do in most shells' `VAR= cmd`.
 */
export const environmentSchema = z.object({
  ...temporalVariables,

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
    .enum(EXCHANGE_AUTHENTICATIONS, { error: `must be ${alternatives(EXCHANGE_AUTHENTICATIONS)}` })
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
  EXCHANGE_COMMAND_TIMEOUT: durationSchema('positive').optional(),
  EXCHANGE_MAX_SHELLS: positiveInt.optional(),
  EXCHANGE_MAX_SHELLS_PER_ORGANIZATION: positiveInt.optional(),
  EXCHANGE_SHELL_IDLE_TIMEOUT: durationSchema('positive').optional(),
  EXCHANGE_SERVER_CONCURRENCY: positiveInt.optional(),
  EXCHANGE_CLOCK_SOURCE: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(CLOCK_SOURCES, { error: `must be ${CLOCK_SOURCES.join(' or ')}` }))
    .optional(),
  EXCHANGE_MAX_CLOCK_SKEW: durationSchema('zero-or-more').optional(),
  EXCHANGE_EFFECTIVE_DATE_LEAD: durationSchema('zero-or-more').optional(),
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

  NOTIFY_WEBHOOK_URL: httpUrl().optional(),
  NOTIFY_WEBHOOK_FORMAT: z.enum(WEBHOOK_FORMATS, { error: 'must be json, slack or teams' }).default('json'),
  METRICS_BIND_ADDRESS: hostPort('0.0.0.0:9464').optional(),
  LOG_LEVEL: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('INFO'),
  WORKER_SHUTDOWN_GRACE: durationSchema('zero-or-more').prefault('5m'),
  /**
   * `npm start` only: the scenario of a simulated organisation it creates (`npm run sim -- create --help` lists them);
   * checked by the simulator when it creates one.
   */
  EXCHANGE_SIM_SCENARIO: z.string().trim().min(1).optional(),
  /** `npm start` only: where it keeps simulated organisations and the dev server's database and log. */
  START_STATE_DIR: z.string().trim().min(1).optional(),
  /** `npm start` only: the dev server's gRPC and Web UI ports. */
  TEMPORAL_DEV_PORT: portText.default(7233),
  TEMPORAL_UI_PORT: portText.default(8233),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(20),
  WORKER_ROLE: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(WORKER_ROLES, { error: `must be ${WORKER_ROLES.join(', ')}` }))
    .default('all'),
  WORKER_LEGACY_WORKFLOW_QUEUES: booleanText.default(false),
});

export type WorkerEnvironment = z.infer<typeof environmentSchema>;

export interface WorkerConfig {
  temporal: TemporalConfig;
  role: WorkerRole;
  /** Also run workflows on each organisation's own queue, for runs started before the central queue. */
  legacyWorkflowQueues: boolean;
  /** One activity task queue (and one activity Worker) per organisation; none for the `workflows` role. */
  organizations: string[];
  /** Shell settings per organisation (the simulated state file may differ per organisation). */
  exchange: Record<string, ExchangeShellSettingsInput>;
  connection: 'simulated' | 'local' | 'remote';
  /** Server seconds per real second: how fast the Exchange clock runs compared with Temporal's. */
  serverClockRate: number;
  /** The PowerShell session pool: most processes at once, and how long one may sit idle (absent: the defaults). */
  shells: { maxSessions?: number; maxSessionsPerTarget?: number; idleTimeoutMs?: number };
  /** Activity settings from the environment (absent: the activities' defaults). */
  activity: Partial<
    Pick<
      ActivitySettings,
      'maxClockSkewMs' | 'minEffectiveDateLeadMs' | 'certificateLifetimeDays' | 'serverConcurrency'
    >
  >;
  notifyWebhookUrl?: string;
  /** The webhook body: json (default), slack (Block Kit) or teams (Adaptive Card). */
  notifyWebhookFormat?: WebhookFormat;
  /** host:port of the Prometheus endpoint (SDK and rotation metrics); absent: no metrics. */
  metricsBindAddress?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownGraceMs: number;
  maxConcurrentActivities: number;
  /** Microsoft Graph for the dedicated hybrid application (GRAPH_*); absent: a person updates it. */
  graph?: GraphSettings;
}

export function parseEnvironment(env: Environment = process.env): WorkerEnvironment {
  return parseVariables(environmentSchema, env);
}

/** `{organization}` in EXCHANGE_SIM_STATE gives each simulated organisation its own state file. */
export const ORGANIZATION_PLACEHOLDER = '{organization}';

function fail(variable: string, rule: string): never {
  throw configurationError(variable, rule);
}

function remoteTarget(env: WorkerEnvironment): { server: string; useHttps: boolean; connectionUri?: string } {
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

function withGraph(env: NodeJS.ProcessEnv): { graph?: GraphSettings } {
  const graph = loadGraphSettings(env);
  return graph ? { graph } : {};
}

/** The worker's whole configuration; `overrides` lets `npm start` and the demo fill what they create themselves. */
export function loadWorkerConfig(env: Environment = process.env): WorkerConfig {
  const e = parseEnvironment(env);
  const role = e.WORKER_ROLE;
  const organizations =
    e.EXCHANGE_ORGANIZATIONS ??
    (e.EXCHANGE_ORGANIZATION ? [e.EXCHANGE_ORGANIZATION] : role === 'workflows' ? [] : undefined);
  if (!organizations) fail('EXCHANGE_ORGANIZATION', 'is required: the organisation this worker serves, e.g. contoso');
  if (role === 'workflows' && organizations.length > 0) {
    fail('WORKER_ROLE', 'workflows serves no organisation: leave EXCHANGE_ORGANIZATION(S) to the activity workers');
  }
  if (role === 'workflows' && e.WORKER_LEGACY_WORKFLOW_QUEUES) {
    fail('WORKER_LEGACY_WORKFLOW_QUEUES', 'is for the workers that serve organisations: the old queues are theirs');
  }
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
    role,
    legacyWorkflowQueues: e.WORKER_LEGACY_WORKFLOW_QUEUES,
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
      ...(e.EXCHANGE_SERVER_CONCURRENCY === undefined ? {} : { serverConcurrency: e.EXCHANGE_SERVER_CONCURRENCY }),
    },
    notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL,
    notifyWebhookFormat: e.NOTIFY_WEBHOOK_FORMAT,
    metricsBindAddress: e.METRICS_BIND_ADDRESS,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE,
    maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    ...withGraph(env),
  };
}
