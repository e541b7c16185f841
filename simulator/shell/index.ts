// The simulated Exchange Management Shell's language, for the organisation side and for tests.
export { BUILTIN_CMDLETS } from './builtins';
export { ParseError, formatUncaughtError } from './errors';
export { Interpreter, ScriptBlockValue, type BuiltinCmdlet } from './evaluator';
export { convertToJson } from './json';
export { parseArguments, runShell, type ShellOptions } from './main';
export { parseScript } from './parser';
export * from './types';
