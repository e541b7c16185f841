// One node-powershell process for an Exchange target, started on its first call: loading the Exchange Management Shell
// takes 10-30 s, so a session serves a run of calls (the pool in pool.ts closes it once idle). Calls are serialised; a
// process that timed out, died or lost its remote session is discarded and the next call starts a fresh one.
import { InvocationError, PowerShell, ProcessError } from 'node-powershell';
import {
  ExchangeShellError,
  PowerShellErrorText,
  RemoteSessionBrokenError,
  ShellConfigurationError,
  ShellProcessError,
  ShellTimeoutError,
  classifyStderr,
} from './errors';
import { EXECUTABLE_OPTIONS, ShellLaunch, resolveExecutable } from './settings';

/**
 * node-powershell picks `pwsh` on Linux and honours NODE_POWERSHELL over the option; the executable must be the one
 * the settings chose, so it is fixed here.
 */
class ChosenExecutablePowerShell extends PowerShell {
  protected override setExecutable(options: { executable?: string }): string {
    if (!options.executable) throw new ShellConfigurationError('no PowerShell executable chosen');
    return options.executable;
  }
}

interface Live {
  shell: PowerShell;
  /** Settles when the process has exited, however it ended. */
  exit: Promise<void>;
  exited: boolean;
  exitError?: unknown;
  pid?: number;
}

/** How long a closing shell may take to exit after its stdin ends, and to answer the teardown line. */
const CLOSE_GRACE_MS = 5_000;

export interface RunCommandOptions {
  /** Names the call in errors (never the command text: it may hold a password). */
  cmdlet?: string;
  timeoutMs?: number;
  /** Inspects a completed call's stdout; true discards the session (e.g. the remote Exchange session broke). */
  discardIf?: (stdout: string) => boolean;
}

export interface SessionStats {
  spawns: number;
  calls: number;
}

export class ShellSession {
  private live: Live | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Busy processes given a grace period to run the teardown line before they are killed; close() awaits them. */
  private readonly retiring = new Set<Promise<void>>();
  readonly stats: SessionStats = { spawns: 0, calls: 0 };

  constructor(readonly launch: ShellLaunch) {}

  /** The pid of the current shell process, if any (tests kill it to prove recovery). */
  get pid(): number | undefined {
    return this.live && !this.live.exited ? this.live.pid : undefined;
  }

