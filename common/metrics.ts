// The rotation's own Prometheus metric names, defined once: the workflow records some through its metric meter
// (workflows/metrics.ts), the worker the others from the inspections (worker/metrics.ts). docs/operations.md lists
// them. No Node built-ins: workflows import this.

/** gauge: days until the current certificate expires; NaN when there is none. */
export const METRIC_DAYS_UNTIL_EXPIRY = 'exchange_auth_certificate_days_until_expiry';
/** gauge: 1 when a current certificate exists, else 0. */
export const METRIC_CERTIFICATE_PRESENT = 'exchange_auth_certificate_present';
/** gauge: Unix time of the last successful inspection. */
export const METRIC_LAST_INSPECTION = 'exchange_auth_inspection_last_success_timestamp_seconds';
/** counter: failed inspection attempts. */
export const METRIC_INSPECTION_FAILURES = 'exchange_auth_inspection_failures';
/** counter: rotations by outcome. */
export const METRIC_ROTATIONS = 'exchange_auth_rotations';
/** histogram: seconds a rotation spent in each phase. */
export const METRIC_PHASE_SECONDS = 'exchange_auth_rotation_phase_seconds';
