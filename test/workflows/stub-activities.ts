// Stubbed activities for workflow tests: a tiny, stateful Exchange organisation behind the RotationActivities
// signatures. Its clock is the Temporal server's (the time-skipping test server's skipped time), read from the
// activity's scheduled timestamp, so effective dates and timers agree the way a real server's clock and Temporal do.
import { removalSteps, uploadCommand } from '../../activities/hybrid-app';
import { activityInfo } from '@temporalio/activity';
import type { RotationActivities } from '../../activities';
import { AUTH_APP_POOLS as POOLS } from '../../common/names';
import type {
  CopyResult,
  GeneratedCertificate,
  OrganizationSnapshot,
  RecycleResult,
  RotationNotification,
  ServerIdentity,
  ServerSnapshot,
} from '../../common/rotation';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

export interface StubServer {
  name: string;
  site: string;
}

export interface Scenario {
  servers: StubServer[];
  /** Days until the current certificate expires (negative: expired); null: AuthConfig names none. */
  currentExpiresInDays: number | null;
  /** Servers without the current certificate; 'all' for missing everywhere. */
  currentMissingOn?: string[] | 'all';
  /** A next certificate already staged, with its effective date this many hours from the start. */
  stagedNext?: { effectiveInHours: number; missingOn?: string[] };
  hybrid: boolean;
  unreachable?: string[];
  /** Checks before a server of the creating server's site has the new certificate. */
  replicationPolls?: number;
  /** Sites the servicelet does not reach: only an import helps there. */
  isolatedSites?: string[];
  /** The servicelet publishes at the effective date ('works'), never ('silent'), or after a diagnosis ('after-diagnosis'). */
  servicelet?: 'works' | 'silent' | 'after-diagnosis';
  /** The SMTP certificate moves to the new one on creation (the overwrite prompt said yes). */
  smtpMoves?: boolean;
  signInFails?: string[];
  /** Servers whose servicelet publishes but never writes event 2014. */
  silentEventsOn?: string[];
  /** Hours NotBefore of a new certificate lies from the server clock (negative: back-dated). */
  notBeforeOffsetHours?: number;
  /** Server seconds per Temporal second (a simulated organisation's accelerated clock). */
  clockRate?: number;
  /** The servers are in a child domain (EnableAuthAdminReadSession is always off here). */
  childDomain?: boolean;
  /**
   * The dedicated hybrid application (hybrid only): what the worker may do through Graph, and whether a person's run of
   * Microsoft's script reaches Entra (read back by the stub's Graph).
   */
  hybridApp?: { graph: 'write' | 'read' | 'none' };
}

export const STUB_HYBRID_APP_ID = '0d3b3c8e-6f1a-4d4e-9a51-2f1c7b8e9a10';

export interface Call {
  name: keyof RotationActivities;
  args: unknown;
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(40, '0');

export class StubOrganisation {
  readonly calls: Call[] = [];
  readonly notifications: RotationNotification[] = [];
  private current: string | null = null;
  private previous: string | null = null;
  private next: string | null = null;
  private effectiveAt: number | null = null;
  private readonly has = new Map<string, Set<string>>();
  private readonly events = new Map<string, string>();
  private readonly made: Array<GeneratedCertificate> = [];
  private readonly notAfter = new Map<string, number>();
  private replicationChecks = 0;
  private diagnosed = false;
  /** Server time of the servicelet diagnosis, for the overdue rule. */
  diagnosedAt: number | null = null;
  /** The effective date staged last. */
  get effectiveDate(): number | null {
    return this.effectiveAt;
  }
  private counter = 100;
  readonly recycledAt = new Map<string, number>();
  readonly restartedAt = new Map<string, number>();
  private readonly publishedByCall = new Set<string>();
  /** Every recycle of a server's OWA and ECP pools, by server name, in order. */
  readonly recycles: string[] = [];
  /** Every MSExchangeServiceHost restart, by server name, in order. */
  readonly restarts: string[] = [];
  private readonly transport = new Map<string, string>();
  private start = 0;
  private ready = false;

  constructor(readonly scenario: Scenario) {}

