// checkAuthCertificate: the daily look at an organisation. It inspects once, lets common/policy.ts decide, and starts the
// rotation only when there is work (due, expired, missing, staged, copies missing); otherwise it says why it did
// nothing. The yearly schedule runs the same workflow with `force`, so every rotation, scheduled or not, is a child with
// the organisation's one rotation workflow ID: a schedule can never start a second, parallel rotation.
import { log, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { RotationActivities } from '../activities';
import { parseCheckInput, rotationInputFor } from '../common/check-input';
import type { CheckInputJson } from '../common/check-input';
import { failureMessage } from '../common/failure-text';
import { NON_RETRYABLE_ERROR_TYPES } from '../common/failures';
import { activityTaskQueueFor, ROTATE_WORKFLOW_TYPE, rotationWorkflowId } from '../common/names';
import { daysUntilCurrentExpires, decidePath } from '../common/policy';
import { rotationStartSummary } from '../common/rotation';
import type { OrganizationSnapshot, RotationPath } from '../common/rotation';

/** Made per run: the activities go to the organisation's own task queue, like the rotation's (workflows/rotation/proxies.ts). */
function checkActivities(organization: string) {
  const taskQueue = activityTaskQueueFor(organization);
  /** A look at Exchange is cheap and read-only; retry it for a while, but let a daily check end the same day. */
  const { inspectOrganization } = proxyActivities<RotationActivities>({
    startToCloseTimeout: '10 minutes',
    taskQueue,
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
    taskQueue,
    retry: { initialInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
  });
  return { inspectOrganization, notify };
}

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
    await checkActivities(organization).notify({
      organization,
      workflowId: workflowInfo().workflowId,
      kind: 'action-required',
      subject,
      text,
    });
  } catch (error) {
    log.warn('notification failed', { error: (error as Error).message });
  }
}

export async function checkAuthCertificate(rawInput: CheckInputJson): Promise<CheckReport> {
  const input = parseCheckInput(rawInput);
  const rotationInput = rotationInputFor(input);
  let snapshot: OrganizationSnapshot;
  try {
    snapshot = await checkActivities(input.organization).inspectOrganization();
  } catch (error) {
    // Retries spent, or a permanent failure: the check fails, and without a word a broken connection would leave the
    // certificate unwatched day after day while only the schedule's run list shows red.
    await tellPerson(
      input.organization,
      `Auth certificate check of ${input.organization} could not inspect Exchange`,
      `${failureMessage(error)}\nNothing was decided or started. Fix the worker's connection to Exchange; the daily check ` +
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
        staticSummary: rotationStartSummary(
          { ...rotationInput, organization: input.organization },
          `the check ${workflowInfo().workflowId}`,
        ),
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
