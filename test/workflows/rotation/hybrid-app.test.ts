// The dedicated Exchange hybrid application under time skipping: the next certificate on the application before its
// effective date (through Graph, or a person's answer checked by a Graph read), the date moved when it is not, the
// previous key removed after the grace period, and no HCW step.
import type { WorkflowHandle } from '@temporalio/client';
import type { RotationInputJson, RotationStatus } from '../../../common/rotation';
import { hybridAppUpdatedSignal, hybridAppUpdatedUpdate } from '../../../workflows/messages';
import { type Scenario, StubOrganisation, STUB_HYBRID_APP_ID } from '../stub-activities';
import { org, run as runRotation, until, useRotationEnv } from './fixture';
import { nth } from '../../helpers/present';

useRotationEnv();

const HOUR = 3_600_000;

function scenario(graph: 'write' | 'read' | 'none'): Scenario {
  return {
    servers: [
      { name: 'EX1', site: 'Tokyo' },
      { name: 'EX2', site: 'Tokyo' },
    ],
    currentExpiresInDays: 30,
    hybrid: true,
    hybridApp: { graph },
  };
}

function run(
  stub: StubOrganisation,
  input: Omit<RotationInputJson, 'organization'>,
  during?: (handle: WorkflowHandle) => Promise<void>,
) {
  return runRotation(stub, { organization: org('fabrikam'), ...input }, during ? { during } : {});
}

test('Graph write access: the key goes on before the date, the previous one after the grace period, no HCW', async () => {
  const stub = new StubOrganisation(scenario('write'));
  let status: RotationStatus | undefined;
  const { report } = await run(stub, { hybridAppGracePeriod: '24h' }, async (handle) => {
    status = await until(handle, (s) => s.phase === 'waiting-for-effective-date');
  });
  const next = nth(stub.madeThumbprints, 0, 'made thumbprint');
  expect(report.outcome).toBe('completed');
  expect(status?.hybridApp).toMatchObject({ detected: true, appId: STUB_HYBRID_APP_ID, next: 'on-app' });
  expect(report.plan?.find((s) => s.id === 'hcw')?.skipped).toMatch(/dedicated hybrid application/);
  expect(report.hcw.status).toBe('not-needed');
  expect(stub.keyAddedAt.get(next)).toBeLessThan(Date.parse(report.effectiveDate!) - 6 * HOUR);
  expect(report.dateChanges.filter((c) => c.code === 'move-date')).toEqual([]);
  expect([...stub.appKeys]).toEqual([next]);
  expect(report.hybridApp).toMatchObject({ appId: STUB_HYBRID_APP_ID, next: 'on-app', previous: 'removed' });
  expect(Date.parse(report.hybridApp!.previousAt!)).toBeGreaterThanOrEqual(Date.parse(report.publishedAt!) + 24 * HOUR);
  expect(report.reasons.join('\n')).toMatch(/uses the dedicated Exchange hybrid application/);
});

test('no Graph: a person is told what to run, an early answer is refused, the answer is taken, removal is left to them', async () => {
  const stub = new StubOrganisation(scenario('none'));
  let asked: RotationStatus | undefined;
  let early: unknown;
  const { report } = await run(stub, {}, async (handle) => {
    early = await handle.executeUpdate(hybridAppUpdatedUpdate, { args: [{ by: 'eager' }] }).catch((e: Error) => e);
    asked = await until(handle, (s) => s.hybridApp?.detected === true && s.hybridApp.next === 'waiting');
    await handle.executeUpdate(hybridAppUpdatedUpdate, { args: [{ by: 'carol', note: 'ran the script' }] });
  });
  expect(String((early as Error).cause ?? early)).toMatch(/has not asked yet/);
  expect(asked?.actionRequired).toContain('ConfigureExchangeHybridApplication.ps1 -UpdateCertificate');
  expect(asked?.actionRequired).toContain(hybridAppUpdatedSignal.name);
  expect(report.hybridApp).toMatchObject({ next: 'confirmed', nextBy: 'carol', previous: 'person-told' });
  expect(report.outcome).toBe('completed');
  expect(report.hcw.status).toBe('not-needed');
});