  /** The organisation is laid out at the first activity, on the server clock of that moment. */
  private init(): void {
    if (this.ready) return;
    this.ready = true;
    const { scenario } = this;
    const start = this.now();
    this.start = start;
    for (const s of scenario.servers) {
      this.has.set(s.name, new Set());
      this.transport.set(s.name, hex(s.name.length + 7));
    }
    this.current = scenario.currentExpiresInDays === null ? null : hex(1);
    if (this.current) {
      this.notAfter.set(this.current, start + scenario.currentExpiresInDays! * DAY);
      for (const s of scenario.servers) {
        const missing = scenario.currentMissingOn === 'all' || scenario.currentMissingOn?.includes(s.name);
        if (!missing) this.has.get(s.name)!.add(this.current);
      }
    }
    // Microsoft's script put the current certificate on the application when the feature was configured.
    if (scenario.hybridApp && this.current) this.appKeys.add(this.current);
    if (scenario.stagedNext) {
      this.next = hex(2);
      this.notAfter.set(this.next, start + 5 * 365 * DAY);
      this.effectiveAt = start + scenario.stagedNext.effectiveInHours * HOUR;
      for (const s of scenario.servers) {
        if (!scenario.stagedNext.missingOn?.includes(s.name)) this.has.get(s.name)!.add(this.next);
      }
    }
  }

  private temporalStart: number | null = null;

  /** The Exchange clock: the Temporal server's, running `clockRate` times as fast from the first activity on. */
  private now(): number {
    let temporalNow: number;
    try {
      temporalNow = activityInfo().currentAttemptScheduledTimestampMs;
    } catch {
      temporalNow = Date.now();
    }
    this.temporalStart ??= temporalNow;
    return this.temporalStart + (temporalNow - this.temporalStart) * this.rate;
  }

  private get rate(): number {
    return this.scenario.clockRate ?? 1;
  }

  private fqdn(name: string) {
    return `${name.toLowerCase()}.contoso.test`;
  }

  private reachable(name: string) {
    return !this.scenario.unreachable?.includes(name);
  }

  private site(name: string) {
    return this.scenario.servers.find((s) => s.name === name)!.site;
  }

  count(name: keyof RotationActivities): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  /** The servicelet's behaviour at a moment: publish the next certificate once its date passed. */
  private servicelet(): void {
    const mode = this.scenario.servicelet ?? 'works';
    if (this.next === null || this.effectiveAt === null || this.now() < this.effectiveAt) return;
    if (mode === 'silent' || (mode === 'after-diagnosis' && !this.diagnosed)) return;
    this.publish();
  }

  private publish(): void {
    this.previous = this.current;
    this.current = this.next;
    this.next = null;
    this.effectiveAt = null;
    const at = new Date(this.now()).toISOString();
    for (const s of this.scenario.servers) {
      if (this.reachable(s.name) && !this.scenario.silentEventsOn?.includes(s.name)) this.events.set(s.name, at);
    }
  }

  private replicate(): void {
    this.replicationChecks += 1;
    const thumbprint = this.made.at(-1)?.thumbprint;
    if (!thumbprint) return;
    const creatorSite = this.site(this.made.at(-1)!.server);
    if (this.replicationChecks <= (this.scenario.replicationPolls ?? 1)) return;
    for (const s of this.scenario.servers) {
      const isolated = this.scenario.isolatedSites?.includes(s.site) && s.site !== creatorSite;
      if (!isolated) this.has.get(s.name)!.add(thumbprint);
    }
  }

