// Replays committed histories of rotateAuthCertificate against today's workflow code: a change that would break a
// running rotation (a new activity, a reordered timer) fails here. After an intended, versioned change, record them
// again with `RECORD_HISTORIES=1 npx jest test/histories` and commit the JSON.
import fs from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { ROTATE_WORKFLOW_TYPE, rotationWorkflowId, activityTaskQueueFor } from '../../common/names';
import type { RotationActivities } from '../../activities';
import type { RotationInputJson, RotationStatus } from '../../common/rotation';
import { hcwCompletedSignal, hcwSkippedSignal, hybridAppUpdatedSignal, statusQuery } from '../../workflows/messages';
import { createTimeSkippingEnv, workflowBundle, type WorkflowBundle } from '../workflows/env';
import { type Scenario, StubOrganisation } from '../workflows/stub-activities';

const DIR = __dirname;
/** RECORD_HISTORIES=1 records them all; RECORD_HISTORIES=name,name only those (older ones keep old code paths covered). */
const RECORD = process.env.RECORD_HISTORIES ?? '';
const recordingWanted = (name: string) => RECORD === '1' || RECORD.split(',').includes(name);

interface Recording {
  name: string;
  scenario: Scenario;
  input: RotationInputJson;
  during?: (handle: WorkflowHandle) => Promise<void>;
  /** Replaces some of the stub's activities while recording. */
  activities?: (stub: StubOrganisation, client: Client) => Partial<RotationActivities>;
}

const servers = [
  { name: 'EX1', site: 'Tokyo' },
  { name: 'EX2', site: 'Tokyo' },
  { name: 'EX3', site: 'Osaka' },
];

/** One recording per path and per kind of wait the rotation can be in when a new worker version takes over. */
const RECORDINGS: Recording[] = [
  {
    name: 'planned-hybrid-cross-site',
    scenario: { servers, currentExpiresInDays: 30, hybrid: true, isolatedSites: ['Osaka'], smtpMoves: true },
    input: { organization: 'contoso', crossSiteImportAfter: '1h', restartServiceHostAfterEffectiveDate: true },
    during: async (handle) => {
      await waitFor(handle, (s) => s.phase === 'awaiting-hcw');
      await handle.signal(hcwCompletedSignal, { by: 'alice', note: 'HCW re-run' });
    },
  },
  {
    name: 'emergency-expired',
    scenario: { servers, currentExpiresInDays: -2, hybrid: false },
    input: { organization: 'fabrikam', probeMailbox: 'probe@fabrikam.test' },
  },
  {
    name: 'emergency-missing-hybrid',
    scenario: { servers, currentExpiresInDays: 30, currentMissingOn: 'all', hybrid: true, isolatedSites: ['Osaka'] },
    input: { organization: 'wingtip', probeMailbox: 'probe@wingtip.test' },
    during: async (handle) => {
      await waitFor(handle, (s) => s.phase === 'awaiting-hcw');
      await handle.signal(hcwSkippedSignal, { by: 'bob', reason: 'dedicated hybrid app updated' });
    },
  },
  {
    name: 'emergency-publishes-staged',
    scenario: {
      servers,
      currentExpiresInDays: -2,
      hybrid: false,
      stagedNext: { effectiveInHours: 30, missingOn: ['EX3'] },
    },
    input: { organization: 'litware', probeMailbox: 'probe@litware.test' },
  },
  {
    name: 'servicelet-silent',
    scenario: { servers, currentExpiresInDays: 30, hybrid: false, servicelet: 'after-diagnosis' },
    input: { organization: 'northwind', restartServiceHostAfterEffectiveDate: true },
  },
  {
    name: 'replication-date-moved',
    scenario: { servers, currentExpiresInDays: 30, hybrid: false, replicationPolls: 1000 },
    input: { organization: 'adatum', replicationPollInterval: '5h', crossSiteImportAfter: '100h' },
    activities: (stub) => ({
      // EX2 takes the import only at the second attempt: the date moves once.
      copyCertificate: (() => {
        let refused = false;
        return async (request) => {
          if (refused || !request.targets.some((t) => t.name === 'EX2'))
            return stub.activities().copyCertificate(request);
          refused = true;
          const others = { ...request, targets: request.targets.filter((t) => t.name !== 'EX2') };
          const results = await stub.activities().copyCertificate(others);
          return [...results, { server: 'EX2', outcome: 'failed' as const, detail: 'RPC server is unavailable' }];
        };
      })(),
    }),
  },
  {
    name: 'resume-staged-date-close',
    scenario: {
      servers,
      currentExpiresInDays: 300,
      hybrid: false,
      stagedNext: { effectiveInHours: 2, missingOn: ['EX3'] },
    },
    input: { organization: 'relecloud' },
  },
  {
    name: 'hcw-answered-after-publication',
    scenario: { servers, currentExpiresInDays: 30, hybrid: true },
    input: { organization: 'tailspin' },
    activities: (stub, client) => ({
      recycleAuthAppPools: async (request) => {
        await client.workflow
          .getHandle(rotationWorkflowId('tailspin'))
          .signal(hcwCompletedSignal, { by: 'carol', note: 'ran it as soon as it was current' });
        return stub.activities().recycleAuthAppPools(request);
      },
    }),
  },
  // Servers in a child domain without EnableAuthAdminReadSession: a person is told at planning; publication comes
  // once the diagnosis was read (the switch turned on).
  {
    name: 'child-domain-warned-at-planning',
    scenario: { servers, currentExpiresInDays: 30, hybrid: false, servicelet: 'after-diagnosis', childDomain: true },
    input: { organization: 'proseware' },
  },
  // The dedicated hybrid application without Graph write access: a person runs Microsoft's script and answers while
  // the run waits before the effective date; Graph (read access) confirms it.
  {
    name: 'dedicated-hybrid-app-person',
    scenario: { servers, currentExpiresInDays: 30, hybrid: true, hybridApp: { graph: 'read' } },
    input: { organization: 'woodgrove' },
    during: async (handle) => {
      await waitFor(handle, (s) => s.hybridApp?.detected === true && s.hybridApp.next === 'waiting');
      stubOf.get('woodgrove')?.personRanScript();
      await handle.signal(hybridAppUpdatedSignal, { by: 'erin', note: 'ran -UpdateCertificate' });
    },
  },
  // Replication takes longer than its deadline: the run stops with the certificate staged, before the hybrid
  // application step.
  {
    name: 'dedicated-hybrid-app-stopped',
    scenario: {
      servers,
      currentExpiresInDays: 30,
      hybrid: true,
      hybridApp: { graph: 'write' },
      replicationPolls: 1000,
    },
    input: { organization: 'proseware', replicationDeadline: '3h' },
  },
  // Expired, with the dedicated hybrid application: the emergency path stages now, then adds the key.
  {
    name: 'emergency-dedicated-hybrid-app',
    scenario: { servers, currentExpiresInDays: -2, hybrid: true, hybridApp: { graph: 'write' } },
    input: { organization: 'lucerne', probeMailbox: 'probe@lucerne.test' },
  },
];

