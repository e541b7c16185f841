// One rotation run: its validated input, its state, and what every phase does alike (enter a phase, wait on a named
// timer, warn, stop, tell a person, show itself in the Temporal UI). Phases are functions of this object.
import { ActivityFailure, setCurrentDetails, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { isNotificationWanted } from '../../common/policy';
import type { NotificationKind, RotationInput, RotationPhase, ServerOutcome } from '../../common/rotation';
import { phaseSearchAttribute } from '../../common/search-attributes';
import { activitiesFor, type RotationProxies } from './proxies';
import type { RotationState } from './state';
import { detailsOf } from './status';

export class Rotation {
  /** Activities run on the organisation's own task queue, where the worker next to its Exchange polls. */
  readonly reads: RotationProxies['reads'];
  readonly changes: RotationProxies['changes'];
  private readonly notifications: RotationProxies['notifications'];

  constructor(
    readonly input: RotationInput,
    readonly state: RotationState,
    /** The input as given: continue-as-new hands it on unchanged. */
    readonly rawInput: unknown,
  ) {
    ({
      reads: this.reads,
      changes: this.changes,
      notifications: this.notifications,
    } = activitiesFor(input.organization));
  }

  get report() {
    return this.state.report;
  }

  get facts() {
    return this.state.facts;
  }

  enterPhase(phase: RotationPhase): void {
    const now = nowIso();
    const open = this.report.phases.at(-1);
    if (open && open.phase === phase && open.endedAt === undefined) return;
    if (open && open.endedAt === undefined) open.endedAt = now;
    this.state.phase = phase;
    this.state.nextCheckAt = null;
    this.state.waitingFor = null;
    if (phase !== 'done' && phase !== 'failed') this.report.phases.push({ phase, startedAt: now });
    upsertSearchAttributes([{ key: phaseSearchAttribute, value: phase }]);
    this.publishDetails();
  }

  /** A durable timer named for what it waits for: the Temporal UI shows the name, the status says why. */
  async pause(ms: number, waitingFor: string): Promise<void> {
    this.state.nextCheckAt = new Date(Date.now() + ms).toISOString();
    this.state.waitingFor = waitingFor;
    this.publishDetails();
    await sleep(ms, { summary: waitingFor });
    this.state.waitingFor = null;
  }

  warn(warning: string): void {
    if (!this.report.warnings.includes(warning)) this.report.warnings.push(warning);
  }

  /** Ends the run as stopped with the reason; the caller returns the step result 'stop'. */
  stop(reason: string): { stop: string } {
    this.report.outcome = 'stopped';
    this.report.stopReason = reason;
    return { stop: reason };
  }

  serverOutcome(name: string): ServerOutcome | undefined {
    return this.report.servers.find((s) => s.name === name);
  }

  /** The servers the run acts on, as their outcomes in the report. */
  inScopeOutcomes(): ServerOutcome[] {
    return this.report.servers.filter((s) => !s.ignored);
  }

  /** A span of server time as Temporal time (an accelerated simulated clock passes sooner); never under a second. */
  temporalMs(serverMs: number): number {
    const rate = this.facts.snapshot?.serverClockRate ?? 1;
    return serverMs <= 0 ? 0 : Math.max(Math.ceil(serverMs / rate), 1000);
  }

  /** Best effort: a webhook that is down must not fail a rotation; the status and the log still say it. */
  async tell(kind: NotificationKind, subject: string, text: string): Promise<void> {
    if (!isNotificationWanted(kind, this.input.notifications)) return;
    try {
      await this.notifications.notify({
        organization: this.input.organization,
        workflowId: this.report.workflowId,
        kind,
        subject: `${this.input.organization}: ${subject}`,
        text,
      });
    } catch (error) {
      this.warn(`notification "${subject}" not delivered: ${failureText(error)}`);
    }
  }

  /** Something a person must do now: shown in the status and details, and sent (when wanted). */
  async askPerson(subject: string, text: string): Promise<void> {
    this.state.actionRequired = text;
    this.publishDetails();
    await this.tell('action-required', subject, text);
  }

  publishDetails(): void {
    setCurrentDetails(detailsOf(this.state));
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** What went wrong, not "Activity task failed": the activity's own error where there is one. */
export function failureText(error: unknown): string {
  const inner = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return inner instanceof Error ? inner.message : String(inner);
}

/**
 * An activity that kept failing with errors Temporal may retry until its attempts ran out: not a verdict on the
 * organisation, so a step that looks again later carries on (a permanent, named error still ends the run).
 */
export function gaveUpRetrying(error: unknown): error is ActivityFailure {
  return error instanceof ActivityFailure && error.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
}
