// Persistence of the organisation. Several shell processes and the CLI share one file, so every read-modify-write
// happens under a cross-process lock, and every write goes to a temporary file that is fsynced and renamed over the
// state: a process killed at any instant leaves either the old or the new state, never a torn file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Organisation, parseOrganisation, StateFileError } from './model';

const LOCK_TIMEOUT_MS = 15_000;
/** No cmdlet holds the lock for long; an older lock belongs to a dead process whose pid was reused. */
const LOCK_STALE_MS = 30_000;
const LOCK_WITHOUT_OWNER_STALE_MS = 1_000;

/** Removes temporary files left by writers that were killed before their rename. */
function removeOrphanedTemporaries(dir: string, base: string): void {
  const prefix = `.${base}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

/** Persists a changed organisation; `previous` gives the state as it was read, before the change. */
export type StateWriter = (file: string, next: Organisation, previous: () => Organisation) => void;

export interface WriteHooks {
  /** Runs once the temporary file is complete on disk, before it replaces the state (the die --during-write fault). */
  beforeRename?: (temporaryFile: string) => void;
}

export function writeStateAtomically(file: string, org: Organisation, hooks: WriteHooks = {}): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, serialise(org));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  hooks.beforeRename?.(tmp);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  removeOrphanedTemporaries(dir, path.basename(file));
  // The rename itself must reach the disk, or a power cut could bring back the old directory entry.
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

function unreadable(file: string, e: unknown): StateFileError {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
    return new StateFileError(
      `state file ${file} does not exist: create it with "npm run sim -- create <scenario> --state ${file}"`,
      { cause: e },
    );
  }
  return new StateFileError(`state file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
}

/** The organisation in the file, read, parsed and validated now: a new object the caller may change freely. */
export function readState(file: string): Organisation {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw unreadable(file, e);
  }
  // A cmdlet reads the state several times (fault check, the change, the "after" fault check) and most calls change
  // nothing: the same text was validated a moment ago, so a copy of that result is as good and several times cheaper.
  // Text this process wrote (writeStateAtomically's exact form) is what validation returns, so it just parses.
  const known = validated.get(file);
  if (known?.text === text) return known.canonical ? (JSON.parse(text) as Organisation) : structuredClone(known.org);
  const org = parseOrganisation(text, file);
  validated.set(file, { text, org: structuredClone(org), canonical: serialise(org) === text });
  return org;
}

/** The last text validated per state file, with its result (callers mutate what they get, so copies go out). */
const validated = new Map<string, { text: string; org: Organisation; canonical: boolean }>();

function serialise(org: Organisation): string {
  return JSON.stringify(org, null, 1) + '\n';
}

// ---- the parsed organisation, cached per process
//
// Every cmdlet reads the state several times (the clock, the faults, the read-modify-write). Parsing and validating a
// 200-server file each time made a call cost grow with the organisation, so each process keeps the organisation it
// last read or wrote, with the identity of that file: device, inode, size, modification and change time. The file
// stays open while it is cached, so its inode cannot be freed and reused by a later state file (writers never change
// a state file in place: they rename a new one over it). A different identity means another process (or a person)
// changed the file: it is read and validated again. What this process wrote itself is trusted as it is.

interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

interface Cached {
  /** The open file the organisation came from (or went to). */
  fd: number;
  identity: FileIdentity;
  org: Organisation;
}

const cached = new Map<string, Cached>();

/** How often this process parsed the state file, served it from memory, and wrote it (tests and benchmarks read it). */
export const stateCacheStats = { loads: 0, hits: 0, writes: 0 };

function identityOf(st: fs.BigIntStats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

function remember(file: string, fd: number, org: Organisation): void {
  const key = path.resolve(file);
  forgetState(key);
  cached.set(key, { fd, identity: identityOf(fs.fstatSync(fd, { bigint: true })), org });
}

/** Drops this process's copy (after a change that did not reach the file, it no longer matches the file). */
export function forgetState(file: string): void {
  const key = path.resolve(file);
  const entry = cached.get(key);
  if (!entry) return;
  cached.delete(key);
  fs.closeSync(entry.fd);
}

/**
 * The organisation as the file holds it, from memory while the file is the one this process last read or wrote. The
 * object is shared: read it, or change it only under the lock and then write it (`writeCachedState`) or drop it
 * (`forgetState`).
 */
export function cachedState(file: string): Organisation {
  const entry = cached.get(path.resolve(file));
  if (entry) {
    let current: fs.BigIntStats | undefined;
    try {
      current = fs.statSync(file, { bigint: true });
    } catch {
      // gone or unreadable: the read below names the problem
    }
    if (current && sameIdentity(entry.identity, identityOf(current))) {
      stateCacheStats.hits++;
      return entry.org;
    }
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    forgetState(file);
    throw unreadable(file, e);
  }
  let org: Organisation;
  try {
    // Read through the descriptor: its identity is that of the very file read, even if another is renamed over it.
    org = parseOrganisation(fs.readFileSync(fd, 'utf8'), file);
  } catch (e) {
    fs.closeSync(fd);
    forgetState(file);
    throw e;
  }
  stateCacheStats.loads++;
  remember(file, fd, org);
  return org;
}

/** Writes `org` (the cached organisation, changed under the lock) and keeps it as this process's copy of the file. */
export function writeCachedState(file: string, org: Organisation, write: (file: string) => void): void {
  try {
    write(file);
  } catch (e) {
    forgetState(file);
    throw e;
  }
  stateCacheStats.writes++;
  // Under the lock nobody else writes: the file now is the one just written.
  remember(file, fs.openSync(file, 'r'), org);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An exclusive lock file beside the state (`<file>.lock`, holding the owner's pid). A lock left by a process that died
 * (the shell killed mid-command) is taken over, since a dead owner cannot be mid-write any more.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = fs.openSync(lock, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateFileError(`cannot lock state file ${file}: ${(e as Error).message}`, { cause: e });
      }
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(lock, 'utf8'));
      } catch {
        continue; // released between our open and read
      }
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      const ownerKnown = Number.isInteger(owner) && owner > 0;
      const dead = ownerKnown && owner !== process.pid && !processAlive(owner);
      // The pid is written right after the file is created: a lock still without one after a moment belongs to a
      // process killed between the two steps.
      const orphaned = !ownerKnown && age > LOCK_WITHOUT_OWNER_STALE_MS;
      if (dead || orphaned || age > LOCK_STALE_MS) {
        // Move it aside under a unique name first, so two processes breaking the same stale lock cannot remove a
        // lock freshly taken by a third one.
        const aside = `${lock}.${process.pid}.${randomBytes(3).toString('hex')}.stale`;
        try {
          fs.renameSync(lock, aside);
          const movedOwner = Number(fs.readFileSync(aside, 'utf8'));
          try {
            // Not the lock we judged stale (its owner released it and another process took it): put it back.
            if (movedOwner !== owner) fs.linkSync(aside, lock);
          } finally {
            fs.rmSync(aside, { force: true });
          }
        } catch {
          // someone else handled it
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new StateFileError(
          `state file ${file} is locked by process ${owner} for more than ${LOCK_TIMEOUT_MS} ms`,
        );
      }
      await sleep(5 + Math.floor(Math.random() * 15));
    }
  }
  try {
    return await fn();
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  }
}
