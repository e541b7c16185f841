// The rotation's own Prometheus metric names, defined once: the workflow records the rotations' outcomes and phase
// times through its metric meter (workflows/metrics.ts); the worker records the certificate from every inspection and
// the state of each organisation's rotation from Temporal (worker/metrics.ts). docs/operations.md lists them with their
// labels; deploy/ holds the alert rules and the dashboard that use them. Names and labels follow cert-manager's
// (`certmanager_certificate_expiration_timestamp_seconds`, `certmanager_certificate_ready_status`) so alert rules
// written for those carry over. No Node built-ins: workflows import this.
import { ROTATION_OUTCOMES } from './rotation';

/** gauge {organization}: days until the current certificate expires (Exchange's clock); 0 once expired; NaN without one. */
export const METRIC_DAYS_UNTIL_EXPIRY = 'exchange_auth_certificate_days_until_expiry';
/** gauge {organization}: the current certificate's NotAfter, Unix seconds (cert-manager's expiration timestamp). */
export const METRIC_EXPIRATION_TIMESTAMP = 'exchange_auth_certificate_expiration_timestamp_seconds';
/** gauge {organization, condition}: 1 for the certificate's Ready condition (True, False, Unknown), 0 for the others. */
export const METRIC_READY_STATUS = 'exchange_auth_certificate_ready_status';
/** gauge {organization}: 1 when a current certificate exists, else 0. */
export const METRIC_CERTIFICATE_PRESENT = 'exchange_auth_certificate_present';
/** gauge {organization}: Unix time of the last successful inspection. */
export const METRIC_LAST_INSPECTION = 'exchange_auth_inspection_last_success_timestamp_seconds';
/** counter {organization}: failed inspection attempts. */
export const METRIC_INSPECTION_FAILURES = 'exchange_auth_inspection_failures';
/** gauge {organization}: 1 while a rotation of the organisation runs, else 0. */
export const METRIC_ROTATION_RUNNING = 'exchange_auth_rotation_running';
/** gauge {organization}: seconds the running rotation has waited for a person; 0 when it waits for nobody. */
export const METRIC_AWAITING_PERSON = 'exchange_auth_rotation_awaiting_person_seconds';
/** gauge {organization, outcome}: 1 for the outcome of the latest rotation once it has ended, 0 for the others. */
export const METRIC_LAST_OUTCOME = 'exchange_auth_rotation_last_outcome';
/** counter {organization, outcome}: rotations by outcome, counted as they end. */
export const METRIC_ROTATIONS = 'exchange_auth_rotations';
/** histogram {organization, phase}: seconds a rotation spent in each phase. */
export const METRIC_PHASE_SECONDS = 'exchange_auth_rotation_phase_seconds';

/** cert-manager's condition values. */
export const READY_CONDITIONS = ['True', 'False', 'Unknown'] as const;
export type ReadyCondition = (typeof READY_CONDITIONS)[number];

/** How a rotation can end, as the last-outcome gauge says it: the rotation's outcomes, and a termination. */
export const LAST_OUTCOMES = [...ROTATION_OUTCOMES, 'terminated'] as const;
export type LastOutcome = (typeof LAST_OUTCOMES)[number];

/** Phases last from seconds (planning) to days (the effective date, the HCW answer): buckets up to two weeks. */
export const PHASE_SECONDS_BUCKETS = [
  10,
  60,
  300,
  900,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86400,
  2 * 86400,
  3 * 86400,
  7 * 86400,
  14 * 86400,
];
