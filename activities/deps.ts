// What the activities need from the outside world, handed in by the worker (or a test): nothing is reached for
// globally, so a test can give them an in-memory Exchange and a fixed clock.
import type { RotationNotification } from '../common/rotation';
import type { ExchangeClient } from './powershell/exchange-client';

export interface ActivitySettings {
  /** Server seconds per real second: 1 for a real organisation, more for an accelerated simulated one. */
  serverClockRate: number;
  /**
   * Legacy (rotations that reached generation before listAuthCertificates existed): how far before the run's start a
   * certificate's NotBefore may lie and still count as "made by this run".
   */
  notBeforeToleranceMs: number;
  /** How often a running activity heartbeats; keep it well under the workflow's heartbeatTimeout (1 minute). */
  heartbeatIntervalMs: number;
  /** Past this difference (real time) between the worker host's clock and the Exchange server's, warn. */
  maxClockSkewMs: number;
  /**
   * The earliest effective date, ahead of the Exchange server's clock as read (server time): the emergency's "now", and
   * the floor of a very short planned date. It covers the time until Set-AuthConfig checks the date, so the date is
   * never "in the past" when Exchange reads it.
   */
  minEffectiveDateLeadMs: number;
  /**
   * The new Auth certificate's lifetime in days when it must be shorter than New-ExchangeCertificate's five years (a
   * tenant that caps credential lifetimes, for the dedicated hybrid app); null: New-ExchangeCertificate's own.
   */
  certificateLifetimeDays: number | null;
}

export const DEFAULT_ACTIVITY_SETTINGS: ActivitySettings = {
  serverClockRate: 1,
  notBeforeToleranceMs: 10 * 60 * 1000,
  heartbeatIntervalMs: 10 * 1000,
  // Kerberos refuses a skew of 5 minutes; warn well before.
  maxClockSkewMs: 2 * 60 * 1000,
  minEffectiveDateLeadMs: 2 * 60 * 1000,
  certificateLifetimeDays: null,
};

export interface ActivityLog {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface ActivityDeps {
  exchange: ExchangeClient;
  /** The worker's clock (the Exchange side's clock is asked through exchange.getServerTime()). */
  clock: () => Date;
  settings?: Partial<ActivitySettings>;
  /** Delivers a notification beyond the log (a webhook); absent means log only. */
  notify?: (notification: RotationNotification) => Promise<void>;
  log?: ActivityLog;
}

export interface ResolvedDeps extends Required<Omit<ActivityDeps, 'notify' | 'settings'>> {
  settings: ActivitySettings;
  notify?: ActivityDeps['notify'];
}
