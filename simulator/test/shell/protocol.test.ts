// The simulated shell driven through real node-powershell 5.0.1 (and, for ordering, through raw stdin), with the
// test launcher's fake host. Needs dist/ (npm test builds first).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PowerShell } from 'node-powershell';
import { toOemCodePage } from '../../shell/main';
import { runProcess, setInvocationTimeout } from '../e2e/shell';
import { SHELL } from '../paths';

const launcher = path.join(__dirname, 'test-shell.js');
const serviceOptions = { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' };

const run = (args: string[], input: string) => runProcess(launcher, args, input);

describe('through node-powershell', () => {
  let ps: PowerShell;
  beforeAll(() => {
    ps = new PowerShell({ executable: launcher, executableOptions: serviceOptions });
  });
  afterAll(async () => {
    await ps.dispose();
  });

  test('output between the delimiters is the result', async () => {
    const result = await ps.invoke("'hello'; 1 + 1");
    expect(result.raw).toBe('hello\n2');
    expect(result.hadErrors).toBe(false);
  });

  test('non-ASCII text survives the round trip in UTF-8', async () => {
    // U+2019 is a single-quote character to PowerShell, so inside a single-quoted string it is doubled.
    const result = await ps.invoke(
      "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; 'h\u00E9llo \u2713 \u2019\u2019quoted\u2019\u2019'",
    );
    expect(result.raw).toBe('h\u00E9llo \u2713 \u2019quoted\u2019');
  });

  test('the service envelope comes back as JSON on stdout', async () => {
    const result = await ps.invoke(
      "try { $r = @(Get-Widget -Name 'w' -Count 2 | Select-Object -Property 'Name', 'Count', @{ Name = 'When'; Expression = { $_.When.ToUniversalTime().ToString('o') } }); ConvertTo-Json -InputObject @{ ok = $true; value = $r } -Depth 8 -Compress } catch { ConvertTo-Json -InputObject @{ ok = $false; error = @{ message = $_.Exception.Message } } -Depth 4 -Compress }",
    );
    expect(JSON.parse(result.raw)).toEqual({
      ok: true,
      value: [{ Name: 'w', Count: 2, When: '2026-11-25T06:00:00.1230000Z' }],
    });
  });

  test('an uncaught error is written to stderr, which rejects the invocation', async () => {
    await expect(ps.invoke('Get-Foo')).rejects.toThrow(
      "Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program.",
    );
  });

  test("a parse error rejects the invocation with PowerShell's parser error text", async () => {
    await expect(ps.invoke("Get-Widget -Name 'unterminated")).rejects.toThrow(
      /At line:1 char:18[\s\S]*The string is missing the terminator: '\.[\s\S]*FullyQualifiedErrorId : TerminatorExpectedAtEndOfString/,
    );
  });

  test('a binding error rejects the invocation', async () => {
    await expect(ps.invoke('Get-Widget -Bogus 1')).rejects.toThrow(
      "A parameter cannot be found that matches parameter name 'Bogus'.",
    );
  });

  test('the shell survives errors and keeps its state', async () => {
    await ps.invoke("$kept = 'state'");
    await expect(ps.invoke('Get-Foo')).rejects.toThrow();
    await expect(ps.invoke("'a' 'b'")).rejects.toThrow('UnexpectedToken');
    const result = await ps.invoke('$kept');
    expect(result.raw).toBe('state');
  });

  test('queued invocations are answered in order', async () => {
    const results = await Promise.all([
      ps.invoke('Wait-Briefly 100'),
      ps.invoke("'second'"),
      ps.invoke('Wait-Briefly 10'),
    ]);
    expect(results.map((r) => r.raw)).toEqual(['waited 100', 'second', 'waited 10']);
  });

  test('beforeCmdlet ran for every cmdlet', async () => {
    const result = await ps.invoke('Get-Calls');
    expect(result.raw).toMatch(/before:Get-Widget,Get-Widget,before:Select-Object,before:ConvertTo-Json/);
  });
});

describe('output encoding', () => {
  test('is the OEM code page until the session switches it to UTF-8, as in powershell.exe', async () => {
    const ps = new PowerShell({ executable: launcher, executableOptions: serviceOptions });
    try {
      expect((await ps.invoke("'h\u00E9llo \u2713'")).raw).toBe('h\uFFFDllo ?');
      await ps.invoke('[Console]::OutputEncoding = [System.Text.Encoding]::UTF8');
      expect((await ps.invoke("'h\u00E9llo \u2713'")).raw).toBe('h\u00E9llo \u2713');
    } finally {
      await ps.dispose();
    }
  });

  test('toOemCodePage keeps ASCII and marks what code page 437 cannot carry', () => {
    expect(toOemCodePage('abc\u00E9\u2019\u{1F600}')).toBe('abc\uFFFD??');
  });
});

describe('a cmdlet that never returns', () => {
  test('times out through invocationTimeout and the process can be disposed', async () => {
    const ps = new PowerShell({ executable: launcher, executableOptions: serviceOptions });
    try {
      const before = await ps.invoke("'ready'");
      expect(before.raw).toBe('ready');
      // Short only once the process is up: on a busy machine starting it alone can take longer than this.
      setInvocationTimeout(ps, 300);
      await expect(ps.invoke('Wait-Forever')).rejects.toThrow();
    } finally {
      await ps.dispose();
    }
  });
});

describe('raw protocol', () => {
  test('lines run strictly in order even when a command takes time', async () => {
    const { code, stdout, stderr } = await run(
      ['-NoLogo', '-NoExit', '-Command', '-'],
      "Wait-Briefly 150\n'second'\nWait-Briefly 5\n'fourth'\n",
    );
    expect(stderr).toBe('');
    expect(stdout).toBe('waited 150\nsecond\nwaited 5\nfourth\n');
    expect(code).toBe(0);
  });

  test("node-powershell's five lines per invocation give delimited output on both streams", async () => {
    const d = 'AbC123xyz0987654';
    const input = [
      `[Console]::Error.WriteLine("${d}")`,
      `[Console]::Out.WriteLine("${d}")`,
      'Get-Foo',
      `[Console]::Error.WriteLine("${d}")`,
      `[Console]::Out.WriteLine("${d}")`,
      '',
    ].join('\n');
    const { stdout, stderr } = await run(['-NoLogo', '-NoExit', '-Command', '-'], input);
    expect(stdout).toBe(`${d}\n${d}\n`);
    expect(stderr.startsWith(`${d}\nGet-Foo : The term 'Get-Foo' is not recognized`)).toBe(true);
    expect(stderr.endsWith(`    + FullyQualifiedErrorId : CommandNotFoundException\n${d}\n`)).toBe(true);
  });

  test('the end of stdin ends the shell with code 0', async () => {
    expect((await run(['-NoLogo', '-NoExit', '-Command', '-'], "'x'\n")).code).toBe(0);
  });

  test('exit ends the shell with its code and runs nothing after it', async () => {
    const { code, stdout } = await run(['-NoExit', '-Command', '-'], "'a'\nexit 5\n'b'\n");
    expect(code).toBe(5);
    expect(stdout).toBe('a\n');
  });

  test("the service's switches are accepted in any case", async () => {
    const { code, stderr } = await run(
      [
        '-nologo',
        '-NOPROFILE',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-OutputFormat',
        'Text',
        '-InputFormat',
        'Text',
        '-NoExit',
        '-Command',
        '-',
      ],
      "'ok'\n",
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('an unknown switch is refused with a one-line message naming it', async () => {
    const { code, stderr, stdout } = await run(['-NoLogo', '-Bogus', '-Command', '-'], "'x'\n");
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain("'-Bogus'");
  });

  test('-Command with text runs it once and exits', async () => {
    const { code, stdout } = await run(['-NoProfile', '-Command', "'once'"], '');
    expect(stdout).toBe('once\n');
    expect(code).toBe(0);
  });
});

describe('bin/simulated-exchange-shell', () => {
  test('says how to build when dist/ is missing', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'shell-bin-'));
    try {
      mkdirSync(path.join(root, 'bin'));
      const bin = path.join(root, 'bin', 'simulated-exchange-shell');
      copyFileSync(SHELL, bin);
      copyFileSync(path.join(path.dirname(SHELL), 'built.js'), path.join(root, 'bin', 'built.js'));
      const result = spawnSync(process.execPath, [bin, '-NoLogo', '-Command', '-'], { input: '', encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('run "npm run build" first');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
