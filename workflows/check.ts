// checkAuthCertificate: the daily look at an organisation. It inspects once, lets common/policy.ts decide, and starts the
// rotation only when there is work (due, expired, missing, staged, copies missing); otherwise it says why it did
// nothing. The yearly schedule runs the same workflow with `force`, so every rotation, scheduled or not, is a child with
// the organisation's one rotation workflow ID: a schedule can never start a second, parallel rotation.
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { z } from 'zod';
import type { RotationActivities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES, ROTATION_ERROR_TYPES } from '../common/failures';
import { organizationSchema, ROTATE_WORKFLOW_TYPE, rotationWorkflowId } from '../common/names';
import { daysUntilCurrentExpires, decidePath } from '../common/policy';
import { parseRotationInput, renewBeforeDaysSchema } from '../common/rotation';
import type { OrganizationSnapshot, RotationPath } from '../common/rotation';

/** A look at Exchange is cheap and read-only; retry it for a while, but let a daily check end the same day. */
const { inspectOrganization } = proxyActivities<RotationActivities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '30s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    maximumAttempts: 6,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
});

/** Notifications never block the check: a few attempts (none after a refusal), then the failure is logged. */
const { notify } = proxyActivities<RotationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
});

export const checkInputSchema = z.strictObject({
  organization: organizationSchema,
  renewBeforeDays: renewBeforeDaysSchema,
  /** Rotate even when the certificate is outside renewBefore: what the yearly schedule sets. */
  force: z.boolean().default(false),
  ignoreUnreachableServers: z.boolean().default(false),
  /** Further rotation input (timings, probeMailbox, notifications) handed to the rotation as it is. */
  rotation: z.record(z.string(), z.unknown()).default({}),
});

export type CheckInputJson = z.input<typeof checkInputSchema>;
export type CheckInput = z.output<typeof checkInputSchema>;

/**
 * What the check did:
 * - rotation-started: a rotation was started as a child (abandoned: it outlives the check);
 * - rotation-already-running: the decision says rotate, but the organisation's rotation is running already;
 * - nothing-to-do: the certificate is valid and outside renewBefore;
 * - cannot-decide: servers were unreachable, so nothing was started (and a person is told).
 */
export type CheckAction = 'rotation-started' | 'rotation-already-running' | 'nothing-to-do' | 'cannot-decide';

export interface CheckReport {
  organization: string;
  workflowId: string;
  /** Exchange's clock at inspection. */
  checkedAt: string;
  action: CheckAction;
  path: RotationPath;
  reasons: string[];
  /** Days until the current certificate expires (negative once expired); null when there is none. */
  daysUntilExpiry: number | null;
  currentThumbprint: string | null;
  currentNotAfter: string | null;
  renewBeforeDays: number;
  force: boolean;
  rotationWorkflowId: string;
  /** The run the check started, when it started one. */
  rotationRunId?: string;
  /** One line for the Temporal UI and the log. */
  summary: string;
}

/** Paths whose work the rotation workflow does; the others are reasons to do nothing. */
export function isRotationWork(path: RotationPath): boolean {
  return path === 'rotate' || path === 'replace-now' || path === 'resume' || path === 'import';
}

export function parseCheckInput(raw: unknown): CheckInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidInput('input: must be a JSON object such as {"organization": "contoso"}');
  }
  const result = checkInputSchema.safeParse(raw);
  if (!result.success) {
    throw invalidInput(
      result.error.issues
        .map((issue) => `${['input', ...issue.path.map(String)].join('.')}: ${issue.message}`)
        .join('\n'),
    );
  }
  return result.data;
}

/** The rotation's own input, checked here too so a bad schedule fails on its first check, not on its first rotation. */
export function rotationInputFor(input: CheckInput): Record<string, unknown> {
  const rotation: Record<string, unknown> = {
    ...input.rotation,
    organization: input.organization,
    renewBeforeDays: input.renewBeforeDays,
    ignoreUnreachableServers: input.ignoreUnreachableServers,
    ...(input.force ? { force: true } : {}),
  };
  const parsed = parseRotationInput(rotation);
  if (!parsed.ok) throw invalidInput(parsed.message.replace(/^input\./gm, 'input.rotation.'));
  return rotation;
}

