// Prometheus metrics of the worker, all on the SDK's own endpoint (Runtime telemetry), so one port serves both: the
// SDK's temporal_* metrics and ours, recorded through the SDK's metric meter. METRICS_BIND_ADDRESS turns it on.
//   exchange_auth_certificate_days_until_expiry{organization}   gauge, from every inspection (check and rotation)
//   exchange_auth_rotations_total{organization,outcome}          counter, when a rotation ends (workflow metric meter)
//   exchange_auth_rotation_phase_seconds{organization,phase}     histogram, time spent in each phase
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { RuntimeOptions } from '@temporalio/worker';
import { z } from 'zod';
import { daysUntilCurrentExpires } from '../common/policy';
import type { OrganizationSnapshot } from '../common/rotation';

export const METRIC_DAYS_UNTIL_EXPIRY = 'exchange_auth_certificate_days_until_expiry';
export const METRIC_ROTATIONS = 'exchange_auth_rotations';
export const METRIC_PHASE_SECONDS = 'exchange_auth_rotation_phase_seconds';

export const METRICS_ENV = 'METRICS_BIND_ADDRESS';

const bindAddress = z
  .string()
  .trim()
  .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464');

/** The Prometheus bind address from METRICS_BIND_ADDRESS, or undefined when metrics are off. */
export function metricsBindAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[METRICS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const r = bindAddress.safeParse(raw);
  if (!r.success) throw new Error(`invalid configuration: ${METRICS_ENV}: ${r.error.issues[0].message}`);
  return r.data;
}

/** Runtime.install's telemetry options: the SDK serves /metrics on the bind address. */
export function prometheusTelemetry(address: string): NonNullable<RuntimeOptions['telemetryOptions']> {
  return { metrics: { prometheus: { bindAddress: address } } };
}

/**
 * Records the days until the current certificate expires after every inspection, labelled with the organisation (the
 * task queue's worker serves one). The gauge is the inspection's own figure, on Exchange's clock.
 */
export class ExpiryMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly organization: string) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    const context = Context.current();
    if (context.info.activityType === 'inspectOrganization' && result && typeof result === 'object') {
      const days = daysUntilCurrentExpires(result as OrganizationSnapshot);
      if (days !== null) {
        context.metricMeter
          .createGauge(
            METRIC_DAYS_UNTIL_EXPIRY,
            'float',
            'd',
            'Days until the current Exchange Auth certificate expires',
          )
          .set(days, { organization: this.organization.toLowerCase() });
      }
    }
    return result;
  }
}

/** For Worker.create's `interceptors.activity`. */
export function metricsActivityInterceptors(organization: string) {
  return [() => ({ inbound: new ExpiryMetricsInterceptor(organization) })];
}
