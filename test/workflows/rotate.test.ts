// rotateAuthCertificate under time skipping, every path, with stubbed activities over a small stateful organisation.
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityInfo } from '@temporalio/activity';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { ORGANIZATION_PATTERN, rotationWorkflowId, ROTATE_WORKFLOW_TYPE, taskQueueFor } from '../../common/names';
import type { RotationActivities } from '../../activities';
import type { RotationInputJson, RotationReport, RotationStatus } from '../../common/rotation';
import {
  organizationSearchAttribute,
  outcomeSearchAttribute,
  phaseSearchAttribute,
} from '../../common/search-attributes';
import {
  HCW_COMPLETED_EXAMPLE,
  HCW_SKIPPED_EXAMPLE,
  hcwCompletedSignal,
  hcwSkippedSignal,
  reportQuery,
  statusQuery,
} from '../../workflows/messages';
import { createTimeSkippingEnv, Worker, workflowBundle, type WorkflowBundle } from './env';
import { type Scenario, StubOrganisation } from './stub-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await workflowBundle();
});

afterAll(async () => {
  await env?.teardown();
});

const twoSites: Scenario['servers'] = [
  { name: 'EX1', site: 'Tokyo' },
  { name: 'EX2', site: 'Tokyo' },
  { name: 'EX3', site: 'Osaka' },
];

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return { servers: twoSites, currentExpiresInDays: 30, hybrid: false, ...overrides };
}

interface RunOptions {
  /** Runs while the workflow runs (signals, queries). */
  during?: (handle: WorkflowHandle, org: StubOrganisation) => Promise<void>;
  /** Defaults to the organisation's rotation ID (a random one when the input names no valid organisation). */
  workflowId?: string;
  /** Defaults to the organisation's task queue, as for workflowId. */
  taskQueue?: string;
  /** Replaces some of the stub's activities (failures, retries). */
  activities?: Partial<RotationActivities>;
}

/** Where the client starts a rotation of the input's organisation; tests use unique organisations, so unique IDs. */
function placementOf(input: unknown): { workflowId: string; taskQueue: string } {
  const organization = (input as { organization?: unknown } | null)?.organization;
  if (typeof organization === 'string' && ORGANIZATION_PATTERN.test(organization)) {
    return { workflowId: rotationWorkflowId(organization), taskQueue: taskQueueFor(organization) };
  }
  return { workflowId: `rotate-test-${randomUUID()}`, taskQueue: `rotate-test-${randomUUID()}` };
}

async function run(
  org: StubOrganisation,
  input: RotationInputJson | unknown,
  options: RunOptions = {},
): Promise<{ report: RotationReport; handle: WorkflowHandleWithFirstExecutionRunId }> {
  const placement = placementOf(input);
  const taskQueue = options.taskQueue ?? placement.taskQueue;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: { ...org.activities(), ...options.activities },
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
      workflowId: options.workflowId ?? placement.workflowId,
      taskQueue,
      args: [input],
    });
    if (options.during) await options.during(handle, org);
    const report = (await handle.result()) as RotationReport;
    return { report, handle };
  });
}

/** The titles of the plan's steps that run (not left out). */
function planned(report: RotationReport): string[] {
  return (report.plan ?? []).filter((step) => step.skipped === undefined).map((step) => step.title);
}

/** Waits (in skipped time) until the workflow's status satisfies `ready`. */
async function until(handle: WorkflowHandle, ready: (s: RotationStatus) => boolean): Promise<RotationStatus> {
  for (let i = 0; i < 200; i += 1) {
    const status = await handle.query(statusQuery);
    if (ready(status)) return status;
    await env.sleep('1 hour');
  }
  throw new Error('status never became ready');
}

/**
 * One of the stub's activities whose first attempt fails: before the stub acts (the call never reached Exchange) or
 * after it (Exchange changed, the worker died before the result or any heartbeat reached the server).
 */
function firstAttemptFails<K extends keyof RotationActivities>(
  stub: StubOrganisation,
  name: K,
  failure: ApplicationFailure,
  when: 'before' | 'after',
) {
  const stubbed = stub.activities();
  const counter = { attempts: 0 };
  const activity = (async (...args: Parameters<RotationActivities[K]>) => {
    counter.attempts += 1;
    if (counter.attempts === 1 && when === 'before') throw failure;
    const result = await (stubbed[name] as (...a: Parameters<RotationActivities[K]>) => Promise<unknown>)(...args);
    if (counter.attempts === 1) throw failure;
    return result;
  }) as RotationActivities[K];
  return { activities: { [name]: activity } as Partial<RotationActivities>, counter };
}

const org = (name = 'contoso') => `${name}-${randomUUID().slice(0, 8)}`;

