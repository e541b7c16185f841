// Schedule management against the Temporal CLI dev server (the time-skipping test server does not run schedules):
// created once and updated in place, SKIP overlap, jitter, pause/resume/delete/list, and a triggered daily check that
// starts the rotation under the organisation's one rotation ID.
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import {
  dailyCheckSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  ScheduleMissingError,
  ScheduleSettingsError,
  updateSchedule,
  upsertSchedule,
  yearlyRotationSchedule,
} from '../../client/schedules';
import {
  CHECK_WORKFLOW_TYPE,
  checkWorkflowId,
  dailyCheckScheduleId,
  rotationWorkflowId,
  activityTaskQueueFor,
  WORKFLOW_TASK_QUEUE,
  yearlyRotationScheduleId,
} from '../../common/names';
import { eventually } from '../helpers/eventually';
import { createDevServerEnv, endRun } from '../helpers/temporal';
import { uniqueOrganization } from '../helpers/ids';
import { certificate, createFakeOrganization, fakeOrganizationActivities } from '../check/fake-org';
import { nth } from '../helpers/present';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

describe('schedules', () => {
  test('a daily check created twice is one schedule: the second call updates it', async () => {
    const organization = uniqueOrganization();
    const first = await upsertSchedule(env.client, dailyCheckSchedule({ organization, hour: 5 }));
    expect(first).toEqual({ scheduleId: dailyCheckScheduleId(organization), result: 'created' });
    const second = await upsertSchedule(
      env.client,
      dailyCheckSchedule({ organization, hour: 7, minute: 30, jitter: '10m', renewBeforeDays: 45 }),
    );
    expect(second).toEqual({ scheduleId: dailyCheckScheduleId(organization), result: 'updated' });

    const views = await listSchedules(env.client, organization);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({
      scheduleId: dailyCheckScheduleId(organization),
      kind: 'daily-check',
      organization: organization.toLowerCase(),
      paused: false,
      when: 'every day at 07:30 UTC (jitter 10m)',
      overlap: 'SKIP',
      input: { organization, renewBeforeDays: 45, force: false },
    });
    const description = await env.client.schedule.getHandle(dailyCheckScheduleId(organization)).describe();
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: CHECK_WORKFLOW_TYPE,
      workflowId: checkWorkflowId(organization),
      taskQueue: WORKFLOW_TASK_QUEUE,
    });
    expect(description.spec.jitter).toBe(10 * 60_000);
    // Every next run is at 07:30 UTC plus at most the jitter.
    for (const next of nth(views, 0, 'schedule view').nextRuns) {
      const t = new Date(next);
      const minutes = t.getUTCHours() * 60 + t.getUTCMinutes();
      expect(minutes).toBeGreaterThanOrEqual(7 * 60 + 30);
      expect(minutes).toBeLessThanOrEqual(7 * 60 + 40);
    }
    await deleteSchedule(env.client, dailyCheckScheduleId(organization));
  });

  test('the yearly rotation runs on the chosen month and day, as a forced check', async () => {
    const organization = uniqueOrganization();
    const options = yearlyRotationSchedule({ organization, month: 'March', day: 15, timezone: 'Europe/Berlin' });
    expect(await upsertSchedule(env.client, options)).toMatchObject({ result: 'created' });
    expect(await upsertSchedule(env.client, options)).toMatchObject({ result: 'updated' });
    const view = await describeSchedule(env.client, yearlyRotationScheduleId(organization));
    expect(view).toMatchObject({
      kind: 'yearly-rotation',
      when: 'every year on MARCH 15 at 09:00 Europe/Berlin (jitter 60m)',
      overlap: 'SKIP',
      input: { organization, force: true, renewBeforeDays: 60 },
    });
    expect(view.nextRuns.length).toBeGreaterThan(0);
    const years = view.nextRuns.map((t) => new Date(t).getUTCFullYear());
    expect(new Set(years).size).toBe(years.length); // once a year
    for (const next of view.nextRuns) {
      const local = new Date(next).toLocaleString('en-GB', {
        timeZone: 'Europe/Berlin',
        month: 'numeric',
        day: 'numeric',
      });
      expect(local).toBe('15/03');
    }
    await deleteSchedule(env.client, yearlyRotationScheduleId(organization));
  });

  test('pause keeps across an update, resume, delete; each names a missing schedule clearly', async () => {
    const organization = uniqueOrganization();
    const id = dailyCheckScheduleId(organization);
    await upsertSchedule(env.client, dailyCheckSchedule({ organization }));
    await pauseSchedule(env.client, id, 'change freeze');
    expect(await describeSchedule(env.client, id)).toMatchObject({ paused: true, note: 'change freeze' });
    await upsertSchedule(env.client, dailyCheckSchedule({ organization, hour: 8 }));
    expect(await describeSchedule(env.client, id)).toMatchObject({
      paused: true,
      when: 'every day at 08:00 UTC (jitter 30m)',
    });
    await resumeSchedule(env.client, id);
    expect((await describeSchedule(env.client, id)).paused).toBe(false);
    await deleteSchedule(env.client, id);
    expect(await listSchedules(env.client, organization)).toEqual([]);
    for (const action of [
      () => pauseSchedule(env.client, id),
      () => resumeSchedule(env.client, id),
      () => deleteSchedule(env.client, id),
      () => describeSchedule(env.client, id),
    ]) {
      const error = await action().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScheduleMissingError);
      expect((error as Error).message).toBe(`no schedule found: ${id}`);
    }
  });

  test('an update changes what it is given and keeps the further rotation input, pause and note', async () => {
    const organization = uniqueOrganization();
    const id = yearlyRotationScheduleId(organization);
    const rotation = { probeMailbox: 'probe@contoso.test', effectiveDateHours: 72 };
    await upsertSchedule(
      env.client,
      yearlyRotationSchedule({ organization, month: 'June', day: 1, jitter: 0, renewBeforeDays: 30, rotation }),
    );
    await pauseSchedule(env.client, id, 'change freeze');
    expect(await updateSchedule(env.client, 'yearly-rotation', organization, { day: 30, minute: 5 })).toEqual({
      scheduleId: id,
      result: 'updated',
    });
    expect(await describeSchedule(env.client, id)).toMatchObject({
      paused: true,
      note: 'change freeze',
      when: 'every year on JUNE 30 at 09:05 UTC',
      input: { organization, renewBeforeDays: 30, force: true, rotation },
    });
    // Checked as a whole: June has 30 days, so day 31 is refused and nothing changes.
    await expect(updateSchedule(env.client, 'yearly-rotation', organization, { day: 31 })).rejects.toThrow(
      'day: must exist in every year: month 6 has 30 days',
    );
    expect((await describeSchedule(env.client, id)).when).toBe('every year on JUNE 30 at 09:05 UTC');
    await deleteSchedule(env.client, id);
    await expect(updateSchedule(env.client, 'yearly-rotation', organization, { day: 2 })).rejects.toThrow(
      ScheduleMissingError,
    );
  });

  test('list shows both schedules of an organisation and none of another', async () => {
    const organization = uniqueOrganization();
    const other = uniqueOrganization();
    await upsertSchedule(env.client, dailyCheckSchedule({ organization }));
    await upsertSchedule(env.client, yearlyRotationSchedule({ organization, month: 11, day: 30 }));
    await upsertSchedule(env.client, dailyCheckSchedule({ organization: other }));
    const views = await listSchedules(env.client, organization);
    expect(views.map((v) => v.kind).sort()).toEqual(['daily-check', 'yearly-rotation']);
    expect((await listSchedules(env.client)).map((v) => v.organization)).toEqual(
      expect.arrayContaining([organization.toLowerCase(), other.toLowerCase()]),
    );
    for (const v of [...views, ...(await listSchedules(env.client, other))])
      await deleteSchedule(env.client, v.scheduleId);
  });

  test.each([
    [
      () => yearlyRotationSchedule({ organization: 'contoso', month: 2, day: 30 }),
      'day: must exist in every year: month 2 has 28 days',
    ],
    [() => yearlyRotationSchedule({ organization: 'contoso', month: 13, day: 1 }), 'month: must be a month: 1-12'],
    [() => yearlyRotationSchedule({ organization: 'contoso', month: 'Smarch', day: 1 }), 'month: must be a month'],
    [() => dailyCheckSchedule({ organization: 'contoso', hour: 24 }), 'hour: must be 0-23'],
    [
      () => dailyCheckSchedule({ organization: 'contoso', timezone: 'Mars/Olympus' }),
      'timezone: must be an IANA time zone',
    ],
    [() => dailyCheckSchedule({ organization: 'contoso', jitter: 'soon' }), 'jitter: must be a duration'],
    [() => dailyCheckSchedule({ organization: 'con toso' }), 'organization: must be 1-63 letters'],
    [() => dailyCheckSchedule({ organization: 'contoso', renewBeforeDays: 0 }), 'renewBeforeDays: must be at least 1'],
    [
      () => dailyCheckSchedule({ organization: 'contoso', rotation: { effectiveDateHours: 1 } }),
      'rotation.effectiveDateHours: must be at least 48',
    ],
  ])('bad settings are refused before anything is created (%#)', (build, message) => {
    expect(build).toThrow(ScheduleSettingsError);
    expect(build).toThrow(message);
  });

  test('a triggered daily check runs on the central queue and starts the rotation under its one ID', async () => {
    const organization = uniqueOrganization();
    const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error };
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '..', 'check', 'workflows.ts'),
      logger: quiet,
    });
    const org = createFakeOrganization({ current: certificate(Date.now(), 20) });
    // As in production: workflows on the central queue, the organisation's activities on its own.
    const workflows = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowBundle: { code },
    });
    const activities = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: activityTaskQueueFor(organization),
      activities: fakeOrganizationActivities(org),
    });
    const both = (test: () => Promise<void>) => workflows.runUntil(activities.runUntil(test));
    await both(async () => {
      await upsertSchedule(env.client, dailyCheckSchedule({ organization }));
      const handle = env.client.schedule.getHandle(dailyCheckScheduleId(organization));
      await handle.trigger();
      const runs = await eventually(
        async () => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId),
        (r) => r.length > 0,
      );
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      expect(run.startsWith(checkWorkflowId(organization))).toBe(true);
      const report = await env.client.workflow.getHandle(run).result();
      expect(report).toMatchObject({
        action: 'rotation-started',
        rotationWorkflowId: rotationWorkflowId(organization),
      });
      const rotation = env.client.workflow.getHandle(rotationWorkflowId(organization));
      expect((await rotation.describe()).status.name).toBe('RUNNING');
      await endRun(rotation);
      await handle.delete();
    });
  });
});
