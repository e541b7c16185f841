// Prometheus metrics of the worker, all on the SDK's own endpoint (Runtime telemetry), so one port serves both: the
// SDK's temporal_* metrics and ours, recorded through the SDK's metric meter. METRICS_BIND_ADDRESS turns it on. The
// names are in common/metrics.ts, the table with types and labels in docs/operations.md; the SDK's exporter shows each
// under its own name (a counter too: no `_total` suffix). Here: what every inspection records; the workflow records
// the rotations' outcomes and phase times itself (workflows/metrics.ts).
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { RuntimeOptions } from '@temporalio/worker';
import {
  METRIC_CERTIFICATE_PRESENT,
  METRIC_DAYS_UNTIL_EXPIRY,
  METRIC_INSPECTION_FAILURES,
  METRIC_LAST_INSPECTION,
} from '../common/metrics';
import { daysUntilCurrentExpires } from '../common/policy';
import type { OrganizationSnapshot } from '../common/rotation';

/** Runtime.install's telemetry options: the SDK serves /metrics on the bind address. */
export function prometheusTelemetry(address: string): NonNullable<RuntimeOptions['telemetryOptions']> {
  return { metrics: { prometheus: { bindAddress: address } } };
}

/**
 * After every inspection (the check's and the rotation's), labelled with the organisation the task queue's worker
 * serves: the days until the current certificate expires (the inspection's own figure, on Exchange's clock), whether
 * there is a current certificate at all, and when an inspection last succeeded; a failed attempt is counted. Without
 * the last two, a certificate that vanished or an Exchange that stopped answering would leave the days gauge showing
 * its last, reassuring value.
 */
export class ExpiryMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly organization: string) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const context = Context.current();
    if (context.info.activityType !== 'inspectOrganization') return next(input);
    const meter = context.metricMeter;
    const labels = { organization: this.organization.toLowerCase() };
    let result: unknown;
    try {
      result = await next(input);
    } catch (error) {
      meter
        .createCounter(METRIC_INSPECTION_FAILURES, 'attempts', 'Failed attempts to inspect the Exchange organisation')
        .add(1, labels);
      throw error;
    }
    const days = daysUntilCurrentExpires(result as OrganizationSnapshot);
    meter
      .createGauge(METRIC_CERTIFICATE_PRESENT, 'int', '', '1 when a current Exchange Auth certificate exists, else 0')
      .set(days === null ? 0 : 1, labels);
    // No certificate, no number of days: NaN, so an alert on a low value does not fire on the last one seen.
    meter
      .createGauge(METRIC_DAYS_UNTIL_EXPIRY, 'float', 'd', 'Days until the current Exchange Auth certificate expires')
      .set(days ?? Number.NaN, labels);
    meter
      .createGauge(
        METRIC_LAST_INSPECTION,
        'float',
        's',
        'When an inspection of the organisation last succeeded (Unix time)',
      )
      .set(Date.now() / 1000, labels);
    return result;
  }
}

/** For Worker.create's `interceptors.activity`. */
export function metricsActivityInterceptors(organization: string) {
  return [() => ({ inbound: new ExpiryMetricsInterceptor(organization) })];
}
