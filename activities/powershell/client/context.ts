// What every area of the ExchangeClient shares: the shell, the remote credential, the worker's clock, and the rules
// for per-server steps and for errors that say "this environment is wrong".
import { z } from 'zod';
import type { PerServerResult } from '../../../common/exchange';
import { SelectProperty, VARIABLES, renderFanOut } from '../catalogue';
import {
  AccessDeniedError,
  CatalogueError,
  CommandNotFoundError,
  OutputSchemaError,
  ParameterBindingError,
  ParameterNotFoundError,
  ShellConfigurationError,
  classifyErrorRecord,
  errorRecordSchema,
} from '../errors';
import type { ServerRead } from '../exchange-client';
import { PsObjectType, parseItems, parseObjects } from '../output';
import type { PsLiteral, PsScriptBlock } from '../render';
import type { ExchangeShellSettings } from '../settings';
import type { ExchangeShell } from '../shell';

export interface ClientContext {
  shell: ExchangeShell;
  settings: ExchangeShellSettings;
  /** The worker's clock, for the `at` of per-server results. */
  now: () => Date;
  /** Runs a catalogue script block on one server through Invoke-Command, as the configured account. */
  invokeOn(
    server: string,
    block: PsScriptBlock,
    argument?: PsLiteral,
    select?: readonly SelectProperty[],
  ): Promise<unknown[]>;
  /** Like invokeOn, the output parsed as `type`. */
  readOn<T>(server: string, block: PsScriptBlock, type: PsObjectType<T>, argument?: PsLiteral): Promise<T[]>;
  /**
   * A read on every server of a list in one Invoke-Command (`blocks.each`, a fan-out block), each server's answer or
   * error kept apart; a server that gave no answer (WinRM could not reach it) is asked alone with `blocks.single`, so
   * its error is classified exactly as a one-server read's. Errors that say the environment is wrong still throw.
   */
  readOnEach<T>(
    servers: readonly string[],
    blocks: { each: PsScriptBlock; single: PsScriptBlock },
    type: PsObjectType<T>,
    argument?: PsLiteral,
  ): Promise<ServerRead<T[]>[]>;
  /** -Credential for what reaches a server outside the Exchange session (Invoke-Command, Get-WinEvent). */
  credential: typeof VARIABLES.credential | undefined;
}

/** One server's answer in a fan-out (catalogue FAN_OUT_PROPERTIES). */
const fanOutAnswerSchema = z.looseObject({
  PSComputerName: z.string(),
  Ok: z.boolean(),
  // Remoting may hand a one-element array over as the element itself.
  Value: z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.unknown())),
  Error: errorRecordSchema.nullish(),
});

/** The most servers one fan-out Invoke-Command reaches at once (Invoke-Command's own default is 32). */
export const FAN_OUT_THROTTLE_LIMIT = 32;

/** Errors that mean "this environment or call is wrong", never "this server is unreachable". */
export function isEnvironmentError(error: unknown): boolean {
  return (
    error instanceof AccessDeniedError ||
    error instanceof CommandNotFoundError ||
    error instanceof ParameterNotFoundError ||
    error instanceof ParameterBindingError ||
    error instanceof CatalogueError ||
    error instanceof ShellConfigurationError ||
    error instanceof OutputSchemaError
  );
}

/** An error as a per-server result carries it: the class name and the message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createContext(shell: ExchangeShell, settings: ExchangeShellSettings, now: () => Date): ClientContext {
  // Invoke-Command and Get-WinEvent -ComputerName reach the servers themselves, outside the Exchange session: without
  // -Credential they would run as the worker's own account, not as the configured one.
  const credential = settings.mode === 'remote' && settings.credential ? VARIABLES.credential : undefined;
  const invokeOn: ClientContext['invokeOn'] = (server, block, argument, select) =>
    shell.run(
      'Invoke-Command',
      { ComputerName: server, ScriptBlock: block, ArgumentList: argument, Credential: credential },
      { select },
    );
  const readOn: ClientContext['readOn'] = async (server, block, type, argument) =>
    parseObjects(type, await invokeOn(server, block, argument, type.select), 'Invoke-Command');
  const readOnEach: ClientContext['readOnEach'] = async <T>(
    servers: readonly string[],
    blocks: { each: PsScriptBlock; single: PsScriptBlock },
    type: PsObjectType<T>,
    argument?: PsLiteral,
  ): Promise<ServerRead<T[]>[]> => {
    if (servers.length === 0) return [];
    const label = 'Invoke-Command';
    const output = await shell.runPipeline(
      label,
      renderFanOut(servers, blocks.each, argument, credential, FAN_OUT_THROTTLE_LIMIT),
    );
    const answers = new Map<string, z.infer<typeof fanOutAnswerSchema>>();
    for (const answer of parseItems(fanOutAnswerSchema, output, label)) {
      answers.set(answer.PSComputerName.toLowerCase(), answer);
    }
    const reads: ServerRead<T[]>[] = [];
    for (const server of servers) {
      const answer = answers.get(server.toLowerCase());
      let read: ServerRead<T[]>;
      if (answer?.Ok) {
        read = { server, ok: true, value: parseObjects(type, answer.Value, label) };
      } else if (answer?.Error) {
        read = { server, ok: false, error: classifyErrorRecord(answer.Error, label) };
      } else {
        // No answer: asked alone, so that "unreachable" is told by the same rules as everywhere else.
        try {
          read = { server, ok: true, value: await readOn(server, blocks.single, type, argument) };
        } catch (error) {
          read = { server, ok: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }
      // A wrong environment fails every server alike: stop, as a one-server read would.
      if (!read.ok && isEnvironmentError(read.error) && !(read.error instanceof AccessDeniedError)) throw read.error;
      reads.push(read);
    }
    return reads;
  };
  return { shell, settings, now, credential, invokeOn, readOn, readOnEach };
}

/**
 * Runs one per-server step on each server and reports each; the error text stays in the result so the caller sees
 * which failed.
 */
export async function perServer(
  ctx: ClientContext,
  servers: string[],
  step: (server: string) => Promise<void>,
): Promise<PerServerResult[]> {
  const results: PerServerResult[] = [];
  for (const server of servers) {
    try {
      await step(server);
      results.push({ server, ok: true, at: ctx.now().toISOString() });
    } catch (error) {
      // A wrong environment (no such cmdlet or parameter, a catalogue or configuration fault) fails every server
      // alike: stop instead of reporting it N times. Access denied is not among them here: WinRM and the local
      // Administrators group are per server, so one denial says nothing of the others and the servers already done
      // must still be reported as done.
      if (isEnvironmentError(error) && !(error instanceof AccessDeniedError)) throw error;
      results.push({ server, ok: false, error: describeError(error) });
    }
  }
  return results;
}
