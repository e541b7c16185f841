// What the simulated shell loads at start-up: the organisation's cmdlets, its clock and its fault hook.
import * as path from 'node:path';
import { Prompter, PromptingHost, refusePrompts } from '../shell/prompt';
import { CmdletContext, ExchangeHost, PSDateTime } from '../shell/types';
import { simulatedNow } from './behaviour';
import { EXCHANGE_CMDLET_NAMES, exchangeCmdlets } from './cmdlets';
import { accessDeniedError, dieNow, takeFault, transientRpcError } from './faults';
import { remotingFailed } from './errors';
import { findServer, StateFileError } from './model';
import { cachedState } from './store';

export const STATE_ENV = 'EXCHANGE_SIM_STATE';

export function stateFileFromEnv(env: NodeJS.ProcessEnv): string {
  const value = env[STATE_ENV];
  if (value === undefined || value.trim() === '') {
    throw new StateFileError(
      `${STATE_ENV} is not set: it must name the simulated organisation's state file (create one with "npm run sim -- create healthy --state <file>")`,
    );
  }
  return path.resolve(value);
}

/** The clock is read from the file (the CLI may advance it while the shell runs), re-parsed only when it changed. */
function clockReader(file: string): () => number {
  return () => {
    // Read first: re-parsing a changed state file takes time that is not the caller's.
    const realNow = Date.now();
    return simulatedNow(cachedState(file), realNow);
  };
}

export async function createExchangeHost(env: NodeJS.ProcessEnv): Promise<ExchangeHost & PromptingHost> {
  const file = stateFileFromEnv(env);
  cachedState(file); // fail at start-up, with the file's problem named, rather than on the first cmdlet
  const now = clockReader(file);
  // Until the shell says otherwise (it knows whether it was started with -NonInteractive), nobody can answer.
  let prompter: Prompter = refusePrompts;
  // Noted before the fault check reads the state file, which can take long enough to matter on a fast clock.
  const calledAt = new Map<string, number>();
  return {
    cmdlets: exchangeCmdlets(file, {
      prompt: (question) => prompter(question),
      calledAt: (cmdlet) => calledAt.get(cmdlet.toLowerCase()),
    }),
    usePrompter(p: Prompter): void {
      prompter = p;
    },
    now: () => new PSDateTime(now(), 'Local'),
    async connectRemote(computerName: string): Promise<void> {
      const server = findServer(cachedState(file), computerName);
      if (!server) throw remotingFailed(computerName, false);
      if (!server.reachable) throw remotingFailed(computerName, true);
    },
    async beforeCmdlet(name: string, ctx: CmdletContext): Promise<void> {
      calledAt.set(name.toLowerCase(), now());
      const hit = await takeFault(file, name, EXCHANGE_CMDLET_NAMES);
      if (!hit) return;
      switch (hit.fault.kind) {
        case 'rpc':
          throw transientRpcError(hit.org, name, ctx.computerName);
        case 'access-denied':
          throw accessDeniedError(hit.org, name);
        case 'die':
          return dieNow();
        case 'hang':
          // Never answers; the interval keeps the event loop alive even if stdin closes.
          setInterval(() => undefined, 60_000);
          return new Promise<void>(() => undefined);
      }
    },
  };
}