/** The stub of each recording's organisation, for a `during` that acts on Entra as a person would. */
const stubOf = new Map<string, StubOrganisation>();

let waitEnv: TestWorkflowEnvironment | undefined;

async function waitFor(handle: WorkflowHandle, ready: (s: RotationStatus) => boolean): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (ready(await handle.query(statusQuery))) return;
    await waitEnv!.sleep('1 hour');
  }
  throw new Error('never ready');
}

const file = (name: string) => path.join(DIR, `${name}.json`);

let bundle: WorkflowBundle;

beforeAll(async () => {
  bundle = await workflowBundle();
  if (!RECORDINGS.some((r) => recordingWanted(r.name))) return;
  const env = await createTimeSkippingEnv();
  waitEnv = env;
  try {
    for (const recording of RECORDINGS.filter((r) => recordingWanted(r.name))) {
      const stub = new StubOrganisation(recording.scenario);
      stubOf.set(recording.input.organization, stub);
      // The organisation's own queue and ID, as every rotation now must run (histories recorded earlier used others).
      const taskQueue = activityTaskQueueFor(recording.input.organization);
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: { ...stub.activities(), ...recording.activities?.(stub, env.client) },
      });
      const history = await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
          workflowId: rotationWorkflowId(recording.input.organization),
          taskQueue,
          args: [recording.input],
        });
        await recording.during?.(handle);
        await handle.result();
        return handle.fetchHistory();
      });
      // protobufjs JSON: enums by name, 64-bit numbers as strings, payloads as base64.
      const json = temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, {
        longs: String,
        enums: String,
        bytes: String,
      });
      fs.writeFileSync(file(recording.name), `${JSON.stringify(json, null, 1)}\n`);
    }
  } finally {
    await env.teardown();
  }
});

function load(name: string) {
  return temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file(name), 'utf8')));
}

const replayOptions = () => ({ workflowBundle: bundle, replayName: 'rotation-replay', debugMode: false });

/**
 * A workflow sees its worker's task queue, and a replay worker's is "<replayName>-<n>"; a rotation checks that it runs
 * on its organisation's queue, so the replay worker gets that one (the SDK's defaults yield to a given taskQueue).
 */
const replayOn = (organization: string) =>
  ({ ...replayOptions(), taskQueue: activityTaskQueueFor(organization) }) as ReturnType<typeof replayOptions>;

test.each(RECORDINGS.map((r) => r.name))('%s replays without non-determinism', async (name) => {
  expect(fs.existsSync(file(name))).toBe(true);
  const results = [];
  const { input } = RECORDINGS.find((r) => r.name === name)!;
  const workflowId = rotationWorkflowId(input.organization);
  const histories = [{ workflowId, history: load(name) }];
  for await (const result of Worker.runReplayHistories(replayOn(input.organization), histories)) {
    results.push(result);
  }
  expect(results).toHaveLength(1);
  expect(results[0]!.error).toBeUndefined();
});

test('the replay test can fail: a history whose recorded steps differ from the code is a determinism violation', async () => {
  const history = load('planned-hybrid-cross-site');
  const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'somethingElseEntirely';
  const results = [];
  for await (const result of Worker.runReplayHistories(replayOptions(), [{ workflowId: 'tampered', history }])) {
    results.push(result);
  }
  expect(results[0]!.error).toBeDefined();
  expect(String(results[0]!.error)).toMatch(/nondetermin|determinism/i);
});

test('the recorded histories are complete rotations', () => {
  for (const { name } of RECORDINGS) {
    const last = load(name).events!.at(-1)!;
    expect(last.workflowExecutionCompletedEventAttributes).toBeTruthy();
  }
});
