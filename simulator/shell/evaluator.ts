// Runs parsed PowerShell: statements, pipelines, commands with parameter binding, expressions, script blocks,
// try/catch with $_ as an ErrorRecord. Cmdlets come from the generic set (builtins.ts) and the Exchange host; the
// host's beforeCmdlet hook runs before every cmdlet, generic ones included.
import type { CommandAst, Expression, ScriptBlockAst, Statement } from './ast';
import { bindParameters, convertArgument, type BindingInput } from './binder';
import {
  commandNotFound,
  errorOrigins,
  ExitSignal,
  formatUncaughtError,
  ParseError,
  runtimeError,
  withOrigin,
} from './errors';
import { formatRecord } from './format';
import { callMethod, castTo, getMember, resolveType, setMember, StaticState, typeObject } from './members';
import { parseScript } from './parser';
import {
  PSEnum,
  PSError,
  PSHashtable,
  PSObject,
  type CmdletContext,
  type CmdletSpec,
  type ExchangeHost,
  type PSScriptBlock,
  type PSValue,
} from './types';
import {
  enumerate,
  isScriptBlock,
  isTrue,
  parseNumberString,
  RuntimeObject,
  toDateTime,
  toDouble,
  toStr,
  typeNameOf,
} from './values';
import { PSDateTime } from './types';
import { at, defined } from '../invariant';

export interface ShellIO {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** A script block value: the PSScriptBlock of types.ts plus its syntax tree. */
export class ScriptBlockValue implements PSScriptBlock {
  readonly kind = 'scriptblock' as const;
  constructor(
    readonly ast: ScriptBlockAst,
    readonly source: string,
  ) {}
  get text(): string {
    return this.ast.text;
  }
}

class ReturnSignal {
  constructor(readonly output: PSValue[]) {}
}

export class Scope {
  private readonly vars = new Map<string, PSValue>();
  constructor(
    readonly parent: Scope | null,
    readonly computerName: string | null = parent?.computerName ?? null,
    /** Inside a remote script block: the caller's scope, which `$using:name` reads. */
    readonly usingScope: Scope | null = parent?.usingScope ?? null,
  ) {}
  lookup(name: string): { found: boolean; value: PSValue } {
    const key = name.toLowerCase();
    if (this.vars.has(key)) return { found: true, value: this.vars.get(key) ?? null };
    return this.parent ? this.parent.lookup(name) : { found: false, value: null };
  }
  get(name: string): PSValue {
    return this.lookup(name).value;
  }
  set(name: string, value: PSValue): void {
    this.vars.set(name.toLowerCase(), value);
  }
}

/** Context handed to the generic cmdlets: the CmdletContext of types.ts plus the interpreter. */
export interface BuiltinContext extends CmdletContext {
  readonly interpreter: Interpreter;
  readonly scope: Scope;
}

export interface BuiltinCmdlet extends CmdletSpec {
  /** Reads ctx.pipelineInput as a whole instead of being invoked once per pipeline record. */
  collectsPipeline?: boolean;
  /**
   * A function a script defines rather than a cmdlet: it exists once that script has been dot-sourced. The script is
   * `path` under the directory an environment variable names (RemoteExchange.ps1 under %ExchangeInstallPath%bin).
   */
  definedBy?: { root: string; path: string };
  /** The implementing .NET class, which PowerShell puts after the comma of a FullyQualifiedErrorId. */
  commandType?: string;
}

function asOutput(result: PSValue[] | PSValue | undefined): PSValue[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? [...result] : [result];
}

const ALIASES: Record<string, string> = {
  select: 'Select-Object',
  where: 'Where-Object',
  '?': 'Where-Object',
  foreach: 'ForEach-Object',
  '%': 'ForEach-Object',
  echo: 'Write-Output',
  write: 'Write-Output',
  icm: 'Invoke-Command',
  ipmo: 'Import-Module',
  asnp: 'Add-PSSnapin',
  nsn: 'New-PSSession',
  ipsn: 'Import-PSSession',
};

const ERROR_CATEGORIES = [
  'NotSpecified',
  'OpenError',
  'CloseError',
  'DeviceError',
  'DeadlockDetected',
  'InvalidArgument',
  'InvalidData',
  'InvalidOperation',
  'InvalidResult',
  'InvalidType',
  'MetadataError',
  'NotImplemented',
  'NotInstalled',
  'ObjectNotFound',
  'OperationStopped',
  'OperationTimeout',
  'SyntaxError',
  'ParserError',
  'PermissionDenied',
  'ResourceBusy',
  'ResourceExists',
  'ResourceUnavailable',
  'ReadError',
  'WriteError',
  'FromStdErr',
  'SecurityError',
  'ProtocolError',
  'ConnectionError',
  'AuthenticationError',
  'LimitsExceeded',
  'QuotaExceeded',
  'NotEnabled',
];

/** $_ in a catch block. */
export class ErrorRecordObject extends RuntimeObject {
  constructor(readonly error: PSError) {
    const origin = errorOrigins.get(error) ?? {};
    const categoryIndex = Math.max(0, ERROR_CATEGORIES.indexOf(error.details.category));
    const category = new PSEnum('System.Management.Automation.ErrorCategory', categoryIndex, error.details.category);
    const exception = new RuntimeObject(
      error.details.exceptionType,
      { Message: error.message, InnerException: null, Source: null, HResult: -2146233087 },
      {},
      error.message,
    );
    const categoryInfo = new RuntimeObject(
      'System.Management.Automation.ErrorCategoryInfo',
      {
        Category: category,
        Activity: origin.activity ?? '',
        Reason: error.details.reason,
        TargetName: error.details.targetObject ?? '',
        TargetType: error.details.targetObject === undefined ? '' : 'String',
      },
      {},
      `${error.details.category}: (${error.details.targetObject === undefined ? ':' : `${error.details.targetObject}:String`}) [${origin.activity ?? ''}], ${error.details.reason}`,
    );
    super(
      'System.Management.Automation.ErrorRecord',
      {
        Exception: exception,
        TargetObject: error.details.targetObject ?? null,
        CategoryInfo: categoryInfo,
        FullyQualifiedErrorId: error.details.errorId,
        ErrorDetails: null,
        InvocationInfo: null,
        ScriptStackTrace: '',
        PipelineIterationInfo: [],
      },
      {},
      error.message,
    );
  }
}

function wrapForeignError(e: unknown, command?: string): PSError {
  if (e instanceof PSError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const error = new PSError(message, {
    category: 'NotSpecified',
    reason: 'RuntimeException',
    exceptionType: 'System.Management.Automation.RuntimeException',
    errorId: command ? `RuntimeException,${command}` : 'RuntimeException',
  });
  if (e instanceof Error) (error as { cause?: unknown }).cause = e;
  return error;
}

function unwrap(values: PSValue[]): PSValue {
  return values.length === 0 ? null : values.length === 1 ? at(values, 0, 'value') : values;
}

const COMPARISON = /^([ic]?)(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|replace)$/;

function wildcardToRegex(pattern: string, caseSensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '`' && i + 1 < pattern.length) re += pattern.charAt(++i).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseSensitive ? 's' : 'is');
}

