// The PowerShell process replaced by the simulator's own shell, in this process: the same Interpreter and the same
// Exchange host (cmdlets, clock, state-file faults) that bin/simulated-exchange-shell runs, fed one line per call as
// node-powershell feeds the process. What ShellSession reports stays the same: stdout of the line, stderr classified
// by classifyStderr, and a dead "process" as ShellProcessError, after which the next call starts a fresh one. Only the
// explorer uses it (through ShellSessionPool's session factory); production always starts a real process.
import {
  classifyStderr,
  RemoteSessionBrokenError,
  ShellConfigurationError,
  ShellProcessError,
} from '../../activities/powershell/errors';
import type { RunCommandOptions, ShellSession } from '../../activities/powershell/session';

/** What the pool needs of a session (ShellSession's public contract). */
export type CommandSession = Pick<ShellSession, 'launch' | 'run' | 'close'>;
import type { ShellLaunch } from '../../activities/powershell/settings';
import {
  BUILTIN_CMDLETS,
  EXCHANGE_CMDLET_NAMES,
  ExitSignal,
  Interpreter,
  createExchangeHost,
  readState,
  toOemCodePage,
  transientRpcError,
} from 'simulated-exchange';
import type { CmdletSpec, PSValue } from 'simulated-exchange';

const EXCHANGE = new Set(EXCHANGE_CMDLET_NAMES.map((n) => n.toLowerCase()));

export function isExchangeCmdlet(name: string): boolean {
  return EXCHANGE.has(name.toLowerCase());
}

/** What happens to the next line, at its first Exchange cmdlet (as a one-shot fault in the state file would). */
export interface LinePlan {
  transient?: boolean;
  /** The shell dies before the cmdlet acts, or once its change is persisted and before it answers. */
  death?: 'before' | 'after';
}

export interface InProcessHooks {
  /** Every Exchange cmdlet that ran to its end, with its bound arguments and output (the secret scan reads them). */
  onCmdlet?(name: string, args: Record<string, PSValue>, output: PSValue[]): void;
}

interface Line {
  plan: LinePlan;
  started: number;
  die: () => void;
}

interface Proc {
  interpreter: Interpreter;
  dead: boolean;
  line: Line | null;
  /** What the current line wrote. */
  out: string[];
  err: string[];
}

const never = () => new Promise<never>(() => undefined);

export class InProcessShellSession implements CommandSession {
  private proc: Proc | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private armed: LinePlan = {};
  readonly stats = { spawns: 0, calls: 0, deaths: 0 };

  constructor(
    readonly launch: ShellLaunch,
    private readonly hooks: InProcessHooks = {},
  ) {}

  /** The next line gets this plan. */
  arm(plan: LinePlan): void {
    this.armed = plan;
  }

  run(command: string, options: RunCommandOptions = {}): Promise<string> {
    const result = this.tail.then(() => this.runNow(command, options));
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    this.proc = null;
  }

  private async runNow(command: string, options: RunCommandOptions): Promise<string> {
    const plan = this.armed;
    this.armed = {};
    const cmdlet = options.cmdlet;
    if (this.closed) throw new ShellProcessError('the PowerShell session was closed', { cmdlet });
    const proc = await this.ensureProcess();
    this.stats.calls++;
    const { stdout, stderr, died } = await this.execute(proc, command, plan);
    if (died) {
      this.proc = null;
      this.stats.deaths++;
      throw new ShellProcessError(`${cmdlet ?? 'PowerShell'}: the shell process exited during the call`, { cmdlet });
    }
    if (stderr.trim() !== '') {
      const classified = classifyStderr(stderr, cmdlet);
      if (classified instanceof RemoteSessionBrokenError || classified instanceof ShellProcessError) this.proc = null;
      throw classified;
    }
    if (options.discardIf?.(stdout)) this.proc = null;
    return stdout;
  }

  private async ensureProcess(): Promise<Proc> {
    if (this.proc && !this.proc.dead) return this.proc;
    const host = await createExchangeHost(this.launch.env);
    const out: string[] = [];
    const err: string[] = [];
    const proc: Proc = { interpreter: undefined as unknown as Interpreter, dead: false, line: null, out, err };
    const onCmdlet = this.hooks.onCmdlet;
    const cmdlets: CmdletSpec[] = host.cmdlets.map((spec) => ({
      ...spec,
      invoke: async (args, ctx) => {
        const output = await spec.invoke(args, ctx);
        onCmdlet?.(spec.name, args, output);
        const line = proc.line;
        if (line?.plan.death === 'after') {
          line.plan = {};
          line.die();
          return never();
        }
        return output;
      },
    }));
    const file = this.launch.env.EXCHANGE_SIM_STATE!;
    const beforeCmdlet = host.beforeCmdlet.bind(host);
    const wrappedHost = {
      ...host,
      cmdlets,
      async beforeCmdlet(name: string, ctx: Parameters<typeof host.beforeCmdlet>[1]): Promise<void> {
        // The host's hook applies state-file faults, which only ever name Exchange cmdlets; reading the state for the
        // language's own cmdlets (ConvertTo-Json, Select-Object, Get-Date) would only cost time.
        if (!isExchangeCmdlet(name)) return;
        const line = proc.line;
        if (line) {
          const { death, transient } = line.plan;
          // Only the first Exchange cmdlet of the line; an "after" death waits for that cmdlet to finish.
          line.plan = death === 'after' ? { death } : {};
          if (death === 'before') {
            line.die();
            return never();
          }
          if (transient) throw transientRpcError(readState(file), name, ctx.computerName);
        }
        return beforeCmdlet(name, ctx);
      },
    };
    const encode = (text: string) => (proc.interpreter.statics.outputIsUtf8 ? text : toOemCodePage(text));
    proc.interpreter = new Interpreter(
      wrappedHost,
      { writeOut: (t) => out.push(encode(t)), writeErr: (t) => err.push(encode(t)) },
      BUILTIN_CMDLETS,
    );
    this.stats.spawns++;
    this.proc = proc;
    const setup = await this.execute(proc, this.launch.setupLine, {});
    if (setup.died || setup.stderr.trim() !== '') {
      this.proc = null;
      throw new ShellConfigurationError(`the Exchange session could not be set up: ${setup.stderr.trim()}`, {
        cmdlet: 'session setup',
      });
    }
    return proc;
  }

  /** Runs one line; a death ends it at once (the interpreter is abandoned where it stands, as a killed process). */
  private async execute(
    proc: Proc,
    command: string,
    plan: LinePlan,
  ): Promise<{ stdout: string; stderr: string; died: boolean }> {
    const buffers = proc;
    buffers.out.length = 0;
    buffers.err.length = 0;
    let die!: () => void;
    const death = new Promise<'died'>((resolve) => {
      die = () => {
        proc.dead = true;
        resolve('died');
      };
    });
    proc.line = { plan: { ...plan }, started: Date.now(), die };
    const ran = proc.interpreter.runScript(command).then(
      () => 'ran' as const,
      (error: unknown) => {
        if (error instanceof ExitSignal) {
          proc.dead = true;
          return 'died' as const;
        }
        // A defect of the simulator: the shell reports it on stderr and lives on, as runShell does.
        buffers.err.push(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        return 'ran' as const;
      },
    );
    const outcome = await Promise.race([ran, death]);
    proc.line = null;
    const trim = (parts: string[]) => parts.join('').replace(/^[\r\n ]+|[\r\n ]+$/g, '');
    return { stdout: trim(buffers.out), stderr: trim(buffers.err), died: outcome === 'died' };
  }
}