describe('planned rotation', () => {
  test('rotates, declines the SMTP overwrite, waits for the date and publication, recycles, no HCW outside hybrid', async () => {
    const stub = new StubOrganisation(scenario({ smtpMoves: true }));
    const { report } = await run(stub, { organization: org() });
    expect(report.path).toBe('rotate');
    expect(report.outcome).toBe('completed');
    expect(report.newThumbprint).toBe(stub.currentThumbprint);
    expect(report.previousThumbprint).not.toBe(report.newThumbprint);
    expect(stub.count('generateAuthCertificate')).toBe(1);
    expect(stub.count('publishCertificateNow')).toBe(0);
    expect(report.publishedByForce).toBe(false);
    expect(report.effectiveDateHours).toBe(49);
    expect(report.servers.every((s) => s.hasNewCertificate && s.event2014 && s.poolsRecycledAfterPublication)).toBe(
      true,
    );
    expect(report.servers.every((s) => s.transport?.restored)).toBe(false);
    expect(report.servers.find((s) => s.name === 'EX1')?.transport?.restored).toBe(true);
    expect(report.warnings.join('\n')).toMatch(/moved SMTP on EX1/);
    // Recycled after publication, never before: the stub's servicelet published at the effective date.
    const effective = Date.parse(report.effectiveDate!);
    for (const at of stub.recycledAt.values()) expect(at).toBeGreaterThanOrEqual(effective);
    expect(report.hcw.status).toBe('not-needed');
    expect(report.phases.map((p) => p.phase)).toEqual([
      'inspecting',
      'planning',
      'generating',
      'staging',
      'replicating',
      'waiting-for-effective-date',
      'publishing',
      'recycling',
    ]);
  });

  test('a crash right after New-ExchangeCertificate (heartbeat lost, NotBefore back-dated) makes no second certificate', async () => {
    const stub = new StubOrganisation(scenario({ notBeforeOffsetHours: -24 }));
    const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
    const { activities, counter } = firstAttemptFails(stub, 'generateAuthCertificate', crash, 'after');
    const { report } = await run(stub, { organization: org() }, { activities });
    expect(counter.attempts).toBe(2);
    expect(stub.madeThumbprints).toHaveLength(1);
    expect(report).toMatchObject({ outcome: 'completed', newCertificateReused: true });
    expect(report.newThumbprint).toBe(stub.madeThumbprints[0]);
    // What the creating server held was read before creation, so the retry knew what was new.
    const names = stub.calls.map((c) => c.name);
    expect(names.indexOf('listAuthCertificates')).toBeLessThan(names.indexOf('generateAuthCertificate'));
    const generate = stub.calls.find((c) => c.name === 'generateAuthCertificate')!.args as { existing?: string[] };
    expect(generate.existing).toEqual(['1'.padStart(40, '0')]);
  });

  test('under 48 hours only with the acknowledgement, recorded in the report; restart of the service host on request', async () => {
    const stub = new StubOrganisation(scenario());
    const { report } = await run(stub, {
      organization: org(),
      effectiveDateHours: 24,
      acknowledgeShortEffectiveDate: true,
      restartServiceHostAfterEffectiveDate: true,
    });
    expect(report.outcome).toBe('completed');
    expect(report.shortEffectiveDateAcknowledged).toBe(true);
    expect(report.effectiveDateHours).toBe(24);
    const stage = stub.calls.find((c) => c.name === 'stageCertificate')!.args as { force: boolean };
    expect(stage.force).toBe(true);
    expect(stub.restartedAt.size).toBe(3);
    for (const at of stub.restartedAt.values()) expect(at).toBeGreaterThanOrEqual(Date.parse(report.effectiveDate!));
  });

  test('a crash after restarting MSExchangeServiceHost: the retry restarts no server again', async () => {
    const stub = new StubOrganisation(scenario());
    const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
    const { activities, counter } = firstAttemptFails(stub, 'restartServiceHost', crash, 'after');
    const { report } = await run(
      stub,
      { organization: org(), restartServiceHostAfterEffectiveDate: true },
      { activities },
    );
    expect(report.outcome).toBe('completed');
    expect(counter.attempts).toBe(2);
    expect(stub.restarts).toEqual(['EX1', 'EX2', 'EX3']);
    const request = stub.calls.find((c) => c.name === 'restartServiceHost')!.args as { notBefore?: string };
    expect(request.notBefore).toBe(report.effectiveDate);
    expect(report.reasons.join('\n')).toMatch(/MSExchangeServiceHost on EX1 had started at .*: not restarted again/);
    expect(report.servers.every((s) => s.serviceHostRestartedAt !== undefined)).toBe(true);
  });

  test('nothing to do outside renewBefore; force rotates anyway', async () => {
    const quiet = new StubOrganisation(scenario({ currentExpiresInDays: 400 }));
    const { report } = await run(quiet, { organization: org() });
    expect(report.outcome).toBe('nothing-to-do');
    expect(report.path).toBe('nothing-to-do');
    expect(quiet.count('generateAuthCertificate')).toBe(0);

    const forced = new StubOrganisation(scenario({ currentExpiresInDays: 400 }));
    const { report: forcedReport } = await run(forced, { organization: org(), force: true });
    expect(forcedReport.path).toBe('rotate');
    expect(forcedReport.outcome).toBe('completed');
  });
});

test('an accelerated server clock: the timer to the effective date is divided by serverClockRate', async () => {
  // Replication is immediate: a 10-minute poll would be 600 server hours at this rate.
  const stub = new StubOrganisation(scenario({ clockRate: 3600, replicationPolls: 0 }));
  const { report } = await run(stub, { organization: org() });
  expect(report.outcome).toBe('completed');
  const waiting = report.phases.find((p) => p.phase === 'waiting-for-effective-date')!;
  const waitedMs = Date.parse(waiting.endedAt!) - Date.parse(waiting.startedAt);
  // 49 server hours at 3600 server seconds per second: about 49 seconds of Temporal time, not 49 hours.
  expect(waitedMs).toBeGreaterThanOrEqual(45_000);
  expect(waitedMs).toBeLessThan(5 * 60_000);
  expect(stub.count('readServerClock')).toBeLessThanOrEqual(3);
});

