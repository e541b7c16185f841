// Confirmation prompts (a cmdlet's ShouldContinue) as powershell.exe's console host answers them. Started without
// -NonInteractive, the host writes the question to stdout and reads the answer from stdin: with stdin redirected, as
// node-powershell does, the answer is whatever line comes next, usually the caller's next command. With
// -NonInteractive it refuses at once.
import { PSError } from './types';

export interface Question {
  /** Stable across attempts of one invocation (the message may name a freshly made thumbprint). */
  id: string;
  caption: string;
  message: string;
}

/** Resolves true for yes, false for no. */
export type Prompter = (question: Question) => Promise<boolean>;

/** A host whose cmdlets may prompt; the shell tells it how prompts are answered once it knows its switches. */
export interface PromptingHost {
  usePrompter(prompter: Prompter): void;
}

/** What any prompt (ShouldContinue, Read-Host, a credential) says in a shell started with -NonInteractive. */
export const NON_INTERACTIVE_MESSAGE =
  'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.';

/** What ShouldContinue does in a shell started with -NonInteractive. */
export function nonInteractivePromptError(): PSError {
  return new PSError(NON_INTERACTIVE_MESSAGE, {
    category: 'NotImplemented',
    reason: 'HostException',
    exceptionType: 'System.Management.Automation.Host.HostException',
    errorId: 'HostFunctionNotImplemented',
  });
}

export const refusePrompts: Prompter = () => Promise.reject(nonInteractivePromptError());

const CHOICES = '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is "Y"): ';
const HELP =
  'Y - Continue with only the next step of the operation.\nA - Continue with all the steps of the operation.\n' +
  'N - Skip this operation and proceed with the next operation.\nL - Skip this operation and all subsequent operations.\n';

/**
 * The console host: asks until a line is a valid answer (an empty line takes the default, yes), so a caller's commands
 * that arrive meanwhile are read as wrong answers and never run.
 */
export function consolePrompter(readLine: () => Promise<string | null>, write: (text: string) => void): Prompter {
  return async (question) => {
    write(`\n${question.caption}\n${question.message}\n`);
    for (;;) {
      write(CHOICES);
      const line = await readLine();
      if (line === null) {
        throw new PSError('The prompt received no answer: standard input ended.', {
          category: 'ResourceUnavailable',
          reason: 'PromptingException',
          exceptionType: 'System.Management.Automation.Host.PromptingException',
          errorId: 'PromptInputEnded',
        });
      }
      const answer = line.trim().toLowerCase();
      if (answer === '' || answer === 'y' || answer === 'a') return true;
      if (answer === 'n' || answer === 'l') return false;
      if (answer === '?') write(HELP);
    }
  };
}
