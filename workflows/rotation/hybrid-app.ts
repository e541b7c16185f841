// The dedicated Exchange hybrid application (Entra ID): Exchange Online verifies the organisation's tokens with the
// Auth certificate keys on it, so the next certificate must be there before it becomes current, and the previous one
// goes some time after. The worker does it through Graph when it may; otherwise a person runs Microsoft's script and
// says so (signal or update), checked by a Graph read where the worker can read. Not there a margin before the date:
// the date moves (same certificate) rather than break free/busy, MailTips and photos with Exchange Online.
import { condition, setHandler } from '@temporalio/workflow';
import { UPDATE_CERTIFICATE_SCRIPT } from '../../common/hybrid-app';
import { dedicatedHybridApp } from '../../common/paths';
import {
  checkHybridAppAnswer,
  hybridAppRemoval,
  hybridAppUpdatedSchema,
  malformedHybridAppAnswer,
  nextHybridAppAddStep,
  type HybridAppUpdated,
} from '../../common/policy';
import type { HybridAppRecord } from '../../common/rotation';
import { HYBRID_APP_UPDATED_EXAMPLE, hybridAppUpdatedSignal, hybridAppUpdatedUpdate } from '../messages';
import { failureText, nowIso, type Rotation } from './context';
import { moveDate } from './replicate';
import type { StepResult } from './steps';
import { need } from './state';

/** The worker's own name in the record when it put the key there through Graph. */
const BY_GRAPH = 'the rotation (Microsoft Graph)';

function recordOf(r: Rotation): HybridAppRecord {
  const { snapshot } = need(r.facts, 'snapshot');
  const appId = dedicatedHybridApp(snapshot) ?? 'unknown';
  return (r.report.hybridApp ??= { appId, next: 'pending', previous: 'pending' });
}

/** How a person answers, for the request and the status. */
function howToAnswer(r: Rotation): string {
  const id = r.report.workflowId;
  return (
    `then say so: signal ${hybridAppUpdatedSignal.name} ${HYBRID_APP_UPDATED_EXAMPLE} in the Temporal UI, or ` +
    `temporal workflow update execute --workflow-id ${id} --name ${hybridAppUpdatedUpdate.name} ` +
    `--input '${HYBRID_APP_UPDATED_EXAMPLE}'`
  );
}

/**
 * Puts the certificate's key on the application through Graph, or asks a person to (`then`: what they do after).
 * Adding it early is harmless: the application holds several keys, and Exchange Online takes any of them.
 */
async function requestKey(r: Rotation, rec: HybridAppRecord, then: string): Promise<void> {
  const { certificate } = need(r.facts, 'certificate');
  const thumbprint = certificate.thumbprint;
  const appId = rec.appId;
  let request: string;
  try {
    const added = await r.changes.addHybridAppKey({ appId, thumbprint });
    if (added.status !== 'needs-person') {
      Object.assign(rec, { next: 'on-app', nextBy: BY_GRAPH, nextAt: nowIso() });
      r.report.reasons.push(`the dedicated hybrid application ${appId} holds ${thumbprint} (${added.status})`);
      return;
    }
    request = `${added.command} (${added.reason})`;
  } catch (error) {
    request = `run ${UPDATE_CERTIFICATE_SCRIPT} in the Exchange Management Shell on an Exchange server`;
    r.warn(`could not add ${thumbprint} to the hybrid application through Graph: ${failureText(error)}`);
  }
  rec.next = 'waiting';
  await r.askPerson(
    'Add the new Auth certificate to the dedicated hybrid application',
    `Exchange Online must have ${thumbprint} on application ${appId} before it becomes current. ${request}; ${then}`,
  );
}

/**
 * A run that stops with its certificate staged leaves it to the servicelet, which publishes it at the date: Exchange
 * Online must hold its key by then, so it goes to the application now, as the step further on would have put it.
 */
export async function keyBeforeStopping(r: Rotation): Promise<void> {
  const { snapshot, certificate, staging, publication } = r.facts;
  if (!snapshot || !certificate || !staging || publication || dedicatedHybridApp(snapshot) === null) return;
  const rec = recordOf(r);
  if (rec.next === 'pending') await requestKey(r, rec, 'the rotation has stopped: no answer to it is needed');
}

