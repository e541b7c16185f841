// Prometheus metrics of the worker, all on the SDK's own endpoint (Runtime telemetry), so one port serves both: the
// SDK's temporal_* metrics and ours, recorded through the runtime's metric meter with no label but the organisation's
// (and the condition or outcome of a state set). METRICS_BIND_ADDRESS turns it on. The names are in common/metrics.ts,
// the table with types and labels in docs/operations.md; the SDK's exporter shows each under its own name (a counter
// too: no `_total` suffix). Here: the certificate as inspections find it; worker/rotation-watch.ts adds the state of
// each organisation's rotation, and the workflow records outcomes and phase times itself (workflows/metrics.ts).
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Runtime } from '@temporalio/worker';
import type { RuntimeOptions } from '@temporalio/worker';
import {
  METRIC_CERTIFICATE_PRESENT,
  METRIC_DAYS_UNTIL_EXPIRY,
  METRIC_EXPIRATION_TIMESTAMP,
  METRIC_INSPECTION_FAILURES,
  METRIC_LAST_INSPECTION,
  METRIC_PHASE_SECONDS,
  METRIC_READY_STATUS,
  PHASE_SECONDS_BUCKETS,
  READY_CONDITIONS,
} from '../common/metrics';
import type { ReadyCondition } from '../common/metrics';
import {
  daysUntilCurrentExpires,
  isCurrentExpired,
  isCurrentMissingEverywhere,
  serversMissingCurrent,
  unreachableServers,
} from '../common/policy';
import type { OrganizationSnapshot } from '../common/rotation';

/** Runtime.install's telemetry options: the SDK serves /metrics on the bind address. */
export function prometheusTelemetry(address: string): NonNullable<RuntimeOptions['telemetryOptions']> {
  return {
    metrics: {
      prometheus: {
        bindAddress: address,
        // The SDK's default buckets end at 10,000 s; a phase lasts up to days (the effective date, the HCW answer).
        histogramBucketOverrides: { [METRIC_PHASE_SECONDS]: PHASE_SECONDS_BUCKETS },
      },
    },
  };
}

/**
 * cert-manager's Ready condition for the organisation's Auth certificate: True when a current certificate exists, is
 * valid on Exchange's clock and is on every server; False when it is missing, expired or lacking on a server that
 * answered; Unknown when some server did not answer (and nothing else is wrong).
 */
export function readyCondition(s: OrganizationSnapshot): ReadyCondition {
  if (s.current === null || isCurrentMissingEverywhere(s) || isCurrentExpired(s)) return 'False';
  if (serversMissingCurrent(s).length > 0) return 'False';
  return unreachableServers(s).length > 0 ? 'Unknown' : 'True';
}

/** The current thumbprint an activity's result reports (publication checks, the publish step), if it reports one. */
function currentThumbprintIn(result: unknown): string | null | undefined {
  if (result === null || typeof result !== 'object' || !('currentThumbprint' in result)) return undefined;
  const value = (result as { currentThumbprint: unknown }).currentThumbprint;
  return typeof value === 'string' || value === null ? value : undefined;
}

/**
 * The certificate gauges of one organisation. Whatever reads the organisation (an inspection activity of a check or a
 * rotation, the worker's own look at start) records here; the newest look by Exchange's clock wins, so a slow
 * inspection that finishes late cannot put an older certificate back. When another activity reports a current
 * thumbprint other than the one recorded (a rotation published its certificate), the watch looks again itself: the
 * current thumbprint in AuthConfig is the truth, and the days gauge follows it, not the last inspection.
 */
export class CertificateWatch {
  private readonly labels: { organization: string };
  private recordedAt = Number.NEGATIVE_INFINITY;
  private recordedThumbprint: string | null | undefined;
  private looking: Promise<void> | undefined;

  constructor(
    organization: string,
    /** A read-only inspection of the organisation (the inspect activity's own code); absent: record only. */
    private readonly inspect?: () => Promise<OrganizationSnapshot>,
    private readonly meter: MetricMeter = Runtime.instance().metricMeter,
  ) {
    this.labels = { organization: organization.toLowerCase() };
  }

  /**
   * Sets every certificate gauge from one look at the organisation, unless a newer look was recorded already. Never
   * throws: a metric must not fail the inspection it describes.
   */
  record(s: OrganizationSnapshot, now: number = Date.now()): void {
    try {
      this.setGauges(s, now);
    } catch (error) {
      Runtime.instance().logger.warn('could not record the certificate metrics', { error: (error as Error).message });
    }
  }