  /**
   * Runs one line and returns its stdout. Rejects with ShellTimeoutError, ShellProcessError, or the classification of
   * stderr text; the envelope's own errors arrive on stdout and are the caller's to parse.
   */
  run(command: string, options: RunCommandOptions = {}): Promise<string> {
    const result = this.tail.then(() => this.runNow(command, options));
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const live = this.live;
    this.live = null;
    await Promise.all(this.retiring);
    if (!live || live.exited) return;
    await this.tearDown(live);
    // An idle shell ends on its own when stdin closes (a killed one could leave a half-written log or state behind).
    live.shell.streams.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS);
    });
    const outcome = await Promise.race([live.exit, gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      live.exited = true;
      await live.shell.dispose('SIGKILL').catch(() => undefined);
    }
  }

  private async runNow(command: string, options: RunCommandOptions): Promise<string> {
    if (this.closed) throw new ShellProcessError('the PowerShell session was closed', { cmdlet: options.cmdlet });
    const live = await this.ensureLive();
    this.stats.calls++;
    const stdout = await this.invoke(live, command, options.timeoutMs ?? this.launch.commandTimeoutMs, options.cmdlet);
    // Decided before the next queued call may start, so that call never runs on a session known to be broken.
    if (options.discardIf?.(stdout)) await this.discard('idle');
    return stdout;
  }

  private async ensureLive(): Promise<Live> {
    if (this.live && !this.live.exited) return this.live;
    await this.discard();
    const executable = resolveExecutable(this.launch.executable, this.launch.env);
    const shell = new ChosenExecutablePowerShell({
      executable,
      executableOptions: { ...EXECUTABLE_OPTIONS },
      spawnOptions: { env: this.launch.env },
      inputEncoding: 'utf-8',
      outputEncoding: 'utf-8',
      throwOnInvocationError: true,
    });
    this.stats.spawns++;
    const internals = shell as unknown as { exitPromise: Promise<void>; process: { pid?: number } };
    const live: Live = { shell, exit: Promise.resolve(), exited: false, pid: internals.process.pid };
    // node-powershell's exit promise rejects when the spawn fails or the process dies; nobody awaits it, so without
    // this handler a missing executable or a killed shell would be an unhandled rejection that ends the worker.
    live.exit = internals.exitPromise.then(
      () => {
        live.exited = true;
      },
      (error: unknown) => {
        live.exited = true;
        live.exitError = error;
      },
    );
    this.live = live;
    try {
      await this.invoke(live, this.launch.setupLine, this.launch.setupTimeoutMs, 'session setup');
    } catch (error) {
      // Idle if the setup line answered (a timeout has discarded the busy process already): half a setup may have
      // opened the Exchange session, which the teardown closes.
      await this.discard('idle');
      // The shell is alive but refused the setup line (no Exchange snap-in, a module missing): that is the
      // environment, not a passing fault. Unreachable servers and denied access keep their own classes.
      if (error instanceof ShellProcessError && error.record !== undefined) {
        throw new ShellConfigurationError(`the Exchange session could not be set up: ${error.record.message}`, {
          cmdlet: 'session setup',
          cause: error.cause,
          record: error.record,
        });
      }
      throw error;
    }
    return live;
  }

  private async invoke(live: Live, command: string, timeoutMs: number, cmdlet?: string): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const invocation = live.shell.invoke(command);
    // If the timeout wins, the invocation settles later (when the process is killed); it must not go unhandled.
    invocation.catch(() => undefined);
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([invocation, timeout]);
      if (outcome === 'timeout') {
        // A timed-out node-powershell session still has the command running and its readers attached: discard it.
        await this.discard();
        throw new ShellTimeoutError(`${cmdlet ?? 'PowerShell'}: no answer within ${timeoutMs} ms; session discarded`, {
          cmdlet,
        });
      }
      if (live.exited || outcome.stdout === undefined) {
        await this.discard();
        throw new ShellProcessError(`${cmdlet ?? 'PowerShell'}: the shell process exited during the call`, {
          cmdlet,
          cause: live.exitError,
        });
      }
      return outcome.raw;
    } catch (error) {
      if (error instanceof ExchangeShellError) throw error;
      throw await this.translate(live, error, cmdlet);
    } finally {
      clearTimeout(timer);
      // node-powershell keeps every command and its output in `history` for the life of the process: unbounded in a
      // long-lived session, and it would hold PFX passwords. Nothing here reads it.
      live.shell.history.splice(0);
    }
  }

  private async translate(live: Live, error: unknown, cmdlet?: string): Promise<ExchangeShellError> {
    if (error instanceof ProcessError || live.exited) {
      await this.discard();
      const spawnFailed =
        error instanceof ProcessError && (error.originalError as { code?: string })?.code === 'ENOENT';
      if (spawnFailed) {
        return new ShellConfigurationError(`cannot start ${this.launch.executable}`, { cmdlet, cause: error });
      }
      return new ShellProcessError(`${cmdlet ?? 'PowerShell'}: the shell process exited`, { cmdlet, cause: error });
    }
    if (error instanceof InvocationError) {
      const classified = classifyStderr(error.message, cmdlet);
      if (classified instanceof RemoteSessionBrokenError || classified instanceof ShellProcessError)
        await this.discard('idle');
      return classified;
    }
    await this.discard();
    return new ShellProcessError(`${cmdlet ?? 'PowerShell'}: ${String(error)}`, {
      cmdlet,
      cause: error instanceof Error ? error : new PowerShellErrorText(String(error)),
    });
  }

  /**
   * Ends the current process, if any. An idle one first runs the teardown line (closing its Exchange session); a busy
   * one (timed out) gets the teardown line queued on stdin and a grace period to reach it, in the background, before
   * SIGKILL: a busy shell may never read stdin again.
   */
  private async discard(state: 'idle' | 'busy' = 'busy'): Promise<void> {
    const live = this.live;
    this.live = null;
    if (!live || live.exited) return;
    if (state === 'idle' || !this.launch.teardownLine) {
      if (state === 'idle') await this.tearDown(live);
      live.exited = true;
      await live.shell.dispose('SIGKILL').catch(() => undefined);
      return;
    }
    const retirement = this.retire(live);
    this.retiring.add(retirement);
    void retirement.finally(() => this.retiring.delete(retirement));
  }

  /**
   * Closes the process's remote Exchange session (Remove-PSSession) before the process ends: Exchange allows a user
   * 18 runspaces, and one left behind by a killed process stays until the server's idle timeout. Best effort: a
   * failed teardown still ends the process.
   */
  private async tearDown(live: Live): Promise<void> {
    const teardown = this.launch.teardownLine;
    if (!teardown || live.exited) return;
    const shell = live.shell;
    let timer: NodeJS.Timeout | undefined;
    const invocation = shell.invoke(teardown).then(
      () => undefined,
      () => undefined,
    );
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([invocation, gaveUp, live.exit]);
    clearTimeout(timer);
    shell.history.splice(0);
  }

  private async retire(live: Live): Promise<void> {
    const stdin = live.shell.streams.stdin;
    // A pipe whose reader died reports EPIPE as an 'error' event, which unhandled would end the worker.
    stdin.on('error', () => undefined);
    if (stdin.writable) stdin.end(`${this.launch.teardownLine}\n`);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS);
    });
    const outcome = await Promise.race([live.exit, gaveUp]);
    clearTimeout(timer);
    live.exited = true;
    if (outcome === 'timeout') await live.shell.dispose('SIGKILL').catch(() => undefined);
  }
}