/**
 * The machine environment of a simulated Exchange server, for what the worker's environment does not set: Exchange
 * setup writes ExchangeInstallPath machine-wide.
 */
const SIMULATED_MACHINE_ENVIRONMENT: Record<string, string> = {
  ExchangeInstallPath: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\',
};

/** $env:NAME as Windows reads it: names are case-insensitive. */
function environmentVariable(name: string): string | null {
  const find = (env: Record<string, string | undefined>) =>
    Object.entries(env).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return find(process.env) ?? find(SIMULATED_MACHINE_ENVIRONMENT) ?? null;
}

/** A Windows path compared as Windows compares it: either slash, repeated separators, any case. */
function normalizePath(path: string): string {
  return path.replace(/\//g, '\\').replace(/\\+/g, '\\').toLowerCase();
}

export class Interpreter {
  readonly global = new Scope(null, null);
  /** Scripts dot-sourced into this shell (normalized paths): the functions they define now exist. */
  private readonly loadedScripts = new Set<string>();
  /** PSSessions this shell opened (New-PSSession), for Get-PSSession and Remove-PSSession. */
  readonly remoteSessions: PSObject[] = [];
  readonly statics: StaticState;
  private readonly commands = new Map<string, BuiltinCmdlet>();
  /** The script text being run, for error positions. */
  private source = '';

  constructor(
    readonly host: ExchangeHost,
    readonly io: ShellIO,
    builtins: BuiltinCmdlet[],
  ) {
    this.statics = new StaticState({
      now: () => host.now(),
      writeOut: (t) => io.writeOut(t),
      writeErr: (t) => io.writeErr(t),
    });
    for (const c of builtins) this.commands.set(c.name.toLowerCase(), c);
    // The organisation's cmdlets win over generic ones of the same name.
    for (const c of host.cmdlets) this.commands.set(c.name.toLowerCase(), c);
    this.initSessionState(this.global);
  }

  /** The automatic and preference variables a new session starts with (here, or on a remote computer). */
  private initSessionState(g: Scope): void {
    g.set('ErrorActionPreference', 'Continue');
    g.set('WarningPreference', 'Continue');
    g.set('ProgressPreference', 'Continue');
    g.set('VerbosePreference', 'SilentlyContinue');
    g.set('DebugPreference', 'SilentlyContinue');
    g.set('ConfirmPreference', 'High');
    g.set('InformationPreference', 'SilentlyContinue');
    g.set('OFS', ' ');
    g.set('PID', process.pid);
    const version = new PSHashtable();
    version.set('PSVersion', '5.1.14393.5582');
    version.set('PSEdition', 'Desktop');
    version.set('CLRVersion', '4.0.30319.42000');
    g.set('PSVersionTable', version);
  }

  /**
   * The scope a script block sent with Invoke-Command -ComputerName runs in: a new session on that computer, which
   * sees none of the caller's variables; only -ArgumentList (param()) and `$using:` carry values across.
   */
  async remoteScope(computerName: string, caller: Scope): Promise<Scope> {
    // An unknown or unreachable computer fails before anything of the block runs, as WinRM's connection does.
    await this.host.connectRemote?.(computerName);
    const scope = new Scope(null, computerName, caller);
    this.initSessionState(scope);
    return scope;
  }

  hasCommand(name: string): boolean {
    return this.resolveCommand(name) !== undefined;
  }

  private resolveCommand(name: string): BuiltinCmdlet | undefined {
    const lower = name.toLowerCase();
    const aliased = ALIASES[lower]?.toLowerCase();
    const spec = this.commands.get(lower) ?? (aliased ? this.commands.get(aliased) : undefined);
    if (spec?.definedBy && !this.loadedScripts.has(this.scriptPath(spec.definedBy) ?? '')) return undefined;
    return spec;
  }

  private scriptPath(definedBy: { root: string; path: string }): string | null {
    const root = environmentVariable(definedBy.root);
    return root === null ? null : normalizePath(`${root}\\${definedBy.path}`);
  }

  /**
   * Runs a script file by path. The only scripts on a simulated server are the ones whose functions the shell knows
   * (RemoteExchange.ps1); dot-sourcing one defines them. Any other path is not found, as in PowerShell.
   */
  private runScriptFile(path: string, dotSource: boolean, extent: { start: number; end: number }): PSValue[] {
    const wanted = normalizePath(path);
    const known = [...this.commands.values()].some((c) => c.definedBy && this.scriptPath(c.definedBy) === wanted);
    if (!known) {
      throw withOrigin(commandNotFound(path), { prefix: path, source: this.source, extent });
    }
    // Run without the dot, the script's functions vanish with its scope.
    if (dotSource) this.loadedScripts.add(wanted);
    return [];
  }

  /**
   * Parses and runs one script (one protocol line). Output goes to stdout, an uncaught error to stderr in
   * PowerShell's format; an error ends the script but never the shell. Rethrows ExitSignal.
   */
  async runScript(source: string): Promise<void> {
    let ast: ScriptBlockAst;
    try {
      ast = parseScript(source);
    } catch (e) {
      if (e instanceof ParseError) {
        this.io.writeErr(formatUncaughtError(e, { source, extent: e.extent }));
        return;
      }
      // Nesting deep enough to exhaust the stack: PowerShell refuses such scripts too.
      if (e instanceof RangeError) {
        const error = new ParseError('The script is nested too deeply to be parsed.', 'ScriptTooDeeplyNested', {
          start: 0,
          end: 1,
        });
        this.io.writeErr(formatUncaughtError(error, { source, extent: error.extent }));
        return;
      }
      throw e;
    }
    const previousSource = this.source;
    this.source = source;
    this.statics.resetThreadCulture();
    try {
      for (const statement of ast.statements) {
        const output: PSValue[] = [];
        try {
          await this.execStatement(statement, this.global, output);
        } finally {
          this.writeOutput(output);
        }
      }
    } catch (e) {
      if (e instanceof ExitSignal) throw e;
      if (e instanceof ReturnSignal) {
        this.writeOutput(e.output);
        return;
      }
      const error = wrapForeignError(e);
      const origin = errorOrigins.get(error) ?? {};
      this.io.writeErr(formatUncaughtError(error, { ...origin, source: origin.source ?? source }));
    } finally {
      this.source = previousSource;
    }
  }

  writeOutput(values: PSValue[]): void {
    for (const value of values) {
      const lines = formatRecord(value);
      if (lines.length) this.io.writeOut(lines.join('\n') + '\n');
    }
  }

  // ---------------------------------------------------------------- statements

  async execStatements(statements: Statement[], scope: Scope, output: PSValue[]): Promise<void> {
    for (const statement of statements) await this.execStatement(statement, scope, output);
  }

  async execStatement(statement: Statement, scope: Scope, output: PSValue[]): Promise<void> {
    switch (statement.kind) {
      case 'pipeline':
        output.push(...(await this.runPipeline(statement, scope)));
        return;
      case 'assignment': {
        let value = await this.evalStatementValue(statement.value, scope);
        if (statement.operator === '+=')
          value = this.binary('+', await this.evalExpression(statement.target, scope), value, statement.target);
        await this.assign(statement.target, value, scope);
        return;
      }
      case 'if':
        for (const clause of statement.clauses) {
          if (isTrue(await this.evalStatementValue(clause.condition, scope))) {
            await this.execStatements(clause.body.statements, scope, output);
            return;
          }
        }
        if (statement.elseBody) await this.execStatements(statement.elseBody.statements, scope, output);
        return;
      case 'try':
        try {
          await this.execStatements(statement.body.statements, scope, output);
        } catch (e) {
          if (e instanceof ExitSignal || e instanceof ReturnSignal) throw e;
          const error = wrapForeignError(e);
          if (error.details.parseError) throw error;
          const handler = statement.catches.find(
            (c) => c.types.length === 0 || c.types.some((t) => this.catchMatches(t, error)),
          );
          if (!handler) throw error;
          const previous = scope.lookup('_');
          scope.set('_', new ErrorRecordObject(error));
          try {
            await this.execStatements(handler.body.statements, scope, output);
          } finally {
            scope.set('_', previous.value);
          }
        } finally {
          if (statement.finally) await this.execStatements(statement.finally.statements, scope, output);
        }
        return;
      case 'throw': {
        const value = statement.value ? await this.evalStatementValue(statement.value, scope) : null;
        if (value instanceof ErrorRecordObject) throw value.error;
        const message = value === null ? 'ScriptHalted' : toStr(value);
        const error = new PSError(message, {
          category: 'OperationStopped',
          reason: 'RuntimeException',
          exceptionType: 'System.Management.Automation.RuntimeException',
          errorId: message,
          targetObject: value === null ? undefined : message,
        });
        throw withOrigin(error, { source: this.source, extent: statement });
      }
      case 'exit': {
        const value = statement.value ? await this.evalStatementValue(statement.value, scope) : 0;
        throw new ExitSignal(typeof value === 'number' ? value : Number(parseNumberString(toStr(value)) ?? 0));
      }
      case 'return': {
        const values: PSValue[] = [];
        if (statement.value) await this.execStatement(statement.value, scope, values);
        throw new ReturnSignal([...output, ...values]);
      }
    }
  }

  private catchMatches(typeName: string, error: PSError): boolean {
    const lower = typeName.toLowerCase().replace(/^system\./, '');
    if (lower === 'exception') return true;
    const actual = error.details.exceptionType.toLowerCase().replace(/^system\./, '');
    if (actual === lower) return true;
    if (lower === 'management.automation.runtimeexception' || lower === 'runtimeexception') {
      return actual.startsWith('management.automation.');
    }
    return false;
  }

  /** The value of a statement used as an expression: a lone expression keeps its value, command output is collected. */
  async evalStatementValue(statement: Statement, scope: Scope): Promise<PSValue> {
    const lone = statement.kind === 'pipeline' && statement.elements.length === 1 ? statement.elements[0] : undefined;
    if (lone?.kind === 'expression') return this.evalExpression(lone.expression, scope);
    if (statement.kind === 'assignment') {
      await this.execStatement(statement, scope, []);
      return this.evalExpression(statement.target, scope);
    }
    const output: PSValue[] = [];
    await this.execStatement(statement, scope, output);
    return unwrap(output);
  }

  private async assign(target: Expression, value: PSValue, scope: Scope): Promise<void> {
    if (target.kind === 'variable') {
      scope.set(target.name, value);
      return;
    }
    if (target.kind === 'member') {
      const name =
        typeof target.member === 'string' ? target.member : toStr(await this.evalExpression(target.member, scope));
      if (target.isStatic && target.target.kind === 'type') {
        this.guard(
          () => this.statics.setStatic(target.target.kind === 'type' ? target.target.typeName : '', name, value),
          target,
        );
        return;
      }
      const object = await this.evalExpression(target.target, scope);
      this.guard(() => setMember(object, name, value), target);
      return;
    }
    if (target.kind === 'index') {
      const object = await this.evalExpression(target.target, scope);
      const index = await this.evalExpression(target.index, scope);
      if (object instanceof PSHashtable) object.set(toStr(index), value);
      else if (Array.isArray(object)) {
        const i = Number(index);
        if (!Number.isInteger(i) || i >= object.length || i < -object.length) {
          throw withOrigin(runtimeError('Index was outside the bounds of the array.', 'IndexOutOfRange'), {
            source: this.source,
            extent: target,
          });
        }
        object[i < 0 ? object.length + i : i] = value;
      } else
        throw withOrigin(runtimeError('Cannot index into a null array.', 'NullArray'), {
          source: this.source,
          extent: target,
        });
    }
  }

  private guard<T>(f: () => T, extent: { start: number; end: number }): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof PSError) throw withOrigin(e, { source: this.source, extent });
      throw e;
    }
  }

  // ---------------------------------------------------------------- pipelines and commands

  private async runPipeline(statement: Extract<Statement, { kind: 'pipeline' }>, scope: Scope): Promise<PSValue[]> {
    let input: PSValue[] | null = null;
    for (const element of statement.elements) {
      if (element.kind === 'expression') {
        const value = await this.evalExpression(element.expression, scope);
        // `[void]expr` discards the value: it writes nothing to the pipeline (not even $null).
        const discarded =
          element.expression.kind === 'cast' && resolveType(element.expression.typeName) === 'System.Void';
        input = discarded ? [] : enumerate(value);
      } else {
        input = await this.runCommand(element, scope, input);
      }
    }
    return input ?? [];
  }

  private async runCommand(command: CommandAst, scope: Scope, input: PSValue[] | null): Promise<PSValue[]> {
    let commandName: string;
    if (typeof command.name === 'string') commandName = command.name;
    else {
      const target = await this.evalExpression(command.name, scope);
      if (isScriptBlock(target)) {
        if (command.dotSource) return this.invokeInScope(target, undefined, scope);
        const args: PSValue[] = [];
        for (const element of command.elements) {
          if (element.kind === 'argument') args.push(await this.evalExpression(element.value, scope));
          else if (element.kind === 'parameter') args.push(`-${element.name}`);
        }
        return this.invokeScriptBlock(target, args, undefined, scope, input ?? []);
      }
      commandName = toStr(target);
    }
    if (/[\\/]|\.ps1$/i.test(commandName))
      return this.runScriptFile(commandName, command.dotSource === true, command.nameExtent);
    const spec = this.resolveCommand(commandName);
    if (!spec) {
      throw withOrigin(commandNotFound(commandName), {
        prefix: commandName,
        source: this.source,
        extent: command.nameExtent,
      });
    }
    const inputs: BindingInput[] = [];
    for (const element of command.elements) {
      if (element.kind === 'parameter') {
        inputs.push({
          kind: 'named',
          name: element.name,
          hasValue: element.colon,
          missingValue: element.colon && element.argument === null,
          value: element.argument ? await this.evalExpression(element.argument, scope) : null,
          extent: { start: element.start, end: element.start + 1 + element.name.length },
          valueExtent: element.argument ?? undefined,
        });
      } else if (element.kind === 'argument') {
        inputs.push({ kind: 'positional', value: await this.evalExpression(element.value, scope), extent: element });
      } else {
        const lookup = scope.lookup(element.variable);
        const value = lookup.value;
        if (value instanceof PSHashtable) {
          for (const [k, v] of value.entries())
            inputs.push({ kind: 'named', name: k, value: v, hasValue: true, extent: element, fromSplat: true });
        } else if (Array.isArray(value)) {
          for (const v of value) inputs.push({ kind: 'positional', value: v, extent: element });
        } else if (value !== null) inputs.push({ kind: 'positional', value, extent: element });
      }
    }
    const resolved = spec;
    const bound = this.guardBinding(
      () => bindParameters(resolved, inputs, input !== null && !resolved.collectsPipeline, command),
      command,
    );
    const ctx = this.makeContext(scope, input ?? []);
    const origin = { activity: resolved.name, source: this.source, extent: command };
    try {
      await this.host.beforeCmdlet(resolved.name, ctx);
      if (input !== null && bound.pipelineParam && !resolved.collectsPipeline) {
        const output: PSValue[] = [];
        for (const record of input) {
          let converted: PSValue;
          try {
            converted = convertArgument(resolved.name, bound.pipelineParam, record);
          } catch {
            throw new PSError(
              'The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.',
              {
                category: 'InvalidArgument',
                reason: 'ParameterBindingException',
                exceptionType: 'System.Management.Automation.ParameterBindingException',
                errorId: `InputObjectNotBound,${resolved.name}`,
                targetObject: toStr(record),
              },
            );
          }
          const recordCtx = this.makeContext(scope, [record]);
          output.push(
            ...asOutput(await resolved.invoke({ ...bound.args, [bound.pipelineParam.name]: converted }, recordCtx)),
          );
        }
        return output;
      }
      return asOutput(await resolved.invoke(bound.args, ctx));
    } catch (e) {
      if (e instanceof ExitSignal || e instanceof ReturnSignal) throw e;
      throw withOrigin(wrapForeignError(e, resolved.name), origin);
    }
  }

  private guardBinding<T>(f: () => T, command: CommandAst): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof PSError) {
        const origin = errorOrigins.get(e);
        throw withOrigin(e, { source: this.source, extent: origin?.extent ?? command });
      }
      throw e;
    }
  }

  makeContext(scope: Scope, pipelineInput: PSValue[]): BuiltinContext {
    return {
      computerName: scope.computerName,
      now: () => this.host.now(),
      invokeScriptBlock: (block, args, dollarUnderscore) =>
        this.invokeScriptBlock(block, args, dollarUnderscore, scope),
      pipelineInput,
      interpreter: this,
      scope,
    };
  }

  /** Runs a script block in a child scope: param() bound from `args`, the rest in $args, `$_` when given. */
  async invokeScriptBlock(
    block: PSScriptBlock,
    args: PSValue[],
    dollarUnderscore: PSValue | undefined,
    parent: Scope,
    input: PSValue[] = [],
    computerName?: string | null,
  ): Promise<PSValue[]> {
    const value = block instanceof ScriptBlockValue ? block : new ScriptBlockValue(parseScript(block.text), block.text);
    const scope = new Scope(parent, computerName === undefined ? parent.computerName : computerName);
    const params = value.ast.params;
    for (let i = 0; i < params.length; i++) {
      const p = at(params, i, 'parameter');
      const v =
        i < args.length
          ? at(args, i, 'argument')
          : p.defaultValue
            ? await this.withSource(value.source, () => this.evalExpression(p.defaultValue!, scope))
            : null;
      scope.set(p.name, v);
    }
    scope.set('args', args.slice(params.length));
    scope.set('input', input);
    if (dollarUnderscore !== undefined) scope.set('_', dollarUnderscore);
    const output: PSValue[] = [];
    try {
      await this.withSource(value.source, () => this.execStatements(value.ast.statements, scope, output));
    } catch (e) {
      if (e instanceof ReturnSignal) return e.output;
      throw e;
    }
    return output;
  }

  /**
   * Runs a script block in `scope` itself, as ForEach-Object and Where-Object do (dot-sourced): assignments stay
   * visible to the caller; `$_` is set for the call and restored after.
   */
  async invokeInScope(block: PSScriptBlock, dollarUnderscore: PSValue | undefined, scope: Scope): Promise<PSValue[]> {
    const value = block instanceof ScriptBlockValue ? block : new ScriptBlockValue(parseScript(block.text), block.text);
    const previous = scope.lookup('_');
    if (dollarUnderscore !== undefined) scope.set('_', dollarUnderscore);
    const output: PSValue[] = [];
    try {
      await this.withSource(value.source, () => this.execStatements(value.ast.statements, scope, output));
    } catch (e) {
      if (e instanceof ReturnSignal) return e.output;
      throw e;
    } finally {
      if (dollarUnderscore !== undefined) scope.set('_', previous.value);
    }
    return output;
  }

  private async withSource<T>(source: string, f: () => Promise<T>): Promise<T> {
    const previous = this.source;
    this.source = source;
    try {
      return await f();
    } finally {
      this.source = previous;
    }
  }

  // ---------------------------------------------------------------- expressions

  async evalExpression(e: Expression, scope: Scope): Promise<PSValue> {
    try {
      return await this.evalExpressionInner(e, scope);
    } catch (err) {
      if (err instanceof PSError && !errorOrigins.has(err)) withOrigin(err, { source: this.source, extent: e });
      throw err;
    }
  }

  private async evalExpressionInner(e: Expression, scope: Scope): Promise<PSValue> {
    switch (e.kind) {
      case 'constant':
        return e.value;
      case 'expandable': {
        let s = '';
        for (const part of e.parts) {
          if (typeof part === 'string') s += part;
          else if ('variable' in part) s += toStr(this.getVariable(part.variable, scope));
          else {
            const output: PSValue[] = [];
            await this.execStatements(part.subexpression, scope, output);
            s += toStr(unwrap(output));
          }
        }
        return s;
      }
      case 'variable':
        return this.getVariable(e.name, scope);
      case 'array': {
        const items: PSValue[] = [];
        for (const item of e.items) items.push(await this.evalExpression(item, scope));
        return items;
      }
      case 'hashtable': {
        const table = new PSHashtable();
        for (const entry of e.entries) {
          const key = toStr(await this.evalExpression(entry.key, scope));
          table.set(key, await this.evalStatementValue(entry.value, scope));
        }
        return table;
      }
      case 'scriptblock':
        return new ScriptBlockValue(e.block, this.source);
      case 'paren':
        return this.evalStatementValue(e.statement, scope);
      case 'subexpression': {
        const output: PSValue[] = [];
        await this.execStatements(e.statements, scope, output);
        return unwrap(output);
      }
      case 'arraysubexpression': {
        const output: PSValue[] = [];
        await this.execStatements(e.statements, scope, output);
        return output;
      }
      case 'member': {
        const name = typeof e.member === 'string' ? e.member : toStr(await this.evalExpression(e.member, scope));
        if (e.isStatic && e.target.kind === 'type') return this.statics.getStatic(e.target.typeName, name);
        return getMember(await this.evalExpression(e.target, scope), name);
      }
      case 'invoke': {
        const name = typeof e.member === 'string' ? e.member : toStr(await this.evalExpression(e.member, scope));
        const args: PSValue[] = [];
        if (e.isStatic && e.target.kind === 'type') {
          for (const a of e.args) args.push(await this.evalExpression(a, scope));
          return this.statics.callStatic(e.target.typeName, name, args);
        }
        const target = await this.evalExpression(e.target, scope);
        for (const a of e.args) args.push(await this.evalExpression(a, scope));
        return callMethod(target, name, args, async (block, blockArgs) =>
          unwrap(await this.invokeScriptBlock(block as PSScriptBlock, blockArgs, undefined, scope)),
        );
      }
      case 'index': {
        const target = await this.evalExpression(e.target, scope);
        const index = await this.evalExpression(e.index, scope);
        return this.index(target, index);
      }
      case 'type':
        return typeObject(resolveType(e.typeName));
      case 'cast':
        return castTo(e.typeName, await this.evalExpression(e.operand, scope));
      case 'unary': {
        const v = await this.evalExpression(e.operand, scope);
        switch (e.operator) {
          case 'not':
            return !isTrue(v);
          case ',':
            return [v];
          case 'join':
            return (Array.isArray(v) ? v : [v]).map((x) => toStr(x)).join('');
          case '-':
            return -this.toNumberOperand(v);
          default:
            return this.toNumberOperand(v);
        }
      }
      case 'binary': {
        if (e.operator === 'and')
          return isTrue(await this.evalExpression(e.left, scope)) && isTrue(await this.evalExpression(e.right, scope));
        if (e.operator === 'or')
          return isTrue(await this.evalExpression(e.left, scope)) || isTrue(await this.evalExpression(e.right, scope));
        const left = await this.evalExpression(e.left, scope);
        const right = await this.evalExpression(e.right, scope);
        return this.binary(e.operator, left, right, e);
      }
    }
  }

  private getVariable(name: string, scope: Scope): PSValue {
    const lower = name.toLowerCase();
    if (lower === 'psitem') return scope.get('_');
    if (lower.startsWith('env:')) return environmentVariable(name.slice(4));
    if (lower.startsWith('using:')) {
      if (!scope.usingScope) {
        throw runtimeError(
          'A Using variable cannot be retrieved. A Using variable can be used only with Invoke-Command, Start-Job, or InlineScript in the script workflow. When it is used with Invoke-Command, the Using variable is valid only if the script block is invoked on a remote computer.',
          'UsingWithoutInvokeCommand',
          'InvalidOperation',
        );
      }
      return this.getVariable(name.slice(6), scope.usingScope);
    }
    if (lower.startsWith('global:')) return this.global.get(name.slice(7));
    if (lower.startsWith('script:') || lower.startsWith('local:')) return scope.get(name.slice(name.indexOf(':') + 1));
    if (lower === '?') return true;
    return scope.get(name);
  }

  private index(target: PSValue, index: PSValue): PSValue {
    if (target === null) throw runtimeError('Cannot index into a null array.', 'NullArray');
    if (target instanceof PSHashtable) {
      if (Array.isArray(index)) return index.map((k) => target.get(toStr(k)) ?? null);
      return target.get(toStr(index)) ?? null;
    }
    if (target instanceof PSObject) return target.get(toStr(index)) ?? null;
    const items: PSValue[] | string | Uint8Array =
      Array.isArray(target) || typeof target === 'string' || target instanceof Uint8Array ? target : [target];
    const at = (i: PSValue): PSValue => {
      const n = Math.trunc(this.toNumberOperand(i));
      const k = n < 0 ? items.length + n : n;
      if (k < 0 || k >= items.length) return null;
      return items[k] as PSValue;
    };
    if (Array.isArray(index)) return index.map(at);
    return at(index);
  }

  private toNumberOperand(v: PSValue): number {
    if (Array.isArray(v))
      throw runtimeError(
        `Cannot convert the "System.Object[]" value of type "System.Object[]" to type "System.Int32".`,
        'ConvertToFinalInvalidCastException',
        'InvalidArgument',
      );
    try {
      return toDouble(v);
    } catch {
      throw runtimeError(
        `Cannot convert value "${toStr(v)}" to type "System.Int32". Error: "Input string was not in a correct format."`,
        'InvalidCastFromStringToInteger',
        'InvalidArgument',
      );
    }
  }

  binary(operator: string, left: PSValue, right: PSValue, _extent: { start: number; end: number }): PSValue {
    const opNotDefined = (op: string) =>
      runtimeError(
        `Method invocation failed because [${typeNameOf(left)}] does not contain a method named '${op}'.`,
        'MethodNotFound',
      );
    switch (operator) {
      case '+':
        if (left === null) return right;
        if (typeof left === 'string') return left + toStr(right);
        if (typeof left === 'number') return left + this.toNumberOperand(right);
        if (Array.isArray(left)) return [...left, ...(Array.isArray(right) ? right : [right])];
        if (left instanceof PSHashtable && right instanceof PSHashtable) {
          const merged = new PSHashtable();
          for (const [k, v] of left.entries()) merged.set(k, v);
          for (const [k, v] of right.entries()) {
            if (merged.has(k))
              throw runtimeError(
                `Item has already been added. Key in dictionary: '${k}'  Key being added: '${k}'`,
                'System.ArgumentException',
                'OperationStopped',
              );
            merged.set(k, v);
          }
          return merged;
        }
        throw opNotDefined('op_Addition');
      case '-':
        if (left instanceof PSDateTime && right instanceof PSDateTime) {
          const ms = left.ms - right.ms;
          return new RuntimeObject(
            'System.TimeSpan',
            {
              TotalMilliseconds: ms,
              TotalSeconds: ms / 1000,
              TotalMinutes: ms / 60000,
              TotalHours: ms / 3600000,
              TotalDays: ms / 86400000,
            },
            {},
            String(ms),
          );
        }
        if (left !== null && typeof left !== 'number' && typeof left !== 'string' && typeof left !== 'boolean')
          throw opNotDefined('op_Subtraction');
        return this.toNumberOperand(left) - this.toNumberOperand(right);
      case '*':
        if (typeof left === 'string') return left.repeat(Math.max(0, Math.trunc(this.toNumberOperand(right))));
        if (Array.isArray(left))
          return Array.from({ length: Math.max(0, Math.trunc(this.toNumberOperand(right))) }, () => left).flat();
        return this.toNumberOperand(left) * this.toNumberOperand(right);
      case '/': {
        const divisor = this.toNumberOperand(right);
        if (divisor === 0) throw runtimeError('Attempted to divide by zero.', 'RuntimeException', 'NotSpecified');
        return this.toNumberOperand(left) / divisor;
      }
      case '%':
        return this.toNumberOperand(left) % this.toNumberOperand(right);
      case '..': {
        const from = Math.trunc(this.toNumberOperand(left));
        const to = Math.trunc(this.toNumberOperand(right));
        const out: number[] = [];
        for (let i = from; from <= to ? i <= to : i >= to; from <= to ? i++ : i--) out.push(i);
        return out;
      }
      case 'xor':
        return isTrue(left) !== isTrue(right);
      case 'join':
        return (Array.isArray(left) ? left : [left]).map((x) => toStr(x)).join(toStr(right));
      case 'is':
      case 'isnot': {
        const type =
          right instanceof RuntimeObject && right.runtimeType === 'System.RuntimeType'
            ? toStr(right)
            : resolveType(toStr(right));
        const matches = type === 'System.Object' ? left !== null : typeNameOf(left) === type;
        return operator === 'is' ? matches : !matches;
      }
    }
    const m = COMPARISON.exec(operator);
    if (!m) throw runtimeError(`Unexpected operator '-${operator}'.`, 'UnexpectedToken', 'ParserError');
    const caseSensitive = m[1] === 'c';
    const op = defined(m[2], `comparison in -${operator}`);
    if (op === 'contains' || op === 'notcontains' || op === 'in' || op === 'notin') {
      const [collection, item] = op === 'contains' || op === 'notcontains' ? [left, right] : [right, left];
      const found = (Array.isArray(collection) ? collection : [collection]).some((c) =>
        this.compare('eq', c, item, caseSensitive),
      );
      return op.startsWith('not') ? !found : found;
    }
    if (op === 'replace') {
      const [pattern, replacement] = Array.isArray(right) ? right : [right, ''];
      const re = new RegExp(toStr(pattern), caseSensitive ? 'g' : 'gi');
      return toStr(left).replace(re, toStr(replacement).replace(/\$(\d)/g, '$$$1'));
    }
    if (Array.isArray(left)) return left.filter((item) => this.compare(op, item, right, caseSensitive));
    return this.compare(op, left, right, caseSensitive);
  }

  private compare(op: string, left: PSValue, right: PSValue, caseSensitive: boolean): boolean {
    if (op === 'like' || op === 'notlike') {
      const result = wildcardToRegex(toStr(right), caseSensitive).test(toStr(left));
      return op === 'like' ? result : !result;
    }
    if (op === 'match' || op === 'notmatch') {
      const result = new RegExp(toStr(right), caseSensitive ? '' : 'i').test(toStr(left));
      return op === 'match' ? result : !result;
    }
    let order: number | null;
    if (left === null || right === null) order = left === right ? 0 : null;
    else if (typeof left === 'string') {
      const a = caseSensitive ? left : left.toLowerCase();
      const b = caseSensitive ? toStr(right) : toStr(right).toLowerCase();
      order = a === b ? 0 : a < b ? -1 : 1;
    } else if (typeof left === 'number' || (typeof left === 'boolean' && typeof right !== 'string')) {
      let b: number | null;
      try {
        b = typeof left === 'boolean' ? (isTrue(right) ? 1 : 0) : toDouble(right);
      } catch {
        b = null;
      }
      const a = typeof left === 'boolean' ? (left ? 1 : 0) : left;
      order = b === null ? null : a === b ? 0 : a < b ? -1 : 1;
    } else if (typeof left === 'boolean') order = left === isTrue(right) ? 0 : null;
    else if (left instanceof PSDateTime) {
      let b: number | null;
      try {
        b = toDateTime(right).ms;
      } catch {
        b = null;
      }
      order = b === null ? null : left.ms === b ? 0 : left.ms < b ? -1 : 1;
    } else if (left instanceof PSEnum) {
      const b =
        right instanceof PSEnum
          ? right.value
          : typeof right === 'string'
            ? right.toLowerCase() === left.names.toLowerCase()
              ? left.value
              : NaN
            : Number(right);
      order = left.value === b ? 0 : left.value < b ? -1 : 1;
    } else order = left === right ? 0 : null;
    switch (op) {
      case 'eq':
        return order === 0;
      case 'ne':
        return order !== 0;
      case 'gt':
        return order !== null && order > 0;
      case 'ge':
        return order !== null && order >= 0;
      case 'lt':
        return order !== null && order < 0;
      case 'le':
        return order !== null && order <= 0;
    }
    return false;
  }
}
