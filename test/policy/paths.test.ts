// The paths as declared: what plan mode reports and the status lists, for a few organisations.
import { PATHS, planOf, STEPS, type PlanContext } from '../../common/paths';
import {
  authAdminBlockedWarning,
  isAuthAdminBlockedByChildDomain,
  planNewDate,
  planStagedDate,
} from '../../common/policy';
import { expiredWithNext, inDays, NEXT, NOW, snapshot } from './fixtures';

const input = {
  effectiveDateHours: 49,
  restartServiceHostAfterEffectiveDate: false,
  hybridAppMargin: 6 * 3_600_000,
  hybridAppGracePeriod: 48 * 3_600_000,
};

function plan(ctx: Partial<PlanContext> & Pick<PlanContext, 'decision'>) {
  return planOf({ snapshot: snapshot({ expiresInDays: 10 }), input, datePlan: null, ...ctx });
}
const running = (steps: ReturnType<typeof plan>) => steps.filter((s) => s.skipped === undefined).map((s) => s.id);

test('every path lists declared steps only, and every step is on some path', () => {
  const used = new Set(Object.values(PATHS).flat());
  expect([...used].every((id) => id in STEPS)).toBe(true);
  expect(Object.keys(STEPS).filter((id) => !used.has(id as keyof typeof STEPS))).toEqual([]);
});