/**
 * The emergency path stages for now, and the servicelet publishes at its next run, however long replication or a
 * worker outage takes (explorer seed 1476): the key goes on the application before staging, not after.
 */
export async function keyBeforeStagingNow(r: Rotation): Promise<void> {
  const { snapshot } = need(r.facts, 'snapshot');
  if (dedicatedHybridApp(snapshot) === null) return;
  const rec = recordOf(r);
  if (rec.next === 'pending') await requestKey(r, rec, howToAnswer(r));
}

export async function addToHybridApp(r: Rotation): Promise<StepResult> {
  const rec = recordOf(r);
  if (rec.next === 'on-app' || rec.next === 'confirmed' || rec.next === 'missing') return 'next';
  r.enterPhase('updating-hybrid-app');
  const { certificate, decision } = need(r.facts, 'certificate', 'decision');
  const thumbprint = certificate.thumbprint;
  const appId = rec.appId;
  if (rec.next === 'pending') await requestKey(r, rec, howToAnswer(r));
  // The emergency path cannot wait: sign-in already fails. The request stands; the run goes on.
  if (decision.path === 'replace-now') {
    r.warn(
      `the hybrid application ${appId} may lack ${thumbprint}: free/busy with Exchange Online fails until it is added`,
    );
    return 'next';
  }
  for (;;) {
    const { staging } = need(r.facts, 'staging');
    const onApp = await lookAtApp(r, appId, thumbprint);
    const { serverTime } = await r.reads.readServerClock();
    const answered = rec.nextBy !== undefined;
    const step = nextHybridAppAddStep({
      serverNow: serverTime,
      effectiveDate: staging.effectiveDate,
      marginMs: r.input.hybridAppMargin,
      onApp,
      answered,
      movesSoFar: staging.dateMoves,
      currentNotAfter: r.facts.snapshot?.current?.notAfter ?? null,
      pollMs: onApp === null ? r.input.hcwReminderInterval : r.input.replicationPollInterval,
    });
    switch (step.code) {
      case 'on-app':
      case 'confirmed-unverified':
        rec.next = step.code === 'on-app' ? 'on-app' : 'confirmed';
        rec.nextAt ??= nowIso();
        r.state.actionRequired = null;
        r.report.reasons.push(`${step.message} (${thumbprint})`);
        return 'next';
      case 'waiting': {
        if (answered && onApp === false) {
          r.warn(`${rec.nextBy} said the hybrid application was updated, but Graph does not show ${thumbprint} on it`);
          delete rec.nextBy;
        }
        const before = rec.nextBy;
        r.state.waitingFor = `${thumbprint.slice(0, 8)}… on the hybrid application ${appId} (Graph, or a person's answer)`;
        await waitForAnswer(r, r.temporalMs(step.waitServerMs), () => rec.nextBy !== before);
        break;
      }
      case 'move-date':
        await moveDate(r, step.to, step.message, 'The rotation waits for the hybrid application to hold it.');
        break;
      case 'cannot-move':
        rec.next = 'missing';
        r.warn(step.message);
        await r.tell('action-required', 'Hybrid application lacks the new Auth certificate', step.message);
        return 'next';
    }
  }
}

/** Graph's answer, or null when the worker cannot read (not configured, or Graph failing: a person's word stands). */
async function lookAtApp(r: Rotation, appId: string, thumbprint: string): Promise<boolean | null> {
  try {
    const keys = await r.reads.readHybridAppKeys({ appId, thumbprints: [thumbprint] });
    return keys.status === 'read' ? keys.present.includes(thumbprint) : null;
  } catch (error) {
    r.warn(`could not read the hybrid application's keys: ${failureText(error)}`);
    return null;
  }
}

async function waitForAnswer(r: Rotation, ms: number, answered: () => boolean): Promise<void> {
  r.state.nextCheckAt = new Date(Date.now() + ms).toISOString();
  r.publishDetails();
  await condition(answered, ms, { summary: 'the hybrid application answer, or the next look' });
  r.state.nextCheckAt = null;
  r.state.waitingFor = null;
}

