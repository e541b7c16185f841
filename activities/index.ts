// The rotation's activities, built from their dependencies. The worker calls createActivities(deps); the workflow
// imports the type RotationActivities only. Every activity converts what it throws into an ApplicationFailure whose
// type is the error's class name (see common/failures.ts for the permanent ones).
import { log } from '@temporalio/activity';
import { authConfigActivities } from './authconfig';
import { certificateActivities } from './certificate';
import { ActivityDeps, ActivityLog, DEFAULT_ACTIVITY_SETTINGS, ResolvedDeps } from './deps';
import { failuresNamed } from './errors';
import { keepBeating } from './heartbeat';
import { hybridAppActivities } from './hybrid-app';
import { withReadsAskedAgain } from './transient';
import { clockActivities, inspectActivities } from './inspect';
import { notifyActivities } from './notify';
import { publicationActivities } from './publication';
import { replicationActivities } from './replication';
import { serviceActivities } from './services';

export type { ActivityDeps, ActivityLog, ActivitySettings } from './deps';
export { DEFAULT_ACTIVITY_SETTINGS } from './deps';
export type { GenerateRequest } from './certificate';
export type { StageRequest } from './authconfig';
export type { CopyRequest } from './replication';
export type { HybridAppKeyRequest, HybridAppKeysRequest, HybridAppKeys, HybridAppKeyChange } from './hybrid-app';

/** The activity context's logger (carries workflow and activity IDs). */
const contextLog: ActivityLog = {
  info: (message, meta) => log.info(message, meta),
  warn: (message, meta) => log.warn(message, meta),
};

export function resolveDeps(deps: ActivityDeps): ResolvedDeps {
  const settings = { ...DEFAULT_ACTIVITY_SETTINGS, ...deps.settings };
  if (!(settings.serverClockRate > 0)) throw new RangeError('settings.serverClockRate must be a positive number');
  if (!(settings.maxClockSkewMs > 0)) throw new RangeError('settings.maxClockSkewMs must be a positive number');
  if (!(settings.minEffectiveDateLeadMs >= 0)) {
    throw new RangeError('settings.minEffectiveDateLeadMs must be zero or a positive number');
  }
  const lifetime = settings.certificateLifetimeDays;
  if (lifetime !== null && !(Number.isInteger(lifetime) && lifetime > 0)) {
    throw new RangeError('settings.certificateLifetimeDays must be a whole number of days, or null');
  }
  if (!(Number.isInteger(settings.serverConcurrency) && settings.serverConcurrency > 0)) {
    throw new RangeError('settings.serverConcurrency must be a whole number of at least 1');
  }
  return {
    exchange: withReadsAskedAgain(deps.exchange),
    clock: deps.clock,
    log: deps.log ?? contextLog,
    notify: deps.notify,
    graph: deps.graph,
    settings,
  };
}

type AnyAsync = (...args: never[]) => Promise<unknown>;

function named<T extends Record<string, AnyAsync>>(activities: T, heartbeatIntervalMs: number): T {
  const wrapped: Record<string, AnyAsync> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = (...args: never[]) => failuresNamed(() => keepBeating(() => fn(...args), heartbeatIntervalMs));
    // Temporal registers activities by property name; keep the function's own name for stack traces.
    Object.defineProperty(wrapped[name], 'name', { value: name });
  }
  return wrapped as T;
}

export function createActivities(deps: ActivityDeps) {
  const resolved = resolveDeps(deps);
  return named(
    {
      ...inspectActivities(resolved),
      ...clockActivities(resolved),
      ...certificateActivities(resolved),
      ...authConfigActivities(resolved),
      ...replicationActivities(resolved),
      ...publicationActivities(resolved),
      ...serviceActivities(resolved),
      ...notifyActivities(resolved),
      ...hybridAppActivities(resolved),
    },
    resolved.settings.heartbeatIntervalMs,
  );
}

export type RotationActivities = ReturnType<typeof createActivities>;
