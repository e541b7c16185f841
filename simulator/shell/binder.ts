// Parameter binding as PowerShell does it for a cmdlet: named parameters matched case-insensitively by name, alias or
// an unambiguous prefix (common parameters included), `-Switch` / `-Switch:$false`, `-Name:value`, positional
// arguments by declared position, splatting, and conversion to the declared type with PowerShell's errors.
import type { Extent } from './ast';
import { withOrigin } from './errors';
import { NON_INTERACTIVE_MESSAGE } from './prompt';
import {
  PSDateTime,
  PSError,
  PSHashtable,
  PSSecureString,
  type CmdletSpec,
  type ParamSpec,
  type ParamType,
  type PSValue,
} from './types';
import {
  ConversionError,
  isScriptBlock,
  makeEnum,
  RuntimeObject,
  toDateTime,
  toInteger,
  toStr,
  typeNameOf,
} from './values';
import { at } from '../invariant';

export type BindingInput =
  | {
      kind: 'named';
      name: string;
      value: PSValue;
      hasValue: boolean;
      missingValue?: boolean;
      extent: Extent;
      valueExtent?: Extent;
      fromSplat?: boolean;
    }
  | { kind: 'positional'; value: PSValue; extent: Extent };

const COMMON_PARAMETERS: ParamSpec[] = [
  { name: 'Verbose', type: 'SwitchParameter', aliases: ['vb'] },
  { name: 'Debug', type: 'SwitchParameter', aliases: ['db'] },
  { name: 'ErrorAction', type: 'String', aliases: ['ea'] },
  { name: 'WarningAction', type: 'String', aliases: ['wa'] },
  { name: 'InformationAction', type: 'String', aliases: ['infa'] },
  { name: 'ErrorVariable', type: 'String', aliases: ['ev'] },
  { name: 'WarningVariable', type: 'String', aliases: ['wv'] },
  { name: 'InformationVariable', type: 'String', aliases: ['iv'] },
  { name: 'OutVariable', type: 'String', aliases: ['ov'] },
  { name: 'OutBuffer', type: 'Int32', aliases: ['ob'] },
  { name: 'PipelineVariable', type: 'String', aliases: ['pv'] },
  { name: 'WhatIf', type: 'SwitchParameter', aliases: ['wi'] },
  { name: 'Confirm', type: 'SwitchParameter', aliases: ['cf'] },
];

const PS_CREDENTIAL = 'System.Management.Automation.PSCredential';

export function dotNetTypeName(type: ParamType): string {
  if (typeof type === 'object') return type.enum;
  switch (type) {
    case 'SwitchParameter':
      return 'System.Management.Automation.SwitchParameter';
    case 'SecureString':
      return 'System.Security.SecureString';
    case 'Hashtable':
      return 'System.Collections.Hashtable';
    case 'Hashtable[]':
      return 'System.Collections.Hashtable[]';
    case 'ScriptBlock':
      return 'System.Management.Automation.ScriptBlock';
    case 'PSCredential':
      return PS_CREDENTIAL;
    default:
      return `System.${type}`;
  }
}

/** The command's name, or the spec itself so that generic cmdlets can name their .NET class in error ids. */
type CommandRef = string | (CmdletSpec & { commandType?: string });

function bindingError(
  message: string,
  id: string,
  command: CommandRef,
  extent: Extent | undefined,
  options: { reason?: string; exceptionType?: string } = {},
) {
  const name = typeof command === 'string' ? command : command.name;
  const type = typeof command === 'string' ? command : (command.commandType ?? command.name);
  const error = new PSError(message, {
    category: 'InvalidArgument',
    reason: options.reason ?? 'ParameterBindingException',
    exceptionType: options.exceptionType ?? 'System.Management.Automation.ParameterBindingException',
    errorId: `${id},${type}`,
  });
  return withOrigin(error, { activity: name, extent });
}

export interface BindResult {
  args: Record<string, PSValue>;
  /** The parameter bound from each pipeline record (ByValue), when the cmdlet has one and it is not bound already. */
  pipelineParam: ParamSpec | null;
}

