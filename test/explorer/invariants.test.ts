// The invariants on hand-written traces: for each, a run that keeps it and runs that break it, so a check that could
// never fire (or fires on a good run) shows here before it misleads the explorer.
import type { RotationReport } from '../../common/rotation';
import { checkInvariants, InvariantName } from './invariants';
import { NO_FAULTS, Scenario } from './scenario';
import type { AttemptRecord, CallRecord, OrgView, ServerView, Trace } from './trace';
import { nth } from '../helpers/present';

const H = 3_600_000;
const T0 = Date.UTC(2030, 0, 1);
const OLD = 'A'.repeat(40);
const NEW = 'B'.repeat(40);
const OTHER = 'C'.repeat(40);
const SUBJECT = 'CN=Microsoft Exchange Server Auth Certificate';

function cert(thumbprint: string, installedAt: number, notAfter = T0 + 1000 * 24 * H, installedBy = 'scenario') {
  return {
    thumbprint,
    subject: SUBJECT,
    friendlyName: 'x',
    notBefore: T0 - 365 * 24 * H,
    notAfter,
    installedAt,
    installedBy,
  };
}

function server(
  name: string,
  thumbprints: Array<ReturnType<typeof cert>>,
  extra: Partial<ServerView> = {},
): ServerView {
  return {
    name,
    site: 'Site-A',
    reachable: true,
    transport: `${name}-smtp`,
    certificates: thumbprints,
    pools: [
      { name: 'MSExchangeOWAAppPool', state: 'Started', lastRecycle: T0 - H, cached: OLD },
      { name: 'MSExchangeECPAppPool', state: 'Started', lastRecycle: T0 - H, cached: OLD },
    ],
    events2014: [],
    signIn: 'ok',
    ...extra,
  };
}

function view(
  at: number,
  current: string | null,
  servers: ServerView[],
  extra: Partial<OrgView['authConfig']> = {},
): OrgView {
  return {
    at,
    authConfig: { current, previous: null, next: null, nextEffective: null, whenChanged: T0 - 24 * H, ...extra },
    servers,
    hybrid: false,
    hybridAppKeys: null,
  };
}

const scenario: Scenario = {
  seed: 'table',
  org: {
    servers: [],
    sameSiteReplicationMinutes: 60,
    crossSiteReplicationHours: null,
    current: { state: 'far', expiresInHours: 1000, missingOn: [] },
    previous: false,
    next: null,
    strayAuthOn: [],
    hybrid: false,
    childDomain: false,
    enableAuthAdminReadSession: false,
  },
  input: {},
  timeline: [],
  faults: NO_FAULTS,
  scripted: [],
  hcw: [],
};

function report(over: Partial<RotationReport> = {}): RotationReport {
  return {
    organization: 'o',
    workflowId: 'w',
    path: 'rotate',
    outcome: 'completed',
    reasons: [],
    previousThumbprint: OLD,
    newThumbprint: NEW,
    publishedByForce: false,
    servers: [],
    phases: [],
    warnings: [],
    hcw: { status: 'not-needed', remindersSent: 0 },
    startedAt: new Date(T0).toISOString(),
    continuedAsNew: 0,
    dateChanges: [],
    ...over,
  };
}

function attempt(seq: number, activity: string, at: number, before: OrgView, after = before): AttemptRecord {
  return { seq, activity, attempt: 1, at, outcome: 'ok', before, after };
}

function call(seq: number, at: number, name: string, params: string[], activity = 'x'): CallRecord {
  return { at, seq, activity, attempt: 1, cmdlets: [{ name, params }], outcome: 'ok' };
}