describe('resume and import', () => {
  test('resume: a certificate staged by a person is carried through, not replaced', async () => {
    const stub = new StubOrganisation(
      scenario({ stagedNext: { effectiveInHours: 10, missingOn: ['EX3'] }, isolatedSites: ['Osaka'] }),
    );
    const staged = '2'.padStart(40, '0');
    const { report } = await run(stub, { organization: org(), crossSiteImportAfter: '1h' });
    expect(report.path).toBe('resume');
    expect(report.newThumbprint).toBe(staged);
    expect(stub.count('generateAuthCertificate')).toBe(0);
    expect(stub.count('stageCertificate')).toBe(0);
    expect(stub.currentThumbprint).toBe(staged);
    expect(report.outcome).toBe('completed');
    // The person's certificate had not reached the other site: it was exported and imported there.
    expect(stub.count('copyCertificate')).toBe(1);
    expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
  });

  test('import across sites: the isolated site gets the certificate by export and import after crossSiteImportAfter', async () => {
    const stub = new StubOrganisation(scenario({ isolatedSites: ['Osaka'], replicationPolls: 1 }));
    const { report } = await run(stub, {
      organization: org(),
      crossSiteImportAfter: '2h',
      replicationPollInterval: '30m',
    });
    expect(report.outcome).toBe('completed');
    const copies = stub.calls.filter((c) => c.name === 'copyCertificate');
    expect(copies).toHaveLength(1);
    const copy = copies[0]!.args as { source: { name: string }; targets: Array<{ name: string }> };
    expect(copy.source.name).toBe('EX1');
    expect(copy.targets.map((t) => t.name)).toEqual(['EX3']);
    expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
    expect(report.servers.find((s) => s.name === 'EX2')?.importedAt).toBeUndefined();
  });

  test('replication deadline: stops with the servers that lack the certificate', async () => {
    const stub = new StubOrganisation(scenario({ replicationPolls: 1000 }));
    const { report } = await run(stub, { organization: org(), replicationDeadline: '3h', crossSiteImportAfter: '10h' });
    expect(report.outcome).toBe('stopped');
    expect(report.stopReason).toMatch(
      /replication deadline passed; servers lacking the new certificate: EX2 \(missing\), EX3 \(missing\)/,
    );
    expect(stub.count('checkPublication')).toBe(0);
  });

  test('replication incomplete shortly before the effective date: the last look imports it everywhere it is missing', async () => {
    const stub = new StubOrganisation(scenario({ replicationPolls: 1000 }));
    const { report } = await run(stub, {
      organization: org(),
      replicationDeadline: '48h',
      replicationPollInterval: '5h',
      crossSiteImportAfter: '100h',
    });
    expect(report.outcome).toBe('completed');
    // The last poll before the cut-off copied to both servers although crossSiteImportAfter had not passed.
    const copies = stub.calls.filter((c) => c.name === 'copyCertificate');
    expect(copies.map((c) => (c.args as { targets: Array<{ name: string }> }).targets.map((t) => t.name))).toEqual([
      ['EX2', 'EX3'],
    ]);
    expect(report.dateChanges.map((d) => d.code)).toEqual(['as-wanted']);
  });

  test('still missing at the cut-off: the date moves (same certificate), a person is told; when it cannot, it stops before the date', async () => {
    const stub = new StubOrganisation(scenario({ replicationPolls: 1000 }));
    const stubbed = stub.activities();
    const checkedAt: number[] = [];
    const { report } = await run(
      stub,
      { organization: org(), replicationPollInterval: '5h', crossSiteImportAfter: '100h' },
      {
        activities: {
          checkReplication: async (request) => {
            const check = await stubbed.checkReplication(request);
            checkedAt.push(Date.parse(check.serverTime));
            return check;
          },
          // EX2 never takes the import.
          copyCertificate: async (request) => {
            const others = { ...request, targets: request.targets.filter((t) => t.name !== 'EX2') };
            const results = await stubbed.copyCertificate(others);
            return [...results, { server: 'EX2', outcome: 'failed' as const, detail: 'RPC server is unavailable' }];
          },
        },
      },
    );
    expect(report.outcome).toBe('stopped');
    expect(report.dateChanges.map((d) => d.code)).toEqual(['as-wanted', 'move-date', 'move-date', 'move-date']);
    expect(report.stopReason).toMatch(
      /^replication not complete by \S+ \(server clock\), shortly before the effective date \S+; servers lacking the new certificate: EX2 \(missing\); it stays staged for \S+ \(server clock\), when it becomes current: import it on EX2 before then, or stage another certificate$/,
    );
    // Stopped on the server clock two hours before the last date, which the servicelet never reached.
    const effective = Date.parse(report.effectiveDate!);
    expect(stub.effectiveDate).toBe(effective);
    expect(checkedAt.at(-1)).toBeLessThan(effective);
    expect(checkedAt.at(-1)).toBeGreaterThanOrEqual(effective - 2 * 3_600_000);
    expect(stub.count('checkPublication')).toBe(0);
    expect(stub.notifications.filter((n) => /effective date moved/.test(n.subject))).toHaveLength(3);
    const asked = stub.notifications.filter((n) => n.kind === 'action-required').at(-1);
    expect(asked?.subject).toMatch(/not on every server before its effective date/);
    expect(asked?.text).toContain(`import it on EX2 before then`);
  });

  test('import path: the current certificate is copied where it is missing, then the organisation is inspected again', async () => {
    const stub = new StubOrganisation(scenario({ currentExpiresInDays: 400, currentMissingOn: ['EX3'] }));
    const { report } = await run(stub, { organization: org() });
    expect(report.path).toBe('import');
    expect(report.outcome).toBe('completed');
    expect(stub.count('inspectOrganization')).toBe(2);
    expect(stub.count('generateAuthCertificate')).toBe(0);
    expect(stub.hasCertificate('EX3', '1'.padStart(40, '0'))).toBe(true);
    expect(report.reasons.join('\n')).toMatch(/current certificate missing on: EX3/);
    expect(report.servers.find((s) => s.name === 'EX3')?.importedAt).toBeDefined();
  });
});

test('import path, then due: the copies are repaired first, then the certificate is rotated', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: 20, currentMissingOn: ['EX3'] }));
  const { report } = await run(stub, { organization: org() });
  expect(report.path).toBe('rotate');
  expect(report.outcome).toBe('completed');
  const names = stub.calls.map((c) => c.name);
  expect(names.indexOf('copyCertificate')).toBeLessThan(names.indexOf('generateAuthCertificate'));
  expect(report.reasons.join('\n')).toMatch(/current certificate missing on: EX3/);
});

