import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOrganization } from '../../exchange/organisation';
import { CLI } from '../paths';
import { tempDir } from './helpers';

function sim(...args: string[]): { code: number | null; out: string; err: string } {
  const env = { ...process.env };
  delete env.EXCHANGE_SIM_STATE;
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run sim', () => {
  it('creates, shows, advances and injects faults', () => {
    const file = path.join(tempDir(), 'org.json');
    const created = sim(
      'create',
      'two-sites',
      '--state',
      file,
      '--acceleration',
      '0',
      '--start',
      '2026-11-25T06:00:00Z',
    );
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(created.out).toMatch(/created scenario two-sites with 4 servers/);

    const shown = sim('show', '--state', file);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/simulated now 2026-11-25T06:00:00.000Z/);
    expect(shown.out).toMatch(/^EX3\s+Site-B\s+15\.2\.1544\.4\s+Mailbox\s+yes\s+open\s+ok/m);
    expect(shown.out).toMatch(
      /^Event 2014 on: every-server {3}EnableAuthAdminReadSession in Get-OrganizationConfig: listed/m,
    );
    expect(shown.out).toMatch(/CN=Microsoft Exchange Server Auth Certificate/);
    expect(shown.out).toMatch(/MSExchange AuthAdmin/);
    expect(shown.out).toMatch(/^EX4\s+MSExchangeECPAppPool\s+Started\s+\S+\s+[0-9A-F]{40} \(current\)$/m);

    const json = JSON.parse(sim('show', '--state', file, '--json').out);
    expect(json.servers).toHaveLength(4);
    expect(json.authConfig.current).toMatch(/^[0-9A-F]{40}$/);
    expect(json.servers[0].signIn.works).toBe(true);

    expect(sim('advance', '--state', file, '1d12h')).toMatchObject({
      code: 0,
      out: 'simulated now 2026-11-26T18:00:00.000Z\n',
    });
    expect(loadOrganization(file).now).toBe(Date.parse('2026-11-26T18:00:00Z'));

    expect(sim('fault', 'inject', 'rpc', '--probability', '0.25', '--state', file).code).toBe(0);
    expect(sim('fault', 'inject', 'hang', '--cmdlet', 'Get-AuthConfig', '--count', '1', '--state', file).code).toBe(0);
    expect(sim('fault', 'inject', 'die', '--after', '--state', file).code).toBe(0);
    // A cmdlet name in any case is stored as the simulator spells it; a rejected request changes nothing.
    expect(sim('fault', 'inject', 'access-denied', '--cmdlet', 'set-authconfig', '--state', file).code).toBe(0);
    const before = fs.readFileSync(file, 'utf8');
    expect(sim('fault', 'inject', 'hang', '--cmdlet', 'Get-Nonsense', '--state', file).code).toBe(2);
    expect(
      sim('fault', 'inject', 'hang', '--probability', '1', '--cmdlet', 'Get-AuthConfig', '--state', file).code,
    ).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(loadOrganization(file).org.faults).toEqual([
      { kind: 'rpc', probability: 0.25 },
      { kind: 'hang', cmdlet: 'Get-AuthConfig', remaining: 1 },
      { kind: 'die', point: 'after' },
      { kind: 'access-denied', cmdlet: 'Set-AuthConfig' },
    ]);
    expect(sim('show', '--state', file).out).toMatch(/Faults\n {2}\{"kind":"rpc"/);
    expect(sim('fault', 'clear', 'rpc', '--state', file).out).toBe('cleared 1 fault(s)\n');
    expect(sim('fault', 'clear', '--state', file).out).toBe('cleared 3 fault(s)\n');

    expect(sim('clock', '--acceleration', '3600', '--state', file).code).toBe(0);
    expect(loadOrganization(file).org.clock.acceleration).toBe(3600);
  });

  it('switches behaviours at creation and later, and shows them', () => {
    const file = path.join(tempDir(), 'org.json');
    const created = sim(
      'create',
      'exchange-2013',
      '--state',
      file,
      '--event-2014-on',
      'publishing-server',
      '--read-session',
      'absent',
      '--block-remote-event-log',
      'EX2,ex3.contoso.com',
      '--default-web-site',
      'third-party',
    );
    expect(created).toMatchObject({ code: 0, err: '' });
    let json = JSON.parse(sim('show', '--state', file, '--json').out);
    expect(json).toMatchObject({
      event2014On: 'publishing-server',
      readSessionListed: false,
      serializedDataSigning: false,
      serializationBroken: false,
    });
    expect(json.servers.map((s: { remoteEventLogBlocked: boolean }) => s.remoteEventLogBlocked)).toEqual([
      false,
      true,
      true,
    ]);
    expect(json.servers[2]).toMatchObject({ version: '15.0.1497.2', roles: ['ClientAccess'] });
    expect(json.servers[0].iis.defaultWebSite).not.toBe(json.servers[0].iis.backEnd);

    const configured = sim(
      'configure',
      '--state',
      file,
      '--event-2014-on',
      'every-server',
      '--serialization-signing',
      'on',
      '--open-remote-event-log',
      'all',
    );
    expect(configured).toMatchObject({ code: 0, err: '' });
    json = JSON.parse(sim('show', '--state', file, '--json').out);
    expect(json).toMatchObject({ event2014On: 'every-server', readSessionListed: false, serializedDataSigning: true });
    expect(json.servers.every((s: { remoteEventLogBlocked: boolean }) => !s.remoteEventLogBlocked)).toBe(true);

    const before = fs.readFileSync(file, 'utf8');
    expect(sim('configure', '--state', file, '--block-remote-event-log', 'EX9')).toMatchObject({
      code: 1,
      err: 'sim: unknown server "EX9": the organisation has EX1, EX2, EX3 (or "all")\n',
    });
    expect(sim('configure', '--state', file).code).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('takes the state file from EXCHANGE_SIM_STATE when --state is absent', () => {
    const file = path.join(tempDir(), 'org.json');
    const r = spawnSync(process.execPath, [CLI, 'create', 'hybrid'], {
      encoding: 'utf8',
      env: { ...process.env, EXCHANGE_SIM_STATE: file },
    });
    expect(r.status).toBe(0);
    expect(loadOrganization(file).org.hybrid.present).toBe(true);
  });

  it.each([
    {
      args: ['create', 'nope', '--state', 'x.json'],
      error: /unknown scenario "nope": valid scenarios are healthy, two-sites/,
    },
    { args: ['create', 'healthy'], error: /no state file: pass --state <file> or set EXCHANGE_SIM_STATE/ },
    { args: ['create', 'healthy', '--state', 'x.json', '--acceleration', 'fast'], error: /"fast" must be a number/ },
    { args: ['create', 'healthy', '--state', 'x.json', '--acceleration', '-1'], error: /must be 0 \(frozen\) or more/ },
    { args: ['advance', '12x', '--state', 'x.json'], error: /"12x" is not a duration/ },
    { args: ['show', '--state', '/nonexistent/org.json'], error: /state file \/nonexistent\/org.json does not exist/ },
    {
      args: ['create', 'healthy', '--state', '/nonexistent/org.json'],
      error: /cannot create state file \/nonexistent\/org.json: directory \/nonexistent does not exist/,
    },
    {
      args: ['fault', 'inject', 'flood', '--state', 'x.json'],
      error: /unknown fault "flood": valid faults are rpc, hang, die, access-denied/,
    },
    {
      args: ['fault', 'inject', 'rpc', '--probability', '2', '--state', 'x.json'],
      error: /"2" must be a probability between 0 and 1/,
    },
    {
      args: ['fault', 'inject', 'hang', '--state', 'x.json'],
      error: /^sim: --cmdlet is required for hang: the cmdlet that never answers$/m,
    },
    {
      args: ['fault', 'inject', 'hang', '--cmdlet', 'Get-Nonsense', '--state', 'x.json'],
      error:
        /^sim: --cmdlet "Get-Nonsense" must name one of the simulator's cmdlets \(a fault on any other could never fire\): Get-ExchangeServer, .*Set-AuthConfig, /m,
    },
    {
      args: ['fault', 'inject', 'access-denied', '--cmdlet', 'ConvertTo-Json', '--state', 'x.json'],
      error: /--cmdlet "ConvertTo-Json" must name one of the simulator's cmdlets/,
    },
    {
      args: ['fault', 'inject', 'die', '--probability', '0.5', '--state', 'x.json'],
      error: /^sim: --probability applies to the rpc fault only$/m,
    },
    {
      args: ['fault', 'inject', 'rpc', '--after', '--state', 'x.json'],
      error: /--after applies to the die fault only/,
    },
    {
      args: ['fault', 'inject', 'rpc', '--during-write', '--state', 'x.json'],
      error: /--during-write applies to the die fault only/,
    },
    {
      args: ['fault', 'inject', 'die', '--after', '--during-write', '--state', 'x.json'],
      error: /--after and --during-write are two different points: pick one/,
    },
    {
      args: ['create', 'healthy', '--state', 'x.json', '--event-2014-on', 'some'],
      error: /^sim: --event-2014-on: "some" must be one of every-server, publishing-server$/m,
    },
    {
      args: ['configure', '--state', 'x.json', '--serialization-signing', 'yes'],
      error: /^sim: --serialization-signing: "yes" must be one of on, off$/m,
    },
    {
      args: ['create', 'healthy', '--state', 'x.json', '--block-remote-event-log', 'EX9'],
      error: /^sim: unknown server "EX9": the organisation has EX1, EX2 \(or "all"\)$/m,
    },
    { args: ['configure', '--state', 'x.json'], error: /^sim: configure: name at least one behaviour to change/m },
    { args: ['show', '--bogus'], error: /unknown option '--bogus'/ },
    { args: ['frobnicate'], error: /unknown command 'frobnicate'/ },
    { args: [], error: /a command is required/ },
  ])('$args fails with one clear line', ({ args, error }) => {
    const cwd = tempDir();
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { PATH: process.env.PATH } });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(error);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it.each([
    [['create', 'nope', '--state', 'x.json'], 'sim: scenario: unknown scenario "nope": valid scenarios are '],
    [
      ['create', 'healthy', '--state', 'x.json', '--acceleration', 'fast'],
      'sim: --acceleration: "fast" must be a number',
    ],
    [['advance', 'soon', '--state', 'x.json'], 'sim: duration: "soon" is not a duration'],
  ])('%j: a usage error names the argument or flag in its own words and exits 2', (args, start) => {
    const r = sim(...args);
    expect(r.code).toBe(2);
    expect(r.err.startsWith(start)).toBe(true);
    expect(r.err).not.toMatch(/is invalid/);
  });

  it('create --help lists every scenario on a line of its own', () => {
    const out = sim('create', '--help').out;
    for (const name of [
      'healthy',
      'two-sites',
      'expired',
      'missing-on-one',
      'hybrid',
      'child-domain',
      'unreachable',
      'large',
      'exchange-2013',
      'broken-serialization',
    ]) {
      expect(out).toMatch(new RegExp(`^  ${name} +\\S.*\\S$`, 'm'));
    }
    expect(out).toMatch(/^ {2}healthy +two servers in one AD site, a valid current auth certificate everywhere$/m);
  });

  it('a failure that is not about the command line exits 1', () => {
    expect(sim('show', '--state', path.join(tempDir(), 'absent.json')).code).toBe(1);
  });

  it('a corrupt state file is named with its problem', () => {
    const file = path.join(tempDir(), 'org.json');
    fs.writeFileSync(file, '{"version":1,"scenario":"healthy"}');
    const r = sim('show', '--state', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`state file ${file} is not a simulated Exchange organisation: organisationName: `),
    );
  });

  it.each([[], ['create'], ['configure'], ['show'], ['advance'], ['fault'], ['fault', 'inject'], ['fault', 'clear']])(
    '%p --help',
    (...args) => {
      const r = sim(...args, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: sim/);
    },
  );
});
