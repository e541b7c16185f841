// The simulated shell process: powershell.exe's command-line switches and node-powershell 5.0.1's protocol. stdin is
// read line by line; each line is one script, run strictly after the previous one finished (a cmdlet may take long or
// never return, and later lines wait, as in powershell.exe). Output is written as soon as it exists.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { BUILTIN_CMDLETS } from './builtins';
import { ExitSignal } from './errors';
import { Interpreter } from './evaluator';
import { consolePrompter, PromptingHost, refusePrompts } from './prompt';
import type { ExchangeHost } from './types';
import { at } from '../invariant';

export interface ShellOptions {
  argv: string[];
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  host: ExchangeHost & Partial<PromptingHost>;
}

const FLAGS = new Set(['-nologo', '-noprofile', '-noninteractive', '-noexit', '-mta', '-sta']);
const WITH_VALUE = new Set(['-executionpolicy', '-outputformat', '-inputformat', '-windowstyle', '-version']);

export interface ParsedArguments {
  noExit: boolean;
  /** -NonInteractive: a prompt fails at once instead of reading its answer from stdin. */
  nonInteractive: boolean;
  /** `-` to read commands from stdin, otherwise the command text to run. */
  command: string;
}

/** Parses powershell.exe's switches (case-insensitive); returns an error message naming a bad argument. */
export function parseArguments(argv: string[]): ParsedArguments | { error: string } {
  let noExit = false;
  let nonInteractive = false;
  let command: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = at(argv, i, 'argument');
    const lower = arg.toLowerCase().replace(/^\//, '-');
    if (FLAGS.has(lower)) {
      if (lower === '-noexit') noExit = true;
      if (lower === '-noninteractive') nonInteractive = true;
      continue;
    }
    if (WITH_VALUE.has(lower)) {
      const value = argv[i + 1];
      if (value === undefined) return { error: `Missing argument for parameter '${arg}'.` };
      if ((lower === '-outputformat' || lower === '-inputformat') && !['text', 'xml'].includes(value.toLowerCase())) {
        return { error: `The value '${value}' of argument '${arg}' is not valid: use Text or XML.` };
      }
      if (
        lower === '-executionpolicy' &&
        !['bypass', 'unrestricted', 'remotesigned', 'allsigned', 'restricted', 'default', 'undefined'].includes(
          value.toLowerCase(),
        )
      ) {
        return { error: `The value '${value}' of argument '${arg}' is not a valid execution policy.` };
      }
      i++;
      continue;
    }
    if (lower === '-command' || lower === '-c') {
      const rest = argv.slice(i + 1);
      if (rest.length === 0) return { error: `Missing argument for parameter '${arg}'.` };
      command = rest.join(' ');
      break;
    }
    return { error: `The argument '${arg}' is not a recognized parameter of the simulated Exchange Management Shell.` };
  }
  return { noExit, nonInteractive, command: command ?? '-' };
}

/** The upper half of code page 437. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00A0';

/**
 * What a UTF-8 reader sees of text written in code page 437: characters outside it become '?', and those in its upper
 * half arrive as single bytes that are not UTF-8, hence U+FFFD.
 */
export function toOemCodePage(text: string): string {
  return text.replace(/[^\u0000-\u007F]/gu, (c) => (CP437_HIGH.includes(c) ? '\uFFFD' : '?'));
}

/** Runs the shell until stdin ends or a script calls `exit`; resolves with the exit code. */
export async function runShell(options: ShellOptions): Promise<number> {
  const parsed = parseArguments(options.argv);
  if ('error' in parsed) {
    options.stderr.write(`${parsed.error}\n`);
    return 64;
  }
  // Until the script sets [Console]::OutputEncoding to UTF-8, text leaves in the OEM code page, as from powershell.exe.
  const encode = (text: string) => (interpreter.statics.outputIsUtf8 ? text : toOemCodePage(text));
  const interpreter: Interpreter = new Interpreter(
    options.host,
    { writeOut: (text) => options.stdout.write(encode(text)), writeErr: (text) => options.stderr.write(encode(text)) },
    BUILTIN_CMDLETS,
  );
  const run = async (line: string): Promise<number | null> => {
    // A cmdlet may wait on a promise that nothing else keeps alive; like powershell.exe, the shell waits with it.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      await interpreter.runScript(line);
      return null;
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      // A defect of the simulator itself: report it like PowerShell would and keep the shell alive.
      options.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return null;
    } finally {
      clearInterval(keepAlive);
    }
  };
  // One reader of stdin for the commands and for the answers to prompts: a prompt takes the next line, whatever the
  // caller meant it to be.
  let lines: ReturnType<typeof createInterface> | undefined;
  let iterator: AsyncIterator<string> | undefined;
  const readLine = async (): Promise<string | null> => {
    lines ??= createInterface({ input: options.stdin, crlfDelay: Infinity, terminal: false });
    iterator ??= lines[Symbol.asyncIterator]();
    const next = await iterator.next();
    return next.done ? null : next.value;
  };
  options.host.usePrompter?.(
    parsed.nonInteractive ? refusePrompts : consolePrompter(readLine, (text) => options.stdout.write(encode(text))),
  );
  if (parsed.command !== '-') {
    const code = await run(parsed.command);
    if (code !== null || !parsed.noExit) return code ?? 0;
  }
  for (let line = await readLine(); line !== null; line = await readLine()) {
    const code = await run(line);
    if (code !== null) {
      lines?.close();
      return code;
    }
  }
  return 0;
}