describe('emergency', () => {
  test.each([
    ['expired', { currentExpiresInDays: -1 }],
    ['missing everywhere', { currentMissingOn: 'all' as const }],
  ])(
    'current %s: generate, stage now, publish, clear previous, restart, recycle, check sign-in, HCW',
    async (_, over) => {
      const stub = new StubOrganisation(scenario({ ...over, hybrid: true, isolatedSites: ['Osaka'] }));
      const { report } = await run(
        stub,
        { organization: org(), probeMailbox: 'probe@contoso.test' },
        {
          during: async (handle) => {
            await until(handle, (s) => s.phase === 'awaiting-hcw');
            await handle.signal(hcwCompletedSignal, { by: 'alice', note: 'HCW re-run' });
          },
        },
      );
      expect(report.path).toBe('replace-now');
      const stage = stub.calls.find((c) => c.name === 'stageCertificate')!.args as {
        effectiveDate: { kind: string };
        force: boolean;
      };
      expect(stage).toMatchObject({ effectiveDate: { kind: 'now' }, force: true });
      expect(report.publishedByForce).toBe(true);
      expect(stub.previousThumbprint).toBeNull();
      expect(stub.restartedAt.size).toBe(3);
      expect(stub.recycledAt.size).toBe(3);
      expect(stub.count('checkSignIn')).toBe(1);
      expect(report.servers.every((s) => s.signIn?.ok)).toBe(true);
      expect(report.hcw).toMatchObject({ status: 'completed', by: 'alice', note: 'HCW re-run' });
      expect(report.outcome).toBe('completed');
      // The isolated site was served at once: an outage does not wait for crossSiteImportAfter.
      expect(stub.count('copyCertificate')).toBeGreaterThanOrEqual(1);
      const names = stub.calls.map((c) => c.name);
      expect(names.indexOf('publishCertificateNow')).toBeLessThan(names.indexOf('restartServiceHost'));
      expect(names.indexOf('restartServiceHost')).toBeLessThan(names.indexOf('recycleAuthAppPools'));
      // The forced publication wrote event 2014 (the stub's servicelet does at publication): recorded per server.
      expect(report.servers.every((s) => s.event2014 && s.currentThumbprint === report.newThumbprint)).toBe(true);
    },
  );
});

test('emergency with a usable staged certificate: it is imported where missing and published now, none is created', async () => {
  const stub = new StubOrganisation(
    scenario({ currentExpiresInDays: -1, stagedNext: { effectiveInHours: 30, missingOn: ['EX3'] }, hybrid: true }),
  );
  const staged = '2'.padStart(40, '0');
  const expired = '1'.padStart(40, '0');
  const { report } = await run(
    stub,
    { organization: org(), probeMailbox: 'probe@contoso.test' },
    {
      during: async (handle) => {
        await until(handle, (s) => s.phase === 'awaiting-hcw');
        await handle.signal(hcwCompletedSignal, { by: 'alice' });
      },
    },
  );
  expect(report).toMatchObject({
    path: 'replace-now',
    outcome: 'completed',
    newThumbprint: staged,
    previousThumbprint: expired,
    publishedByForce: true,
    previousCleared: true,
  });
  expect(stub.madeThumbprints).toEqual([]);
  expect(stub.count('generateAuthCertificate') + stub.count('listAuthCertificates')).toBe(0);
  expect(stub.currentThumbprint).toBe(staged);
  expect(stub.previousThumbprint).toBeNull();
  // Its date 30 hours ahead was brought forward to now (-Force), then it was copied to the server that lacked it.
  const stage = stub.calls.find((c) => c.name === 'stageCertificate')!.args;
  expect(stage).toEqual({ thumbprint: staged, effectiveDate: { kind: 'now' }, force: true });
  expect(Date.parse(report.effectiveDate!)).toBeLessThan(Date.parse(report.startedAt) + 3_600_000);
  const copies = stub.calls.filter((c) => c.name === 'copyCertificate');
  expect(copies.map((c) => (c.args as { targets: Array<{ name: string }> }).targets.map((t) => t.name))).toEqual([
    ['EX3'],
  ]);
  const names = stub.calls.map((c) => c.name);
  expect(names.indexOf('copyCertificate')).toBeLessThan(names.indexOf('publishCertificateNow'));
  expect(names.indexOf('publishCertificateNow')).toBeLessThan(names.indexOf('restartServiceHost'));
  expect(names.indexOf('restartServiceHost')).toBeLessThan(names.indexOf('recycleAuthAppPools'));
  expect(stub.recycledAt.size).toBe(3);
  expect(report.servers.every((s) => s.signIn?.ok && s.event2014)).toBe(true);
  expect(report.phases.map((p) => p.phase)).not.toContain('generating');
  expect(report.reasons.join('\n')).toMatch(
    new RegExp(`staged next certificate ${staged} is valid until \\S+ and missing on EX3 \\(imported there first\\)`),
  );
  expect(planned(report).slice(0, 3)).toEqual([
    `keep the staged certificate ${staged}: no new certificate is created`,
    'stage it with the effective date now (-Force)',
    'import it on EX3 and confirm every server has it',
  ]);
  expect(report.hcw.status).toBe('completed');
});

test('emergency with a staged certificate that expires within renewBefore: a new one is created instead', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: -1, stagedNext: { effectiveInHours: 30 } }));
  const { report } = await run(stub, { organization: org(), renewBeforeDays: 3650 });
  expect(report).toMatchObject({ path: 'replace-now', outcome: 'completed', publishedByForce: true });
  expect(stub.madeThumbprints).toHaveLength(1);
  expect(stub.currentThumbprint).toBe(stub.madeThumbprints[0]);
  expect(report.reasons.join('\n')).toMatch(
    /is not published instead: it expires at \S+, within renewBefore \(3650 days\)/,
  );
});

test('emergency: a crash right after publishing by force is still reported as published by force', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: -1 }));
  const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
  const { activities, counter } = firstAttemptFails(stub, 'publishCertificateNow', crash, 'after');
  const { report } = await run(stub, { organization: org() }, { activities });
  expect(counter.attempts).toBe(2);
  expect(report).toMatchObject({
    path: 'replace-now',
    outcome: 'completed',
    publishedByForce: true,
    previousCleared: true,
  });
  const request = stub.calls.find((c) => c.name === 'publishCertificateNow')!.args as { replacing?: string };
  expect(request.replacing).toBe(report.previousThumbprint);
});