test('rotate: the date from the plan, no restart unless asked or the date was capped, HCW only in hybrid', () => {
  const datePlan = planNewDate(NOW, 49, inDays(900));
  const steps = plan({ decision: { path: 'rotate' }, datePlan });
  expect(running(steps)).toEqual([
    'generate',
    'stage',
    'replicate',
    'wait-effective-date',
    'await-publication',
    'recycle',
  ]);
  expect(steps.find((s) => s.id === 'stage')?.title).toMatch(/49 hours after the server's clock/);
  expect(steps.find((s) => s.id === 'hcw')?.skipped).toBe('the organisation has no hybrid configuration');
  expect(steps.find((s) => s.id === 'sign-in')?.skipped).toBe('the input names no probeMailbox');
  const asked = plan({
    decision: { path: 'rotate' },
    datePlan,
    input: { ...input, restartServiceHostAfterEffectiveDate: true },
  });
  expect(running(asked)).toContain('restart-service-host');
  const capped = plan({ decision: { path: 'rotate' }, datePlan: planNewDate(NOW, 49, inDays(1)) });
  expect(running(capped)).toContain('restart-service-host');
  expect(capped.find((s) => s.id === 'stage')?.title).toMatch(
    /^set its effective date to \S+: the current certificate expires/,
  );
  const hybrid = plan({
    decision: { path: 'rotate' },
    datePlan,
    snapshot: { ...snapshot({ expiresInDays: 10 }), hybrid: true },
  });
  expect(running(hybrid)).toContain('hcw');
});

test('the dedicated hybrid application: its keys are updated around publication instead of the HCW', () => {
  const appId = '11111111-2222-3333-4444-555555555555';
  const dedicated = {
    ...snapshot({ expiresInDays: 10 }),
    hybrid: true,
    hybridApp: { detected: true, appId, evidence: [] },
  };
  const datePlan = planNewDate(NOW, 49, inDays(900));
  for (const path of ['rotate', 'resume', 'replace-now'] as const) {
    const steps = plan({ decision: { path }, datePlan, snapshot: dedicated });
    const ids = running(steps);
    expect(ids).toEqual(expect.arrayContaining(['hybrid-app-add', 'hybrid-app-remove']));
    expect(ids).not.toContain('hcw');
    expect(ids.indexOf('hybrid-app-add')).toBeGreaterThan(ids.indexOf('replicate'));
    expect(steps.find((s) => s.id === 'hybrid-app-add')?.title).toContain(appId);
    expect(steps.find((s) => s.id === 'hcw')?.skipped).toMatch(/dedicated hybrid application/);
  }
  const planned = running(plan({ decision: { path: 'rotate' }, datePlan, snapshot: dedicated }));
  expect(planned.indexOf('hybrid-app-add')).toBeLessThan(planned.indexOf('wait-effective-date'));
  expect(planned.indexOf('hybrid-app-remove')).toBeGreaterThan(planned.indexOf('await-publication'));
  // Classic hybrid (no dedicated app, or not detected): the HCW step, no key steps.
  for (const hybridApp of [undefined, null, { detected: false, appId: null, evidence: [] }]) {
    const classic = running(plan({ decision: { path: 'rotate' }, datePlan, snapshot: { ...dedicated, hybridApp } }));
    expect(classic).toContain('hcw');
    expect(classic).not.toContain('hybrid-app-add');
    expect(classic).not.toContain('hybrid-app-remove');
  }
});

test('the planned paths never publish by force; the emergency does', () => {
  for (const path of ['rotate', 'resume'] as const) expect(PATHS[path]).not.toContain('publish-now');
  expect(PATHS['replace-now']).toContain('publish-now');
});

test('replace-now with a usable staged certificate: kept, not created; imported where missing before staging', () => {
  const steps = plan({
    decision: { path: 'replace-now', publishStaged: true },
    snapshot: expiredWithNext(['present', 'missing']),
  });
  expect(running(steps).slice(0, 5)).toEqual(['adopt-staged', 'import-first', 'stage', 'replicate', 'publish-now']);
  expect(steps.map((s) => s.title).slice(0, 5)).toEqual([
    `keep the staged certificate ${NEXT}: no new certificate is created`,
    'create a new Auth certificate (-Services None; restore the SMTP certificate if it moved)',
    `import the staged certificate ${NEXT} on EX2 before staging it now (a new certificate replaces it where it ` +
      'cannot be imported)',
    'stage it with the effective date now (-Force)',
    'confirm every server has it',
  ]);
  expect(steps.find((s) => s.id === 'generate')?.skipped).toBe(`the staged certificate ${NEXT} is kept`);
  // A new certificate too is imported everywhere before it is staged for now (seed 182).
  const created = plan({ decision: { path: 'replace-now' }, snapshot: expiredWithNext(['present', 'missing']) });
  expect(running(created).slice(0, 3)).toEqual(['generate', 'import-first', 'stage']);
});

test('resume: the staged date stands, or moves when servers lack it and it is close', () => {
  const staged = snapshot({ next: NEXT, nextEffectiveInDays: 1 });
  const stands = plan({ decision: { path: 'resume' }, snapshot: staged });
  expect(stands.find((s) => s.id === 'stage')?.skipped).toMatch(/^it is staged for \S+, which stands$/);
  const datePlan = planStagedDate({
    serverNow: NOW,
    stagedDate: inDays(-1),
    lacking: ['EX2'],
    currentNotAfter: inDays(300),
  });
  const moves = plan({ decision: { path: 'resume' }, snapshot: staged, datePlan });
  expect(moves.find((s) => s.id === 'stage')).toMatchObject({
    title: expect.stringMatching(/^set its effective date to/),
  });
  expect(moves.find((s) => s.id === 'stage')?.skipped).toBeUndefined();
});

test('child domain without the read session: a person is asked before the date; otherwise the step is left out', () => {
  const child = {
    ...snapshot({ expiresInDays: 10 }),
    childDomain: { forestRootDomain: 'contoso.com', serverDomains: ['corp.contoso.com'] },
  };
  expect(running(plan({ decision: { path: 'rotate' }, snapshot: child }))[0]).toBe('enable-read-session');
  const on = { ...child, enableAuthAdminReadSession: true };
  expect(running(plan({ decision: { path: 'rotate' }, snapshot: on }))).not.toContain('enable-read-session');
});

test('a read-session switch Exchange did not return is unknown: treated like off, and the warning says it is unknown', () => {
  const child = {
    ...snapshot({ expiresInDays: 10 }),
    childDomain: { forestRootDomain: 'contoso.com', serverDomains: ['corp.contoso.com'] },
  };
  const unknown = { ...child, enableAuthAdminReadSession: null };
  expect(isAuthAdminBlockedByChildDomain(unknown)).toBe(true);
  expect(running(plan({ decision: { path: 'rotate' }, snapshot: unknown }))[0]).toBe('enable-read-session');
  expect(authAdminBlockedWarning(unknown)).toMatch(
    /EnableAuthAdminReadSession could not be read \(Get-OrganizationConfig did not return it\): if it is off/,
  );
  expect(authAdminBlockedWarning({ ...child, enableAuthAdminReadSession: false })).toMatch(
    /EnableAuthAdminReadSession is off: the AuthAdmin servicelet cannot run/,
  );
});
