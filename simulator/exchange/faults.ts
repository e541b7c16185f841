// Injected faults, stored in the state file so that the CLI can inject them into shells that are already running.
import { PSError } from '../shell/types';
import { exchangeErrorId } from './errors';
import { DiePoint, domainController, Fault, FaultKind, findServer, Organisation } from './model';
import { cachedState, readState, StateWriter, withFileLock, writeCachedState, writeStateAtomically } from './store';
import { at } from '../invariant';

function pointOf(f: Fault): DiePoint {
  return f.kind === 'die' ? (f.point ?? 'before') : 'before';
}

function applies(f: Fault, cmdlet: string, exchangeCmdlets: readonly string[], point: DiePoint): boolean {
  if (pointOf(f) !== point) return false;
  if (f.cmdlet) return f.cmdlet.toLowerCase() === cmdlet.toLowerCase();
  // Without a named cmdlet a fault hits the organisation's cmdlets, not the language's own (ConvertTo-Json inside
  // the catch block of every call would otherwise fail where no real Exchange could).
  return exchangeCmdlets.some((c) => c.toLowerCase() === cmdlet.toLowerCase());
}

/** Picks the fault that fires for this invocation in a state read under the lock, consuming one occurrence of it. */
function consumeFault(
  org: Organisation,
  cmdlet: string,
  exchangeCmdlets: readonly string[],
  random: () => number,
  point: DiePoint,
): Fault | null {
  const index = org.faults.findIndex(
    (f) => applies(f, cmdlet, exchangeCmdlets, point) && (f.kind !== 'rpc' || random() < f.probability),
  );
  if (index < 0) return null;
  const fault = at(org.faults, index, 'fault');
  if (fault.remaining !== undefined) {
    if (fault.remaining <= 1) org.faults.splice(index, 1);
    else org.faults[index] = { ...fault, remaining: fault.remaining - 1 };
  }
  return fault;
}

/** Picks the fault that fires for this invocation (if any), consuming one of its remaining occurrences. */
export async function takeFault(
  file: string,
  cmdlet: string,
  exchangeCmdlets: readonly string[],
  random: () => number = Math.random,
  point: DiePoint = 'before',
): Promise<{ fault: Fault; org: Organisation } | null> {
  // Cheap path first: most invocations see no fault at all and need no lock.
  if (!cachedState(file).faults.some((f) => applies(f, cmdlet, exchangeCmdlets, point))) return null;
  return withFileLock(file, () => {
    const org = cachedState(file);
    const fault = consumeFault(org, cmdlet, exchangeCmdlets, random, point);
    if (!fault) return null;
    // A counted fault changed the shared copy: it is written at once.
    if (fault.remaining !== undefined) writeCachedState(file, org, (f) => writeStateAtomically(f, org));
    return { fault, org };
  });
}

/**
 * How a cmdlet's change reaches the file. A die --during-write fault for the cmdlet is consumed in an ordinary write
 * of the previous state (so --count holds for the retry); then the new state goes to its temporary file and the
 * process is killed before the rename, which must leave the previous state whole.
 */
export function cmdletStateWriter(cmdlet: string | undefined, exchangeCmdlets: readonly string[]): StateWriter {
  return (file, next, previous) => {
    if (cmdlet === undefined || !next.faults.some((f) => applies(f, cmdlet, exchangeCmdlets, 'during-write'))) {
      writeStateAtomically(file, next);
      return;
    }
    const before = previous();
    consumeFault(before, cmdlet, exchangeCmdlets, Math.random, 'during-write');
    next.faults = before.faults;
    writeStateAtomically(file, before);
    writeStateAtomically(file, next, { beforeRename: killNow });
  };
}

export function transientRpcError(org: Organisation, cmdlet: string, computerName: string | null): PSError {
  const server = (computerName && findServer(org, computerName)?.name) || org.connectedServer;
  return new PSError(
    `Active Directory operation failed on ${domainController(org)}. This error could have been caused by a transient problem: The RPC server is too busy to complete this operation. Try again later.`,
    {
      category: 'NotSpecified',
      reason: 'ADTransientException',
      exceptionType: 'Microsoft.Exchange.Data.Directory.ADTransientException',
      errorId: exchangeErrorId(server, 'ADTransientException', cmdlet),
    },
  );
}

export function accessDeniedError(org: Organisation, cmdlet: string): PSError {
  return new PSError('Access is denied.', {
    category: 'PermissionDenied',
    reason: 'UnauthorizedAccessException',
    exceptionType: 'System.UnauthorizedAccessException',
    errorId: exchangeErrorId(org.connectedServer, 'UnauthorizedAccessException', cmdlet),
  });
}

export async function injectFault(file: string, fault: Fault): Promise<void> {
  await withFileLock(file, () => {
    const org = readState(file);
    org.faults.push(fault);
    writeStateAtomically(file, org);
  });
}

/** Removes the faults of one kind, or all of them; returns how many were removed. */
export async function clearFaults(file: string, kind?: FaultKind): Promise<number> {
  return withFileLock(file, () => {
    const org = readState(file);
    const before = org.faults.length;
    org.faults = kind ? org.faults.filter((f) => f.kind !== kind) : [];
    if (org.faults.length !== before) writeStateAtomically(file, org);
    return before - org.faults.length;
  });
}

/** As abrupt as a crashed or killed powershell.exe: no output, no exit handlers, no further line of this process. */
function killNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('SIGKILL did not end the process');
}

export function dieNow(): Promise<never> {
  killNow();
}