  activities(): RotationActivities {
    const record = <A>(name: keyof RotationActivities, args: A) => {
      this.init();
      this.calls.push({ name, args });
    };
    const iso = (ms: number) => new Date(ms).toISOString();
    const identity = (s: ServerIdentity) => s.name;
    const stub: RotationActivities = {
      inspectOrganization: async () => {
        record('inspectOrganization', undefined);
        this.servicelet();
        const presence = (name: string, t: string | null): ServerSnapshot['current'] =>
          t === null
            ? null
            : !this.reachable(name)
              ? 'unreachable'
              : this.has.get(name)!.has(t)
                ? 'present'
                : 'missing';
        const servers = this.scenario.servers.map((s) => ({
          name: s.name,
          fqdn: this.fqdn(s.name),
          site: s.site,
          current: presence(s.name, this.current),
          next: presence(s.name, this.next),
          ...(this.reachable(s.name) ? {} : { unreachableReason: 'The RPC server is unavailable' }),
        }));
        const facts = (t: string | null) =>
          t === null || ![...this.has.values()].some((set) => set.has(t))
            ? null
            : { thumbprint: t, notBefore: iso(this.start - 365 * DAY), notAfter: iso(this.notAfter.get(t)!) };
        const snapshot: OrganizationSnapshot = {
          serverTime: iso(this.now()),
          serverClockRate: this.rate,
          authConfig: {
            currentCertificateThumbprint: this.current,
            previousCertificateThumbprint: this.previous,
            nextCertificateThumbprint: this.next,
            nextCertificateEffectiveDate: this.effectiveAt === null ? null : iso(this.effectiveAt),
          },
          servers,
          current: facts(this.current),
          next: facts(this.next),
          hybrid: this.scenario.hybrid,
          ...(this.scenario.hybrid
            ? {
                hybridApp: this.scenario.hybridApp
                  ? { detected: true, appId: STUB_HYBRID_APP_ID, evidence: ['stub: override and EvoSTS appId'] }
                  : { detected: false, appId: null, evidence: ['stub: no override'] },
              }
            : {}),
          enableAuthAdminReadSession: false,
          ...(this.scenario.childDomain
            ? { childDomain: { forestRootDomain: 'contoso.test', serverDomains: ['corp.contoso.test'] } }
            : {}),
        };
        return snapshot;
      },
      readServerClock: async () => {
        record('readServerClock', undefined);
        return { serverTime: iso(this.now()), serverClockRate: this.rate };
      },
      recordTransportCertificates: async (servers) => {
        record('recordTransportCertificates', servers);
        return servers.map((s) => {
          const before = this.transport.get(s.name)!;
          return { server: s.name, before, after: before, restored: false };
        });
      },
      listAuthCertificates: async (request) => {
        record('listAuthCertificates', request);
        return [...this.has.get(request.server.name)!];
      },
      generateAuthCertificate: async (request) => {
        record('generateAuthCertificate', request);
        const known = [...(request.existing ?? []), ...request.exclude];
        const earlier = request.existing
          ? this.made.find((c) => c.server === request.server.name && !known.includes(c.thumbprint))
          : this.made.find((c) => Date.parse(c.notBefore) >= Date.parse(request.runStartedAt!) - HOUR);
        if (earlier) return { ...earlier, reused: true };
        this.counter += 1;
        const thumbprint = hex(this.counter);
        const made = {
          thumbprint,
          notBefore: iso(this.now() + (this.scenario.notBeforeOffsetHours ?? 0) * HOUR),
          notAfter: iso(this.now() + 5 * 365 * DAY),
          server: request.server.name,
          reused: false,
        };
        this.made.push(made);
        this.notAfter.set(thumbprint, this.now() + 5 * 365 * DAY);
        this.has.get(request.server.name)!.add(thumbprint);
        if (this.scenario.smtpMoves) this.transport.set(request.server.name, thumbprint);
        return made;
      },
      verifyTransportCertificates: async (request) => {
        record('verifyTransportCertificates', request);
        return request.records.map((r) => {
          const moved = this.transport.get(r.server) !== r.before;
          if (moved && r.before) this.transport.set(r.server, r.before);
          return { ...r, after: this.transport.get(r.server)!, restored: moved };
        });
      },
      stageCertificate: async (request) => {
        record('stageCertificate', request);
        const serverTime = iso(this.now());
        if (this.current === request.thumbprint)
          return { thumbprint: request.thumbprint, state: 'current', serverTime };
        // As the activity does: staged already for what is asked, else (re)staged with the date asked.
        const wanted = request.effectiveDate;
        const satisfied =
          this.next === request.thumbprint &&
          (wanted.kind === 'relative' ||
            (wanted.kind === 'now' && this.effectiveAt !== null && this.effectiveAt <= this.now()) ||
            (wanted.kind === 'absolute' && this.effectiveAt === Date.parse(wanted.iso)));
        if (satisfied) {
          return {
            thumbprint: request.thumbprint,
            state: 'already-staged',
            effectiveDate: iso(this.effectiveAt!),
            serverTime,
          };
        }
        this.next = request.thumbprint;
        this.effectiveAt =
          wanted.kind === 'now'
            ? this.now()
            : wanted.kind === 'absolute'
              ? Date.parse(wanted.iso)
              : this.now() + wanted.hours * HOUR;
        return { thumbprint: request.thumbprint, state: 'staged', effectiveDate: iso(this.effectiveAt), serverTime };
      },
      readAuthConfig: async () => {
        record('readAuthConfig', undefined);
        this.servicelet();
        return {
          serverTime: iso(this.now()),
          authConfig: {
            currentCertificateThumbprint: this.current,
            previousCertificateThumbprint: this.previous,
            nextCertificateThumbprint: this.next,
            nextCertificateEffectiveDate: this.effectiveAt === null ? null : iso(this.effectiveAt),
          },
        };
      },
      checkReplication: async (request) => {
        record('checkReplication', request);
        this.replicate();
        return {
          serverTime: iso(this.now()),
          servers: request.servers.map((s) => ({
            server: s.name,
            site: s.site,
            state: !this.reachable(s.name)
              ? 'unreachable'
              : this.has.get(s.name)!.has(request.thumbprint)
                ? 'present'
                : 'missing',
          })),
        };
      },
      copyCertificate: async (request) => {
        record('copyCertificate', request);
        return request.targets.map((t): CopyResult => {
          if (this.has.get(t.name)!.has(request.thumbprint)) return { server: t.name, outcome: 'already-present' };
          this.has.get(t.name)!.add(request.thumbprint);
          return { server: t.name, outcome: 'imported' };
        });
      },
      checkPublication: async (request) => {
        record('checkPublication', request);
        this.servicelet();
        return {
          serverTime: iso(this.now()),
          currentThumbprint: this.current,
          nextThumbprint: this.next,
          nextEffectiveDate: this.effectiveAt === null ? null : iso(this.effectiveAt),
          servers: request.servers.map((s) => ({ server: s.name, event2014At: this.events.get(s.name) ?? null })),
        };
      },
      readServiceletSchedule: async (request) => {
        record('readServiceletSchedule', request);
        // The stub's servicelet publishes at the date itself: its schedule is not known to the rotation.
        return {
          serverTime: iso(this.now()),
          lastRuns: request.servers.map((s) => ({ server: s.name, lastRun: null })),
        };
      },
      diagnoseServicelet: async (request) => {
        record('diagnoseServicelet', request);
        this.diagnosed = true;
        this.diagnosedAt = this.now();
        return {
          lastRuns: request.servers.map((s) => ({ server: s.name, lastRun: iso(this.start - 2 * DAY) })),
          enableAuthAdminReadSession: false,
          advice: ['The AuthAdmin servicelet has not run within 12 hours: check MSExchangeServiceHost.'],
        };
      },
      restartServiceHost: async (request) => {
        record('restartServiceHost', request);
        return request.servers.map((s) => {
          const started = this.restartedAt.get(s.name);
          if (request.notBefore && started !== undefined && started >= Date.parse(request.notBefore)) {
            return { server: s.name, ok: true, at: iso(started), alreadyRestarted: true };
          }
          this.restartedAt.set(s.name, this.now());
          this.restarts.push(s.name);
          return { server: s.name, ok: true, at: iso(this.now()) };
        });
      },
      publishCertificateNow: async (request) => {
        record('publishCertificateNow', request);
        const lacking = request.servers.filter((s) => !this.has.get(s.name)!.has(request.thumbprint));
        if (lacking.length > 0) throw new Error(`lacking ${lacking.map(identity).join(',')}`);
        const alreadyCurrent = this.current === request.thumbprint;
        if (!alreadyCurrent) {
          this.publish();
          // What the real activity saves as progress, so a retry knows it published.
          this.publishedByCall.add(request.thumbprint);
        }
        const previousCleared = this.previous !== null || (request.replacing ?? null) !== null;
        this.previous = null;
        return {
          currentThumbprint: request.thumbprint,
          previousCleared,
          alreadyCurrent,
          published: this.publishedByCall.has(request.thumbprint),
          serverTime: iso(this.now()),
        };
      },
      recycleAuthAppPools: async (request) => {
        record('recycleAuthAppPools', request);
        return request.servers.map((s): RecycleResult => {
          if (request.alreadyRecycled.includes(s.name)) {
            return { server: s.name, recycledAt: null, verified: true, skipped: true };
          }
          // As the activity does: worker processes started since the publication are not recycled again.
          const last = this.recycledAt.get(s.name);
          if (request.notBefore !== undefined && last !== undefined && last >= Date.parse(request.notBefore)) {
            const alreadyRecycled = POOLS.map((pool) => ({ pool, startedAt: iso(last) }));
            return { server: s.name, recycledAt: iso(last), verified: true, skipped: false, alreadyRecycled };
          }
          this.recycledAt.set(s.name, this.now());
          this.recycles.push(s.name);
          return { server: s.name, recycledAt: iso(this.now()), verified: true, skipped: false };
        });
      },
      checkSignIn: async (request) => {
        record('checkSignIn', request);
        return request.servers.map((s) => {
          const fails = this.scenario.signInFails?.includes(s.name);
          return { server: s.name, ok: !fails, detail: fails ? 'The remote server returned 401' : 'Success' };
        });
      },
      notify: async (notification) => {
        record('notify', notification);
        this.notifications.push(notification);
      },
      // The dedicated hybrid application: keys in Entra, reached as far as the scenario's Graph access allows.
      readHybridAppKeys: async (request) => {
        record('readHybridAppKeys', request);
        if (this.graphAccess === 'none')
          return this.personNeeded(request.appId, uploadCommand(request.thumbprints[0] ?? '<thumbprint>'));
        const present = request.thumbprints.filter((t) => this.appKeys.has(t));
        return {
          status: 'read',
          appId: request.appId,
          objectId: 'stub-object',
          present,
          missing: request.thumbprints.filter((t) => !present.includes(t)),
          keys: [...this.appKeys].map((t) => ({ thumbprint: t, keyId: `key-${t}`, endDateTime: null })),
        };
      },
      addHybridAppKey: async (request) => {
        record('addHybridAppKey', request);
        if (this.graphAccess !== 'write') return this.personNeeded(request.appId, uploadCommand(request.thumbprint));
        const already = this.appKeys.has(request.thumbprint);
        this.appKeys.add(request.thumbprint);
        this.keyAddedAt.set(request.thumbprint, this.now());
        return this.keyChange(request, already ? 'already-present' : 'added');
      },
      removeHybridAppKey: async (request) => {
        record('removeHybridAppKey', request);
        if (this.graphAccess !== 'write') {
          return this.personNeeded(request.appId, removalSteps(request.appId, request.thumbprint));
        }
        const had = this.appKeys.delete(request.thumbprint);
        return this.keyChange(request, had ? 'removed' : 'already-absent');
      },
    };
    return stub;
  }

