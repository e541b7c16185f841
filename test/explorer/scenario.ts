// What a scenario is: a starting organisation, the operator's input, and a timeline of what happens while the rotation
// runs. Plain data, so that a scenario prints, compares and replays; the generator (generate.ts) derives one from a
// seed, and the named regressions (regressions.ts) write some by hand.
import type { RotationInputJson } from '../../common/rotation';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const YEAR = 365.25 * DAY;

/** The current Auth certificate at the start, relative to renewBeforeDays and the clock. */
export type CurrentState = 'far' | 'renew' | 'soon' | 'expired' | 'none';

export interface ServerSpec {
  name: string;
  site: string;
  /** Minutes into the 12-hour AuthAdmin cycle at which this server's servicelet runs (its service host's start). */
  serviceletPhaseMinutes: number;
  /** The internal transport (SMTP) certificate: its own self-signed one, the current Auth certificate, or none. */
  transport: 'own' | 'auth' | 'none';
}

export interface StagedNextSpec {
  stagedBy: 'person' | 'earlier-run';
  /** Effective date relative to the start (negative: already past). */
  effectiveInHours: number;
  /** Servers that hold it at the start. */
  presentOn: string[];
  /** Hours before the start the servicelet began to distribute it; null: it does not (it never saw it staged). */
  replicatingForHours: number | null;
  /** Days the certificate stays valid after the start. */
  validDays: number;
}

export interface OrgSpec {
  servers: ServerSpec[];
  sameSiteReplicationMinutes: number;
  /** null: the servicelet never copies across AD sites. */
  crossSiteReplicationHours: number | null;
  current: {
    state: CurrentState;
    /** Relative to the start; negative: expired. Ignored for 'none'. */
    expiresInHours: number;
    /** Servers that do not hold it. */
    missingOn: string[];
  };
  /** An earlier Auth certificate is still AuthConfig's previous one (and installed). */
  previous: boolean;
  next: StagedNextSpec | null;
  /** Servers holding an Auth-subject certificate that AuthConfig does not name (left over by somebody). */
  strayAuthOn: string[];
  hybrid: boolean;
  /**
   * Hybrid through the dedicated Exchange hybrid application in Entra ID, which the worker updates through Graph (the
   * simulated endpoint, reached by the real Azure libraries). Absent in scenarios written before it existed.
   */
  dedicatedApp?: boolean;
  childDomain: boolean;
  enableAuthAdminReadSession: boolean;
}

/** The operator's input without the organisation, which is made unique per run. */
export type InputSpec = Omit<RotationInputJson, 'organization'>;

export type TimelineEvent =
  | { atMs: number; kind: 'reachable'; server: string; reachable: boolean }
  | { atMs: number; kind: 'service-host-restart'; server: string }
  | { atMs: number; kind: 'authadmin'; paused: boolean }
  | { atMs: number; kind: 'access-denied'; cmdlet: string; once: boolean }
  /** Graph and the token endpoint answer 503 to the next `requests` requests. */
  | { atMs: number; kind: 'graph-outage'; requests: number };

export interface FaultProfile {
  /** Per Exchange call: the probability its first Exchange cmdlet fails with a transient AD error. */
  transient: { probability: number; byCmdlet: Record<string, number> };
  /** Per Exchange call: the probability the shell process dies during it (before or after the cmdlet's effect). */
  shellDeath: number;
  /** Per activity attempt: the probability the worker is killed during it; at most `max` kills per run. */
  kill: { probability: number; max: number; minDowntimeMs: number; maxDowntimeMs: number };
}

/** A fault placed on a named call instead of drawn by chance (regressions). */
export interface ScriptedFault {
  /** The call: the n-th (1-based) whose line runs `cmdlet`, with `param` among its parameters when given. */
  cmdlet: string;
  param?: string;
  occurrence: number;
  action: 'kill-before' | 'kill-after' | 'shell-death-before' | 'shell-death-after' | 'transient';
  /** Kills: how long the worker stays down. */
  downtimeMs?: number;
}

export interface HcwAnswer {
  /** Temporal time after the start at which the person sends it. */
  atMs: number;
  signal: 'hcwCompletedSignal' | 'hcwSkippedSignal';
  payload: unknown;
  /** Whether the payload is what the signal asks for. */
  valid: boolean;
}

export interface Scenario {
  /** A number for generated scenarios; a name for hand-written ones. */
  seed: number | string;
  org: OrgSpec;
  input: InputSpec;
  /** The workflow's second argument (the continue-as-new state), when the scenario passes one. */
  carried?: unknown;
  timeline: TimelineEvent[];
  faults: FaultProfile;
  scripted: ScriptedFault[];
  hcw: HcwAnswer[];
}

export const NO_FAULTS: FaultProfile = {
  transient: { probability: 0, byCmdlet: {} },
  shellDeath: 0,
  kill: { probability: 0, max: 0, minDowntimeMs: MINUTE, maxDowntimeMs: MINUTE },
};
