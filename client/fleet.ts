// The fleet view: every organisation the service knows (from its rotations, its checks and its schedules in Temporal),
// with days until its certificate expires, the phase of any rotation, what that rotation waits for and who must act.
// Days come from the workers' metrics when their endpoints are given (the current certificate as last seen), else from
// the latest completed daily check's report.
import type { Client } from '@temporalio/client';
import { METRIC_EXPIRATION_TIMESTAMP, METRIC_LAST_INSPECTION } from '../common/metrics';
import { CHECK_WORKFLOW_TYPE, ROTATE_WORKFLOW_TYPE } from '../common/names';
import type { RotationPhase } from '../common/rotation';
import { situationOf } from '../common/situation';
import type { Actor } from '../common/situation';
import { describeRotation } from './rotation';
import { listSchedules } from './schedules';
import type { ScheduleKind } from './schedules';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface FleetEntry {
  organization: string;
  certificate: {
    /** Negative once expired; null when there is no current certificate. */
    daysUntilExpiry: number | null;
    expiresAt: string | null;
    /** metrics: a worker's gauges (at `asOf`, its last successful look); check: the latest daily check's report. */
    source: 'metrics' | 'check';
    asOf: string | null;
    /** A rotation ended after this was read: the certificate may have changed since. */
    beforeLatestRotation: boolean;
  } | null;
  rotation: {
    workflowId: string;
    execution: string;
    phase: string | null;
    outcome: string | null;
    startTime: string;
    closeTime: string | null;
  } | null;
  waitingFor: string | null;
  whoMustAct: Actor | null;
  /** The rotation's own words, when its worker answered. */
  actionRequired: string | null;
  schedules: ScheduleKind[];
}

interface Latest {
  workflowId: string;
  runId: string;
  execution: string;
  startTime: Date;
  closeTime: Date | null;
  attributes: Record<string, string | null>;
}

/** The latest run of `workflowType` per organisation (by its `organization` search attribute). */
async function latestPerOrganization(client: Client, query: string, scan: number): Promise<Map<string, Latest>> {
  const latest = new Map<string, Latest>();
  let seen = 0;
  for await (const info of client.workflow.list({ query, pageSize: 100 })) {
    if (++seen > scan) break;
    const attr = (name: string) => {
      const value = info.searchAttributes?.[name];
      return Array.isArray(value) && value.length ? String(value[0]) : null;
    };
    const organization = attr('organization');
    if (!organization) continue;
    const known = latest.get(organization);
    if (known && known.startTime >= info.startTime) continue;
    latest.set(organization, {
      workflowId: info.workflowId,
      runId: info.runId,
      execution: info.status.name,
      startTime: info.startTime,
      closeTime: info.closeTime ?? null,
      attributes: { phase: attr('phase'), outcome: attr('outcome') },
    });
  }
  return latest;
}

/** `name{...organization="x"...} value` lines of a Prometheus text exposition. */
export function gaugeValues(text: string, metric: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const organization = /organization="([^"]*)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (organization !== undefined) values.set(organization, value);
  }
  return values;
}

/** What the workers' endpoints say of each organisation's certificate. */
async function certificatesFromMetrics(urls: string[]): Promise<Map<string, { expiresAt: number; asOf: number }>> {
  const found = new Map<string, { expiresAt: number; asOf: number }>();
  for (const url of urls) {
    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      text = await response.text();
    } catch (error) {
      throw new Error(`cannot read metrics from ${url}: ${(error as Error).message}`, { cause: error });
    }
    const expiry = gaugeValues(text, METRIC_EXPIRATION_TIMESTAMP);
    const looked = gaugeValues(text, METRIC_LAST_INSPECTION);
    for (const [organization, seconds] of expiry) {
      const asOf = (looked.get(organization) ?? 0) * 1000;
      // Two workers serving one organisation (a rolling upgrade): the newer look wins.
      if ((found.get(organization)?.asOf ?? -1) <= asOf) found.set(organization, { expiresAt: seconds * 1000, asOf });
    }
  }
  return found;
}