export function resolveParameter(spec: CmdletSpec, name: string, extent: Extent | undefined): ParamSpec {
  const declared = spec.params;
  const all = [
    ...declared,
    ...COMMON_PARAMETERS.filter((c) => !declared.some((d) => d.name.toLowerCase() === c.name.toLowerCase())),
  ];
  const lower = name.toLowerCase();
  const exact = all.find(
    (p) => p.name.toLowerCase() === lower || (p.aliases ?? []).some((a) => a.toLowerCase() === lower),
  );
  if (exact) return exact;
  const matches = all.filter((p) => [p.name, ...(p.aliases ?? [])].some((n) => n.toLowerCase().startsWith(lower)));
  if (matches.length === 1) return at(matches, 0, 'matching parameter');
  if (matches.length > 1) {
    throw bindingError(
      `Parameter cannot be processed because the parameter name '${name}' is ambiguous. Possible matches include: ${matches.map((m) => `-${m.name}`).join(' ')}.`,
      'AmbiguousParameter',
      spec,
      extent,
    );
  }
  throw bindingError(
    `A parameter cannot be found that matches parameter name '${name}'.`,
    'NamedParameterNotFound',
    spec,
    extent,
  );
}

export function bindParameters(
  spec: CmdletSpec,
  inputs: BindingInput[],
  pipelineMode: boolean,
  commandExtent?: Extent,
): BindResult {
  const args: Record<string, PSValue> = {};
  const positional: Array<{ value: PSValue; extent: Extent }> = [];
  const bind = (param: ParamSpec, value: PSValue, extent: Extent) => {
    if (Object.prototype.hasOwnProperty.call(args, param.name)) {
      throw bindingError(
        `Cannot bind parameter because parameter '${param.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`,
        'ParameterAlreadyBound',
        spec,
        extent,
      );
    }
    args[param.name] = convertArgument(spec, param, value, extent);
  };
  for (let i = 0; i < inputs.length; i++) {
    const input = at(inputs, i, 'binding input');
    if (input.kind === 'positional') {
      positional.push(input);
      continue;
    }
    const param = resolveParameter(spec, input.name, input.extent);
    if (input.missingValue) {
      throw bindingError(
        `Missing an argument for parameter '${param.name}'. Specify a parameter of type '${dotNetTypeName(param.type)}' and try again.`,
        'MissingArgument',
        spec,
        input.extent,
      );
    }
    if (param.type === 'SwitchParameter') {
      bind(param, input.hasValue ? input.value : true, input.valueExtent ?? input.extent);
      continue;
    }
    if (input.hasValue) {
      bind(param, input.value, input.valueExtent ?? input.extent);
      continue;
    }
    const next = inputs[i + 1];
    if (!next || next.kind !== 'positional') {
      throw bindingError(
        `Missing an argument for parameter '${param.name}'. Specify a parameter of type '${dotNetTypeName(param.type)}' and try again.`,
        'MissingArgument',
        spec,
        input.extent,
      );
    }
    i++;
    bind(param, next.value, next.extent);
  }
  const positionalParams = spec.params
    .filter((p) => p.position !== undefined)
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  for (const arg of positional) {
    const param = positionalParams.find((p) => !Object.prototype.hasOwnProperty.call(args, p.name));
    if (!param) {
      throw bindingError(
        `A positional parameter cannot be found that accepts argument '${toStr(arg.value)}'.`,
        'PositionalParameterNotFound',
        spec,
        arg.extent,
      );
    }
    bind(param, arg.value, arg.extent);
  }
  const pipelineParam = pipelineMode ? (spec.params.find((p) => p.fromPipeline && !(p.name in args)) ?? null) : null;
  const missing = spec.params.filter((p) => p.mandatory && !(p.name in args) && p !== pipelineParam);
  if (missing.length > 0) {
    throw bindingError(
      `Cannot process command because of one or more missing mandatory parameters: ${missing.map((p) => p.name).join(' ')}.`,
      'MissingMandatoryParameter',
      spec,
      commandExtent,
    );
  }
  // An absent switch stays unbound, as in $PSBoundParameters: `-Switch:$false` is a value a cmdlet must see.
  return { args, pipelineParam };
}

