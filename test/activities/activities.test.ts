// The rotation's activities in a mock activity context over an in-memory ExchangeClient: they look before acting,
// verify after, resume from heartbeats, keep the PFX password to themselves and name their failures.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  createActivities,
  DEFAULT_ACTIVITY_SETTINGS,
  type ActivityDeps,
  type RotationActivities,
} from '../../activities';
import {
  AccessDeniedError,
  InvalidEffectiveDateError,
  ServerUnreachableError,
} from '../../activities/powershell/errors';
import { isCertificateOfThisRun, servicesToRestore } from '../../activities/certificate';
import { childDomainOf } from '../../activities/inspect';
import { adviceFor } from '../../activities/publication';
import type { RotationNotification, ServerIdentity } from '../../common/rotation';
import { authCertificate, MemoryExchange, server, T } from './memory-exchange';

const HOUR = 3_600_000;
const present = (services: string[]) =>
  ({ status: 'present', certificate: authCertificate(T(900), '2026-01-01T00:00:00.000Z', { services }) }) as const;
const quietLog = { info: () => undefined, warn: () => undefined };

/** The recycles, server by server: servers run side by side, so only each server's own order is defined. */
const recycleCalls = (exchange: MemoryExchange) =>
  exchange.calls
    .filter((c) => c.method === 'recycleAppPool')
    .map((c) => c.args as [string[], string])
    .sort((a, b) => a[0][0]!.localeCompare(b[0][0]!));

function setup(overrides: Partial<ActivityDeps> = {}) {
  const exchange = new MemoryExchange();
  const activities = createActivities({ exchange, clock: () => new Date(exchange.now), log: quietLog, ...overrides });
  const identities: ServerIdentity[] = exchange.servers.map(({ name, fqdn, site }) => ({ name, fqdn, site }));
  return { exchange, activities, identities };
}

/** Runs an activity in a mock context, collecting its heartbeats. */
async function run<K extends keyof RotationActivities>(
  activities: RotationActivities,
  name: K,
  args: Parameters<RotationActivities[K]>,
  heartbeatDetails?: unknown,
): Promise<{ result: Awaited<ReturnType<RotationActivities[K]>>; heartbeats: unknown[] }> {
  const env = new MockActivityEnvironment(heartbeatDetails === undefined ? {} : { heartbeatDetails }, {
    logger: new DefaultLogger('ERROR'),
  });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const fn = activities[name] as (...a: unknown[]) => Promise<Awaited<ReturnType<RotationActivities[K]>>>;
  const result = (await env.run(fn, ...args)) as Awaited<ReturnType<RotationActivities[K]>>;
  return { result, heartbeats };
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('inspectOrganization', () => {
  test('only Mailbox/Client Access servers of version 15, sorted; present, missing and unreachable told apart', async () => {
    const { exchange, activities } = setup({ settings: { serverClockRate: 120 } });
    exchange.servers = [
      server('EX3', 'Osaka'),
      server('EX1'),
      server('EX2'),
      server('EDGE1', 'Tokyo', { roles: ['Edge'] }),
      server('EX2010', 'Tokyo', { majorVersion: 14, version: '14.3.123.4' }),
    ];
    exchange.stores.set('ex2.contoso.test', []);
    exchange.unreachable.add('ex3.contoso.test');
    exchange.authConfig.nextCertificateThumbprint = T(2);
    exchange.authConfig.nextCertificateEffectiveDate = exchange.iso(HOUR);
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(2), exchange.iso()));
    exchange.hybrid = true;
    const { result } = await run(activities, 'inspectOrganization', []);
    expect(result.servers.map((s) => [s.name, s.current, s.next])).toEqual([
      ['EX1', 'present', 'present'],
      ['EX2', 'missing', 'missing'],
      ['EX3', 'unreachable', 'unreachable'],
    ]);
    expect(result.servers[2]!.unreachableReason).toMatch(/RPC server is unavailable/);
    expect(result.current?.thumbprint).toBe(T(1));
    expect(result.next?.thumbprint).toBe(T(2));
    expect(result.hybrid).toBe(true);
    expect(result.serverClockRate).toBe(120);
    expect(result.serverTime).toBe(exchange.iso());
  });

  test('no current certificate named: nothing is looked up for it', async () => {
    const { exchange, activities } = setup();
    exchange.authConfig.currentCertificateThumbprint = null;
    const { result } = await run(activities, 'inspectOrganization', []);
    expect(result.current).toBeNull();
    expect(result.servers.every((s) => s.current === null)).toBe(true);
    expect(exchange.count('getCertificate')).toBe(0);
  });

  test('no certificate named and a server down: it is still reported unreachable', async () => {
    const { exchange, activities } = setup();
    exchange.authConfig.currentCertificateThumbprint = null;
    const listCertificates = exchange.listCertificates.bind(exchange);
    exchange.listCertificates = async (fqdn) => {
      if (fqdn === 'ex2.contoso.test')
        throw new ServerUnreachableError('Get-ExchangeCertificate: The RPC server is unavailable');
      return listCertificates(fqdn);
    };
    const { result } = await run(activities, 'inspectOrganization', []);
    expect(result.servers.map((s) => [s.name, s.unreachableReason ?? null])).toEqual([
      ['EX1', null],
      ['EX2', 'Get-ExchangeCertificate: The RPC server is unavailable'],
      ['EX3', null],
    ]);
  });
});

