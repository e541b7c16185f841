// The rotation's own failures, and the one place an error becomes an ApplicationFailure: type = the error's class name
// (so retry policies can list permanent ones), the original error kept as `cause`.
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { ROTATION_ERROR_TYPES } from '../common/failures';

abstract class RotationActivityError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NoReachableServerError extends RotationActivityError {}
export class StagingNotConfirmedError extends RotationActivityError {}
export class NextCertificateNotEverywhereError extends RotationActivityError {
  constructor(
    readonly lacking: string[],
    options?: { cause?: unknown },
  ) {
    super(`the next certificate is not on every server yet: ${lacking.join(', ')}`, options);
  }
}
export class CopySourceMissingError extends RotationActivityError {}
export class NotificationFailedError extends RotationActivityError {}
/** The receiver answered that it will never take this notification; the notifier (worker/notify.ts) throws it. */
export class NotificationRejectedError extends RotationActivityError {}

// The class names are the failure types the workflow names; a rename here must be a rename there.
const declared: Record<string, string> = {
  NoReachableServerError: ROTATION_ERROR_TYPES.noReachableServer,
  StagingNotConfirmedError: ROTATION_ERROR_TYPES.stagingNotConfirmed,
  NextCertificateNotEverywhereError: ROTATION_ERROR_TYPES.nextCertificateNotEverywhere,
  CopySourceMissingError: ROTATION_ERROR_TYPES.copySourceMissing,
  NotificationFailedError: ROTATION_ERROR_TYPES.notificationFailed,
  NotificationRejectedError: ROTATION_ERROR_TYPES.notificationRejected,
};
for (const [className, type] of Object.entries(declared)) {
  if (className !== type) throw new Error(`activities/errors.ts: ${className} is declared as ${type}`);
}

/** An activity's error as Temporal should see it. Cancellation and ApplicationFailures pass through untouched. */
export function toApplicationFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) return error;
  if (error instanceof Error) {
    // Graph's Retry-After (429) sets the next attempt's delay; the policy's own backoff resumes after it.
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    const nextRetryDelay = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : undefined;
    return ApplicationFailure.create({ type: error.name, message: error.message, cause: error, nextRetryDelay });
  }
  return ApplicationFailure.create({ type: 'UnknownError', message: String(error) });
}

/** Runs an activity body and converts what it throws. */
export async function failuresNamed<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toApplicationFailure(error);
  }
}