describe('unreachable servers', () => {
  test('stop the run with a report', async () => {
    const stub = new StubOrganisation(scenario({ unreachable: ['EX2'] }));
    const { report } = await run(stub, { organization: org() });
    expect(report.outcome).toBe('stopped');
    expect(report.path).toBe('stop-unreachable');
    expect(report.stopReason).toMatch(/EX2/);
    expect(report.servers.find((s) => s.name === 'EX2')?.unreachable).toMatch(/RPC/);
    expect(stub.count('generateAuthCertificate')).toBe(0);
  });

  test('ignored on request: the rotation carries on with the others and says so', async () => {
    const stub = new StubOrganisation(scenario({ unreachable: ['EX2'] }));
    const { report } = await run(stub, { organization: org(), ignoreUnreachableServers: true });
    expect(report.outcome).toBe('completed');
    expect(report.servers.find((s) => s.name === 'EX2')).toMatchObject({
      ignored: true,
      poolsRecycledAfterPublication: false,
    });
    expect(report.warnings.join('\n')).toMatch(/EX2 is unreachable and was left out/);
    const recycle = stub.calls.find((c) => c.name === 'recycleAuthAppPools')!.args as {
      servers: Array<{ name: string }>;
    };
    expect(recycle.servers.map((s) => s.name)).toEqual(['EX1', 'EX3']);
  });
});

describe('servers in a child domain without EnableAuthAdminReadSession', () => {
  test('a person is told at planning, before the wait for the effective date; the diagnosis gets the facts', async () => {
    const stub = new StubOrganisation(scenario({ childDomain: true, servicelet: 'after-diagnosis' }));
    const { report } = await run(stub, { organization: org() });
    expect(report.outcome).toBe('completed');
    const warning = report.warnings.find((w) => /EnableAuthAdminReadSession is off/.test(w));
    expect(warning).toMatch(/^The Exchange servers are in corp\.contoso\.test, a child of the forest root domain/);
    const told = stub.notifications.find((n) => n.kind === 'action-required');
    expect(told).toMatchObject({ text: warning, subject: expect.stringMatching(/EnableAuthAdminReadSession/) });
    // Told before anything was created, let alone waited for.
    const names = stub.calls.map((c) => c.name);
    expect(names.indexOf('notify')).toBeLessThan(names.indexOf('generateAuthCertificate'));
    expect(names.indexOf('notify')).toBe(names.indexOf('inspectOrganization') + 1);
    expect(planned(report)).toEqual(
      expect.arrayContaining([expect.stringMatching(/EnableAuthAdminReadSession \$true before the effective date/)]),
    );
    const diagnose = stub.calls.find((c) => c.name === 'diagnoseServicelet')!.args;
    expect(diagnose).toMatchObject({
      childDomain: { forestRootDomain: 'contoso.test', serverDomains: ['corp.contoso.test'] },
    });
  });

  test('a dry run warns in its report and tells nobody; an emergency does not wait for the servicelet', async () => {
    const dry = new StubOrganisation(scenario({ childDomain: true }));
    const { report } = await run(dry, { organization: org(), force: true, dryRun: true });
    expect(report.warnings.join('\n')).toMatch(/EnableAuthAdminReadSession is off/);
    expect(dry.notifications.filter((n) => n.kind === 'action-required')).toEqual([]);
    const emergency = new StubOrganisation(scenario({ childDomain: true, currentExpiresInDays: -1 }));
    const replaced = await run(emergency, { organization: org() });
    expect(replaced.report.path).toBe('replace-now');
    expect(replaced.report.warnings.join('\n')).not.toMatch(/EnableAuthAdminReadSession/);
  });
});

describe('servicelet silent', () => {
  test('diagnoses after one cycle plus the margin, tells a person, never publishes by force, gives up as stopped', async () => {
    const stub = new StubOrganisation(scenario({ servicelet: 'silent' }));
    let seen: RotationStatus | undefined;
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          seen = await until(handle, (s) => s.actionRequired !== null);
        },
      },
    );
    expect(seen?.phase).toBe('publishing');
    expect(seen?.actionRequired).toMatch(/servicelet/);
    expect(stub.count('diagnoseServicelet')).toBe(1);
    expect(stub.count('publishCertificateNow')).toBe(0);
    expect(report.outcome).toBe('stopped');
    expect(report.stopReason).toMatch(/publication-overdue/);
    expect(report.diagnosis?.advice.length).toBeGreaterThan(0);
    expect(stub.notifications.some((n) => n.kind === 'action-required' && /overdue/.test(n.subject))).toBe(true);
    // Overdue means: the date plus one 12 h cycle plus the 2 h margin had passed on the server's clock.
    expect(stub.diagnosedAt).toBeGreaterThanOrEqual(Date.parse(report.effectiveDate!) + 14 * 3_600_000);
    expect(stub.diagnosedAt).toBeLessThan(Date.parse(report.effectiveDate!) + 15 * 3_600_000);
  });

  test('publication that comes after a person acts on the diagnosis completes the rotation', async () => {
    const stub = new StubOrganisation(scenario({ servicelet: 'after-diagnosis' }));
    const { report } = await run(stub, { organization: org() });
    expect(report.outcome).toBe('completed');
    expect(report.diagnosis).toBeDefined();
    expect(report.servers.every((s) => s.event2014)).toBe(true);
  });
});

