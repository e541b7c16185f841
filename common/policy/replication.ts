// Replication: after each look at which servers hold the new certificate, what to do next. Pure; times are the server's.
import type { PresenceState, ServerIdentity } from '../rotation';
import { movedDate, replicationCutoff } from './dates';
import { finding, isoAt, type Finding } from './findings';

export interface ServerPresence {
  server: string;
  site: string;
  state: PresenceState;
}

export type ReplicationCode = 'complete' | 'waiting' | 'move-date' | 'deadline-passed' | 'cutoff-reached';

export type CopyScope = 'cross-site' | 'all-missing';

export type ReplicationStep =
  | { code: 'complete' }
  | { code: 'waiting'; pollServerMs: number; copy: CopyScope | null }
  | { code: 'move-date'; to: string; finding: Finding<ReplicationCode>; copy: CopyScope }
  | { code: 'deadline-passed' | 'cutoff-reached'; finding: Finding<ReplicationCode> };

export interface ReplicationInput {
  servers: ServerPresence[];
  serverNow: string;
  /** Emergency: sign-in is already broken; no cut-off before a date, copy everywhere at once, a short deadline. */
  emergency: boolean;
  /** Server time replication has been watched for, and the deadline (input) on the same measure. */
  elapsedMs: number;
  deadlineMs: number;
  pollMs: number;
  crossSiteImportAfterMs: number;
  /** The planned path's staging: the date and when it was staged (server clock); the moves made so far. */
  staging?: { effectiveDate: string; stagedAt: string; dateMoves: number; currentNotAfter: string | null };
}

export function lackingServers(servers: ServerPresence[]): ServerPresence[] {
  return servers.filter((s) => s.state !== 'present');
}

export function describeLacking(servers: ServerPresence[]): string {
  return servers.map((s) => `${s.server} (${s.state})`).join(', ');
}

export function nextReplicationStep(input: ReplicationInput): ReplicationStep {
  const lacking = lackingServers(input.servers);
  if (lacking.length === 0) return { code: 'complete' };
  const names = describeLacking(lacking);
  if (input.emergency || !input.staging) {
    if (input.elapsedMs >= input.deadlineMs) {
      return {
        code: 'deadline-passed',
        finding: finding(
          'deadline-passed',
          `replication deadline passed; servers lacking the new certificate: ${names}`,
        ),
      };
    }
    return { code: 'waiting', pollServerMs: input.pollMs, copy: input.emergency ? 'all-missing' : null };
  }
  const { staging } = input;
  const now = Date.parse(input.serverNow);
  // The deadline is the person's bound on trying; the cut-off is the date's safety: the date moves, if it can.
  if (input.elapsedMs >= input.deadlineMs) {
    return {
      code: 'deadline-passed',
      finding: finding('deadline-passed', `replication deadline passed; servers lacking the new certificate: ${names}`),
    };
  }
  const cutoff = replicationCutoff(staging.effectiveDate, staging.stagedAt);
  const untilCutoff = cutoff - now;
  if (untilCutoff <= 0) {
    const why =
      `replication not complete by ${isoAt(cutoff)} (server clock), shortly before the effective date ` +
      `${staging.effectiveDate}; servers lacking the new certificate: ${names}`;
    const to = movedDate({ serverNow: input.serverNow, ...staging, movesSoFar: staging.dateMoves });
    if (to === null) return { code: 'cutoff-reached', finding: finding('cutoff-reached', why) };
    return {
      code: 'move-date',
      to,
      finding: finding('move-date', `${why}: the effective date moves to ${to}`),
      copy: 'all-missing',
    };
  }
  // The last poll before the cut-off copies to every server still lacking it, whatever crossSiteImportAfter says.
  const poll = Math.min(input.pollMs, untilCutoff);
  const lastChance = poll === untilCutoff;
  const copy: CopyScope | null = lastChance
    ? 'all-missing'
    : input.elapsedMs >= input.crossSiteImportAfterMs
      ? 'cross-site'
      : null;
  return { code: 'waiting', pollServerMs: poll, copy };
}

/** The server to export from: the one that created the certificate if it has it, else any in scope that has it. */
export function copySource(
  servers: ServerPresence[],
  inScope: ServerIdentity[],
  preferred?: string,
): ServerIdentity | undefined {
  const holding = (name: string) => servers.some((s) => s.server === name && s.state === 'present');
  return inScope.find((s) => s.name === preferred && holding(s.name)) ?? inScope.find((s) => holding(s.name));
}

/** Servers to import on: those missing it (not unreachable ones), in other sites than the source unless all. */
export function copyTargets(servers: ServerPresence[], source: { site: string }, scope: CopyScope): string[] {
  return servers
    .filter((s) => s.state === 'missing' && (scope === 'all-missing' || s.site !== source.site))
    .map((s) => s.server);
}
