// An IIS worker process (Win32_Process of w3wp.exe, through Get-CimInstance): which pool it serves and when it started.
import { z } from 'zod';
import type { SelectProperty } from '../catalogue';
import { PsObjectType, nullablePsDateSchema } from '../output';

export const WORKER_PROCESS_PROPERTIES: readonly SelectProperty[] = [
  'ProcessId',
  'CommandLine',
  { name: 'CreationDate', isoDateOf: 'CreationDate' },
];

/** w3wp.exe's command line names its pool as `-ap "<pool>"` (IIS writes it; pool names cannot contain quotes). */
const APP_POOL_ARGUMENT = /(?:^|\s)-ap\s+"([^"]+)"/i;

export function appPoolOfCommandLine(commandLine: string): string | null {
  return APP_POOL_ARGUMENT.exec(commandLine)?.[1] ?? null;
}

/**
 * A Win32_Process of w3wp.exe as Get-CimInstance hands it over (through Invoke-Command), with CreationDate selected as
 * ISO: ProcessId a number, CommandLine null or empty when it cannot be read. A process whose pool is unknown (no
 * readable command line) has pool null and says nothing about any pool.
 */
export const workerProcessOutputSchema = z
  .looseObject({
    ProcessId: z.number().int().nonnegative(),
    CommandLine: z.string().nullish(),
    CreationDate: nullablePsDateSchema.optional(),
  })
  .transform((o) => ({
    processId: o.ProcessId,
    pool: appPoolOfCommandLine(o.CommandLine ?? ''),
    startedAt: o.CreationDate ?? null,
  }));
export type WorkerProcess = z.infer<typeof workerProcessOutputSchema>;

export const WORKER_PROCESS: PsObjectType<WorkerProcess> = {
  name: 'Win32_Process',
  select: WORKER_PROCESS_PROPERTIES,
  schema: workerProcessOutputSchema,
};