interface CheckReportFields {
  currentNotAfter: string | null;
  checkedAt: string;
}

export async function fleetView(
  client: Client,
  options: { metricsUrls?: string[]; now?: number; scan?: number } = {},
): Promise<FleetEntry[]> {
  const now = options.now ?? Date.now();
  const scan = options.scan ?? 2000;
  const rotations = await latestPerOrganization(client, `WorkflowType = '${ROTATE_WORKFLOW_TYPE}'`, scan);
  const checks = await latestPerOrganization(
    client,
    `WorkflowType = '${CHECK_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`,
    scan,
  );
  const schedules = await listSchedules(client);
  const metrics = await certificatesFromMetrics(options.metricsUrls ?? []);
  const organizations = new Set([...rotations.keys(), ...checks.keys(), ...schedules.map((s) => s.organization)]);
  for (const organization of metrics.keys()) organizations.add(organization);

  const entries: FleetEntry[] = [];
  for (const organization of [...organizations].sort()) {
    const latestRotation = rotations.get(organization);
    const entry: FleetEntry = {
      organization,
      certificate: null,
      rotation: latestRotation
        ? {
            workflowId: latestRotation.workflowId,
            execution: latestRotation.execution,
            phase: latestRotation.attributes.phase ?? null,
            outcome: latestRotation.attributes.outcome ?? null,
            startTime: latestRotation.startTime.toISOString(),
            closeTime: latestRotation.closeTime?.toISOString() ?? null,
          }
        : null,
      waitingFor: null,
      whoMustAct: null,
      actionRequired: null,
      schedules: schedules.filter((s) => s.organization === organization).map((s) => s.kind),
    };
    const rotationEnded = latestRotation?.closeTime?.getTime() ?? Number.NEGATIVE_INFINITY;
    const seen = metrics.get(organization);
    const check = checks.get(organization);
    if (seen) {
      entry.certificate = {
        daysUntilExpiry: Number.isFinite(seen.expiresAt) ? (seen.expiresAt - now) / DAY_MS : null,
        expiresAt: Number.isFinite(seen.expiresAt) ? new Date(seen.expiresAt).toISOString() : null,
        source: 'metrics',
        asOf: seen.asOf > 0 ? new Date(seen.asOf).toISOString() : null,
        beforeLatestRotation: seen.asOf < rotationEnded,
      };
    } else if (check) {
      const report = (await client.workflow.getHandle(check.workflowId, check.runId).result()) as CheckReportFields;
      const notAfter = report.currentNotAfter === null ? null : Date.parse(report.currentNotAfter);
      entry.certificate = {
        daysUntilExpiry: notAfter === null ? null : (notAfter - now) / DAY_MS,
        expiresAt: report.currentNotAfter,
        source: 'check',
        asOf: check.closeTime?.toISOString() ?? report.checkedAt,
        beforeLatestRotation: (check.closeTime?.getTime() ?? 0) < rotationEnded,
      };
    }
    if (latestRotation?.execution === 'RUNNING') {
      // The rotation's own view when its worker answers; the phase from the search attribute otherwise.
      const view = await describeRotation(client, organization).catch(() => undefined);
      const phase = (view?.status?.phase ?? latestRotation.attributes.phase ?? 'inspecting') as RotationPhase;
      const situation = situationOf(phase, view?.status);
      entry.waitingFor = situation?.waitingFor ?? null;
      entry.whoMustAct = situation?.actor ?? null;
      entry.actionRequired = view?.status?.actionRequired ?? null;
      if (view?.status && entry.rotation) entry.rotation.phase = view.status.phase;
    }
    entries.push(entry);
  }
  // Whoever must act first, then the soonest expiry.
  const urgency = (e: FleetEntry) => (e.whoMustAct === 'person' ? 0 : 1);
  const days = (e: FleetEntry) => e.certificate?.daysUntilExpiry ?? Number.NEGATIVE_INFINITY;
  return entries.sort((a, b) => urgency(a) - urgency(b) || days(a) - days(b));
}
