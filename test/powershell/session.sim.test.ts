// Sessions and the renderer against the real simulated shell through real node-powershell: recovery after a killed
// process, after a timeout and after the process dies mid-command; hostile strings arrive exactly and run nothing.
import fc from 'fast-check';
import { renderEnvelope, renderCommand, renderPipeline } from '../../activities/powershell/catalogue';
import { createExchangeClient, ExchangeShell } from '../../activities/powershell/client';
import {
  CatalogueError,
  CommandNotFoundError,
  ParameterNotFoundError,
  ShellProcessError,
  ShellTimeoutError,
  classifyErrorRecord,
} from '../../activities/powershell/errors';
import { parseEnvelope } from '../../activities/powershell/output';
import { PsAbsoluteDate, PsHashtable, renderLiteral } from '../../activities/powershell/render';
import { ShellSessionPool } from '../../activities/powershell/pool';
import { ShellSession } from '../../activities/powershell/session';
import { launchFor, parseShellSettings } from '../../activities/powershell/settings';
import { hostileString } from './hostile';
import { SimState, createSimState, isAlive, sim, waitUntil } from './sim';

let state: SimState;
const pool = new ShellSessionPool();

beforeAll(() => {
  state = createSimState('healthy');
});
afterAll(async () => {
  await pool.closeAll();
  state.remove();
});

function newSession(extra: Record<string, unknown> = {}): ShellSession {
  return new ShellSession(launchFor(parseShellSettings({ simulatorState: state.file, ...extra })));
}

