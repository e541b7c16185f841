// The parsed organisation is kept per process and the file written once per change: reads of an unchanged file cost no
// parse, what this process wrote is trusted, what another process (or a person) wrote is read and validated again, and
// nothing is written when nothing changed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { withOrganization } from '../../exchange/organisation';
import { cachedState, stateCacheStats } from '../../exchange/store';
import { CLI } from '../paths';
import { HOUR, Org } from './helpers';

/** What identifies the file on disk: a new file (a write) has a new inode, an edit a new size or time. */
function fileIdentity(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The counters' change while `act` runs. */
async function counting(act: () => Promise<unknown>): Promise<typeof stateCacheStats> {
  const before = { ...stateCacheStats };
  await act();
  return {
    loads: stateCacheStats.loads - before.loads,
    hits: stateCacheStats.hits - before.hits,
    writes: stateCacheStats.writes - before.writes,
  };
}

const READS: Array<[string, Record<string, unknown>, string | null]> = [
  ['Get-AuthConfig', {}, null],
  ['Get-ExchangeServer', {}, null],
  ['Get-ExchangeCertificate', { Server: 'EX2' }, null],
  ['Get-WebAppPoolState', {}, 'EX1'],
  ['Get-CimInstance', { ClassName: 'Win32_Process' }, 'EX2'],
  ['Get-WinEvent', { LogName: 'Application' }, 'EX1'],
];

describe('the organisation cached per process', () => {
  it('reads of an unchanged file parse nothing and write nothing', async () => {
    const org = await Org.create('healthy');
    await org.call('Get-AuthConfig'); // the first read of this file in this process parses it
    const identity = fileIdentity(org.file);
    const counts = await counting(async () => {
      for (const [name, args, computer] of READS) await org.call(name, args as never, computer);
    });
    expect(counts).toMatchObject({ loads: 0, writes: 0 });
    expect(counts.hits).toBeGreaterThanOrEqual(READS.length);
    expect(fileIdentity(org.file)).toBe(identity);
  });

  it('a cmdlet that fails without changing anything keeps the copy', async () => {
    const org = await Org.create('healthy');
    await org.call('Get-AuthConfig');
    const counts = await counting(() => org.fails('Get-ExchangeCertificate', { Thumbprint: 'A'.repeat(40) }));
    expect(counts).toMatchObject({ loads: 0, writes: 0 });
  });

  it('a change is written once, and what this process wrote is used without reading it back', async () => {
    const org = await Org.create('healthy');
    await org.call('Get-AuthConfig');
    const identity = fileIdentity(org.file);
    const written = await counting(() => org.call('Restart-WebAppPool', { Name: 'MSExchangeOWAAppPool' }, 'EX1'));
    expect(written).toMatchObject({ loads: 0, writes: 1 });
    expect(fileIdentity(org.file)).not.toBe(identity);
    const after = await counting(() => org.call('Get-WebAppPoolState', {}, 'EX1'));
    expect(after).toMatchObject({ loads: 0, writes: 0 });
    // The same recycle again on a frozen clock changes nothing, so writes nothing.
    const again = await counting(() => org.call('Restart-WebAppPool', { Name: 'MSExchangeOWAAppPool' }, 'EX1'));
    expect(again).toMatchObject({ loads: 0, writes: 0 });
  });

  it('a change written by another process is read and validated again', async () => {
    const org = await Org.create('healthy');
    expect(cachedState(org.file).clock.anchorSim).toBe(org.now());
    const r = spawnSync(process.execPath, [CLI, 'advance', '3h', '--state', org.file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const counts = await counting(async () => expect(await org.call('Get-AuthConfig')).toHaveLength(1));
    expect(counts.loads).toBe(1);
    expect(cachedState(org.file).clock.anchorSim).toBe(org.now());
  });

  it('an edit in place (a person with an editor) is noticed, and a broken file named', async () => {
    const org = await Org.create('healthy');
    await org.call('Get-AuthConfig');
    const text = fs.readFileSync(org.file, 'utf8');
    fs.writeFileSync(org.file, text.replace('"organisationName": "Contoso"', '"organisationName": "Contoso Ltd"'));
    expect(cachedState(org.file).organisationName).toBe('Contoso Ltd');
    fs.writeFileSync(org.file, '{"version": 1');
    expect(() => cachedState(org.file)).toThrow(/is not valid JSON/);
  });

  it('a change that is not written (the action failed midway) is dropped, not kept in memory', async () => {
    const org = await Org.create('healthy');
    const before = cachedState(org.file).nextRecordId;
    await expect(
      withOrganization(org.file, (o) => {
        o.nextRecordId += 5;
        throw new Error('midway');
      }),
    ).rejects.toThrow('midway');
    expect(cachedState(org.file).nextRecordId).toBe(before);
  });

  it('catch-up alone is written when it changed the organisation, once', async () => {
    const org = await Org.create('healthy');
    await org.call('Get-AuthConfig');
    await org.advance(13 * HOUR); // moves the clock; the next call catches up: AuthAdmin ran on both servers meanwhile
    expect(await counting(() => org.call('Get-AuthConfig'))).toMatchObject({ loads: 0, writes: 1 });
    expect(await counting(() => org.call('Get-AuthConfig'))).toMatchObject({ loads: 0, writes: 0 });
    const lastRuns = (servers: Array<{ serviceHost: { authAdminLastRun: number | null } }>) =>
      servers.map((s) => s.serviceHost.authAdminLastRun);
    const onDisk = JSON.parse(fs.readFileSync(org.file, 'utf8')) as { servers: Parameters<typeof lastRuns>[0] };
    expect(lastRuns(onDisk.servers)).toEqual(lastRuns(cachedState(org.file).servers));
    expect(lastRuns(onDisk.servers).every((t) => t !== null && t > org.now() - 12 * HOUR)).toBe(true);
  });
});
