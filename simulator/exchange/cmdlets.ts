// The Exchange (and Windows) cmdlets the service uses, with the parameter names and types of Microsoft's references,
// one file per area under cmdlets/. Each invocation is one read-modify-write of the state file under its lock, after
// the lazy catch-up to now.
import { CmdletSpec } from '../shell/types';
import { Prompter, refusePrompts } from '../shell/prompt';
import { authConfigCmdlets } from './cmdlets/auth-config';
import { diagnosticInfoCmdlets } from './cmdlets/diagnostic-info';
import { exchangeCertificateCmdlets } from './cmdlets/exchange-certificate';
import { oauthConnectivityCmdlets } from './cmdlets/oauth-connectivity';
import { organizationCmdlets } from './cmdlets/organization';
import { processCmdlets } from './cmdlets/processes';
import { Confirm, invocation, Runner, Unanswered } from './cmdlets/run';
import { serviceCmdlets } from './cmdlets/service';
import { webAdministrationCmdlets } from './cmdlets/web-administration';
import { winEventCmdlets } from './cmdlets/win-event';
import { cmdletStateWriter, dieNow, takeFault } from './faults';
import { withOrganization } from './organisation';

export interface ExchangeCmdletOptions {
  /** Answers prompts; by default nobody can (a -NonInteractive shell). */
  prompt?: Prompter;
  /** When the shell called the cmdlet (the host notes it in beforeCmdlet); by default when it started to run. */
  calledAt?: (cmdlet: string) => number | undefined;
}

export function exchangeCmdlets(file: string, options: ExchangeCmdletOptions = {}): CmdletSpec[] {
  const prompt = options.prompt ?? refusePrompts;
  // A prompt may wait for stdin indefinitely, so it is never asked under the state file's lock: the attempt that
  // needs an answer stops without writing, the question is asked, and the cmdlet runs again on fresh state.
  const run: Runner = async (fn) => {
    const answers = new Map<string, boolean>();
    const confirm: Confirm = (question) => {
      const answer = answers.get(question.id);
      if (answer === undefined) throw new Unanswered(question);
      return answer;
    };
    for (;;) {
      try {
        return await withOrganization(
          file,
          (org, now) => fn(org, now, confirm),
          cmdletStateWriter(invocation.getStore()?.cmdlet, EXCHANGE_CMDLET_NAMES),
        );
      } catch (e) {
        if (!(e instanceof Unanswered)) throw e;
        answers.set(e.question.id, await prompt(e.question));
      }
    }
  };
  return cmdletSpecs(run).map((spec) => ({
    ...spec,
    invoke: (args, ctx) =>
      invocation.run({ cmdlet: spec.name, calledAt: options.calledAt?.(spec.name) ?? ctx.now().ms }, async () => {
        const output = await spec.invoke(args, ctx);
        // A "die --after" fault: the change is on disk, the caller never hears of it.
        if (await takeFault(file, spec.name, EXCHANGE_CMDLET_NAMES, Math.random, 'after')) await dieNow();
        return output;
      }),
  }));
}

function cmdletSpecs(run: Runner): CmdletSpec[] {
  return [
    ...organizationCmdlets(run),
    ...exchangeCertificateCmdlets(run),
    ...authConfigCmdlets(run),
    ...winEventCmdlets(run),
    ...diagnosticInfoCmdlets(run),
    ...serviceCmdlets(run),
    ...webAdministrationCmdlets(run),
    ...processCmdlets(run),
    ...oauthConnectivityCmdlets(run),
  ];
}

export const EXCHANGE_CMDLET_NAMES = cmdletSpecs(() => Promise.reject(new Error('names only'))).map((c) => c.name);