describe('literals through the simulated shell: strings, hashtables, numbers, dates', () => {
  let session: ShellSession;
  beforeAll(() => {
    session = newSession();
  });
  afterAll(() => session.close());

  /** Sends the value as the whole pipeline of the envelope; stdout must be exactly one envelope holding it. */
  async function roundTrip(literal: string): Promise<unknown[]> {
    const stdout = await session.run(renderEnvelope(literal));
    const lines = stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const envelope = parseEnvelope(stdout, 'round trip');
    if (!envelope.ok) throw new Error(`the shell reported ${JSON.stringify(envelope.error)}`);
    return envelope.value;
  }

  // stdout is UTF-8, in which a lone surrogate cannot be written: the shell (like powershell.exe) writes U+FFFD for
  // it. The shell did receive it exactly, which the length check and the other characters show.
  const asWritten = (s: string) =>
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

  test('any string arrives exactly, as a value and as a hashtable value and key', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString(), async (s) => {
        // A hash literal may not repeat a key (PowerShell compares keys case-insensitively).
        fc.pre(s.toLowerCase() !== 'k');
        expect(await roundTrip(renderLiteral(s))).toEqual([asWritten(s)]);
        expect(await roundTrip(`(${renderLiteral(s)}).Length`)).toEqual([s.length]);
        expect(await roundTrip(renderLiteral(PsHashtable.of({ k: s, [s]: 1 })))).toEqual([
          { k: asWritten(s), [asWritten(s)]: 1 },
        ]);
      }),
      { numRuns: 150 },
    );
  });

  test('arbitrary UTF-16 strings arrive exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        async (s) => {
          expect(await roundTrip(renderLiteral(s))).toEqual([asWritten(s)]);
          expect(await roundTrip(`(${renderLiteral(s)}).Length`)).toEqual([s.length]);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('any finite number arrives as the same number, alone and in a hashtable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer(),
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => n * 2 ** 20),
          fc.maxSafeInteger(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e-3, max: 1e-3 }),
        ),
        async (n) => {
          const expected = Object.is(n, -0) ? 0 : n;
          expect(await roundTrip(renderLiteral(n))).toEqual([expected]);
          expect(await roundTrip(renderLiteral(PsHashtable.of({ n })))).toEqual([{ n: expected }]);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('any absolute date arrives as the same instant, to the millisecond', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.date({
          min: new Date('0001-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        async (d) => {
          const iso = d.toISOString();
          const literal = renderLiteral(new PsAbsoluteDate(iso));
          expect(await roundTrip(`(${literal}).ToUniversalTime().ToString('o')`)).toEqual([
            iso.replace(/\.(\d{3})Z$/, '.$10000Z'),
          ]);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('injection attempts run nothing: the organisation is unchanged and the shell prints only the envelope', async () => {
    const before = sim(state.file, 'show', '--json');
    const attacks = [
      "'; Set-AuthConfig -PublishCertificate -Force; '",
      "'; [Console]::Out.WriteLine('PWNED'); '",
      '"; Set-AuthConfig -ClearPreviousCertificate -Force; "',
      '\u2019; Set-AuthConfig -PublishCertificate -Force; \u2018',
      "'\n[Console]::Out.WriteLine('PWNED')\n'",
      '$(Set-AuthConfig -PublishCertificate -Force)',
      "' + $(Set-AuthConfig -PublishCertificate -Force) + '",
      '`; Set-AuthConfig -PublishCertificate -Force',
      "'; Remove-Item -Path 'C:\\' -Recurse -Force; '",
    ];
    for (const attack of attacks) {
      expect(await roundTrip(renderLiteral(attack))).toEqual([attack]);
      // As a parameter value of a real cmdlet too: the server name is taken literally (and does not exist).
      const stdout = await session.run(
        renderEnvelope(renderPipeline(renderCommand('Get-ExchangeCertificate', { Server: attack }), ['Thumbprint'])),
      );
      // One line, the envelope: the value comes back inside the error message, but nothing printed it on its own.
      expect(stdout.split(/\r?\n/).filter((l) => l.trim() !== '')).toHaveLength(1);
      const envelope = parseEnvelope(stdout, 'Get-ExchangeCertificate');
      expect(envelope.ok).toBe(false);
      if (!envelope.ok) expect(envelope.error.target).toBe(attack);
    }
    expect(sim(state.file, 'show', '--json')).toBe(before);
  });
});

describe('errors written by the real shell', () => {
  let session: ShellSession;
  beforeAll(() => {
    session = newSession();
  });
  afterAll(() => session.close());

  test('an unknown cmdlet inside the envelope is CommandNotFoundError', async () => {
    const envelope = parseEnvelope(await session.run(renderEnvelope('Get-NoSuchThing')), 'Get-NoSuchThing');
    if (envelope.ok) throw new Error('expected an error');
    expect(classifyErrorRecord(envelope.error)).toBeInstanceOf(CommandNotFoundError);
  });

  test('an unknown parameter inside the envelope is ParameterNotFoundError', async () => {
    const envelope = parseEnvelope(
      await session.run(renderEnvelope('Get-AuthConfig -NoSuchParameter 1')),
      'Get-AuthConfig',
    );
    if (envelope.ok) throw new Error('expected an error');
    expect(classifyErrorRecord(envelope.error)).toBeInstanceOf(ParameterNotFoundError);
  });

  test('a parse error goes to stderr, is a CatalogueError, and the session keeps working', async () => {
    await expect(session.run("Write-Output 'unterminated")).rejects.toThrow(CatalogueError);
    const spawns = session.stats.spawns;
    const envelope = parseEnvelope(await session.run(renderEnvelope(renderLiteral('still here'))), 'x');
    expect(envelope).toEqual({ ok: true, value: ['still here'] });
    expect(session.stats.spawns).toBe(spawns);
  });
});

describe('session recovery', () => {
  test('after the shell process is killed (kill -9) between calls', async () => {
    const client = createExchangeClient({ simulatorState: state.file }, { pool: new ShellSessionPool() });
    const shell = (client as unknown as { shell: ExchangeShell }).shell;
    await client.getAuthConfig();
    const pid = shell.session.pid!;
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid) && shell.session.pid === undefined, 'the shell to be seen dead');
    await expect(client.getAuthConfig()).resolves.toBeDefined();
    expect(shell.session.stats.spawns).toBe(2);
    await client.close();
  });

  test('after the process dies in the middle of a command', async () => {
    const local = createSimState('healthy');
    try {
      const client = createExchangeClient({ simulatorState: local.file }, { pool: new ShellSessionPool() });
      const shell = (client as unknown as { shell: ExchangeShell }).shell;
      await client.getExchangeServers();
      sim(local.file, 'fault', 'inject', 'die', '--cmdlet', 'Get-AuthConfig', '--count', '1');
      await expect(client.getAuthConfig()).rejects.toThrow(ShellProcessError);
      await expect(client.getAuthConfig()).resolves.toBeDefined();
      expect(shell.session.stats.spawns).toBe(2);
      await client.close();
    } finally {
      local.remove();
    }
  });

  test('after a timeout the busy session is discarded and the next call gets a fresh one', async () => {
    const local = createSimState('healthy');
    try {
      const client = createExchangeClient(
        { simulatorState: local.file, commandTimeoutMs: 1500 },
        { pool: new ShellSessionPool() },
      );
      const shell = (client as unknown as { shell: ExchangeShell }).shell;
      await client.getExchangeServers();
      const pid = shell.session.pid!;
      sim(local.file, 'fault', 'inject', 'hang', '--cmdlet', 'Get-AuthConfig', '--count', '1');
      const error = await client.getAuthConfig().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ShellTimeoutError);
      expect((error as ShellTimeoutError).retryable).toBe(true);
      await waitUntil(() => !isAlive(pid), 'the hung shell to be killed');
      await expect(client.getAuthConfig()).resolves.toBeDefined();
      expect(shell.session.stats.spawns).toBe(2);
      await client.close();
    } finally {
      local.remove();
    }
  });

  test('a call whose answer shows a broken remote session discards the session before the next call', async () => {
    const session = newSession();
    const line = renderEnvelope(renderLiteral('The session state is Broken.'));
    await session.run(line, { discardIf: () => true });
    expect(session.pid).toBeUndefined();
    await session.run(line);
    expect(session.stats.spawns).toBe(2);
    await session.close();
  });

  test('clients of one target share one process, which lives until the last of them closes', async () => {
    const shared = new ShellSessionPool();
    const a = createExchangeClient({ simulatorState: state.file }, { pool: shared });
    const b = createExchangeClient({ simulatorState: state.file }, { pool: shared });
    const sessionOf = (c: unknown) => (c as { shell: ExchangeShell }).shell.session;
    await a.getAuthConfig();
    await b.getAuthConfig();
    expect(sessionOf(a)).toBe(sessionOf(b));
    const pid = sessionOf(a).pid!;
    await a.close();
    await a.close();
    await expect(b.getAuthConfig()).resolves.toBeDefined();
    expect(sessionOf(b).pid).toBe(pid);
    await b.close();
    await waitUntil(() => !isAlive(pid), 'the shell to exit after the last client closed');
    expect(shared.size).toBe(0);
  });

  test('concurrent calls are serialised on one process when the target may have one', async () => {
    const client = createExchangeClient(
      { simulatorState: state.file },
      { pool: new ShellSessionPool({ maxSessionsPerTarget: 1 }) },
    );
    const shell = (client as unknown as { shell: ExchangeShell }).shell;
    const results = await Promise.all(Array.from({ length: 8 }, () => client.getAuthConfig()));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(shell.session.stats.spawns).toBe(1);
    // node-powershell's per-process history is emptied after each call (it would grow forever and hold passwords).
    const internals = shell.session as unknown as { live: { shell: { history: unknown[] } } };
    expect(internals.live.shell.history).toEqual([]);
  });
});
