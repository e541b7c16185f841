// The workflows of the check tests: the real checkAuthCertificate, a driver that runs it once a simulated day, and a
// stand-in for the rotation whose only job here is to have the in-memory certificate renewed a few simulated days later
// (the rotation itself is tested against the simulated organisation in its own tests).
import { condition, continueAsNew, executeChild, proxyActivities, sleep } from '@temporalio/workflow';
import type { CheckReport } from '../../workflows/check';
import type { FakeOrganizationActivities } from './fake-org';

export { checkAuthCertificate } from '../../workflows/check';

const { rotationStarted } = proxyActivities<FakeOrganizationActivities>({ startToCloseTimeout: '1 minute' });

export interface StandInRotationInput {
  organization: string;
  force?: boolean;
}

export async function rotateAuthCertificate(input: StandInRotationInput): Promise<{ outcome: string }> {
  // The fake organisation renews the certificate two daily checks later and then ends this run from outside:
  // the time-skipping test server stops skipping time when an abandoned child's own timer fires or it completes.
  await rotationStarted(input.force ?? false);
  await condition(() => false);
  return { outcome: 'completed' };
}

export interface DailyChecksInput {
  organization: string;
  days: number;
  checkInput?: Record<string, unknown>;
}

export interface DailyCheckLine {
  day: number;
  action: CheckReport['action'];
  path: CheckReport['path'];
  daysUntilExpiry: number | null;
}

/** What the daily schedule does, day after day, under time skipping (the test server runs no schedules). */
export async function dailyChecks(
  input: DailyChecksInput,
  firstDay = 0,
  lines: DailyCheckLine[] = [],
): Promise<DailyCheckLine[]> {
  for (let day = firstDay; day < input.days; day++) {
    // A month per run keeps the history short, as a long-lived workflow of ours would.
    if (day > firstDay && day % 30 === 0) await continueAsNew<typeof dailyChecks>(input, day, lines);
    const report = await executeChild<(i: unknown) => Promise<CheckReport>>('checkAuthCertificate', {
      workflowId: `check-${input.organization}-day-${day}`,
      args: [{ organization: input.organization, ...input.checkInput }],
    });
    lines.push({ day, action: report.action, path: report.path, daysUntilExpiry: report.daysUntilExpiry });
    await sleep('1 day');
  }
  return lines;
}
