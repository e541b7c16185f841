// Injected faults, stored in the state file so that the CLI can inject them into shells that are already running.
import { PSError } from '../shell/types';
import { exchangeErrorId } from './errors';
import { Fault, FaultKind, findServer, Organisation } from './model';
import { readState, withFileLock, writeStateAtomically } from './store';

export type FaultPhase = 'before' | 'after';

function applies(f: Fault, cmdlet: string, exchangeCmdlets: readonly string[], phase: FaultPhase = 'before'): boolean {
  if ((f.kind === 'die' && f.after ? 'after' : 'before') !== phase) return false;
  if (f.cmdlet) return f.cmdlet.toLowerCase() === cmdlet.toLowerCase();
  // Without a named cmdlet a fault hits the organisation's cmdlets, not the language's own (ConvertTo-Json inside
  // the catch block of every call would otherwise fail where no real Exchange could).
  return exchangeCmdlets.some((c) => c.toLowerCase() === cmdlet.toLowerCase());
}

/** Picks the fault that fires for this invocation (if any), consuming one of its remaining occurrences. */
export async function takeFault(
  file: string,
  cmdlet: string,
  exchangeCmdlets: readonly string[],
  random: () => number = Math.random,
  phase: FaultPhase = 'before',
): Promise<{ fault: Fault; org: Organisation } | null> {
  // Cheap path first: most invocations see no fault at all and need no lock.
  if (!readState(file).faults.some((f) => applies(f, cmdlet, exchangeCmdlets, phase))) return null;
  return withFileLock(file, () => {
    const org = readState(file);
    const index = org.faults.findIndex(
      (f) => applies(f, cmdlet, exchangeCmdlets, phase) && (f.kind !== 'rpc' || random() < f.probability),
    );
    if (index < 0) return null;
    const fault = org.faults[index];
    if (fault.remaining !== undefined) {
      if (fault.remaining <= 1) org.faults.splice(index, 1);
      else org.faults[index] = { ...fault, remaining: fault.remaining - 1 };
      writeStateAtomically(file, org);
    }
    return { fault, org };
  });
}

export function transientRpcError(org: Organisation, cmdlet: string, computerName: string | null): PSError {
  const server = (computerName && findServer(org, computerName)?.name) || org.connectedServer;
  return new PSError(
    `Active Directory operation failed on dc1.${org.rootDomain}. This error could have been caused by a transient problem: The RPC server is too busy to complete this operation. Try again later.`,
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

/** As abrupt as a crashed or killed powershell.exe: no output, no exit handlers. */
export function dieNow(): Promise<never> {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<never>(() => undefined);
}
