// The rotation's own Prometheus metrics, recorded through the workflow metric meter (emitted once, not on replay) and
// served by the worker's runtime next to the SDK's metrics (common/metrics.ts names them).
import { metricMeter } from '@temporalio/workflow';
import { METRIC_PHASE_SECONDS, METRIC_ROTATIONS } from '../common/metrics';
import type { RotationReport } from '../common/rotation';

/** When a rotation ends: one count by outcome, and the time it spent in each phase. */
export function recordRotationMetrics(report: RotationReport): void {
  const organization = report.organization.toLowerCase();
  metricMeter
    .createCounter(METRIC_ROTATIONS, 'rotations', 'Exchange Auth certificate rotations by outcome')
    .add(1, { organization, outcome: report.outcome });
  const histogram = metricMeter.createHistogram(
    METRIC_PHASE_SECONDS,
    'float',
    's',
    'Time an Exchange Auth certificate rotation spent in each phase',
  );
  for (const phase of report.phases) {
    if (!phase.endedAt) continue;
    const seconds = (Date.parse(phase.endedAt) - Date.parse(phase.startedAt)) / 1000;
    if (seconds >= 0) histogram.record(seconds, { organization, phase: phase.phase });
  }
}
