import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createOrganization } from '../../exchange/organisation';
import { parseOrganisation } from '../../exchange/model';
import { readState, withFileLock, writeStateAtomically } from '../../exchange/store';
import { DIST as PACKAGE_DIST } from '../paths';
import { START, tempDir } from './helpers';
import { at } from '../../invariant';

// Children run the compiled simulator (npm test builds first), as the shell processes do.
const DIST = path.join(PACKAGE_DIST, 'exchange');

function node(script: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting: ${buf}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c)),
  );
}

// Writes ever-changing states (of different sizes, so a torn write could not look complete) as fast as it can.
const WRITER = `
const { writeStateAtomically, readState } = require(${JSON.stringify(path.join(DIST, 'store.js'))});
const file = process.argv[1];
const org = readState(file);
let i = 0;
for (;;) {
  org.nextRecordId = ++i;
  org.servers[0].events = Array.from({ length: i % 50 }, (_, k) => ({ recordId: k, time: 0, logName: 'Application', providerName: 'P', id: k, level: 4, message: 'x'.repeat(k * 37) }));
  writeStateAtomically(file, org);
  if (i === 20) process.stdout.write('writing\\n');
}
`;

describe('the state file under SIGKILL', () => {
  it('always holds a complete state, whatever instant the writer is killed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    await createOrganization('healthy', file, { acceleration: 0, start: START });
    const seen = new Set<number>();
    for (let round = 0; round < 12; round++) {
      const child = node(WRITER, file);
      await firstLine(child);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      child.kill('SIGKILL');
      await exited(child);
      const org = parseOrganisation(fs.readFileSync(file, 'utf8'), file);
      seen.add(org.nextRecordId);
      expect(at(org.servers, 0, 'server').events).toHaveLength(org.nextRecordId % 50);
    }
    // The writer really was interrupted at different points.
    expect(seen.size).toBeGreaterThan(1);
    // The next write removes the temporary files the killed writers left behind.
    writeStateAtomically(file, readState(file));
    expect(fs.readdirSync(dir).sort()).toEqual(['state.json']);
  });

  it('a lock far older than any cmdlet holds it is stale even if its pid is alive (pid reuse)', async () => {
    const file = path.join(tempDir(), 'state.json');
    await createOrganization('healthy', file, { acceleration: 0, start: START });
    fs.writeFileSync(`${file}.lock`, '1'); // pid 1 is always alive
    const old = (Date.now() - 60_000) / 1000;
    fs.utimesSync(`${file}.lock`, old, old);
    expect(await withFileLock(file, () => 'taken')).toBe('taken');
  });

  it('an empty lock (its creator killed before writing its pid) is taken over within the lock timeout', async () => {
    const file = path.join(tempDir(), 'state.json');
    await createOrganization('healthy', file, { acceleration: 0, start: START });
    fs.writeFileSync(`${file}.lock`, '');
    const old = (Date.now() - 5_000) / 1000;
    fs.utimesSync(`${file}.lock`, old, old);
    expect(await withFileLock(file, () => 'taken')).toBe('taken');
  });

  it('a fresh empty lock is respected: its creator is about to write its pid', async () => {
    const file = path.join(tempDir(), 'state.json');
    await createOrganization('healthy', file, { acceleration: 0, start: START });
    fs.writeFileSync(`${file}.lock`, '');
    let taken = false;
    const waiting = withFileLock(file, () => {
      taken = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(taken).toBe(false);
    fs.rmSync(`${file}.lock`);
    await waiting;
    expect(taken).toBe(true);
  });

  it('a lock left by a killed process is taken over', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    await createOrganization('healthy', file, { acceleration: 0, start: START });
    const holder = node(
      `const { withFileLock } = require(${JSON.stringify(path.join(DIST, 'store.js'))});
       withFileLock(process.argv[1], () => { process.stdout.write('locked\\n'); return new Promise(() => setInterval(() => {}, 1000)); });`,
      file,
    );
    expect(await firstLine(holder)).toBe('locked');
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
    holder.kill('SIGKILL');
    await exited(holder);
    const got = await withFileLock(file, () => readState(file).scenario);
    expect(got).toBe('healthy');
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('the cross-process lock', () => {
  it('serialises read-modify-write cycles of concurrent processes: no update is lost', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    const org = await createOrganization('healthy', file, { acceleration: 0, start: START });
    const script = `
      const { withOrganization } = require(${JSON.stringify(path.join(DIST, 'organisation.js'))});
      (async () => { for (let i = 0; i < 25; i++) await withOrganization(process.argv[1], (o) => { o.nextRecordId += 1; }); })()
        .then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
    const children = Array.from({ length: 4 }, () => node(script, file));
    expect(await Promise.all(children.map(exited))).toEqual([0, 0, 0, 0]);
    expect(readState(file).nextRecordId).toBe(org.nextRecordId + 100);
  });
});