/** A planned rotation that went well: staged, replicated to both servers, published by the servicelet, recycled. */
function goodTrace(): Trace {
  const start = view(T0, OLD, [server('EX1', [cert(OLD, 0)]), server('EX2', [cert(OLD, 0)])]);
  const staged = view(
    T0 + H,
    OLD,
    [
      server('EX1', [cert(OLD, 0), cert(NEW, T0 + H, undefined, 'new')]),
      server('EX2', [cert(OLD, 0), cert(NEW, T0 + 2 * H, undefined, 'replication')]),
    ],
    {
      next: NEW,
      nextEffective: T0 + 49 * H,
    },
  );
  const recycled = (s: ServerView): ServerView => ({
    ...s,
    pools: s.pools.map((p) => ({ ...p, lastRecycle: T0 + 62 * H, cached: NEW })),
    events2014: [{ time: T0 + 60 * H, thumbprint: NEW }],
  });
  const published = view(T0 + 62 * H, NEW, staged.servers.map(recycled), { previous: OLD, whenChanged: T0 + 50 * H });
  const trace: Trace = {
    scenario,
    organization: 'o',
    workflowId: 'w',
    mode: 'in-process',
    start: T0,
    boundMs: 200 * H,
    initial: start,
    views: [start, start, staged, structuredClone(published), published, published],
    attempts: [
      attempt(0, 'inspectOrganization', T0, start),
      attempt(1, 'stageCertificate', T0 + H, staged),
      attempt(2, 'recycleAuthAppPools', T0 + 62 * H, published),
    ],
    calls: [call(1, T0 + H, 'Set-AuthConfig', ['NewCertificateThumbprint', 'NewCertificateEffectiveDate'])],
    notifications: [],
    signals: [],
    end: published,
    later: published,
    result: {
      status: 'completed',
      report: report({
        servers: ['EX1', 'EX2'].map((name) => ({
          name,
          fqdn: name,
          site: 'Site-A',
          hasNewCertificate: true,
          event2014: true,
          poolsRecycledAfterPublication: true,
        })),
      }),
      closedAt: T0 + 63 * H,
    },
    history: {
      runs: 1,
      events: 100,
      workflowTaskFailures: [],
      maxWorkflowTaskAttempt: 1,
      text: '{}',
      replay: { ok: true },
    },
    secrets: ['0123456789abcdef'],
    ignored: [],
  };
  return trace;
}

function broken(trace: Trace): InvariantName[] {
  return [...new Set(checkInvariants(trace).map((v) => v.invariant))];
}

test('a rotation that went well keeps every invariant', () => {
  expect(checkInvariants(goodTrace())).toEqual([]);
});

type Mutation = (t: Trace) => void;

const CASES: Array<[string, InvariantName, Mutation]> = [
  [
    'published while a server lacked it, nobody told',
    'no-outage',
    (t) => {
      const lacking = nth(nth(t.views, 3, 'view').servers, 1, 'server');
      lacking.certificates = lacking.certificates.filter((c) => c.thumbprint !== NEW);
    },
  ],
  [
    'two new Auth certificates made',
    'one-certificate',
    (t) => {
      nth(t.end.servers, 0, 'server').certificates.push(cert(OTHER, T0 + 2 * H, undefined, 'new'));
    },
  ],
  [
    'the SMTP certificate moved',
    'smtp-untouched',
    (t) => {
      t.end = { ...t.end, servers: t.end.servers.map((s, i) => (i === 0 ? { ...s, transport: NEW } : s)) };
    },
  ],
  [
    'published by force while the current certificate was valid and everywhere',
    'nothing-published-early',
    (t) => {
      t.calls.push(call(2, T0 + 62 * H, 'Set-AuthConfig', ['PublishCertificate']));
    },
  ],
  [
    'the emergency path for a valid current certificate',
    'nothing-published-early',
    (t) => {
      t.result.report!.path = 'replace-now';
    },
  ],
  [
    'timed out',
    'it-ends',
    (t) => {
      t.result = { status: 'timed-out', closedAt: t.result.closedAt, queriedReport: t.result.report };
    },
  ],
  [
    'failed without a named error',
    'it-ends',
    (t) => {
      t.result = { status: 'failed', failure: { type: 'Error', message: 'boom' }, closedAt: t.result.closedAt };
    },
  ],
  [
    'a workflow task failed twice',
    'it-ends',
    (t) => {
      t.history.workflowTaskFailures = ['Cannot read properties of undefined', 'Cannot read properties of undefined'];
    },
  ],
  [
    'completed, but the new certificate is not current',
    'honest-report',
    (t) => {
      t.end = { ...t.end, authConfig: { ...t.end.authConfig, current: OLD, next: NEW } };
      t.views[t.views.length - 1] = t.end;
    },
  ],
  [
    'completed in hybrid without an HCW answer',
    'honest-report',
    (t) => {
      t.end = { ...t.end, hybrid: true };
    },
  ],
  [
    'reported pools recycled that were not',
    'honest-report',
    (t) => {
      t.end = {
        ...t.end,
        servers: t.end.servers.map((s) => ({ ...s, pools: s.pools.map((p) => ({ ...p, lastRecycle: T0 })) })),
      };
    },
  ],
  [
    'says it stays staged while it is current',
    'honest-report',
    (t) => {
      t.result.report = {
        ...t.result.report!,
        outcome: 'stopped',
        stopReason: `x; the certificate stays staged for y`,
      };
    },
  ],
  [
    'a dry run that changed Exchange',
    'honest-report',
    (t) => {
      t.result.report = { ...t.result.report!, outcome: 'dry-run' };
    },
  ],
  [
    'key material in the history',
    'clean-history',
    (t) => {
      t.history.text = '{"x":"0123456789abcdef"}';
    },
  ],
  [
    'a history that does not replay',
    'clean-history',
    (t) => {
      t.history.replay = { ok: false, error: 'nondeterminism' };
    },
  ],
];

