// What a run leaves behind for the invariants: views of the organisation after every activity attempt, every Exchange
// call with its cmdlets and parameter names, notifications, HCW answers, the workflow's result and its history facts.
// Plain data: the invariants are pure functions of a Trace, and the unit tests write Traces by hand.
import { AUTH_ADMIN_EVENT_ID, AUTH_ADMIN_PROVIDER, signInProbe } from 'simulated-exchange';
import type { Organisation } from 'simulated-exchange';
import type { RotationNotification, RotationReport, RotationStatus } from '../../common/rotation';
import type { Scenario } from './scenario';

export interface CertificateView {
  thumbprint: string;
  subject: string;
  friendlyName: string;
  notBefore: number;
  notAfter: number;
  installedAt: number;
  installedBy: string;
}

export interface ServerView {
  name: string;
  site: string;
  reachable: boolean;
  transport: string | null;
  certificates: CertificateView[];
  pools: Array<{ name: string; state: string; lastRecycle: number; cached: string | null }>;
  /** Event 2014 of MSExchange AuthAdmin: when, and the thumbprint it names. */
  events2014: Array<{ time: number; thumbprint: string | null }>;
  signIn: 'ok' | 'stale' | 'broken';
}

/** The organisation at one instant (Exchange's clock, which follows Temporal's). */
export interface OrgView {
  at: number;
  authConfig: {
    current: string | null;
    previous: string | null;
    next: string | null;
    nextEffective: number | null;
    whenChanged: number;
  };
  servers: ServerView[];
  hybrid: boolean;
  /** Thumbprints whose keys the dedicated hybrid application holds; null: no dedicated application. */
  hybridAppKeys: string[] | null;
}

function hybridAppKeys(org: Organisation): string[] | null {
  const appId = org.authServers.find((a) => a.applicationIdentifier)?.applicationIdentifier;
  const app = appId ? org.entra?.applications.find((a) => a.appId === appId) : undefined;
  return app ? app.keyCredentials.map((k) => k.customKeyIdentifier ?? '') : null;
}

const THUMBPRINT = /[0-9A-F]{40}/;

export function viewOf(org: Organisation, at: number): OrgView {
  const a = org.authConfig;
  return {
    at,
    authConfig: {
      current: a.currentCertificateThumbprint,
      previous: a.previousCertificateThumbprint,
      next: a.nextCertificateThumbprint,
      nextEffective: a.nextCertificateEffectiveDate,
      whenChanged: a.whenChanged,
    },
    hybrid: org.hybrid.present,
    hybridAppKeys: hybridAppKeys(org),
    servers: org.servers.map((s) => ({
      name: s.name,
      site: s.site,
      reachable: s.reachable,
      transport: s.internalTransportCertificate,
      certificates: s.certificates.map((c) => ({
        thumbprint: c.thumbprint,
        subject: c.subject,
        friendlyName: c.friendlyName,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        installedAt: c.installedAt,
        installedBy: c.installedBy,
      })),
      pools: s.appPools.map((p) => ({
        name: p.name,
        state: p.state,
        lastRecycle: p.lastRecycle,
        cached: p.cachedCertificate,
      })),
      events2014: s.events
        .filter((e) => e.id === AUTH_ADMIN_EVENT_ID && e.providerName === AUTH_ADMIN_PROVIDER)
        .map((e) => ({ time: e.time, thumbprint: THUMBPRINT.exec(e.message)?.[0] ?? null })),
      signIn: signInProbe(org, s, at).status,
    })),
  };
}

/** One Exchange call (one line sent to the shell) and the Exchange cmdlets it ran, with their parameter names. */
export interface CallRecord {
  at: number;
  /** The attempt it belongs to (AttemptRecord.seq), or -1 outside any. */
  seq: number;
  activity: string;
  attempt: number;
  cmdlets: Array<{ name: string; params: string[] }>;
  /** What the explorer did to it. */
  injected?: 'transient' | 'shell-death-before' | 'shell-death-after' | 'kill-before' | 'kill-after';
  outcome: 'ok' | 'error' | 'abandoned';
  error?: string;
}

export interface AttemptRecord {
  /** Order of the attempt's start within the run. */
  seq: number;
  activity: string;
  attempt: number;
  /** Exchange time (= Temporal time) the attempt started at. */
  at: number;
  outcome: 'ok' | 'failed' | 'killed';
  error?: string;
  /** The organisation as the attempt started (the clock just moved to `at`), and once it was over. */
  before: OrgView;
  after: OrgView;
}

export interface SignalRecord {
  at: number;
  signal: string;
  payload: unknown;
  valid: boolean;
  delivered: boolean;
}

export interface RunResult {
  status: 'completed' | 'failed' | 'timed-out' | 'terminated';
  report?: RotationReport;
  /** The report as the reportQuery gave it once the run was over (also for failed runs). */
  queriedReport?: RotationReport;
  statusQuery?: RotationStatus;
  failure?: { type: string; message: string; cause?: string };
  /** Temporal time the chain closed. */
  closedAt: number;
}

export interface HistoryFacts {
  runs: number;
  events: number;
  /** Failure messages of WorkflowTaskFailed events, and the most attempts a workflow task was seen to take. */
  workflowTaskFailures: string[];
  maxWorkflowTaskAttempt: number;
  /** Payload text of every event, for the secret scan (dropped after the invariants ran). */
  text: string;
  replay: { ok: boolean; error?: string };
}

export interface Trace {
  scenario: Scenario;
  organization: string;
  workflowId: string;
  mode: 'in-process' | 'real-shell';
  /** Exchange/Temporal time at the start. */
  start: number;
  /** Bound on the run's Temporal duration, derived from the input. */
  boundMs: number;
  /** The organisation as built, at the start. */
  initial: OrgView;
  /** Every view in time order: the start, each attempt's start and end, the close, and later. */
  views: OrgView[];
  attempts: AttemptRecord[];
  calls: CallRecord[];
  notifications: Array<{ at: number; notification: RotationNotification }>;
  signals: SignalRecord[];
  /** The organisation when the run closed, and after the servicelet had its chance to act on what it left staged. */
  end: OrgView;
  later: OrgView;
  result: RunResult;
  history: HistoryFacts;
  /** Secret material seen: key material of every certificate, PFX passwords and data (in-process only). */
  secrets: string[];
  /** Servers the run left out (unreachable, ignoreUnreachableServers). */
  ignored: string[];
}