function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: ROTATION_ERROR_TYPES.invalidInput, message, nonRetryable: true });
}

function summarize(report: Omit<CheckReport, 'summary'>): string {
  const days =
    report.daysUntilExpiry === null ? 'no current certificate' : `expires in ${report.daysUntilExpiry.toFixed(1)} days`;
  switch (report.action) {
    case 'rotation-started':
      return `${report.organization}: ${days}; started rotation ${report.rotationWorkflowId} (${report.path})`;
    case 'rotation-already-running':
      return `${report.organization}: ${days}; rotation ${report.rotationWorkflowId} is already running`;
    case 'nothing-to-do':
      return `${report.organization}: ${days}; nothing to do (renew before ${report.renewBeforeDays} days)`;
    case 'cannot-decide':
      return `${report.organization}: cannot decide: ${report.reasons.join('; ')}`;
  }
}

/** Telling a person is best effort: the report, the failure and the log still say what happened. */
async function tellPerson(organization: string, subject: string, text: string): Promise<void> {
  try {
    await notify({ organization, workflowId: workflowInfo().workflowId, kind: 'action-required', subject, text });
  } catch (error) {
    log.warn('notification failed', { error: (error as Error).message });
  }
}

/** What went wrong, not "Activity task failed". */
function failureText(error: unknown): string {
  const inner = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return inner instanceof Error ? inner.message : String(inner);
}

export async function checkAuthCertificate(rawInput: CheckInputJson): Promise<CheckReport> {
  const input = parseCheckInput(rawInput);
  const rotationInput = rotationInputFor(input);
  let snapshot: OrganizationSnapshot;
  try {
    snapshot = await inspectOrganization();
  } catch (error) {
    // Retries spent, or a permanent failure: the check fails, and without a word a broken connection would leave the
    // certificate unwatched day after day while only the schedule's run list shows red.
    await tellPerson(
      input.organization,
      `Auth certificate check of ${input.organization} could not inspect Exchange`,
      `${failureText(error)}\nNothing was decided or started. Fix the worker's connection to Exchange; the daily check ` +
        'will look again.',
    );
    throw error;
  }
  const decision = decidePath(snapshot, {
    renewBeforeDays: input.renewBeforeDays,
    force: input.force,
    ignoreUnreachableServers: input.ignoreUnreachableServers,
  });
  const base = {
    organization: input.organization,
    workflowId: workflowInfo().workflowId,
    checkedAt: snapshot.serverTime,
    path: decision.path,
    reasons: decision.findings.map((f) => f.message),
    daysUntilExpiry: daysUntilCurrentExpires(snapshot),
    currentThumbprint: snapshot.current?.thumbprint ?? snapshot.authConfig.currentCertificateThumbprint,
    currentNotAfter: snapshot.current?.notAfter ?? null,
    renewBeforeDays: input.renewBeforeDays,
    force: input.force,
    rotationWorkflowId: rotationWorkflowId(input.organization),
  };

  let report: Omit<CheckReport, 'summary'>;
  if (isRotationWork(decision.path)) {
    try {
      const child = await startChild(ROTATE_WORKFLOW_TYPE, {
        workflowId: base.rotationWorkflowId,
        args: [rotationInput],
        // The rotation takes days (effective date, HCW); the check is over in seconds and must not take it along.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      report = { ...base, action: 'rotation-started', rotationRunId: child.firstExecutionRunId };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      report = { ...base, action: 'rotation-already-running' };
    }
  } else if (decision.path === 'nothing-to-do') {
    report = { ...base, action: 'nothing-to-do' };
  } else {
    report = { ...base, action: 'cannot-decide' };
  }

  const full: CheckReport = { ...report, summary: summarize(report) };
  log.info(full.summary, { action: full.action, path: full.path, reasons: full.reasons });
  if (full.action === 'cannot-decide') {
    await tellPerson(
      full.organization,
      `Auth certificate check of ${full.organization} could not decide`,
      `${full.reasons.join('\n')}\nThe daily check will look again; a rotation needs every server reachable.`,
    );
  }
  return full;
}