test.each(CASES)('%s breaks %s (and nothing else)', (_, invariant, mutate) => {
  const trace = goodTrace();
  mutate(trace);
  expect(broken(trace)).toEqual([invariant]);
});

/** The good rotation in an organisation with the dedicated hybrid application, which held NEW from staging on. */
function dedicatedAppTrace(): Trace {
  const trace = goodTrace();
  for (const v of new Set([trace.initial, ...trace.views, trace.end, trace.later])) {
    v.hybrid = true;
    v.hybridAppKeys = v.authConfig.next === NEW || v.authConfig.current === NEW ? [OLD, NEW] : [OLD];
  }
  trace.result.report = {
    ...trace.result.report!,
    hybridApp: { appId: 'app', next: 'on-app', previous: 'pending', nextBy: 'the rotation (Microsoft Graph)' },
  };
  return trace;
}

describe('the dedicated hybrid application', () => {
  test('holding the new key before it became current, as the report says: no violation', () => {
    expect(checkInvariants(dedicatedAppTrace())).toEqual([]);
  });

  test.each([
    [
      'lacking the new key when it became current, nobody told',
      'no-outage',
      (t: Trace) => {
        t.views[3]!.hybridAppKeys = [OLD];
      },
    ],
    [
      'the report says on the application, the application lacks it',
      'honest-report',
      (t: Trace) => {
        t.end.hybridAppKeys = [OLD];
      },
    ],
    [
      'the report says nothing of the application',
      'honest-report',
      (t: Trace) => {
        delete t.result.report!.hybridApp;
      },
    ],
  ] as Array<[string, InvariantName, Mutation]>)('%s breaks %s', (_, invariant, mutate) => {
    const trace = dedicatedAppTrace();
    mutate(trace);
    expect(broken(trace)).toEqual([invariant]);
  });

  test('lacking the new key, with a person asked beforehand, is not an outage the service hid', () => {
    const trace = dedicatedAppTrace();
    trace.views[3]!.hybridAppKeys = [OLD];
    trace.notifications.push({
      at: T0 + 2 * H,
      notification: {
        organization: 'o',
        workflowId: 'w',
        kind: 'action-required',
        subject: 'Add the new Auth certificate to the dedicated hybrid application',
        text: `Exchange Online must have ${NEW} on application app before it becomes current.`,
      },
    });
    expect(broken(trace)).toEqual([]);
  });
});

test('an outage the run saw coming and told people about, with a date still ahead, is not a violation', () => {
  const trace = goodTrace();
  const lacking = nth(nth(trace.views, 3, 'view').servers, 1, 'server');
  lacking.certificates = lacking.certificates.filter((c) => c.thumbprint !== NEW);
  trace.result.report = { ...trace.result.report!, outcome: 'stopped', stopReason: 'EX2 lacks it', servers: [] };
  trace.notifications.push({
    at: T0 + 40 * H,
    notification: {
      organization: 'o',
      workflowId: 'w',
      kind: 'action-required',
      subject: 's',
      text: `Import the new Auth certificate ${NEW} on EX2 before ${new Date(T0 + 49 * H).toISOString()}`,
    },
  });
  expect(checkInvariants(trace).filter((v) => v.invariant === 'no-outage')).toEqual([]);
});

test('a certificate made but not staged is fine when the report names it', () => {
  const trace = goodTrace();
  const ex1 = nth(trace.end.servers, 0, 'server');
  ex1.certificates.push(cert(OTHER, T0 + 2 * H, undefined, 'new'));
  ex1.certificates = ex1.certificates.filter((c) => c.thumbprint !== NEW);
  trace.result = {
    status: 'failed',
    failure: { type: 'AccessDeniedError', message: `Set-AuthConfig: Access is denied; ${OTHER} is left unstaged` },
    closedAt: trace.result.closedAt,
  };
  expect(broken(trace)).not.toContain('one-certificate');
});
