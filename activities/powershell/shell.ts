// The low-level entry point under ExchangeClient: one catalogue command, rendered inside the per-call envelope, run on
// a session, its answer parsed as the object type it reads.
import { CmdletName, ParamsOf, SelectProperty, renderCommand, renderEnvelope, renderPipeline } from './catalogue';
import { RemoteSessionBrokenError, classifyErrorRecord } from './errors';
import { Envelope, PsObjectType, parseEnvelope, parseObjects, parseOneObject } from './output';
import type { ShellSessionPool } from './pool';
import type { ShellSession } from './session';
import type { ShellLaunch } from './settings';

export interface RunOptions {
  select?: readonly SelectProperty[];
  timeoutMs?: number;
}

/** Runs each call on a session of the pool for its target: opened when needed, closed by the pool once idle. */
export class ExchangeShell {
  private last: ShellSession | undefined;

  constructor(
    readonly pool: ShellSessionPool,
    readonly launch: ShellLaunch,
  ) {}

  /** The session the latest call ran on (tests and diagnostics look at its process). */
  get session(): ShellSession {
    if (!this.last) throw new Error('no PowerShell call has run on this shell yet');
    return this.last;
  }

  render<C extends CmdletName>(cmdlet: C, params: ParamsOf<C>, select?: readonly SelectProperty[]): string {
    return renderEnvelope(renderPipeline(renderCommand(cmdlet, params), select), this.launch.guard);
  }

  /** Runs a command and returns its output objects; a PowerShell error becomes its named error class. */
  run<C extends CmdletName>(cmdlet: C, params: ParamsOf<C>, options: RunOptions = {}): Promise<unknown[]> {
    return this.runPipeline(cmdlet, renderPipeline(renderCommand(cmdlet, params), options.select), options);
  }

  /** Every object a command returns, selected and parsed as `type`. */
  async read<C extends CmdletName, T>(
    cmdlet: C,
    params: ParamsOf<C>,
    type: PsObjectType<T>,
    options: Pick<RunOptions, 'timeoutMs'> = {},
  ): Promise<T[]> {
    return parseObjects(type, await this.run(cmdlet, params, { ...options, select: type.select }), cmdlet);
  }

  /** The one object a command returns (anything else is an OutputSchemaError), selected and parsed as `type`. */
  async readOne<C extends CmdletName, T>(
    cmdlet: C,
    params: ParamsOf<C>,
    type: PsObjectType<T>,
    options: Pick<RunOptions, 'timeoutMs'> = {},
  ): Promise<T> {
    return parseOneObject(type, await this.run(cmdlet, params, { ...options, select: type.select }), cmdlet);
  }

  /** Runs a pipeline the catalogue rendered; `label` names it in errors (never the text: see session.ts). */
  async runPipeline(label: string, pipeline: string, options: Pick<RunOptions, 'timeoutMs'> = {}): Promise<unknown[]> {
    const line = renderEnvelope(pipeline, this.launch.guard);
    let envelope: Envelope | undefined;
    const stdout = await this.pool.withSession(this.launch, (session) => {
      this.last = session;
      return session.run(line, {
        cmdlet: label,
        timeoutMs: options.timeoutMs,
        discardIf: (out) => {
          envelope = parseEnvelope(out, label);
          return !envelope.ok && classifyErrorRecord(envelope.error, label) instanceof RemoteSessionBrokenError;
        },
      });
    });
    envelope ??= parseEnvelope(stdout, label);
    if (!envelope.ok) throw classifyErrorRecord(envelope.error, label);
    return envelope.value;
  }
}
