// Injected faults as the service meets them through node-powershell, and the state file surviving a killed shell.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Organisation, parseOrganisation } from '../../exchange/model';
import { CLI } from '../paths';
import { NEW_AUTH_CERT, select, Simulation, START } from './shell';
import { at } from '../../invariant';

function sim(...args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sim ${args.join(' ')} failed: ${r.stderr}`);
}
/** The shell dies once in `cmdlet`: before it acts, or at the point named by `--after` / `--during-write`. */
const dieOnce = (file: string, cmdlet: string, ...point: string[]) =>
  sim('fault', 'inject', 'die', ...point, '--cmdlet', cmdlet, '--count', '1', '--state', file);

describe('faults through the shell', () => {
  it('rpc: a transient error with probability 1, limited by --count, on any Exchange cmdlet', async () => {
    const s = await Simulation.create('healthy');
    try {
      sim('fault', 'inject', 'rpc', '--probability', '1', '--count', '2', '--state', s.file);
      for (const cmd of ['Get-AuthConfig', "Get-ExchangeCertificate -Server 'ex1.contoso.com'"]) {
        const e = await s.fails(`${cmd}${select('Identity')}`);
        expect(e.exceptionType).toBe('Microsoft.Exchange.Data.Directory.ADTransientException');
        expect(e.message).toMatch(/transient/);
      }
      expect(await s.ok(`Get-AuthConfig${select('Name')}`)).toEqual([{ Name: 'Auth Configuration' }]);
    } finally {
      await s.close();
    }
  });

  it('rpc with probability 0.5 fails some calls and not others', async () => {
    const s = await Simulation.create('healthy');
    try {
      sim('fault', 'inject', 'rpc', '--probability', '0.5', '--state', s.file);
      const outcomes = new Set<boolean>();
      for (let i = 0; i < 40; i++) outcomes.add((await s.call(`Get-AuthConfig${select('Name')}`)).ok);
      expect([...outcomes].sort()).toEqual([false, true]);
    } finally {
      await s.close();
    }
  });

  it('rpc with probability 0 never fires', async () => {
    const s = await Simulation.create('healthy');
    try {
      sim('fault', 'inject', 'rpc', '--probability', '0', '--state', s.file);
      for (let i = 0; i < 5; i++) expect((await s.call(`Get-AuthConfig${select('Name')}`)).ok).toBe(true);
    } finally {
      await s.close();
    }
  });

  it("a fault on every cmdlet (rpc, probability 1, no --cmdlet) never hits the language's own cmdlets", async () => {
    const s = await Simulation.create('healthy');
    try {
      sim('fault', 'inject', 'rpc', '--probability', '1', '--state', s.file);
      expect((await s.fails(`Get-AuthConfig${select('Name')}`)).reason).toBe('ADTransientException');
      // The envelope itself runs ConvertTo-Json in both branches: were it hit, no envelope would come back at all.
      const language = await s.ok(
        "Get-Date | Select-Object -Property @{ Name = 'Year'; Expression = { $_.Year } } | ForEach-Object { $_ } | Where-Object { $_.Year -gt 2000 } | ConvertTo-Json | ConvertFrom-Json | Write-Output",
      );
      expect(language).toEqual([{ Year: new Date(START).getUTCFullYear() }]);
      expect((await s.fails(`Get-ExchangeServer${select('Name')}`)).reason).toBe('ADTransientException');
    } finally {
      await s.close();
    }
  });

  it('access-denied: PermissionDenied on the named cmdlet; nothing changes', async () => {
    const s = await Simulation.create('healthy');
    try {
      sim('fault', 'inject', 'access-denied', '--cmdlet', 'New-ExchangeCertificate', '--state', s.file);
      const before = fs.readFileSync(s.file, 'utf8');
      const e = await s.fails(NEW_AUTH_CERT('ex1.contoso.com'));
      expect(e).toMatchObject({
        message: 'Access is denied.',
        category: 'PermissionDenied',
        reason: 'UnauthorizedAccessException',
      });
      expect(JSON.parse(fs.readFileSync(s.file, 'utf8')).servers).toEqual(JSON.parse(before).servers);
      sim('fault', 'clear', 'access-denied', '--state', s.file);
      expect((await s.call(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint')}`)).ok).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('hang: the named cmdlet never answers, while other cmdlets in other shells do', async () => {
    const s = await Simulation.create('healthy');
    try {
      sim('fault', 'inject', 'hang', '--cmdlet', 'Get-ExchangeDiagnosticInfo', '--state', s.file);
      const ps = await s.shell();
      let answered = false;
      const hung = s.call(`Get-ExchangeDiagnosticInfo -Server 'ex1.contoso.com'${select('Result')}`, ps);
      hung.then(
        () => (answered = true),
        () => (answered = true),
      );
      // Another shell starts, sets up and answers two calls: far longer than the hung one would take to answer.
      expect((await s.call(`Get-AuthConfig${select('Name')}`)).ok).toBe(true);
      expect((await s.call(`Get-ExchangeServer${select('Name')}`)).ok).toBe(true);
      expect(answered).toBe(false);
      // Only ending the process ends the call, without an answer.
      await ps.dispose();
      await expect(hung).rejects.toThrow('not an envelope');
    } finally {
      await s.close();
    }
  });

  it('die: the shell process dies mid-command; a new shell works and the state is intact', async () => {
    const s = await Simulation.create('healthy');
    try {
      dieOnce(s.file, 'Set-AuthConfig');
      const ps = await s.shell();
      await expect(s.call('Set-AuthConfig -ClearPreviousCertificate', ps)).rejects.toThrow();
      expect(() => parseOrganisation(fs.readFileSync(s.file, 'utf8'), s.file)).not.toThrow();
      expect(s.state().faults).toEqual([]);
      expect((await s.call('Set-AuthConfig -ClearPreviousCertificate')).ok).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('a shell that dies after the change, before the answer', () => {
  it('leaves the new certificate in place for the retry to find', async () => {
    const s = await Simulation.create('healthy');
    try {
      dieOnce(s.file, 'New-ExchangeCertificate', '--after');
      const before = at(s.state().servers, 0, 'server').certificates.length;
      const ps = await s.shell();
      await expect(s.call(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint')}`, ps)).rejects.toThrow();
      const certs = at(s.state().servers, 0, 'server').certificates;
      expect(certs).toHaveLength(before + 1);
      const created = certs.at(-1)!.thumbprint;
      const listed = await s.ok(
        `Get-ExchangeCertificate -Server 'ex1.contoso.com'${select('Thumbprint', 'FriendlyName')}`,
      );
      expect(
        listed.filter((c) => c.FriendlyName === 'Microsoft Exchange Server Auth Certificate').map((c) => c.Thumbprint),
      ).toContain(created);
    } finally {
      await s.close();
    }
  });
});

describe('a shell killed in the middle of a write', () => {
  const temporaries = (file: string) => fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp'));

  it('die --during-write: killed between the temporary file and the rename, the previous state stays whole', async () => {
    const s = await Simulation.create('healthy');
    try {
      dieOnce(s.file, 'New-ExchangeCertificate', '--during-write');
      const previous = JSON.parse(fs.readFileSync(s.file, 'utf8')) as Organisation;
      const ps = await s.shell();
      await expect(s.call(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint')}`, ps)).rejects.toThrow();

      // The state file is the previous state, the fault consumed, and nothing of the new one.
      const after = parseOrganisation(fs.readFileSync(s.file, 'utf8'), s.file);
      expect(after).toEqual({ ...previous, faults: [] });

      // The kill landed after the new state was complete in its temporary file: the writer did write.
      const leftovers = temporaries(s.file);
      expect(leftovers).toHaveLength(1);
      const leftover = leftovers[0]!;
      const written = parseOrganisation(fs.readFileSync(path.join(path.dirname(s.file), leftover), 'utf8'), leftover);
      const before = at(previous.servers, 0, 'server').certificates.length;
      expect(at(written.servers, 0, 'server').certificates).toHaveLength(before + 1);

      // The retry in a fresh shell succeeds once, and its write removes the dead writer's temporary file.
      await s.ok(`${NEW_AUTH_CERT('ex1.contoso.com')}${select('Thumbprint')}`);
      expect(at(s.state().servers, 0, 'server').certificates).toHaveLength(before + 1);
      expect(temporaries(s.file)).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('several shells on one organisation', () => {
  it('serialise their changes: concurrent certificate creations are all kept', async () => {
    const s = await Simulation.create('healthy');
    try {
      const before = at(s.state().servers, 0, 'server').certificates.length;
      const shells = await Promise.all([s.shell(), s.shell(), s.shell()]);
      const line = Array.from({ length: 8 }, () => `${NEW_AUTH_CERT('ex1.contoso.com')} | Out-Null`).join('; ');
      await Promise.all(shells.map((ps) => s.ok(line, ps)));
      expect(at(s.state().servers, 0, 'server').certificates).toHaveLength(before + 24);
    } finally {
      await s.close();
    }
  });
});
