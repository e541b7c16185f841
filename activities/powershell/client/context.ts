// What every area of the ExchangeClient shares: the shell, the remote credential, the worker's clock, and the rules
// for per-server steps and for errors that say "this environment is wrong".
import type { PerServerResult } from '../../../common/exchange';
import { SelectProperty, VARIABLES } from '../catalogue';
import {
  AccessDeniedError,
  CatalogueError,
  CommandNotFoundError,
  OutputSchemaError,
  ParameterBindingError,
  ParameterNotFoundError,
  ShellConfigurationError,
} from '../errors';
import { PsObjectType, parseObjects } from '../output';
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
  /** -Credential for what reaches a server outside the Exchange session (Invoke-Command, Get-WinEvent). */
  credential: typeof VARIABLES.credential | undefined;
}

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
  return {
    shell,
    settings,
    now,
    credential,
    invokeOn,
    readOn: async (server, block, type, argument) =>
      parseObjects(type, await invokeOn(server, block, argument, type.select), 'Invoke-Command'),
  };
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