  private setGauges(s: OrganizationSnapshot, now: number): void {
    const at = Date.parse(s.serverTime);
    if (at < this.recordedAt) return;
    this.recordedAt = at;
    this.recordedThumbprint = s.authConfig.currentCertificateThumbprint;
    const days = daysUntilCurrentExpires(s);
    const gauge = (name: string, unit: string, description: string) =>
      this.meter.createGauge(name, 'float', unit, description);
    gauge(METRIC_CERTIFICATE_PRESENT, '', '1 when a current Exchange Auth certificate exists, else 0').set(
      days === null ? 0 : 1,
      this.labels,
    );
    // No certificate, no number of days: NaN, so an alert on a low value does not fire on the last one seen. The SDK's
    // gauges take no negative value: an expired certificate is 0 days (its expiration timestamp says how long ago).
    gauge(
      METRIC_DAYS_UNTIL_EXPIRY,
      'd',
      'Days until the current Exchange Auth certificate expires; 0 once expired',
    ).set(days === null ? Number.NaN : Math.max(0, days), this.labels);
    gauge(METRIC_EXPIRATION_TIMESTAMP, 's', 'NotAfter of the current Exchange Auth certificate (Unix time)').set(
      s.current ? Date.parse(s.current.notAfter) / 1000 : Number.NaN,
      this.labels,
    );
    const ready = readyCondition(s);
    const readyGauge = gauge(METRIC_READY_STATUS, '', "The Exchange Auth certificate's Ready condition (1 = this one)");
    for (const condition of READY_CONDITIONS) {
      readyGauge.set(condition === ready ? 1 : 0, { ...this.labels, condition });
    }
    gauge(METRIC_LAST_INSPECTION, 's', 'When an inspection of the organisation last succeeded (Unix time)').set(
      now / 1000,
      this.labels,
    );
  }

  failed(): void {
    try {
      this.meter
        .createCounter(METRIC_INSPECTION_FAILURES, 'attempts', 'Failed attempts to inspect the Exchange organisation')
        .add(1, this.labels);
    } catch (error) {
      Runtime.instance().logger.warn('could not count a failed inspection', { error: (error as Error).message });
    }
  }

  /** Looks at the organisation now (one look at a time); a failure is counted, never thrown. */
  lookNow(): Promise<void> {
    const inspect = this.inspect;
    if (!inspect) return Promise.resolve();
    this.looking ??= inspect()
      .then((s) => this.record(s))
      .catch(() => this.failed())
      .finally(() => {
        this.looking = undefined;
      });
    return this.looking;
  }

  /** An activity reported the current thumbprint: look again when it is not the one the gauges describe. */
  noticeCurrent(thumbprint: string | null): Promise<void> {
    if (this.recordedThumbprint === undefined || thumbprint === this.recordedThumbprint) return Promise.resolve();
    return this.lookNow();
  }

  /** For Worker.create's `interceptors.activity`. */
  interceptors() {
    return [() => ({ inbound: new CertificateMetricsInterceptor(this) })];
  }
}

/**
 * After every inspection (the check's and the rotation's): the certificate gauges, labelled with the organisation the
 * task queue's worker serves; a failed attempt is counted. After any other activity that reports the current
 * thumbprint: a fresh look when it changed. Without the last two, a certificate that vanished, an Exchange that stopped
 * answering or a rotation that published a new certificate would leave the days gauge showing an old value.
 */
export class CertificateMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly watch: CertificateWatch) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const inspection = Context.current().info.activityType === 'inspectOrganization';
    let result: unknown;
    try {
      result = await next(input);
    } catch (error) {
      if (inspection) this.watch.failed();
      throw error;
    }
    if (inspection) {
      this.watch.record(result as OrganizationSnapshot);
    } else {
      const current = currentThumbprintIn(result);
      // In the background: the activity's result does not wait for another look at Exchange.
      if (current !== undefined) void this.watch.noticeCurrent(current);
    }
    return result;
  }
}

/** For Worker.create's `interceptors.activity`, recording only what the activities find. */
export function metricsActivityInterceptors(organization: string) {
  return new CertificateWatch(organization).interceptors();
}