describe('HCW', () => {
  test('completed: the report records who and when; status shows what the person must do', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    let waiting: RotationStatus | undefined;
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          waiting = await until(handle, (s) => s.phase === 'awaiting-hcw');
          await handle.signal(hcwCompletedSignal, { by: 'alice', note: 'ran HCW' });
        },
      },
    );
    expect(waiting?.actionRequired).toMatch(/Hybrid Configuration Wizard/);
    expect(waiting?.hcw.status).toBe('waiting');
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'alice', note: 'ran HCW' });
    expect(Date.parse(report.hcw.at!)).toBeGreaterThan(Date.parse(report.publishedAt!));
    expect(report.outcome).toBe('completed');
  });

  test('skipped with a reason', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          await handle.signal(hcwSkippedSignal, { by: 'bob', reason: 'hybrid app handled by the cloud team' });
        },
      },
    );
    expect(report.hcw).toMatchObject({ status: 'skipped', by: 'bob', reason: 'hybrid app handled by the cloud team' });
    expect(report.outcome).toBe('completed');
  });

  test('a signal before the certificate is current is ignored with a warning; an invalid one too', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report } = await run(
      stub,
      { organization: org() },
      {
        during: async (handle) => {
          await until(handle, (s) => s.phase === 'waiting-for-effective-date');
          await handle.signal(hcwCompletedSignal, { by: 'eager' });
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          await handle.signal(hcwCompletedSignal, { by: '' });
          await handle.signal(hcwCompletedSignal, { by: 'carol' });
        },
      },
    );
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'carol' });
    expect(report.warnings).toContain(
      'ignored hcwCompletedSignal: waiting-for-effective-date: the wizard only helps once the new certificate is ' +
        'current; answer when the rotation asks',
    );
    expect(report.warnings).toContain(
      `ignored hcwCompletedSignal: by: must name who re-ran the wizard; send ${HCW_COMPLETED_EXAMPLE}`,
    );
  });

  test('an answer sent after publication, while the pools recycle, is kept: no HCW wait, no reminder', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const stubbed = stub.activities();
    const { report } = await run(
      stub,
      { organization: org(), hcwTimeout: '1d' },
      {
        activities: {
          // The person's signal arrives while the workflow is recycling: published, not yet asking for HCW.
          recycleAuthAppPools: async (request) => {
            const { workflowId } = activityInfo().workflowExecution!;
            await env.client.workflow.getHandle(workflowId).signal(hcwCompletedSignal, { by: 'frank', note: 'early' });
            return stubbed.recycleAuthAppPools(request);
          },
        },
      },
    );
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'frank', note: 'early', remindersSent: 0 });
    expect(Date.parse(report.hcw.at!)).toBeGreaterThanOrEqual(Date.parse(report.publishedAt!));
    expect(report.outcome).toBe('completed');
    expect(report.warnings).toEqual([]);
    expect(report.phases.map((p) => p.phase)).not.toContain('awaiting-hcw');
    expect(stub.notifications.filter((n) => n.kind === 'action-required')).toEqual([]);
  });

  test('timed out: reminders every 24 h, then finishes as hcw-pending, not failed', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report, handle } = await run(stub, { organization: org(), hcwTimeout: '3d' });
    expect(report.outcome).toBe('hcw-pending');
    expect(report.hcw.status).toBe('pending');
    expect(report.hcw.remindersSent).toBe(2);
    expect(stub.notifications.filter((n) => n.kind === 'reminder')).toHaveLength(2);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});

describe('plan mode', () => {
  test('dry run inspects, decides, reports the steps and changes nothing', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const { report } = await run(stub, { organization: org(), dryRun: true });
    expect(report.outcome).toBe('dry-run');
    expect(report.path).toBe('rotate');
    expect(planned(report).join('\n')).toMatch(/create a new Auth certificate/);
    expect(planned(report).join('\n')).toMatch(/Hybrid Configuration Wizard/);
    const changed = stub.calls.filter((c) => !['inspectOrganization', 'notify'].includes(c.name));
    expect(changed).toEqual([]);
  });
});

