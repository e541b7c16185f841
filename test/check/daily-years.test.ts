// The daily check run day after day over several simulated years on the time-skipping test server, against an
// organisation whose certificate ages with Temporal's clock. Its own test server: runs abandoned by other tests must not
// hold up time skipping here.
import { uniqueOrganization } from '../helpers/ids';
import { certificate, createFakeOrganization } from './fake-org';
import { useCheckTestSetup, withCheckWorker } from './harness';
import type { DailyCheckLine } from './workflows';
import { nth } from '../helpers/present';

const DAY_MS = 24 * 60 * 60 * 1000;

const setup = useCheckTestSetup();

describe('the daily check over several simulated years', () => {
  test('rotates once a year when the certificate is due, and otherwise does nothing', async () => {
    const start = await setup.env.currentTimeMs();
    // A certificate with 200 days left that each rotation replaces with a one-year one.
    const org = createFakeOrganization({ current: certificate(start - 165 * DAY_MS, 365), validityDays: 365 });
    const organization = uniqueOrganization();
    const days = 3 * 365;
    const rotationsOver: Array<Promise<unknown>> = [];
    const lines: DailyCheckLine[] = await withCheckWorker(
      setup,
      org,
      (taskQueue) =>
        setup.env.client.workflow.execute('dailyChecks', {
          taskQueue,
          workflowId: `daily-${organization}`,
          args: [{ organization, days, checkInput: { rotation: {} } }],
        }),
      {
        organization,
        onRotationOver: (workflowId, runId) => {
          rotationsOver.push(setup.env.client.workflow.getHandle(workflowId, runId).terminate('certificate renewed'));
        },
      },
    );
    expect(lines).toHaveLength(days);
    await Promise.all(rotationsOver);

    const started = lines.filter((l) => l.action === 'rotation-started').map((l) => l.day);
    // Due at 60 days left: day 140. Each stand-in rotation ends an hour before the second check after its start with
    // a one-year certificate, so the next is due 365 - 60 days after that: 307 days after the previous start.
    expect(started).toEqual([140, 447, 754, 1061]);
    const renewedOnDay = org.renewals.map((r) => (Date.parse(r.at) - start) / DAY_MS);
    expect(renewedOnDay).toHaveLength(started.length);
    renewedOnDay.forEach((day, i) => expect(day).toBeCloseTo(nth(started, i, 'start') + 2 - 1 / 24, 1));
    expect(org.renewals.every((r) => !r.force)).toBe(true);
    // While a rotation runs the daily check finds the certificate still due and leaves the running rotation alone.
    const running = lines.filter((l) => l.action === 'rotation-already-running').map((l) => l.day);
    expect(running).toEqual(started.map((d) => d + 1));
    // Every other day there was nothing to do, and the check said so with the days left.
    const idle = lines.filter((l) => l.action === 'nothing-to-do');
    expect(idle).toHaveLength(days - started.length - running.length);
    for (const line of idle) expect(line.daysUntilExpiry!).toBeGreaterThan(60);
    // No day ever found the certificate expired.
    expect(lines.every((l) => l.daysUntilExpiry! > 0)).toBe(true);
  }, 600_000);
});