test('read access only, nobody acts in time: the date moves (same certificate); a false answer is not taken', async () => {
  const stub = new StubOrganisation(scenario('read'));
  let firstDate: string | null | undefined;
  const { report } = await run(stub, { hybridAppMargin: '12h' }, async (handle) => {
    const asked = await until(handle, (s) => s.hybridApp?.detected === true && s.hybridApp.next === 'waiting');
    firstDate = asked.effectiveDate;
    // Says it is done, but Entra does not show it: Graph's read wins.
    await handle.signal(hybridAppUpdatedSignal, { by: 'dave' });
    await until(handle, (s) => s.effectiveDate !== firstDate);
    stub.personRanScript();
    await handle.signal(hybridAppUpdatedSignal, { by: 'dave', note: 'really ran it' });
  });
  const next = nth(stub.madeThumbprints, 0, 'made thumbprint');
  const moves = report.dateChanges.filter((c) => c.code === 'move-date');
  expect(moves.length).toBeGreaterThanOrEqual(1);
  expect(moves[0]!.reason).toMatch(/not on the dedicated hybrid application 12 hours before the effective date/);
  expect(Date.parse(report.effectiveDate!)).toBeGreaterThan(Date.parse(firstDate!));
  expect(report.newThumbprint).toBe(next);
  expect(stub.madeThumbprints).toHaveLength(1);
  expect(report.warnings.join('\n')).toMatch(/dave said the hybrid application was updated, but Graph does not show/);
  expect(report.hybridApp).toMatchObject({ next: 'on-app', previous: 'person-told' });
  expect(report.outcome).toBe('completed');
});

test('classic hybrid (no dedicated app): the HCW step stays, the application is never touched', async () => {
  const stub = new StubOrganisation({ ...scenario('write'), hybridApp: undefined });
  const { report } = await run(stub, { hcwTimeout: '1h' });
  expect(report.hybridApp).toBeUndefined();
  expect(report.plan?.find((s) => s.id === 'hcw')?.skipped).toBeUndefined();
  expect(report.plan?.find((s) => s.id === 'hybrid-app-add')?.skipped).toMatch(/does not use/);
  expect(stub.calls.some((c) => c.name === 'addHybridAppKey')).toBe(false);
});

test('emergency: the key goes on the application before the certificate is staged for now', async () => {
  const stub = new StubOrganisation({ ...scenario('write'), currentExpiresInDays: -2 });
  const { report } = await run(stub, { probeMailbox: 'probe@fabrikam.test' });
  const next = nth(stub.madeThumbprints, 0, 'made thumbprint');
  const names = stub.calls.map((c) => c.name);
  expect(report).toMatchObject({ path: 'replace-now', outcome: 'completed' });
  expect(names.indexOf('addHybridAppKey')).toBeGreaterThan(-1);
  expect(names.indexOf('addHybridAppKey')).toBeLessThan(names.indexOf('stageCertificate'));
  expect(names.filter((n) => n === 'addHybridAppKey')).toHaveLength(1);
  expect(report.hybridApp).toMatchObject({ next: 'on-app' });
  expect(stub.appKeys.has(next)).toBe(true);
  expect(report.plan?.find((s) => s.id === 'stage')?.title).toMatch(/^put its key on the dedicated hybrid application/);
});

test('a run that stops with its certificate staged puts the key on the application first, or asks a person', async () => {
  for (const graph of ['write', 'none'] as const) {
    const stub = new StubOrganisation({ ...scenario(graph), replicationPolls: 1000 });
    const { report } = await run(stub, { replicationDeadline: '3h' });
    const next = nth(stub.madeThumbprints, 0, 'made thumbprint');
    expect(report.outcome).toBe('stopped');
    expect(report.stopReason).toMatch(/replication deadline passed/);
    expect(stub.currentThumbprint).not.toBe(next);
    if (graph === 'write') {
      expect(stub.appKeys.has(next)).toBe(true);
      expect(report.hybridApp).toMatchObject({ next: 'on-app' });
    } else {
      const asked = stub.notifications.find((n) => n.subject.includes('dedicated hybrid application'));
      expect(asked).toMatchObject({ kind: 'action-required' });
      expect(asked?.text).toContain(next);
      expect(asked?.text).toContain('the rotation has stopped: no answer to it is needed');
    }
  }
});