describe('generateAuthCertificate', () => {
  /** The workflow's way: list what the creating server holds (recorded in history), then generate. */
  async function requestFor(activities: RotationActivities, identities: ServerIdentity[]) {
    const { result: existing } = await run(activities, 'listAuthCertificates', [{ server: identities[0]! }]);
    return { server: identities[0]!, existing, exclude: [T(1)] };
  }

  test('creates one certificate with -Services None, and a retry finds it instead of making a second', async () => {
    const { exchange, activities, identities } = setup();
    const request = await requestFor(activities, identities);
    expect(request.existing).toEqual([T(1)]);
    const first = await run(activities, 'generateAuthCertificate', [request]);
    expect(first.result.reused).toBe(false);
    expect(exchange.calls.find((c) => c.method === 'newAuthCertificate')!.args[0]).toEqual({
      server: 'ex1.contoso.test',
      services: 'None',
    });
    expect(first.heartbeats.at(-1)).toEqual({ thumbprint: first.result.thumbprint });
    const retry = await run(activities, 'generateAuthCertificate', [request], first.heartbeats.at(-1));
    expect(retry.result).toMatchObject({ thumbprint: first.result.thumbprint, reused: true, server: 'EX1' });
    expect(exchange.count('newAuthCertificate')).toBe(1);
  });

  test('a crash that lost the heartbeat: the retry adopts the new certificate, however back-dated its NotBefore', async () => {
    const { exchange, activities, identities } = setup();
    // Exchange's clock (and so NotBefore) a day behind the workflow's: no clock rule could tell this one is new.
    exchange.createdNotBeforeOffsetMs = -24 * HOUR;
    const request = await requestFor(activities, identities);
    const first = await run(activities, 'generateAuthCertificate', [request]);
    // The retry starts without heartbeat details, as after a worker crash within the SDK's heartbeat throttle.
    const retry = await run(activities, 'generateAuthCertificate', [request]);
    expect(retry.result).toMatchObject({ thumbprint: first.result.thumbprint, reused: true });
    expect(exchange.count('newAuthCertificate')).toBe(1);
    const auth = exchange.stores.get('ex1.contoso.test')!.filter((c) => /Auth Certificate/.test(c.subject));
    expect(auth.map((c) => c.thumbprint)).toEqual([T(1), first.result.thumbprint]);
  });

  test('an Auth certificate the server held before the listing, or one AuthConfig names, is never adopted', async () => {
    const { exchange, activities, identities } = setup();
    // Made "now" by Exchange's clock, so a NotBefore rule would have taken it for this run's.
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(50), exchange.iso()));
    const request = await requestFor(activities, identities);
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(51), exchange.iso()));
    const { result } = await run(activities, 'generateAuthCertificate', [{ ...request, exclude: [T(1), T(51)] }]);
    expect(result.reused).toBe(false);
    expect([T(50), T(51)]).not.toContain(result.thumbprint);
  });

  test('listAuthCertificates names only Auth-subject certificates', async () => {
    const { exchange, activities, identities } = setup();
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(52), exchange.iso(), { subject: 'CN=mail' }));
    const { result } = await run(activities, 'listAuthCertificates', [{ server: identities[0]! }]);
    expect(result).toEqual([T(1)]);
  });

  describe('legacy request (a rotation that reached generation before listAuthCertificates)', () => {
    const legacy = (exchange: MemoryExchange, identities: ServerIdentity[]) => ({
      server: identities[0]!,
      runStartedAt: exchange.iso(-60_000),
      exclude: [T(1)],
    });

    test('the heartbeated thumbprint is recognised even when NotBefore lies before the run', async () => {
      const { exchange, activities, identities } = setup();
      exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(70), exchange.iso(-24 * HOUR)));
      const { result } = await run(activities, 'generateAuthCertificate', [legacy(exchange, identities)], {
        thumbprint: T(70),
      });
      expect(result).toMatchObject({ thumbprint: T(70), reused: true });
      expect(exchange.count('newAuthCertificate')).toBe(0);
    });

    test('without a heartbeat, a certificate made after the run started is found by NotBefore', async () => {
      const { exchange, activities, identities } = setup();
      const first = await run(activities, 'generateAuthCertificate', [legacy(exchange, identities)]);
      const retry = await run(activities, 'generateAuthCertificate', [legacy(exchange, identities)]);
      expect(retry.result).toMatchObject({ thumbprint: first.result.thumbprint, reused: true });
      expect(exchange.count('newAuthCertificate')).toBe(1);
    });

    test.each([
      ['made after the start', {}, true],
      ['inside the clock tolerance', { notBefore: '2026-11-25T05:55:00.000Z' }, true],
      ['before the start', { notBefore: '2026-11-25T05:00:00.000Z' }, false],
      ['another subject', { subject: 'CN=mail.contoso.com' }, false],
      ['another friendly name', { friendlyName: 'Exchange self-signed' }, false],
      ['excluded (current)', { thumbprint: T(1) }, false],
    ])('isCertificateOfThisRun: %s', (_, extra, expected) => {
      const certificate = authCertificate(T(60), '2026-11-25T06:01:00.000Z', extra);
      const request = { runStartedAt: '2026-11-25T06:00:00.000Z', exclude: [T(1)] };
      expect(isCertificateOfThisRun(certificate, request, 10 * 60_000)).toBe(expected);
    });
  });
});

describe('certificate lifetime', () => {
  test('without the setting New-ExchangeCertificate chooses (five years); with it, the end date is from the server clock', async () => {
    const plain = setup();
    await run(plain.activities, 'generateAuthCertificate', [
      { server: plain.identities[0]!, existing: [T(1)], exclude: [] },
    ]);
    expect(plain.exchange.calls.find((c) => c.method === 'newAuthCertificate')!.args).toEqual([
      { server: 'ex1.contoso.test', services: 'None' },
    ]);
    const short = setup({ settings: { certificateLifetimeDays: 365 } });
    const { result } = await run(short.activities, 'generateAuthCertificate', [
      { server: short.identities[0]!, existing: [T(1)], exclude: [] },
    ]);
    const notAfter = short.exchange.iso(365 * 24 * HOUR);
    expect(short.exchange.calls.find((c) => c.method === 'newAuthCertificate')!.args).toEqual([
      { server: 'ex1.contoso.test', services: 'None', notAfter },
    ]);
    expect(result.notAfter).toBe(notAfter);
  });

  test('a lifetime that is not a whole positive number of days is refused at once', () => {
    for (const days of [0, -1, 1.5]) {
      expect(() =>
        createActivities({
          exchange: new MemoryExchange(),
          clock: () => new Date(),
          settings: { certificateLifetimeDays: days },
        }),
      ).toThrow(/certificateLifetimeDays must be a whole number of days/);
    }
  });
});

