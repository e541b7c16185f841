// The runner: each declared step (common/paths.ts) is one phase function here, run in the path's order. A step goes on
// to the next ('next'), ends the run as stopped, or (the import path) sends the run back to inspect and decide.
import { planOf, PATHS, type StepId } from '../../common/paths';
import type { Rotation } from './context';
import { maybeContinueAsNew } from './finish';
import { adoptStaged, generate, stage } from './generate';
import { awaitHcw } from './hcw';
import { addToHybridApp, keyBeforeStopping, removeFromHybridApp } from './hybrid-app';
import { importFirst, importMissing } from './import';
import { isPatched } from './patches';
import { awaitPublication, confirmEvents, publishNow, restartServiceHost } from './publication';
import { checkSignIn, recycle } from './recycle';
import { replicate } from './replicate';
import { need } from './state';
import { waitForEffectiveDate } from './wait-date';

export type StepResult = 'next' | 'reinspect' | { stop: string };

/** A person must act before the date for the servicelet to publish at all: told now, not when publication is late. */
async function enableReadSession(r: Rotation): Promise<StepResult> {
  const blocked = r.report.warnings.find((w) => w.includes('EnableAuthAdminReadSession $true'));
  if (blocked) await r.askPerson('Turn on EnableAuthAdminReadSession before the effective date', blocked);
  return 'next';
}

const RUN: Record<StepId, (r: Rotation) => Promise<StepResult>> = {
  'enable-read-session': enableReadSession,
  'import-missing': importMissing,
  reinspect: async () => 'reinspect',
  'adopt-staged': adoptStaged,
  generate,
  'import-first': importFirst,
  stage,
  replicate,
  'hybrid-app-add': addToHybridApp,
  'wait-effective-date': waitForEffectiveDate,
  'restart-service-host': restartServiceHost,
  'await-publication': awaitPublication,
  'publish-now': publishNow,
  recycle,
  'sign-in': checkSignIn,
  'confirm-events': confirmEvents,
  'hybrid-app-remove': removeFromHybridApp,
  hcw: awaitHcw,
};

/**
 * The plan again from what the run knows now (a moved date can call for a service host restart), keeping the steps
 * already behind it as they were.
 */
function refreshPlan(r: Rotation): void {
  const { snapshot, decision } = need(r.facts, 'snapshot', 'decision');
  const datePlan = r.facts.datePlan ?? null;
  const restartAtDate = r.facts.staging?.restartAtDate ?? datePlan?.restartAtDate ?? false;
  const fresh = planOf({
    snapshot,
    decision,
    input: r.input,
    datePlan: datePlan ? { ...datePlan, restartAtDate } : null,
  });
  const done = (r.report.plan ?? []).slice(0, r.state.cursor.index);
  r.report.plan = [...done, ...fresh.slice(done.length)];
}

/** Runs the decided path from the cursor on; resolves when the path ends, stopped or not, or asks to reinspect. */
export async function followPath(r: Rotation): Promise<'ended' | 'reinspect'> {
  for (;;) {
    const { path, index } = r.state.cursor;
    if (path === null) return 'reinspect';
    const steps = PATHS[path];
    const id = steps[index];
    if (id === undefined) {
      if (r.report.outcome === 'stopped' && r.report.stopReason === undefined) r.report.outcome = 'completed';
      return 'ended';
    }
    await maybeContinueAsNew(r);
    refreshPlan(r);
    if (r.report.plan?.[index]?.skipped === undefined) {
      const result = await RUN[id](r);
      if (result === 'reinspect') {
        r.state.cursor = { path: null, index: 0 };
        return 'reinspect';
      }
      if (result !== 'next') {
        if (isPatched('stop-hands-hybrid-app-key')) await keyBeforeStopping(r);
        return 'ended';
      }
    }
    r.state.cursor = { path, index: index + 1 };
  }
}
