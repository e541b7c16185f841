// PowerShell error records as the simulated shell raises and prints them: parse errors (never catchable), runtime
// errors of the language, and the text PowerShell writes to stderr for an uncaught error.
import type { Extent } from './ast';
import { PSError } from './types';

/** A parse error: PowerShell reports it before running anything, and try/catch cannot catch it. */
export class ParseError extends PSError {
  constructor(
    message: string,
    readonly errorId: string,
    readonly extent: Extent,
  ) {
    super(message, {
      category: 'ParserError',
      reason: 'ParentContainsErrorRecordException',
      exceptionType: 'System.Management.Automation.ParseException',
      errorId,
      parseError: true,
    });
    this.name = 'ParseError';
  }
}

/** Internal control flow of `exit`: unwinds to the protocol loop, which stops reading commands. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

export function runtimeError(message: string, errorId: string, category = 'InvalidOperation', targetObject?: string) {
  return new PSError(message, {
    category,
    reason: 'RuntimeException',
    exceptionType: 'System.Management.Automation.RuntimeException',
    errorId,
    targetObject,
  });
}

export function methodInvocationError(method: string, argCount: number, inner: string, innerType: string) {
  return new PSError(`Exception calling "${method}" with "${argCount}" argument(s): "${inner}"`, {
    category: 'NotSpecified',
    reason: 'MethodInvocationException',
    exceptionType: 'System.Management.Automation.MethodInvocationException',
    errorId: innerType,
  });
}

export function commandNotFound(name: string) {
  return new PSError(
    `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    {
      category: 'ObjectNotFound',
      reason: 'CommandNotFoundException',
      exceptionType: 'System.Management.Automation.CommandNotFoundException',
      errorId: 'CommandNotFoundException',
      targetObject: name,
    },
  );
}

/** Where the source text sits, for "At line:L char:C" and the caret line. */
export function positionMessage(source: string, extent: Extent): string {
  const start = Math.min(Math.max(extent.start, 0), source.length);
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < start; i++) {
    const c = source[i];
    if (c === '\n' || (c === '\r' && source[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = lineStart;
  while (lineEnd < source.length && source[lineEnd] !== '\n' && source[lineEnd] !== '\r') lineEnd++;
  const column = start - lineStart;
  const end = Math.min(Math.max(extent.end, start), lineEnd);
  const width = Math.max(1, end - start);
  return [
    `At line:${line} char:${column + 1}`,
    `+ ${source.slice(lineStart, lineEnd)}`,
    `+ ${' '.repeat(column)}${'~'.repeat(width)}`,
  ].join('\n');
}

export interface ErrorContext {
  /** The command that raised it: CategoryInfo's activity. */
  activity?: string;
  /** The "Name : " before the message; defaults to `activity`. */
  prefix?: string;
  source?: string;
  extent?: Extent;
}

/** CategoryInfo.ToString(): `Category: (TargetName:TargetType) [Activity], Reason`. */
export function categoryInfoText(error: PSError, activity: string | undefined): string {
  const target = error.details.targetObject;
  const targetPart = target === undefined ? ':' : `${target}:String`;
  return `${error.details.category}: (${targetPart}) [${activity ?? ''}], ${error.details.reason}`;
}

/** The text Windows PowerShell writes to stderr for an error nobody caught. */
export function formatUncaughtError(error: PSError, context: ErrorContext): string {
  const lines: string[] = [];
  const position =
    context.source !== undefined && context.extent ? positionMessage(context.source, context.extent) : '';
  if (error.details.parseError) {
    if (position) lines.push(position);
    lines.push(error.message);
  } else {
    const prefix = context.prefix ?? context.activity;
    lines.push(prefix ? `${prefix} : ${error.message}` : error.message);
    if (position) lines.push(position);
  }
  lines.push(
    `    + CategoryInfo          : ${categoryInfoText(error, error.details.parseError ? undefined : context.activity)}`,
  );
  lines.push(`    + FullyQualifiedErrorId : ${error.details.errorId}`);
  return lines.join('\n') + '\n';
}

/** Where an error arose and which command raised it, kept beside the PSError without changing its shape. */
export const errorOrigins = new WeakMap<PSError, ErrorContext>();

export function withOrigin<T extends PSError>(error: T, context: ErrorContext): T {
  const existing = errorOrigins.get(error);
  errorOrigins.set(error, { ...context, ...existing });
  return error;
}
