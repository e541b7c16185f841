// The low-level entry point under ExchangeClient: one catalogue command, rendered inside the per-call envelope, run on
// a session, its answer parsed as the object type it reads.
import { CmdletName, ParamsOf, SelectProperty, renderCommand, renderEnvelope, renderPipeline } from './catalogue';
import { RemoteSessionBrokenError, classifyErrorRecord } from './errors';
import { Envelope, PsObjectType, parseEnvelope, parseObjects, parseOneObject } from './output';
import type { ShellSession } from './session';

export interface RunOptions {
  select?: readonly SelectProperty[];
  timeoutMs?: number;
}

export class ExchangeShell {
  constructor(readonly session: ShellSession) {}

  render<C extends CmdletName>(cmdlet: C, params: ParamsOf<C>, select?: readonly SelectProperty[]): string {
    return renderEnvelope(renderPipeline(renderCommand(cmdlet, params), select), this.session.launch.guard);
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
    const line = renderEnvelope(pipeline, this.session.launch.guard);
    let envelope: Envelope | undefined;
    const stdout = await this.session.run(line, {
      cmdlet: label,
      timeoutMs: options.timeoutMs,
      discardIf: (out) => {
        envelope = parseEnvelope(out, label);
        return !envelope.ok && classifyErrorRecord(envelope.error, label) instanceof RemoteSessionBrokenError;
      },
    });
    envelope ??= parseEnvelope(stdout, label);
    if (!envelope.ok) throw classifyErrorRecord(envelope.error, label);
    return envelope.value;
  }
}