describe('SMTP overwrite', () => {
  test('records, verifies and restores the internal transport certificate that moved', async () => {
    const { exchange, activities, identities } = setup();
    exchange.smtpMovesOnCreate = true;
    const { result: records } = await run(activities, 'recordTransportCertificates', [identities]);
    expect(records.map((r) => r.before)).toEqual([T(900), T(900), T(900)]);
    await run(activities, 'generateAuthCertificate', [{ server: identities[0]!, existing: [T(1)], exclude: [] }]);
    expect(exchange.transport.get('ex1.contoso.test')).not.toBe(T(900));
    const { result } = await run(activities, 'verifyTransportCertificates', [{ servers: identities, records }]);
    expect(result.find((r) => r.server === 'EX1')).toEqual({
      server: 'EX1',
      before: T(900),
      after: T(900),
      restored: true,
      servicesRestored: ['SMTP'],
    });
    expect(result.filter((r) => r.restored)).toHaveLength(1);
    const enable = exchange.calls.find((c) => c.method === 'enableCertificate')!;
    expect(enable.args).toEqual(['ex1.contoso.test', T(900), ['SMTP']]);
  });

  /** EX1's transport certificate as Exchange's self-signed one: IIS among its services (for the Back End site). */
  function movedTransportCertificate(boundToDefaultWebSite: boolean) {
    const env = setup();
    env.exchange.smtpMovesOnCreate = true;
    env.exchange.stores.get('ex1.contoso.test')!.push(
      authCertificate(T(900), env.exchange.iso(-HOUR), {
        subject: 'CN=EX1',
        friendlyName: 'Microsoft Exchange',
        services: ['IMAP', 'POP', 'IIS', 'SMTP'],
      }),
    );
    if (boundToDefaultWebSite) env.exchange.defaultWebSite.set('ex1.contoso.test', [T(900)]);
    return env;
  }

  test.each([
    ['bound to the Default Web Site: IIS too', true, ['IMAP', 'POP', 'IIS', 'SMTP']],
    ['not bound to it (the Back End site): IIS is left out', false, ['IMAP', 'POP', 'SMTP']],
  ])('restoring a certificate that lists IIS, %s', async (_name, bound, services) => {
    const { exchange, activities, identities } = movedTransportCertificate(bound);
    const { result: records } = await run(activities, 'recordTransportCertificates', [identities]);
    await run(activities, 'generateAuthCertificate', [{ server: identities[0]!, existing: [T(1)], exclude: [] }]);
    const { result } = await run(activities, 'verifyTransportCertificates', [{ servers: identities, records }]);
    expect(result.find((r) => r.server === 'EX1')).toMatchObject({ restored: true, servicesRestored: services });
    expect(exchange.calls.find((c) => c.method === 'enableCertificate')!.args).toEqual([
      'ex1.contoso.test',
      T(900),
      services,
    ]);
  });

  test('Default Web Site bindings that cannot be read leave IIS out, and say so', async () => {
    const { exchange, activities, identities } = movedTransportCertificate(true);
    const warnings: string[] = [];
    const { result: records } = await run(activities, 'recordTransportCertificates', [identities]);
    await run(activities, 'generateAuthCertificate', [{ server: identities[0]!, existing: [T(1)], exclude: [] }]);
    exchange.faults.set('getDefaultWebSiteCertificates', () => new ServerUnreachableError('WinRM cannot complete'));
    const logged = createActivities({
      exchange,
      clock: () => new Date(exchange.now),
      log: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    const { result } = await run(logged, 'verifyTransportCertificates', [{ servers: identities, records }]);
    expect(result.find((r) => r.server === 'EX1')?.servicesRestored).toEqual(['IMAP', 'POP', 'SMTP']);
    expect(warnings.some((w) => /Default Web Site/.test(w))).toBe(true);
  });

  test('an Exchange 2013 server without the transport role is recorded as such and never restored', async () => {
    const { exchange, activities, identities } = setup();
    exchange.notTransport.add('ex2.contoso.test');
    const { result: records } = await run(activities, 'recordTransportCertificates', [identities]);
    expect(records.find((r) => r.server === 'EX2')).toEqual({
      server: 'EX2',
      before: null,
      after: null,
      restored: false,
      notTransportServer: true,
    });
    const { result } = await run(activities, 'verifyTransportCertificates', [{ servers: identities, records }]);
    expect(result.find((r) => r.server === 'EX2')).toEqual(records.find((r) => r.server === 'EX2'));
    expect(exchange.count('enableCertificate')).toBe(0);
  });

  test.each([
    ['known services without IIS', present(['SMTP', 'IMAP']), null, ['SMTP', 'IMAP']],
    ['known services, SMTP added', present(['POP']), false, ['POP', 'SMTP']],
    ['IIS kept when bound', present(['IIS', 'SMTP']), true, ['IIS', 'SMTP']],
    ['IIS dropped when not bound', present(['IIS', 'SMTP']), false, ['SMTP']],
    ['IIS dropped when the bindings are unknown', present(['IIS', 'SMTP']), null, ['SMTP']],
    ['services unknown (RawData only), bound', present([]), true, ['IIS', 'SMTP']],
    ['services unknown, not bound', present([]), false, ['SMTP']],
    ['certificate not found', { status: 'missing' } as const, true, ['IIS', 'SMTP']],
  ])('servicesToRestore: %s', (_name, previous, bound, expected) => {
    expect(servicesToRestore(previous, bound)).toEqual(expected);
  });

  test('nothing moved: nothing is enabled', async () => {
    const { exchange, activities, identities } = setup();
    const { result: records } = await run(activities, 'recordTransportCertificates', [identities]);
    const { result } = await run(activities, 'verifyTransportCertificates', [{ servers: identities, records }]);
    expect(result.every((r) => !r.restored && r.after === r.before)).toBe(true);
    expect(exchange.count('enableCertificate')).toBe(0);
  });
});

describe('stageCertificate', () => {
  test("stages a date built from the Exchange server's clock, and does not stage again when already staged", async () => {
    const { exchange, activities } = setup();
    const { result } = await run(activities, 'stageCertificate', [
      { thumbprint: T(7), effectiveDate: { kind: 'relative', hours: 49 }, force: false },
    ]);
    expect(result).toEqual({
      thumbprint: T(7),
      state: 'staged',
      effectiveDate: exchange.iso(49 * HOUR),
      serverTime: exchange.iso(),
    });
    // An absolute date from the clock read on the server: nothing is left for the worker's Get-Date to evaluate.
    expect(exchange.calls.find((c) => c.method === 'stageNextCertificate')?.args).toEqual([
      T(7),
      { kind: 'absolute', iso: exchange.iso(49 * HOUR) },
      false,
    ]);
    exchange.now += HOUR;
    const again = await run(activities, 'stageCertificate', [
      { thumbprint: T(7), effectiveDate: { kind: 'relative', hours: 49 }, force: false },
    ]);
    expect(again.result).toMatchObject({ state: 'already-staged', effectiveDate: exchange.iso(48 * HOUR) });
    expect(exchange.count('stageNextCertificate')).toBe(1);
  });

  test("an emergency brings a certificate staged for later forward to just ahead of the server's now (-Force), once", async () => {
    const { exchange, activities } = setup();
    await exchange.stageNextCertificate(T(7), { kind: 'absolute', iso: exchange.iso(30 * HOUR) }, false);
    const now = { thumbprint: T(7), effectiveDate: { kind: 'now' as const }, force: true };
    const { result } = await run(activities, 'stageCertificate', [now]);
    const lead = DEFAULT_ACTIVITY_SETTINGS.minEffectiveDateLeadMs;
    expect(result).toEqual({
      thumbprint: T(7),
      state: 'staged',
      effectiveDate: exchange.iso(lead),
      serverTime: exchange.iso(),
    });
    expect(exchange.calls.filter((c) => c.method === 'stageNextCertificate').at(-1)?.args).toEqual([
      T(7),
      { kind: 'absolute', iso: exchange.iso(lead) },
      true,
    ]);
    // A retry (or a certificate staged for a date already past) finds it due: nothing is staged again.
    exchange.now += HOUR;
    const again = await run(activities, 'stageCertificate', [now]);
    expect(again.result).toMatchObject({ state: 'already-staged', effectiveDate: exchange.iso(lead - HOUR) });
    expect(exchange.count('stageNextCertificate')).toBe(2);
  });

  test('a fixed date: staged once, moved when AuthConfig holds another date, left alone when it holds that one', async () => {
    const { exchange, activities } = setup();
    await exchange.stageNextCertificate(T(7), { kind: 'absolute', iso: exchange.iso(30 * HOUR) }, false);
    const moved = { kind: 'absolute' as const, iso: exchange.iso(60 * HOUR) };
    const { result } = await run(activities, 'stageCertificate', [
      { thumbprint: T(7), effectiveDate: moved, force: true },
    ]);
    expect(result).toMatchObject({ state: 'staged', effectiveDate: moved.iso });
    const again = await run(activities, 'stageCertificate', [{ thumbprint: T(7), effectiveDate: moved, force: true }]);
    expect(again.result).toMatchObject({ state: 'already-staged', effectiveDate: moved.iso });
    expect(exchange.count('stageNextCertificate')).toBe(2);
  });

  test('a certificate the servicelet made current meanwhile is reported current, with no date, and not staged again', async () => {
    const { exchange, activities } = setup();
    await exchange.stageNextCertificate(T(7), { kind: 'absolute', iso: exchange.iso(49 * HOUR) }, false);
    await exchange.publishCertificate();
    const { result } = await run(activities, 'stageCertificate', [
      { thumbprint: T(7), effectiveDate: { kind: 'relative', hours: 49 }, force: false },
    ]);
    expect(result).toEqual({ thumbprint: T(7), state: 'current', serverTime: exchange.iso() });
    expect(exchange.count('stageNextCertificate')).toBe(1);
  });

  test('a refused date is a named, permanent failure with the original error as cause', async () => {
    const { exchange, activities } = setup();
    const refused = new InvalidEffectiveDateError(
      'Set-AuthConfig: The effective date must be greater than the current time',
    );
    exchange.faults.set('stageNextCertificate', () => refused);
    const error = await failure(
      run(activities, 'stageCertificate', [{ thumbprint: T(7), effectiveDate: { kind: 'now' }, force: true }]),
    );
    expect(error.type).toBe('InvalidEffectiveDateError');
    expect(error.cause).toBe(refused);
  });

  test('a worker host whose clock is behind still stages a date in the future on the server, and says so', async () => {
    const { exchange, activities } = setup();
    exchange.hostSkewMs = 10 * 60_000;
    const { result } = await run(activities, 'stageCertificate', [
      { thumbprint: T(7), effectiveDate: { kind: 'now' }, force: true },
    ]);
    expect(result.state === 'staged' && Date.parse(result.effectiveDate)).toBeGreaterThan(exchange.now);
    expect(result.clockWarning).toMatch(/10 minutes behind the clock of Exchange server ex1\.contoso\.test/);
    exchange.hostSkewMs = -10 * 60_000;
    const inspected = await run(activities, 'inspectOrganization', []);
    expect(inspected.result.clockWarning).toMatch(/10 minutes ahead of/);
    exchange.hostSkewMs = 60_000;
    expect((await run(activities, 'readServerClock', [])).result).toEqual({
      serverTime: exchange.iso(),
      serverClockRate: 1,
    });
  });

  test('Set-AuthConfig that did not take is reported as StagingNotConfirmedError', async () => {
    const { exchange, activities } = setup();
    exchange.stageNextCertificate = async () => undefined;
    const error = await failure(
      run(activities, 'stageCertificate', [{ thumbprint: T(7), effectiveDate: { kind: 'now' }, force: true }]),
    );
    expect(error.type).toBe('StagingNotConfirmedError');
  });
});

describe('replication and copy across sites', () => {
  test('checkReplication reports each server', async () => {
    const { exchange, activities, identities } = setup();
    exchange.unreachable.add('ex3.contoso.test');
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    const { result } = await run(activities, 'checkReplication', [{ thumbprint: T(7), servers: identities }]);
    expect(result.servers.map((s) => [s.server, s.site, s.state])).toEqual([
      ['EX1', 'Tokyo', 'present'],
      ['EX2', 'Tokyo', 'missing'],
      ['EX3', 'Osaka', 'unreachable'],
    ]);
  });

  test('copies where missing, skips where present, and looks again before a second copy', async () => {
    const { exchange, activities, identities } = setup();
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    exchange.stores.get('ex2.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    const { result } = await run(activities, 'copyCertificate', [
      { thumbprint: T(7), source: identities[0]!, targets: [identities[1]!, identities[2]!] },
    ]);
    expect(result).toEqual([
      { server: 'EX2', outcome: 'already-present' },
      { server: 'EX3', outcome: 'imported' },
    ]);
    expect(exchange.calls.filter((c) => c.method === 'copyCertificate').map((c) => c.args)).toEqual([
      ['ex1.contoso.test', T(7), 'ex3.contoso.test'],
    ]);
    const again = await run(activities, 'copyCertificate', [
      { thumbprint: T(7), source: identities[0]!, targets: [identities[2]!] },
    ]);
    expect(again.result).toEqual([{ server: 'EX3', outcome: 'already-present' }]);
    expect(exchange.count('copyCertificate')).toBe(1);
  });

  test('resumes from heartbeat details: a target an earlier attempt finished is not imported again', async () => {
    const { exchange, activities, identities } = setup();
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    await run(
      activities,
      'copyCertificate',
      [{ thumbprint: T(7), source: identities[0]!, targets: [identities[1]!, identities[2]!] }],
      { done: [{ server: 'EX2', outcome: 'imported' }] },
    );
    const imports = exchange.calls.filter((c) => c.method === 'copyCertificate').map((c) => c.args[2]);
    expect(imports).toEqual(['ex3.contoso.test']);
  });

  test('an unreachable target is recorded and the others still get it', async () => {
    const { exchange, activities, identities } = setup();
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    exchange.unreachable.add('ex2.contoso.test');
    exchange.getCertificate = async (fqdn, thumbprint) =>
      fqdn === 'ex2.contoso.test'
        ? { status: 'missing' }
        : exchange.stores.get(fqdn)!.some((c) => c.thumbprint === thumbprint)
          ? { status: 'present', certificate: authCertificate(thumbprint, exchange.iso()) }
          : { status: 'missing' };
    const { result } = await run(activities, 'copyCertificate', [
      { thumbprint: T(7), source: identities[0]!, targets: [identities[1]!, identities[2]!] },
    ]);
    expect(result.map((r) => [r.server, r.outcome])).toEqual([
      ['EX2', 'failed'],
      ['EX3', 'imported'],
    ]);
  });

  test('access denied on one target fails that target only: the others still get it', async () => {
    const { exchange, activities, identities } = setup();
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    const copy = exchange.copyCertificate.bind(exchange);
    exchange.copyCertificate = async (source, thumbprint, target) => {
      if (target === 'ex2.contoso.test') throw new AccessDeniedError('Import-ExchangeCertificate: Access is denied.');
      return copy(source, thumbprint, target);
    };
    const { result } = await run(activities, 'copyCertificate', [
      { thumbprint: T(7), source: identities[0]!, targets: [identities[1]!, identities[2]!] },
    ]);
    expect(result).toEqual([
      { server: 'EX2', outcome: 'failed', detail: 'Import-ExchangeCertificate: Access is denied.' },
      { server: 'EX3', outcome: 'imported' },
    ]);
  });

  test('the source lacking the certificate is a permanent, named failure', async () => {
    const { activities, identities } = setup();
    const error = await failure(
      run(activities, 'copyCertificate', [{ thumbprint: T(7), source: identities[0]!, targets: [identities[2]!] }]),
    );
    expect(error.type).toBe('CopySourceMissingError');
  });
});

describe('publication and diagnosis', () => {
  test('event 2014 counts only for the new thumbprint; AuthConfig current is reported', async () => {
    const { exchange, activities, identities } = setup();
    exchange.authConfig.currentCertificateThumbprint = T(7);
    const event = (thumbprint: string) => ({
      server: 'x',
      timeCreated: exchange.iso(),
      thumbprint,
      message: `The current signing certificate for Exchange has been updated to certificate with thumbprint ${thumbprint}.`,
    });
    exchange.events.set('ex1.contoso.test', [event(T(7))]);
    exchange.events.set('ex2.contoso.test', [event(T(5))]);
    // EX1 does not answer however often it is asked (a read is asked SERVER_ASKS times before it counts).
    const read = exchange.getAuthAdminEvents.bind(exchange);
    let ex1Down = true;
    exchange.getAuthAdminEvents = async (fqdn: string, since: string) => {
      if (ex1Down && fqdn === 'ex1.contoso.test')
        throw new ServerUnreachableError('Get-WinEvent: The RPC server is unavailable');
      return read(fqdn, since);
    };
    const { result } = await run(activities, 'checkPublication', [
      { thumbprint: T(7), servers: identities, since: exchange.iso(-HOUR) },
    ]);
    expect(result.currentThumbprint).toBe(T(7));
    expect(result.servers).toEqual([
      { server: 'EX1', event2014At: null, unreachable: 'Get-WinEvent: The RPC server is unavailable' },
      { server: 'EX2', event2014At: null },
      { server: 'EX3', event2014At: null },
    ]);
    ex1Down = false;
    const { result: second } = await run(activities, 'checkPublication', [
      { thumbprint: T(7), servers: identities, since: exchange.iso(-HOUR) },
    ]);
    expect(second.servers[0]).toEqual({ server: 'EX1', event2014At: exchange.iso() });
  });

  test('diagnosis: stale servicelet runs, and the child-domain switch when it is off', async () => {
    const { exchange, activities, identities } = setup();
    exchange.lastRuns.set('ex1.contoso.test', exchange.iso(-HOUR));
    exchange.lastRuns.set('ex2.contoso.test', exchange.iso(-30 * HOUR));
    const { result } = await run(activities, 'diagnoseServicelet', [{ servers: identities }]);
    expect(result.lastRuns).toEqual([
      { server: 'EX1', lastRun: exchange.iso(-HOUR) },
      { server: 'EX2', lastRun: exchange.iso(-30 * HOUR) },
      { server: 'EX3', lastRun: null },
    ]);
    expect(result.advice[0]).toMatch(/not run within 12 hours on EX2, EX3/);
    expect(result.advice.join(' ')).toMatch(/EnableAuthAdminReadSession \$true/);
  });

  test('diagnosis in a known child domain with the switch off: that is said first, by name, whatever the last runs', async () => {
    const { exchange, activities, identities } = setup();
    for (const s of identities) exchange.lastRuns.set(s.fqdn, exchange.iso(-HOUR));
    const childDomain = { forestRootDomain: 'contoso.test', serverDomains: ['corp.contoso.test'] };
    const { result } = await run(activities, 'diagnoseServicelet', [{ servers: identities, childDomain }]);
    expect(result.childDomain).toEqual(childDomain);
    expect(result.advice[0]).toBe(
      'The Exchange servers are in corp.contoso.test, a child of the forest root domain contoso.test, and ' +
        'EnableAuthAdminReadSession is off: the AuthAdmin servicelet cannot run. Run Set-OrganizationConfig ' +
        '-EnableAuthAdminReadSession $true, then restart MSExchangeServiceHost.',
    );
    expect(result.advice.filter((a) => /EnableAuthAdminReadSession/.test(a))).toHaveLength(1);
  });

  test('adviceFor: servers known to be in the root domain get no child-domain advice, unknown ones the conditional one', () => {
    const now = Date.parse('2026-11-25T06:00:00Z');
    const stale = [{ server: 'EX1', lastRun: null }];
    expect(adviceFor(stale, false, now, null).join(' ')).not.toMatch(/EnableAuthAdminReadSession/);
    expect(adviceFor(stale, false, now).join(' ')).toMatch(/^.*If the Exchange servers are in a child domain/);
    const child = { forestRootDomain: 'contoso.test', serverDomains: ['corp.contoso.test'] };
    expect(adviceFor(stale, true, now, child).join(' ')).not.toMatch(/EnableAuthAdminReadSession/);
    // Not returned by Get-OrganizationConfig: unknown, so the person is told to check it, in those words.
    expect(adviceFor(stale, null, now, child)[0]).toMatch(/could not be read.*Run Set-OrganizationConfig/);
  });

  test('an EnableAuthAdminReadSession Exchange did not return reaches the snapshot and the diagnosis as unknown', async () => {
    const { exchange, activities, identities } = setup();
    exchange.enableAuthAdminReadSession = null;
    expect((await run(activities, 'inspectOrganization', [])).result.enableAuthAdminReadSession).toBeNull();
    const { result } = await run(activities, 'diagnoseServicelet', [{ servers: identities }]);
    expect(result.enableAuthAdminReadSession).toBeNull();
  });

  test.each([
    [
      'every server in the root domain',
      [
        ['contoso.test', 'contoso.test'],
        ['Contoso.Test', 'contoso.test'],
      ],
      null,
    ],
    [
      'servers in child domains',
      [
        ['corp.contoso.test', 'contoso.test'],
        ['emea.contoso.test', 'contoso.test'],
        ['CORP.contoso.test', 'contoso.test'],
      ],
      { forestRootDomain: 'contoso.test', serverDomains: ['corp.contoso.test', 'emea.contoso.test'] },
    ],
    [
      'a server whose domain is not known',
      [
        ['corp.contoso.test', 'contoso.test'],
        [undefined, 'contoso.test'],
      ],
      undefined,
    ],
    ['no forest root known', [['corp.contoso.test', undefined]], undefined],
    ['no servers', [], undefined],
  ])('childDomainOf: %s', (_, domains, expected) => {
    const servers = (domains as Array<[string | undefined, string | undefined]>).map(([domain, root], i) =>
      server(`EX${i + 1}`, 'Tokyo', {
        ...(domain ? { domain } : {}),
        ...(root ? { forestRootDomain: root } : {}),
      }),
    );
    expect(childDomainOf(servers)).toEqual(expected);
  });

  test('adviceFor: fresh runs and the switch already on give only the restart advice', () => {
    const now = Date.parse('2026-11-25T06:00:00Z');
    const advice = adviceFor([{ server: 'EX1', lastRun: '2026-11-25T05:00:00Z' }], true, now);
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(/never publishes by force/);
  });
});

describe('publishCertificateNow (emergency)', () => {
  test('refuses while a server lacks the next certificate, publishes and clears once all have it, then is a no-op', async () => {
    const { exchange, activities, identities } = setup();
    exchange.authConfig.nextCertificateThumbprint = T(7);
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    const refused = await failure(
      run(activities, 'publishCertificateNow', [{ thumbprint: T(7), servers: identities }]),
    );
    expect(refused.type).toBe('NextCertificateNotEverywhereError');
    expect(refused.message).toMatch(/EX2, EX3/);
    expect(exchange.count('publishCertificate')).toBe(0);
    for (const fqdn of ['ex2.contoso.test', 'ex3.contoso.test']) {
      exchange.stores.get(fqdn)!.push(authCertificate(T(7), exchange.iso()));
    }
    const { result } = await run(activities, 'publishCertificateNow', [{ thumbprint: T(7), servers: identities }]);
    expect(result).toEqual({
      currentThumbprint: T(7),
      previousCleared: true,
      alreadyCurrent: false,
      published: true,
      serverTime: exchange.iso(),
    });
    expect(exchange.authConfig).toMatchObject({
      currentCertificateThumbprint: T(7),
      previousCertificateThumbprint: null,
    });
    const again = await run(activities, 'publishCertificateNow', [{ thumbprint: T(7), servers: identities }]);
    expect(again.result).toMatchObject({ currentThumbprint: T(7), previousCleared: false, alreadyCurrent: true });
    expect(exchange.count('publishCertificate')).toBe(1);
    expect(exchange.count('clearPreviousCertificate')).toBe(1);
  });
});

describe('publishCertificateNow after a crash', () => {
  function staged() {
    const context = setup();
    const { exchange, identities } = context;
    exchange.authConfig.nextCertificateThumbprint = T(7);
    for (const s of identities) exchange.stores.get(s.fqdn)!.push(authCertificate(T(7), exchange.iso()));
    const request = { thumbprint: T(7), servers: identities, replacing: T(1) };
    return { ...context, request };
  }

  test('a retry reports what the attempt that crashed did: published by force, previous cleared', async () => {
    const { exchange, activities, request } = staged();
    const first = await run(activities, 'publishCertificateNow', [request]);
    expect(first.result).toMatchObject({ published: true, previousCleared: true, alreadyCurrent: false });
    const retry = await run(activities, 'publishCertificateNow', [request], first.heartbeats.at(-1));
    expect(retry.result).toMatchObject({ published: true, previousCleared: true, alreadyCurrent: true });
    expect(exchange.count('publishCertificate')).toBe(1);
    expect(exchange.count('clearPreviousCertificate')).toBe(1);
  });

  test('without the saved progress, the cleared previous certificate is still read from AuthConfig', async () => {
    const { exchange, activities, request } = staged();
    await run(activities, 'publishCertificateNow', [request]);
    const retry = await run(activities, 'publishCertificateNow', [request]);
    expect(retry.result).toMatchObject({ previousCleared: true, alreadyCurrent: true });
    expect(exchange.count('clearPreviousCertificate')).toBe(1);
  });

  test('published by the servicelet before this rotation asked: not published by force', async () => {
    const { exchange, activities, request } = staged();
    await exchange.publishCertificate();
    const { result } = await run(activities, 'publishCertificateNow', [request]);
    expect(result).toMatchObject({ published: false, previousCleared: true, alreadyCurrent: true });
  });
});

describe('every server in few calls, changes side by side', () => {
  /** Wraps `method` so that each call waits a few turns of the event loop, counting the calls in flight at once. */
  function inFlight(exchange: MemoryExchange, method: 'recycleAppPool' | 'restartServiceHost' | 'copyCertificate') {
    const seen = { now: 0, most: 0 };
    const original = (exchange[method] as (...a: unknown[]) => Promise<unknown>).bind(exchange);
    (exchange as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      seen.now++;
      seen.most = Math.max(seen.most, seen.now);
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      seen.now--;
      return original(...args);
    };
    return seen;
  }
  const many = (n: number) => Array.from({ length: n }, (_, i) => server(`EX${i + 1}`));

  test.each([1, 3])(
    'recycles, restarts and imports run at most serverConcurrency (%i) at once, each server reported',
    async (limit) => {
      const { exchange, activities } = setup({ settings: { serverConcurrency: limit } });
      exchange.servers = many(7);
      for (const s of exchange.servers) exchange.stores.set(s.fqdn, [authCertificate(T(1), exchange.iso())]);
      const identities = exchange.servers.map(({ name, fqdn, site }) => ({ name, fqdn, site }));
      exchange.stores.get(identities[0]!.fqdn)!.push(authCertificate(T(7), exchange.iso()));
      const recycles = inFlight(exchange, 'recycleAppPool');
      const restarts = inFlight(exchange, 'restartServiceHost');
      const imports = inFlight(exchange, 'copyCertificate');
      const recycled = await run(activities, 'recycleAuthAppPools', [{ servers: identities, alreadyRecycled: [] }]);
      expect(recycled.result.map((r) => [r.server, r.verified])).toEqual(identities.map((s) => [s.name, true]));
      const restarted = await run(activities, 'restartServiceHost', [{ servers: identities }]);
      expect(restarted.result.map((r) => [r.server, r.ok])).toEqual(identities.map((s) => [s.name, true]));
      const copied = await run(activities, 'copyCertificate', [
        { thumbprint: T(7), source: identities[0]!, targets: identities.slice(1) },
      ]);
      expect(copied.result.map((r) => [r.server, r.outcome])).toEqual(
        identities.slice(1).map((s) => [s.name, 'imported']),
      );
      for (const seen of [recycles, restarts, imports]) expect(seen.most).toBe(limit);
      // Progress is saved as each server finishes: the last heartbeat holds them all.
      expect((copied.heartbeats.at(-1) as { done: unknown[] }).done).toHaveLength(6);
    },
  );

  test("publication reads every server's events in one call; the recycle reads every server's workers in one", async () => {
    const { exchange, activities, identities } = setup();
    await run(activities, 'checkPublication', [{ thumbprint: T(7), servers: identities, since: exchange.iso(-HOUR) }]);
    expect(exchange.count('getAuthAdminEventsOnServers')).toBe(1);
    expect(exchange.calls.find((c) => c.method === 'getAuthAdminEventsOnServers')!.args[0]).toEqual(
      identities.map((s) => s.fqdn),
    );
    await run(activities, 'recycleAuthAppPools', [
      { servers: identities, alreadyRecycled: ['EX1'], notBefore: exchange.iso(-HOUR) },
    ]);
    expect(exchange.count('getAppPoolWorkerProcessesOnServers')).toBe(1);
    // The pools' states after the recycles: one read per pool for every server acted on.
    expect(exchange.calls.filter((c) => c.method === 'getAppPoolStateOnServers').map((c) => c.args)).toEqual([
      [['ex2.contoso.test', 'ex3.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex2.contoso.test', 'ex3.contoso.test'], 'MSExchangeECPAppPool'],
    ]);
    // Only the servers still to do are read.
    expect(exchange.calls.find((c) => c.method === 'getAppPoolWorkerProcessesOnServers')!.args[0]).toEqual([
      'ex2.contoso.test',
      'ex3.contoso.test',
    ]);
  });

  test('a permanent error on one server stops new servers from starting and fails the step', async () => {
    const { exchange, activities, identities } = setup({ settings: { serverConcurrency: 1 } });
    exchange.faults.set('recycleAppPool', () => new AccessDeniedError('Access is denied.'));
    const error = await failure(run(activities, 'recycleAuthAppPools', [{ servers: identities, alreadyRecycled: [] }]));
    expect(error.message).toMatch(/Access is denied/);
    expect(exchange.count('recycleAppPool')).toBe(1);
  });

  test('serverConcurrency is checked when the activities are built', () => {
    const exchange = new MemoryExchange();
    expect(() => createActivities({ exchange, clock: () => new Date(), settings: { serverConcurrency: 0 } })).toThrow(
      /serverConcurrency/,
    );
  });
});

describe('services', () => {
  test('recycles both pools per server, verifies them, skips servers already recycled', async () => {
    const { exchange, activities, identities } = setup();
    exchange.poolStates.set('ex3.contoso.test/MSExchangeECPAppPool', 'Stopped');
    const { result, heartbeats } = await run(activities, 'recycleAuthAppPools', [
      { servers: identities, alreadyRecycled: ['EX1'] },
    ]);
    expect(result.map((r) => [r.server, r.skipped, r.verified])).toEqual([
      ['EX1', true, true],
      ['EX2', false, true],
      ['EX3', false, false],
    ]);
    expect(result[2]!.detail).toMatch(/MSExchangeECPAppPool is Stopped/);
    const recycled = recycleCalls(exchange);
    expect(recycled).toEqual([
      [['ex2.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex2.contoso.test'], 'MSExchangeECPAppPool'],
      [['ex3.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex3.contoso.test'], 'MSExchangeECPAppPool'],
    ]);
    // Saved after every pool (4), the pools only ever growing, and once the pools are checked (1).
    const pools = heartbeats.map((h) => (h as { pools: unknown[] }).pools.length);
    expect(pools).toHaveLength(5);
    expect(pools).toEqual([...pools].sort((a, b) => a - b));
    expect(pools.at(-1)).toBe(4);
    expect(heartbeats.at(-1)).toMatchObject({ done: [result[1]] });
  });

  test('resumes from heartbeat details per pool: a pool an earlier attempt recycled is not recycled again', async () => {
    const { exchange, activities, identities } = setup();
    const owa = { server: 'EX2', pool: 'MSExchangeOWAAppPool', at: exchange.iso(-60_000) };
    const { result } = await run(activities, 'recycleAuthAppPools', [{ servers: identities, alreadyRecycled: [] }], {
      done: [],
      pools: [owa],
    });
    expect(result.map((r) => [r.server, r.verified])).toEqual([
      ['EX1', true],
      ['EX2', true],
      ['EX3', true],
    ]);
    const recycled = recycleCalls(exchange);
    expect(recycled).toEqual([
      [['ex1.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex1.contoso.test'], 'MSExchangeECPAppPool'],
      [['ex2.contoso.test'], 'MSExchangeECPAppPool'],
      [['ex3.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex3.contoso.test'], 'MSExchangeECPAppPool'],
    ]);
    // Both of EX2's pools are checked, the one recycled earlier too.
    const checked = exchange.calls.filter((c) => c.method === 'getAppPoolState' && c.args[0] === 'ex2.contoso.test');
    expect(checked).toHaveLength(2);
  });

  test('resumes from heartbeat details: a server an earlier attempt recycled is not recycled again', async () => {
    const { exchange, activities, identities } = setup();
    const earlier = { server: 'EX2', recycledAt: exchange.iso(), verified: true, skipped: false };
    const { result } = await run(activities, 'recycleAuthAppPools', [{ servers: identities, alreadyRecycled: [] }], {
      done: [earlier],
    });
    expect(result[1]).toEqual(earlier);
    const servers = exchange.calls.filter((c) => c.method === 'recycleAppPool').map((c) => (c.args[0] as string[])[0]);
    expect(servers).not.toContain('ex2.contoso.test');
  });

  test('a crash after recycling whose heartbeat never arrived: the retry sees the worker processes started since and recycles nothing again', async () => {
    const { exchange, activities, identities } = setup();
    const published = exchange.iso(-HOUR);
    // Worker processes that predate the publication still hold the old certificate.
    for (const s of identities) {
      for (const pool of ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool']) {
        exchange.poolWorkerStarts.set(`${s.fqdn}/${pool}`, exchange.iso(-30 * 24 * HOUR));
      }
    }
    const request = { servers: identities, alreadyRecycled: [], notBefore: published };
    const first = await run(activities, 'recycleAuthAppPools', [request]);
    expect(first.result.every((r) => r.verified && r.alreadyRecycled === undefined)).toBe(true);
    expect(exchange.count('recycleAppPool')).toBe(6);
    // The attempt's result and heartbeats were lost: the retry starts with no heartbeat details.
    exchange.now += 60_000;
    const retry = await run(activities, 'recycleAuthAppPools', [request]);
    expect(exchange.count('recycleAppPool')).toBe(6);
    expect(retry.result.map((r) => [r.server, r.verified, r.alreadyRecycled?.map((p) => p.pool)])).toEqual(
      identities.map((s) => [s.name, true, ['MSExchangeOWAAppPool', 'MSExchangeECPAppPool']]),
    );
    expect(retry.result[0]!.alreadyRecycled![0]!.startedAt).toBe(exchange.iso(-60_000));
  });

  test('only the pools whose worker process started since are skipped; no worker process or an unreadable server is recycled', async () => {
    const { exchange, activities, identities } = setup();
    const published = exchange.iso(-HOUR);
    // EX1: OWA restarted since (a person, or a recycle never reported), ECP before. EX2: no worker process (idle).
    exchange.poolWorkerStarts.set('ex1.contoso.test/MSExchangeOWAAppPool', exchange.iso(-10 * 60_000));
    exchange.poolWorkerStarts.set('ex1.contoso.test/MSExchangeECPAppPool', exchange.iso(-2 * HOUR));
    const reads: string[] = [];
    const read = exchange.getAppPoolWorkerProcesses.bind(exchange);
    // EX3's processes cannot be read (WinRM): nothing says it was recycled since.
    exchange.getAppPoolWorkerProcesses = async (fqdn: string) => {
      reads.push(fqdn);
      if (fqdn !== 'ex3.contoso.test') return read(fqdn);
      throw new ServerUnreachableError('Connecting to remote server ex3.contoso.test failed');
    };
    const { result } = await run(activities, 'recycleAuthAppPools', [
      { servers: identities, alreadyRecycled: [], notBefore: published },
    ]);
    expect(result.map((r) => [r.server, r.verified, r.alreadyRecycled ?? []])).toEqual([
      ['EX1', true, [{ pool: 'MSExchangeOWAAppPool', startedAt: exchange.iso(-10 * 60_000) }]],
      ['EX2', true, []],
      ['EX3', true, []],
    ]);
    const recycled = recycleCalls(exchange);
    expect(recycled).toEqual([
      [['ex1.contoso.test'], 'MSExchangeECPAppPool'],
      [['ex2.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex2.contoso.test'], 'MSExchangeECPAppPool'],
      [['ex3.contoso.test'], 'MSExchangeOWAAppPool'],
      [['ex3.contoso.test'], 'MSExchangeECPAppPool'],
    ]);
    // One read for every server; EX3's silence only means its pools are recycled, the safe side either way.
    expect(reads).toEqual(['ex1.contoso.test', 'ex2.contoso.test', 'ex3.contoso.test']);
    // Without a publication time nothing is read: every pool is recycled as before.
    const again = setup();
    await run(again.activities, 'recycleAuthAppPools', [{ servers: again.identities, alreadyRecycled: [] }]);
    expect(again.exchange.count('getAppPoolWorkerProcesses')).toBe(0);
    expect(again.exchange.count('recycleAppPool')).toBe(6);
  });

  test('access denied when looking (WinRM to one server) does not fail the step: it acts, and reports per server', async () => {
    const { exchange, activities, identities } = setup();
    const denied = () =>
      new AccessDeniedError('Connecting to remote server ex2.contoso.test failed: Access is denied.');
    exchange.faults.set('getAppPoolWorkerProcesses', denied);
    exchange.faults.set('getServiceHostStartTime', denied);
    const notBefore = exchange.iso(-HOUR);
    const recycled = await run(activities, 'recycleAuthAppPools', [
      { servers: identities, alreadyRecycled: [], notBefore },
    ]);
    expect(recycled.result.map((r) => [r.server, r.verified])).toEqual(identities.map((s) => [s.name, true]));
    expect(exchange.count('recycleAppPool')).toBe(6);
    const restarted = await run(activities, 'restartServiceHost', [{ servers: identities, notBefore }]);
    expect(restarted.result.map((r) => [r.server, r.ok])).toEqual(identities.map((s) => [s.name, true]));
  });

  test('restartServiceHost reports by server name', async () => {
    const { exchange, activities, identities } = setup();
    exchange.unreachable.add('ex2.contoso.test');
    const { result } = await run(activities, 'restartServiceHost', [{ servers: identities }]);
    expect(result.map((r) => [r.server, r.ok])).toEqual([
      ['EX1', true],
      ['EX2', false],
      ['EX3', true],
    ]);
  });

  test('a retry that lost its heartbeat does not restart a service host that has started since notBefore', async () => {
    const { exchange, activities, identities } = setup();
    const notBefore = exchange.iso();
    // EX1 was restarted by the attempt that crashed; EX2's service host last started a day ago; EX3's start is unreadable.
    exchange.serviceHostStarts.set('ex1.contoso.test', exchange.iso(60_000));
    exchange.serviceHostStarts.set('ex2.contoso.test', exchange.iso(-24 * HOUR));
    exchange.now += 2 * 60_000;
    const { result, heartbeats } = await run(activities, 'restartServiceHost', [{ servers: identities, notBefore }]);
    expect(result.map((r) => [r.server, r.ok, r.alreadyRestarted ?? false])).toEqual([
      ['EX1', true, true],
      ['EX2', true, false],
      ['EX3', true, false],
    ]);
    expect(result[0]!.at).toBe(exchange.serviceHostStarts.get('ex1.contoso.test'));
    const restarted = exchange.calls.filter((c) => c.method === 'restartServiceHost').map((c) => c.args[0]);
    expect(restarted).toEqual([['ex2.contoso.test'], ['ex3.contoso.test']]);
    // Progress per server, so a retry of this attempt resumes after the last server it finished.
    expect(heartbeats.at(-1)).toEqual({ done: result });
  });

  test('restartServiceHost resumes from heartbeat details: a server an earlier attempt finished is left alone', async () => {
    const { exchange, activities, identities } = setup();
    const earlier = { server: 'EX2', ok: true, at: exchange.iso() };
    const { result } = await run(
      activities,
      'restartServiceHost',
      [{ servers: identities, notBefore: exchange.iso(HOUR) }],
      { done: [earlier] },
    );
    expect(result[1]).toEqual(earlier);
    const restarted = exchange.calls.filter((c) => c.method === 'restartServiceHost').map((c) => c.args[0]);
    expect(restarted).toEqual([['ex1.contoso.test'], ['ex3.contoso.test']]);
  });

  test('checkSignIn runs Test-OAuthConnectivity per server with the probe mailbox', async () => {
    const { exchange, activities, identities } = setup();
    const { result } = await run(activities, 'checkSignIn', [{ servers: identities, mailbox: 'probe@contoso.test' }]);
    expect(result.every((r) => r.ok)).toBe(true);
    expect(exchange.calls.filter((c) => c.method === 'testOAuthConnectivity').map((c) => c.args)).toEqual(
      identities.map((s) => [s.fqdn, 'probe@contoso.test']),
    );
  });
});

describe('failures and notifications', () => {
  test('an Exchange error becomes an ApplicationFailure of its class name, with the error as cause', async () => {
    const { exchange, activities } = setup();
    const denied = new AccessDeniedError('Get-AuthConfig: Access is denied');
    exchange.faults.set('getAuthConfig', () => denied);
    const error = await failure(run(activities, 'inspectOrganization', []));
    expect(error.type).toBe('AccessDeniedError');
    expect(error.message).toBe('Get-AuthConfig: Access is denied');
    expect(error.cause).toBe(denied);
  });

  test('notify delivers through deps.notify; a failed delivery is NotificationFailedError', async () => {
    const sent: RotationNotification[] = [];
    const notification: RotationNotification = {
      organization: 'contoso',
      workflowId: 'rotate-auth-cert.contoso',
      kind: 'action-required',
      subject: 'Re-run HCW',
      text: 'now',
    };
    const { activities } = setup({ notify: async (n) => void sent.push(n) });
    await run(activities, 'notify', [notification]);
    expect(sent).toEqual([notification]);
    const broken = setup({
      notify: async () => {
        throw new Error('webhook returned 503');
      },
    });
    const error = await failure(run(broken.activities, 'notify', [notification]));
    expect(error.type).toBe('NotificationFailedError');
    expect((error.cause as Error).cause).toBeInstanceOf(Error);
  });

  test('settings are checked when the activities are built', () => {
    const exchange = new MemoryExchange();
    expect(() => createActivities({ exchange, clock: () => new Date(), settings: { serverClockRate: 0 } })).toThrow(
      /serverClockRate/,
    );
  });
});

describe('heartbeats', () => {
  test('a slow call is kept alive by the ticker, which re-sends the saved progress instead of wiping it', async () => {
    const exchange = new MemoryExchange();
    const activities = createActivities({
      exchange,
      clock: () => new Date(exchange.now),
      log: quietLog,
      // One server at a time, so that the second import runs after the first one's progress is saved.
      settings: { heartbeatIntervalMs: 5, serverConcurrency: 1 },
    });
    const identities = exchange.servers.map(({ name, fqdn, site }) => ({ name, fqdn, site }));
    exchange.stores.get('ex1.contoso.test')!.push(authCertificate(T(7), exchange.iso()));
    const slowImport = exchange.copyCertificate.bind(exchange);
    exchange.copyCertificate = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return slowImport(...args);
    };
    const { heartbeats } = await run(activities, 'copyCertificate', [
      { thumbprint: T(7), source: identities[0]!, targets: [identities[1]!, identities[2]!] },
    ]);
    // Ticks during the first import carry nothing yet; ticks during the second carry EX2's saved progress.
    const duringSecond = heartbeats.filter(
      (h) => JSON.stringify(h) === JSON.stringify({ done: [{ server: 'EX2', outcome: 'imported' }] }),
    );
    expect(duringSecond.length).toBeGreaterThanOrEqual(2);
    expect(heartbeats.at(-1)).toEqual({
      done: [
        { server: 'EX2', outcome: 'imported' },
        { server: 'EX3', outcome: 'imported' },
      ],
    });
  });
});