export async function removeFromHybridApp(r: Rotation): Promise<StepResult> {
  const rec = recordOf(r);
  if (rec.previous !== 'pending') return 'next';
  r.enterPhase('updating-hybrid-app');
  const { certificate } = need(r.facts, 'certificate');
  const previous = r.report.previousThumbprint === certificate.thumbprint ? null : r.report.previousThumbprint;
  for (;;) {
    const { serverTime } = await r.reads.readServerClock();
    const step = hybridAppRemoval({
      previousThumbprint: previous,
      publishedAt: r.facts.publication?.publishedAt ?? serverTime,
      serverNow: serverTime,
      graceMs: r.input.hybridAppGracePeriod,
    });
    if (step.code === 'no-previous') {
      rec.previous = 'absent';
      return 'next';
    }
    if (step.code === 'remove') break;
    await r.pause(
      r.temporalMs(step.waitServerMs),
      `the grace period before removing ${previous!.slice(0, 8)}… (${step.message})`,
    );
  }
  const thumbprint = previous!;
  try {
    const removed = await r.changes.removeHybridAppKey({ appId: rec.appId, thumbprint });
    if (removed.status === 'needs-person') {
      rec.previous = 'person-told';
      await r.askPerson('Remove the previous Auth certificate from the hybrid application', removed.command);
    } else {
      rec.previous = removed.status === 'removed' ? 'removed' : 'absent';
      r.report.reasons.push(
        `removed the previous certificate ${thumbprint} from the hybrid application (${removed.status})`,
      );
    }
  } catch (error) {
    rec.previous = 'kept';
    r.warn(`the previous certificate ${thumbprint} stays on the hybrid application: ${failureText(error)}`);
  }
  rec.previousAt = nowIso();
  return 'next';
}

/** Whether the rule takes a person's answer now. */
function verdictFor(r: Rotation) {
  const snapshot = r.facts.snapshot;
  return checkHybridAppAnswer({
    dedicated: snapshot ? dedicatedHybridApp(snapshot) !== null : null,
    status: r.report.hybridApp?.next ?? null,
    phase: r.state.phase,
  });
}

function record(r: Rotation, answer: HybridAppUpdated): HybridAppRecord {
  const rec = recordOf(r);
  Object.assign(rec, { nextBy: answer.by, nextAt: nowIso(), ...(answer.note ? { note: answer.note } : {}) });
  r.state.lastRefusedAnswer = null;
  r.publishDetails();
  return { ...rec };
}

export function registerHybridAppHandlers(r: Rotation): void {
  const name = hybridAppUpdatedSignal.name;
  setHandler(
    hybridAppUpdatedSignal,
    (payload: unknown) => {
      const parsed = hybridAppUpdatedSchema.safeParse(payload);
      const verdict = parsed.success
        ? verdictFor(r)
        : malformedHybridAppAnswer(parsed.error, HYBRID_APP_UPDATED_EXAMPLE);
      if (!parsed.success || verdict.code !== 'accepted') {
        r.warn(`ignored ${name}: ${verdict.message}`);
        r.state.lastRefusedAnswer = { at: nowIso(), reason: `${name}: ${verdict.message}` };
        r.publishDetails();
        return;
      }
      record(r, parsed.data);
    },
    { description: `ConfigureExchangeHybridApplication.ps1 -UpdateCertificate was run: ${HYBRID_APP_UPDATED_EXAMPLE}` },
  );
  setHandler(hybridAppUpdatedUpdate, (answer) => record(r, hybridAppUpdatedSchema.parse(answer)), {
    validator: (answer) => {
      const parsed = hybridAppUpdatedSchema.safeParse(answer);
      if (!parsed.success) {
        throw new Error(malformedHybridAppAnswer(parsed.error, HYBRID_APP_UPDATED_EXAMPLE).message);
      }
      const verdict = verdictFor(r);
      if (verdict.code !== 'accepted') throw new Error(verdict.message);
    },
    description: `The CLI's hybrid-app-updated: ${HYBRID_APP_UPDATED_EXAMPLE}`,
  });
}