/** Converts one argument to its parameter's declared type, failing with PowerShell's binding errors. */
export function convertArgument(command: CommandRef, param: ParamSpec, value: PSValue, extent?: Extent): PSValue {
  const target = dotNetTypeName(param.type);
  const cannotConvert = (inner: ConversionError | null) =>
    bindingError(
      `Cannot bind parameter '${param.name}'. ${
        inner?.message ??
        (typeof value === 'string'
          ? `Cannot convert the "${toStr(value)}" value of type "System.String" to type "${target}".`
          : `Cannot convert the "${toStr(value)}" value of type "${typeNameOf(value)}" to type "${target}".`)
      }`,
      'CannotConvertArgumentNoMessage',
      command,
      extent,
    );
  const tryConvert = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ConversionError) throw cannotConvert(e);
      throw e;
    }
  };
  if (value === null) {
    if (param.mandatory) {
      throw bindingError(
        `Cannot bind argument to parameter '${param.name}' because it is null.`,
        'ParameterArgumentValidationErrorNullNotAllowed',
        command,
        extent,
        {
          reason: 'ParameterBindingValidationException',
          exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
        },
      );
    }
    if (param.type === 'SwitchParameter' || param.type === 'Boolean') return false;
    if (param.type === 'Int32' || param.type === 'Int64') return 0;
    return null;
  }
  const type = param.type;
  if (typeof type === 'object') return tryConvert(() => makeEnum(type.enum, type.values, type.flags ?? false, value));
  switch (type) {
    case 'Object':
      return value;
    case 'Object[]':
      return Array.isArray(value) ? value : value instanceof Uint8Array ? [...value] : [value];
    case 'String': {
      if (Array.isArray(value)) {
        if (value.length === 1) return convertArgument(command, param, at(value, 0, 'argument'), extent);
        throw bindingError(
          `Cannot convert 'System.Object[]' to the type 'System.String' required by parameter '${param.name}'. Specified method is not supported.`,
          'CannotConvertArgument',
          command,
          extent,
        );
      }
      const s = toStr(value);
      if (param.mandatory && s === '') {
        throw bindingError(
          `Cannot bind argument to parameter '${param.name}' because it is an empty string.`,
          'ParameterArgumentValidationErrorEmptyStringNotAllowed',
          command,
          extent,
          {
            reason: 'ParameterBindingValidationException',
            exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
          },
        );
      }
      return s;
    }
    case 'String[]':
      return (Array.isArray(value) ? value : [value]).map((v) => toStr(v));
    case 'Int32':
      return tryConvert(() => toInteger(value, 32));
    case 'Int64':
      return tryConvert(() => toInteger(value, 64));
    case 'Boolean':
    case 'SwitchParameter': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      throw bindingError(
        `Cannot process argument transformation on parameter '${param.name}'. Cannot convert value "${typeNameOf(value)}" to type "${target}". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.`,
        'ParameterArgumentTransformationError',
        command,
        extent,
        {
          reason: 'ParameterBindingArgumentTransformationException',
          exceptionType: 'System.Management.Automation.ParameterBindingArgumentTransformationException',
        },
      );
    }
    case 'DateTime':
      return tryConvert(() => toDateTime(value));
    case 'Byte[]': {
      if (value instanceof Uint8Array) return value;
      const items = Array.isArray(value) ? value : [value];
      return tryConvert(() => Uint8Array.from(items.map((v) => toInteger(v, 8))));
    }
    case 'SecureString':
      if (value instanceof PSSecureString) return value;
      throw cannotConvert(null);
    case 'Hashtable':
      if (value instanceof PSHashtable) return value;
      if (Array.isArray(value) && value.length === 1 && value[0] instanceof PSHashtable) return value[0];
      throw cannotConvert(null);
    case 'Hashtable[]': {
      const items = Array.isArray(value) ? value : [value];
      if (items.every((v) => v instanceof PSHashtable)) return items;
      throw cannotConvert(null);
    }
    case 'ScriptBlock':
      if (isScriptBlock(value)) return value;
      throw cannotConvert(null);
    case 'PSCredential':
      if (value instanceof RuntimeObject && value.runtimeType === PS_CREDENTIAL) return value;
      if (typeof value === 'string') {
        // [Credential()] turns a user name into a password prompt; a -NonInteractive shell cannot show one.
        throw bindingError(
          `Cannot process argument transformation on parameter '${param.name}'. ${NON_INTERACTIVE_MESSAGE}`,
          'ParameterArgumentTransformationError',
          command,
          extent,
          {
            reason: 'ParameterBindingArgumentTransformationException',
            exceptionType: 'System.Management.Automation.ParameterBindingArgumentTransformationException',
          },
        );
      }
      throw cannotConvert(null);
  }
  if (value instanceof PSDateTime) return value;
  return value;
}
