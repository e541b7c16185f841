// The state of each organisation's rotation as Prometheus gauges, read from Temporal (not remembered by the workflow's
// metric meter, whose values a worker restart loses): whether one runs, how long it has waited for a person, and how
// the latest one ended. The alert rules in deploy/prometheus use them. One look per organisation every interval.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { LAST_OUTCOMES, METRIC_AWAITING_PERSON, METRIC_LAST_OUTCOME, METRIC_ROTATION_RUNNING } from '../common/metrics';
import type { LastOutcome } from '../common/metrics';
import { rotationWorkflowId } from '../common/names';
import { ROTATION_OUTCOMES } from '../common/rotation';
import type { RotationOutcome, RotationReport, RotationStatus } from '../common/rotation';
import { outcomeSearchAttribute } from '../common/search-attributes';
import { situationOf } from '../common/situation';
import { reportQuery, statusQuery } from '../workflows/messages';

const QUERY_DEADLINE_MS = 10_000;

/** How a closed run ended: the outcome it recorded, else what Temporal says of it. */
export function lastOutcomeOf(
  description: Pick<WorkflowExecutionDescription, 'status' | 'typedSearchAttributes'>,
): LastOutcome {
  const recorded = description.typedSearchAttributes.get(outcomeSearchAttribute);
  if (recorded && (ROTATION_OUTCOMES as readonly string[]).includes(recorded)) return recorded as RotationOutcome;
  switch (description.status.name) {
    case 'TERMINATED':
      return 'terminated';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return 'failed';
  }
}

export interface RotationState {
  running: boolean;
  /** Seconds the running rotation has waited for a person; 0 when it waits for nobody (or nobody can tell). */
  awaitingPersonSeconds: number;
  /** The latest run's outcome once it has ended; null while one runs or when there was none. */
  lastOutcome: LastOutcome | null;
}

export class RotationWatch {
  private readonly personSeen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Client,
    private readonly organizations: string[],
    private readonly meter: MetricMeter = Runtime.instance().metricMeter,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The latest rotation of an organisation, as Temporal and (when it runs) the workflow itself describe it. */
  async stateOf(organization: string): Promise<RotationState> {
    const handle = this.client.workflow.getHandle(rotationWorkflowId(organization));
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        return { running: false, awaitingPersonSeconds: 0, lastOutcome: null };
      throw error;
    }
    if (description.status.name !== 'RUNNING') {
      this.personSeen.delete(organization);
      return { running: false, awaitingPersonSeconds: 0, lastOutcome: lastOutcomeOf(description) };
    }
    const ask = <T>(query: () => Promise<T>) => this.client.withDeadline(this.clock() + QUERY_DEADLINE_MS, query);
    const status: RotationStatus = await ask(() => handle.query(statusQuery));
    const situation = situationOf(status.phase, status);
    if (situation?.actor !== 'person') {
      this.personSeen.delete(organization);
      return { running: true, awaitingPersonSeconds: 0, lastOutcome: null };
    }
    // Since when: the HCW phase's start from the report, which survives a worker restart; any other request of a
    // person (publication overdue) from when this worker first saw it.
    let since = this.personSeen.get(organization) ?? this.clock();
    if (status.phase === 'awaiting-hcw') {
      const report: RotationReport = await ask(() => handle.query(reportQuery));
      const open = [...report.phases].reverse().find((p) => p.phase === 'awaiting-hcw' && p.endedAt === undefined);
      if (open) since = Math.min(since, Date.parse(open.startedAt));
    }
    this.personSeen.set(organization, since);
    return { running: true, awaitingPersonSeconds: Math.max(0, (this.clock() - since) / 1000), lastOutcome: null };
  }

  /** One look at every organisation; one that cannot be read keeps its last values. */
  async collect(): Promise<void> {
    for (const organization of this.organizations) {
      let state: RotationState;
      try {
        state = await this.stateOf(organization);
      } catch {
        continue;
      }
      this.record(organization, state);
    }
  }

  record(organization: string, state: RotationState): void {
    const labels = { organization: organization.toLowerCase() };
    this.meter
      .createGauge(METRIC_ROTATION_RUNNING, 'int', '', '1 while a rotation of the organisation runs')
      .set(state.running ? 1 : 0, labels);
    this.meter
      .createGauge(METRIC_AWAITING_PERSON, 'float', 's', 'Seconds the running rotation has waited for a person')
      .set(state.awaitingPersonSeconds, labels);
    const outcome = this.meter.createGauge(METRIC_LAST_OUTCOME, 'int', '', 'How the latest rotation ended (1 = this)');
    for (const value of LAST_OUTCOMES) outcome.set(value === state.lastOutcome ? 1 : 0, { ...labels, outcome: value });
  }

  /** Looks now and then every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const tick = () => {
      void this.collect().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