  /** The dedicated hybrid application's keys (thumbprints), as Entra holds them. */
  readonly appKeys = new Set<string>();
  /** When (server clock) each key was put on the application. */
  readonly keyAddedAt = new Map<string, number>();
  private get graphAccess() {
    return this.scenario.hybridApp?.graph ?? 'none';
  }
  private personNeeded(appId: string, command: string) {
    const verifiable = this.graphAccess !== 'none';
    const reason = verifiable ? 'the worker has read-only Graph access' : 'no Graph configured';
    return { status: 'needs-person' as const, appId, reason, command, verifiable };
  }
  private keyChange(
    request: { appId: string; thumbprint: string },
    status: 'added' | 'already-present' | 'removed' | 'already-absent',
  ) {
    const keys = [...this.appKeys].map((t) => ({ thumbprint: t, keyId: `key-${t}`, endDateTime: null }));
    return { status, appId: request.appId, objectId: 'stub-object', thumbprint: request.thumbprint, keys };
  }
  /** A person ran Microsoft's script: the current and the next certificate are on the application. */
  personRanScript(): void {
    for (const t of [this.current, this.next]) if (t) this.appKeys.add(t);
  }
  /** The server clock now (ms), for assertions against the effective date. */
  get serverNow() {
    return this.now();
  }

  /** Every certificate New-ExchangeCertificate made, in order. */
  get madeThumbprints() {
    return this.made.map((c) => c.thumbprint);
  }
  get currentThumbprint() {
    return this.current;
  }
  get nextThumbprint() {
    return this.next;
  }
  hasCertificate(server: string, thumbprint: string) {
    return this.has.get(server)!.has(thumbprint);
  }
  get previousThumbprint() {
    return this.previous;
  }
}