describe('one rotation per organisation', () => {
  test('a second start with the same workflow ID is refused while the first runs', async () => {
    const organization = org();
    const workflowId = rotationWorkflowId(organization);
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    await run(
      stub,
      { organization },
      {
        workflowId,
        during: async (handle) => {
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          await expect(
            env.client.workflow.start(ROTATE_WORKFLOW_TYPE, {
              workflowId,
              taskQueue: 'unused',
              args: [{ organization }],
              workflowIdConflictPolicy: 'FAIL',
            }),
          ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
          // The server's default policy refuses it too: the ID alone guarantees one rotation at a time.
          const refused = await env.client.workflow
            .start(ROTATE_WORKFLOW_TYPE, { workflowId, taskQueue: 'unused', args: [{ organization }] })
            .then(
              () => undefined,
              (error: unknown) => error,
            );
          expect(refused).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
          expect((refused as WorkflowExecutionAlreadyStartedError).workflowId).toBe(workflowId);
          await handle.signal(hcwSkippedSignal, { by: 'test', reason: 'done' });
        },
      },
    );
    // Once it has finished, the next rotation of the organisation may start under the same ID.
    const next = new StubOrganisation(scenario({ currentExpiresInDays: 400 }));
    const { report } = await run(next, { organization }, { workflowId });
    expect(report.outcome).toBe('nothing-to-do');
  });
});

/** The run failed at once as invalid input, non-retryably, with a message matching `message`, having done nothing. */
async function expectRefused(stub: StubOrganisation, outcome: Promise<unknown>, message: RegExp): Promise<void> {
  const failure = await outcome.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('InvalidRotationInput');
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  expect(cause?.message).toMatch(message);
  expect(stub.calls).toEqual([]);
}

describe('bad inputs', () => {
  test.each([
    [{}, /input\.organization: is required/],
    [{ organization: 'has space' }, /input\.organization: must be 1-63 letters/],
    [
      { organization: org('short'), effectiveDateHours: 24 },
      /input\.effectiveDateHours: must be at least 48 unless acknowledgeShortEffectiveDate is true/,
    ],
    [
      { organization: org('poll'), replicationPollInterval: 'soon' },
      /input\.replicationPollInterval: must be a positive duration/,
    ],
    [{ organization: org('typo'), dryrun: true }, /input: Unrecognized key.*dryrun/],
    [{ organization: org('renew'), renewBeforeDays: 'sixty' }, /input\.renewBeforeDays: /],
    ['contoso', /input: must be a JSON object/],
  ])('%j fails at once, non-retryably, naming the field and the rule', async (input, message) => {
    const stub = new StubOrganisation(scenario());
    await expectRefused(stub, run(stub, input), message);
  });
});

describe('a rotation is tied to its organisation', () => {
  test('started under another workflow ID (a second rotation of the organisation) it fails at once', async () => {
    const stub = new StubOrganisation(scenario());
    const organization = org();
    await expectRefused(
      stub,
      run(stub, { organization }, { workflowId: `rotate-test-${randomUUID()}` }),
      new RegExp(
        `^workflowId: must be "${rotationWorkflowId(organization)}" for organization "${organization}", not ` +
          '"rotate-test-.*": the ID is derived from the organisation so that only one rotation of it runs at a time$',
      ),
    );
  });

  test("on another organisation's task queue it fails at once, before its worker touches Exchange", async () => {
    const stub = new StubOrganisation(scenario());
    const organization = org();
    const otherQueue = taskQueueFor(org('other'));
    await expectRefused(
      stub,
      run(stub, { organization }, { taskQueue: otherQueue }),
      new RegExp(
        `^taskQueue: must be "${taskQueueFor(organization)}" for organization "${organization}", not ` +
          `"${otherQueue}": only the worker of that organisation may act on its Exchange$`,
      ),
    );
  });
});

describe('visibility', () => {
  test('status and report queries while running; the details and search attributes are set', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true }));
    const organization = org('Fabrikam');
    await run(
      stub,
      { organization },
      {
        during: async (handle) => {
          const status = await until(handle, (s) => s.phase === 'waiting-for-effective-date');
          expect(status.servers).toHaveLength(3);
          expect(status.servers.every((s) => s.hasNewCertificate)).toBe(true);
          expect(status.nextCheckAt).not.toBeNull();
          expect(status.effectiveDate).not.toBeNull();
          expect(status.summary).toMatch(/certificate on 3\/3/);
          const report = await handle.query(reportQuery);
          expect(report.newThumbprint).toBe(status.newThumbprint);
          // What the Temporal UI shows as the workflow's current details.
          const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
          expect(metadata.currentDetails).toMatch(/waiting-for-effective-date/);
          expect(metadata.currentDetails).toMatch(/\| EX3 \| Osaka \| yes \| no \| no \|/);
          expect(metadata.currentDetails).toMatch(/Next check: /);
          const description = await handle.describe();
          expect(description.typedSearchAttributes.get(organizationSearchAttribute)).toBe(organization.toLowerCase());
          expect(description.typedSearchAttributes.get(phaseSearchAttribute)).toBe('waiting-for-effective-date');
          await until(handle, (s) => s.phase === 'awaiting-hcw');
          const waiting = await handle.query<{
            currentDetails?: string;
            definition?: { signalDefinitions?: Array<{ name: string; description?: string }> };
          }>('__temporal_workflow_metadata');
          expect(waiting.currentDetails).toMatch(/\*\*Action required:\*\* Re-run the Hybrid Configuration Wizard/);
          // The signal dialog's descriptions show the same examples as the instructions.
          const signals = Object.fromEntries(
            (waiting.definition?.signalDefinitions ?? []).map((d) => [d.name, d.description ?? '']),
          );
          expect(signals[hcwCompletedSignal.name]).toContain(HCW_COMPLETED_EXAMPLE);
          expect(signals[hcwSkippedSignal.name]).toContain(HCW_SKIPPED_EXAMPLE);
          await handle.signal(hcwCompletedSignal, { by: 'dave' });
          await handle.result();
          const done = await handle.describe();
          expect(done.typedSearchAttributes.get(outcomeSearchAttribute)).toBe('completed');
          expect(done.typedSearchAttributes.get(phaseSearchAttribute)).toBe('done');
        },
      },
    );
  });
});

describe('long histories', () => {
  test('continues as new when the history grows, carrying the state; signals reach the new run', async () => {
    const stub = new StubOrganisation(scenario({ hybrid: true, replicationPolls: 40 }));
    const { report, handle } = await run(
      stub,
      { organization: org(), maxHistoryEvents: 200, replicationPollInterval: '5m' },
      {
        during: async (h) => {
          await until(h, (s) => s.phase === 'awaiting-hcw');
          await h.signal(hcwCompletedSignal, { by: 'erin' });
        },
      },
    );
    expect(report.continuedAsNew).toBeGreaterThanOrEqual(1);
    expect(report.outcome).toBe('completed');
    expect(report.hcw).toMatchObject({ status: 'completed', by: 'erin' });
    expect(stub.count('generateAuthCertificate')).toBe(1);
    expect(stub.count('stageCertificate')).toBe(1);
    expect(report.phases.map((p) => p.phase)).toContain('replicating');
    expect(report.phases[0]!.phase).toBe('inspecting');
    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
  });
});

describe('failures', () => {
  test('a permanent failure is not retried: the run fails with the error type, outcome failed, and a notification', async () => {
    const stub = new StubOrganisation(scenario());
    let attempts = 0;
    const failure = await run(
      stub,
      { organization: org() },
      {
        activities: {
          generateAuthCertificate: async () => {
            attempts += 1;
            throw ApplicationFailure.create({
              type: 'AccessDeniedError',
              message: 'New-ExchangeCertificate: Access is denied',
            });
          },
        },
        during: async (handle) => {
          await handle.result().catch(() => undefined);
          const description = await handle.describe();
          expect(description.typedSearchAttributes.get(outcomeSearchAttribute)).toBe('failed');
          expect(description.typedSearchAttributes.get(phaseSearchAttribute)).toBe('failed');
        },
      },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ActivityFailure;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect((cause.cause as ApplicationFailure).type).toBe('AccessDeniedError');
    expect(attempts).toBe(1);
    expect(stub.notifications.find((n) => n.kind === 'finished')?.subject).toMatch(/rotation failed/);
  });

  test('a transient failure is retried and the rotation carries on', async () => {
    const stub = new StubOrganisation(scenario());
    const unreachable = ApplicationFailure.create({
      type: 'ServerUnreachableError',
      message: 'The RPC server is unavailable',
    });
    const { activities, counter } = firstAttemptFails(stub, 'checkReplication', unreachable, 'before');
    const { report } = await run(stub, { organization: org() }, { activities });
    expect(report.outcome).toBe('completed');
    expect(counter.attempts).toBeGreaterThan(1);
  });

  test('a webhook that is down does not fail the rotation; the report says the notification was lost', async () => {
    const stub = new StubOrganisation(scenario());
    const { report } = await run(
      stub,
      { organization: org() },
      {
        activities: {
          notify: async () => {
            throw ApplicationFailure.create({ type: 'NotificationFailedError', message: 'webhook returned 503' });
          },
        },
      },
    );
    expect(report.outcome).toBe('completed');
    expect(report.warnings.join('\n')).toMatch(/notification .* not delivered/);
  });
});

test('a cancelled rotation says so in its outcome search attribute', async () => {
  const stub = new StubOrganisation(scenario({ hybrid: true }));
  const failure = await run(
    stub,
    { organization: org() },
    {
      during: async (handle) => {
        await until(handle, (s) => s.phase === 'waiting-for-effective-date');
        await handle.cancel();
        await handle.result().catch(() => undefined);
        const description = await handle.describe();
        expect(description.status.name).toBe('CANCELLED');
        expect(description.typedSearchAttributes.get(outcomeSearchAttribute)).toBe('cancelled');
      },
    },
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
});

test('a crash right after recycling the pools: the retry asks from the publication on and recycles no server twice', async () => {
  const stub = new StubOrganisation(scenario());
  const crash = ApplicationFailure.create({ type: 'WorkerCrashed', message: 'lost' });
  const { activities, counter } = firstAttemptFails(stub, 'recycleAuthAppPools', crash, 'after');
  const { report } = await run(stub, { organization: org() }, { activities });
  expect(counter.attempts).toBe(2);
  expect(report.outcome).toBe('completed');
  expect(stub.recycles).toEqual(['EX1', 'EX2', 'EX3']);
  const requests = stub.calls.filter((c) => c.name === 'recycleAuthAppPools').map((c) => c.args);
  expect(requests).toEqual([
    { servers: expect.any(Array), alreadyRecycled: [], notBefore: report.publishedAt },
    { servers: expect.any(Array), alreadyRecycled: [], notBefore: report.publishedAt },
  ]);
  expect(report.servers.every((s) => s.poolsRecycledAfterPublication)).toBe(true);
  expect(report.reasons.filter((r) => /not recycled again/.test(r))).toEqual(
    ['EX1', 'EX2', 'EX3'].flatMap((server) =>
      ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool'].map((pool) =>
        expect.stringMatching(
          new RegExp(`^${pool} on ${server} had started a worker process at \\S+, after ${report.publishedAt}: not`),
        ),
      ),
    ),
  );
});

test('published, but one server never logs event 2014: AuthConfig is the proof, so nothing waits for it', async () => {
  const stub = new StubOrganisation(scenario({ silentEventsOn: ['EX2'] }));
  const { report } = await run(stub, { organization: org(), publicationGiveUpAfter: '6h' });
  expect(report.outcome).toBe('completed');
  expect(report.diagnosis).toBeUndefined();
  expect(report.warnings.join('\n')).not.toMatch(/event 2014/);
  expect(report.servers.map((s) => [s.name, s.event2014, s.poolsRecycledAfterPublication])).toEqual([
    ['EX1', true, true],
    ['EX2', false, true],
    ['EX3', true, true],
  ]);
});

test('notification toggles: with every kind off, nothing is sent, and the status still says what to do', async () => {
  const stub = new StubOrganisation(scenario({ hybrid: true }));
  const { report } = await run(
    stub,
    {
      organization: org(),
      hcwTimeout: '2d',
      notifications: { actionRequired: false, reminders: false, finished: false },
    },
    {
      during: async (handle) => {
        const status = await until(handle, (s) => s.phase === 'awaiting-hcw');
        expect(status.actionRequired).toMatch(/Hybrid Configuration Wizard/);
      },
    },
  );
  expect(report.outcome).toBe('hcw-pending');
  expect(report.hcw.remindersSent).toBe(1);
  expect(stub.count('notify')).toBe(0);
});

test('a recycle that does not verify is tried again on that server only, then reported', async () => {
  const stub = new StubOrganisation(scenario());
  const stubbed = stub.activities();
  const requests: Array<{ alreadyRecycled: string[] }> = [];
  const { report } = await run(
    stub,
    { organization: org() },
    {
      activities: {
        recycleAuthAppPools: async (request) => {
          requests.push({ alreadyRecycled: [...request.alreadyRecycled] });
          const results = await stubbed.recycleAuthAppPools(request);
          return results.map((r) =>
            r.server === 'EX2'
              ? { ...r, verified: false, detail: 'MSExchangeOWAAppPool is Stopped after the recycle' }
              : r,
          );
        },
      },
    },
  );
  expect(report.outcome).toBe('completed');
  expect(requests).toEqual([
    { alreadyRecycled: [] },
    { alreadyRecycled: ['EX1', 'EX3'] },
    { alreadyRecycled: ['EX1', 'EX3'] },
  ]);
  expect(report.servers.map((s) => [s.name, s.poolsRecycledAfterPublication])).toEqual([
    ['EX1', true],
    ['EX2', false],
    ['EX3', true],
  ]);
  expect(report.warnings.join('\n')).toMatch(
    /recycling the OWA\/ECP pools on EX2 did not verify: MSExchangeOWAAppPool is Stopped/,
  );
});

test('a current certificate that expires before the wanted date: the date comes in front of the expiry, never a publish by force', async () => {
  const stub = new StubOrganisation(scenario({ currentExpiresInDays: 1 }));
  const { report } = await run(stub, { organization: org() });
  expect(report.path).toBe('rotate');
  expect(report.dateChanges[0]?.code).toBe('before-expiry');
  expect(report.publishedByForce).toBe(false);
  expect(stub.count('publishCertificateNow')).toBe(0);
  // The servicelet's next 12-hourly run could come after the expiry: the service host is restarted at the date.
  expect(stub.restarts.length).toBe(3);
  expect(Date.parse(report.effectiveDate!)).toBeLessThanOrEqual(Date.parse(report.startedAt) + 22 * 3_600_000 + 60_000);
  expect(report.outcome).toBe('completed');
});
