// The generic cmdlets of the simulated shell (Microsoft.PowerShell.Utility/Core/Security and the remoting set), with
// Microsoft's parameter names and types. Exchange cmdlets come from the organisation's host instead.
import type { BuiltinCmdlet, BuiltinContext } from './evaluator';
import { formatRecord } from './format';
import { convertFromJson, convertToJson } from './json';
import { culture, getMember } from './members';
import { NON_INTERACTIVE_MESSAGE } from './prompt';
import {
  PSError,
  PSHashtable,
  PSObject,
  PSSecureString,
  type CmdletContext,
  type PSDateTime,
  type PSValue,
} from './types';
import { enumerate, formatDateTime, isScriptBlock, isTrue, RuntimeObject, toStr, typeNameOf } from './values';
import { at, defined } from '../invariant';

const ctxOf = (ctx: CmdletContext) => ctx as BuiltinContext;

function cmdletError(
  message: string,
  command: string,
  commandType: string,
  details: { id: string; category: string; reason: string; exceptionType: string; target?: string },
): PSError {
  return new PSError(message, {
    category: details.category,
    reason: details.reason,
    exceptionType: details.exceptionType,
    errorId: `${details.id},${commandType}`,
    targetObject: details.target,
  });
}

function unwrap(values: PSValue[]): PSValue {
  return values.length === 0 ? null : values.length === 1 ? at(values, 0, 'value') : values;
}

function inputsOf(args: Record<string, PSValue>, ctx: CmdletContext, name = 'InputObject'): PSValue[] {
  return name in args ? [defined(args[name], `argument ${name}`)] : ctx.pipelineInput;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
}

function propertyNames(value: PSValue): string[] {
  if (value instanceof PSObject || value instanceof PSHashtable) return value.entries().map(([k]) => k);
  return [];
}

const SELECT_TYPE = 'Microsoft.PowerShell.Commands.SelectObjectCommand';

type Selector = { name: string; get: (obj: PSValue, ctx: CmdletContext) => Promise<PSValue> } | { pattern: RegExp };

function calculatedProperty(table: PSHashtable): Selector {
  let name: string | null = null;
  let expression: PSValue = null;
  for (const [key, value] of table.entries()) {
    const k = key.toLowerCase();
    const matches = ['name', 'label', 'expression'].filter((candidate) => candidate.startsWith(k));
    if (k === '' || matches.length !== 1) {
      throw cmdletError(`The "${key}" key is not valid.`, 'Select-Object', SELECT_TYPE, {
        id: 'DictionaryKeyIllegal',
        category: 'InvalidArgument',
        reason: 'NotSupportedException',
        exceptionType: 'System.NotSupportedException',
      });
    }
    if (matches[0] === 'expression') expression = value;
    else {
      if (name !== null) {
        throw cmdletError(`The "${key}" key has already been specified.`, 'Select-Object', SELECT_TYPE, {
          id: 'DictionaryKeySpecifiedAlready',
          category: 'InvalidArgument',
          reason: 'NotSupportedException',
          exceptionType: 'System.NotSupportedException',
        });
      }
      name = toStr(value);
    }
  }
  if (expression === null) {
    throw cmdletError('The "Expression" key is missing.', 'Select-Object', SELECT_TYPE, {
      id: 'DictionaryKeyMandatoryEntry',
      category: 'InvalidArgument',
      reason: 'NotSupportedException',
      exceptionType: 'System.NotSupportedException',
    });
  }
  const expr = expression;
  if (isScriptBlock(expr)) {
    return {
      name: name ?? expr.text,
      // PowerShell evaluates a property expression eating RuntimeExceptions (PSPropertyExpression.GetValue with
      // eatExceptions): a block that fails, e.g. a method called on a property that is not there, gives $null, silently.
      get: async (obj, ctx) => {
        try {
          return unwrap(await ctx.invokeScriptBlock(expr, [], obj));
        } catch (e) {
          if (e instanceof PSError) return null;
          throw e;
        }
      },
    };
  }
  const property = toStr(expr);
  return { name: name ?? property, get: async (obj) => getMember(obj, property) };
}

const selectObject: BuiltinCmdlet = {
  name: 'Select-Object',
  commandType: 'Microsoft.PowerShell.Commands.SelectObjectCommand',
  collectsPipeline: true,
  params: [
    { name: 'InputObject', type: 'Object' },
    { name: 'Property', type: 'Object[]', position: 0 },
    { name: 'ExcludeProperty', type: 'String[]' },
    { name: 'ExpandProperty', type: 'String' },
    { name: 'Unique', type: 'SwitchParameter' },
    { name: 'Last', type: 'Int32' },
    { name: 'First', type: 'Int32' },
    { name: 'Skip', type: 'Int32' },
  ],
  async invoke(args, ctx) {
    let inputs = inputsOf(args, ctx);
    if ('Skip' in args) inputs = inputs.slice(args.Skip as number);
    if ('First' in args) inputs = inputs.slice(0, Math.max(0, args.First as number));
    if ('Last' in args) inputs = (args.Last as number) <= 0 ? [] : inputs.slice(-(args.Last as number));
    const selectors: Selector[] = ((args.Property as PSValue[] | undefined) ?? []).map((p) =>
      p instanceof PSHashtable
        ? calculatedProperty(p)
        : toStr(p).includes('*') || toStr(p).includes('?')
          ? { pattern: wildcard(toStr(p)) }
          : { name: toStr(p), get: async (obj: PSValue) => getMember(obj, toStr(p)) },
    );
    const output: PSValue[] = [];
    for (const obj of inputs) {
      if (selectors.length === 0 && !('ExpandProperty' in args)) {
        output.push(obj);
        continue;
      }
      let result: PSValue = obj;
      if (selectors.length > 0) {
        const typeName = obj instanceof PSObject ? obj.typeNames[0] : typeNameOf(obj);
        const selected = new PSObject([
          `Selected.${typeName}`,
          'System.Management.Automation.PSCustomObject',
          'System.Object',
        ]);
        for (const selector of selectors) {
          if ('pattern' in selector) {
            for (const name of propertyNames(obj))
              if (selector.pattern.test(name)) selected.set(name, getMember(obj, name));
          } else selected.set(selector.name, await selector.get(obj, ctx));
        }
        const excluded = ((args.ExcludeProperty as string[] | undefined) ?? []).map(wildcard);
        const kept = new PSObject(selected.typeNames);
        for (const [k, v] of selected.entries()) if (!excluded.some((re) => re.test(k))) kept.set(k, v);
        result = kept;
      }
      if ('ExpandProperty' in args) {
        const name = args.ExpandProperty as string;
        const has =
          obj instanceof PSObject || obj instanceof PSHashtable ? obj.has(name) : getMember(obj, name) !== null;
        if (!has) {
          throw cmdletError(`Property "${name}" cannot be found.`, 'Select-Object', SELECT_TYPE, {
            id: 'ExpandPropertyNotFound',
            category: 'InvalidArgument',
            reason: 'PSArgumentException',
            exceptionType: 'System.Management.Automation.PSArgumentException',
            target: toStr(obj),
          });
        }
        output.push(...enumerate(getMember(obj, name)));
        continue;
      }
      output.push(result);
    }
    if (args.Unique === true) {
      const seen = new Set<string>();
      return output.filter((v) => {
        const key = `${typeNameOf(v)}:${toStr(v)}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    return output;
  },
};

const forEachObject: BuiltinCmdlet = {
  name: 'ForEach-Object',
  commandType: 'Microsoft.PowerShell.Commands.ForEachObjectCommand',
  collectsPipeline: true,
  params: [
    { name: 'InputObject', type: 'Object' },
    { name: 'Process', type: 'Object[]', position: 0 },
    { name: 'Begin', type: 'ScriptBlock' },
    { name: 'End', type: 'ScriptBlock' },
    { name: 'MemberName', type: 'String' },
  ],
  async invoke(args, ctx) {
    const output: PSValue[] = [];
    if (args.Begin)
      output.push(...(await ctxOf(ctx).interpreter.invokeInScope(args.Begin as never, undefined, ctxOf(ctx).scope)));
    const process = (args.Process as PSValue[] | undefined) ?? [];
    for (const obj of inputsOf(args, ctx)) {
      if ('MemberName' in args) {
        output.push(...enumerate(getMember(obj, args.MemberName as string)));
        continue;
      }
      for (const p of process) {
        if (isScriptBlock(p)) output.push(...(await ctxOf(ctx).interpreter.invokeInScope(p, obj, ctxOf(ctx).scope)));
        else output.push(...enumerate(getMember(obj, toStr(p))));
      }
    }
    if (args.End)
      output.push(...(await ctxOf(ctx).interpreter.invokeInScope(args.End as never, undefined, ctxOf(ctx).scope)));
    return output;
  },
};

const whereObject: BuiltinCmdlet = {
  name: 'Where-Object',
  commandType: 'Microsoft.PowerShell.Commands.WhereObjectCommand',
  collectsPipeline: true,
  params: [
    { name: 'InputObject', type: 'Object' },
    { name: 'FilterScript', type: 'ScriptBlock', position: 0, mandatory: true },
  ],
  async invoke(args, ctx) {
    const output: PSValue[] = [];
    for (const obj of inputsOf(args, ctx)) {
      if (isTrue(unwrap(await ctxOf(ctx).interpreter.invokeInScope(args.FilterScript as never, obj, ctxOf(ctx).scope))))
        output.push(obj);
    }
    return output;
  },
};

const convertToJsonCmdlet: BuiltinCmdlet = {
  name: 'ConvertTo-Json',
  commandType: 'Microsoft.PowerShell.Commands.ConvertToJsonCommand',
  collectsPipeline: true,
  params: [
    { name: 'InputObject', type: 'Object', position: 0 },
    { name: 'Depth', type: 'Int32' },
    { name: 'Compress', type: 'SwitchParameter' },
  ],
  invoke(args, ctx) {
    const depth = 'Depth' in args ? (args.Depth as number) : 2;
    // Like Windows PowerShell 5.1, a $null input is skipped rather than written as null.
    const inputs = ('InputObject' in args ? [args.InputObject] : ctx.pipelineInput).filter((v) => v !== null);
    if (inputs.length === 0) return [];
    // A single input object is written as itself, several as an array.
    return [convertToJson(inputs.length === 1 ? at(inputs, 0, 'input') : inputs, depth, args.Compress === true)];
  },
};

const convertFromJsonCmdlet: BuiltinCmdlet = {
  name: 'ConvertFrom-Json',
  commandType: 'Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
  collectsPipeline: true,
  params: [{ name: 'InputObject', type: 'String', position: 0 }],
  invoke(args, ctx) {
    const text =
      'InputObject' in args ? (args.InputObject as string) : ctx.pipelineInput.map((v) => toStr(v)).join('\n');
    try {
      return enumerate(convertFromJson(text));
    } catch (e) {
      throw cmdletError(
        `Invalid JSON primitive: ${text.slice(0, 20)}.`,
        'ConvertFrom-Json',
        'Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
        {
          id: 'System.ArgumentException',
          category: 'NotSpecified',
          reason: 'ArgumentException',
          exceptionType: 'System.ArgumentException',
        },
      );
      void e;
    }
  },
};

const outNull: BuiltinCmdlet = {
  name: 'Out-Null',
  commandType: 'Microsoft.PowerShell.Commands.OutNullCommand',
  collectsPipeline: true,
  params: [{ name: 'InputObject', type: 'Object' }],
  invoke: () => [],
};

const outString: BuiltinCmdlet = {
  name: 'Out-String',
  commandType: 'Microsoft.PowerShell.Commands.OutStringCommand',
  collectsPipeline: true,
  params: [
    { name: 'InputObject', type: 'Object' },
    { name: 'Stream', type: 'SwitchParameter' },
    { name: 'Width', type: 'Int32' },
  ],
  invoke(args, ctx) {
    const lines = inputsOf(args, ctx).flatMap((v) => formatRecord(v));
    return [lines.map((l) => `${l}\r\n`).join('')];
  },
};

const writeOutput: BuiltinCmdlet = {
  name: 'Write-Output',
  commandType: 'Microsoft.PowerShell.Commands.WriteOutputCommand',
  collectsPipeline: true,
  params: [
    { name: 'InputObject', type: 'Object[]', position: 0 },
    { name: 'NoEnumerate', type: 'SwitchParameter' },
  ],
  invoke(args, ctx) {
    if (!('InputObject' in args)) return ctx.pipelineInput;
    const value = args.InputObject as PSValue[];
    return args.NoEnumerate === true ? [value] : value;
  },
};

const writeHost: BuiltinCmdlet = {
  name: 'Write-Host',
  commandType: 'Microsoft.PowerShell.Commands.WriteHostCommand',
  collectsPipeline: true,
  params: [
    { name: 'Object', type: 'Object', position: 0 },
    { name: 'NoNewline', type: 'SwitchParameter' },
    { name: 'Separator', type: 'Object' },
    { name: 'ForegroundColor', type: 'String' },
    { name: 'BackgroundColor', type: 'String' },
  ],
  invoke(args, ctx) {
    const values = 'Object' in args ? enumerate(args.Object) : ctx.pipelineInput;
    const separator = 'Separator' in args ? toStr(args.Separator) : ' ';
    ctxOf(ctx).interpreter.io.writeOut(
      values.map((v) => toStr(v)).join(separator) + (args.NoNewline === true ? '' : '\n'),
    );
    return [];
  },
};

const writeError: BuiltinCmdlet = {
  name: 'Write-Error',
  commandType: 'Microsoft.PowerShell.Commands.WriteErrorCommand',
  params: [
    { name: 'Message', type: 'String', position: 0, mandatory: true },
    { name: 'Category', type: 'String' },
    { name: 'ErrorId', type: 'String' },
    { name: 'TargetObject', type: 'Object' },
  ],
  invoke(args) {
    throw new PSError(args.Message as string, {
      category: (args.Category as string | undefined) ?? 'NotSpecified',
      reason: 'WriteErrorException',
      exceptionType: 'Microsoft.PowerShell.Commands.WriteErrorException',
      errorId: `${(args.ErrorId as string | undefined) ?? 'Microsoft.PowerShell.Commands.WriteErrorException'}`,
      targetObject:
        args.TargetObject === undefined || args.TargetObject === null ? undefined : toStr(args.TargetObject),
    });
  },
};

const getDate: BuiltinCmdlet = {
  name: 'Get-Date',
  commandType: 'Microsoft.PowerShell.Commands.GetDateCommand',
  params: [
    { name: 'Date', type: 'DateTime', position: 0, fromPipeline: true },
    { name: 'Format', type: 'String' },
    { name: 'UFormat', type: 'String' },
  ],
  invoke(args, ctx) {
    const date = (args.Date as PSDateTime | undefined) ?? ctx.now();
    if ('Format' in args) return [formatDateTime(date, args.Format as string)];
    return [date];
  },
};

const convertToSecureString: BuiltinCmdlet = {
  name: 'ConvertTo-SecureString',
  commandType: 'Microsoft.PowerShell.Commands.ConvertToSecureStringCommand',
  params: [
    { name: 'String', type: 'String', position: 0, mandatory: true, fromPipeline: true },
    { name: 'AsPlainText', type: 'SwitchParameter', position: 1 },
    { name: 'Force', type: 'SwitchParameter', position: 2 },
    { name: 'SecureKey', type: 'SecureString' },
    { name: 'Key', type: 'Byte[]' },
  ],
  invoke(args) {
    const type = 'Microsoft.PowerShell.Commands.ConvertToSecureStringCommand';
    if (args.AsPlainText !== true) {
      throw cmdletError('Input string was not in a correct format.', 'ConvertTo-SecureString', type, {
        id: 'ImportSecureString_InvalidArgument_CryptographicError',
        category: 'InvalidArgument',
        reason: 'CryptographicException',
        exceptionType: 'System.Security.Cryptography.CryptographicException',
      });
    }
    if (args.Force !== true) {
      throw cmdletError(
        'The system cannot protect plain text input. To suppress this warning and convert the plain text to a SecureString, reissue the command specifying the Force parameter. For more information ,type: get-help ConvertTo-SecureString.',
        'ConvertTo-SecureString',
        type,
        {
          id: 'ImportSecureString_InvalidArgument',
          category: 'InvalidArgument',
          reason: 'ArgumentException',
          exceptionType: 'System.ArgumentException',
        },
      );
    }
    return [new PSSecureString(args.String as string)];
  },
};

const KNOWN_MODULES = [
  'WebAdministration',
  'Microsoft.PowerShell.Utility',
  'Microsoft.PowerShell.Management',
  'Microsoft.PowerShell.Security',
  'ServerManager',
];

const importModule: BuiltinCmdlet = {
  name: 'Import-Module',
  commandType: 'Microsoft.PowerShell.Commands.ImportModuleCommand',
  params: [
    { name: 'Name', type: 'String[]', position: 0, mandatory: true },
    { name: 'Force', type: 'SwitchParameter' },
    { name: 'Global', type: 'SwitchParameter' },
    { name: 'PassThru', type: 'SwitchParameter' },
    { name: 'DisableNameChecking', type: 'SwitchParameter' },
    { name: 'Prefix', type: 'String' },
  ],
  invoke(args) {
    for (const name of args.Name as string[]) {
      if (!KNOWN_MODULES.some((m) => m.toLowerCase() === name.toLowerCase())) {
        throw cmdletError(
          `The specified module '${name}' was not loaded because no valid module file was found in any module directory.`,
          'Import-Module',
          'Microsoft.PowerShell.Commands.ImportModuleCommand',
          {
            id: 'Modules_ModuleNotFound',
            category: 'ResourceUnavailable',
            reason: 'FileNotFoundException',
            exceptionType: 'System.IO.FileNotFoundException',
            target: name,
          },
        );
      }
    }
    return [];
  },
};

const KNOWN_SNAPINS = [
  'Microsoft.Exchange.Management.PowerShell.SnapIn',
  'Microsoft.Exchange.Management.PowerShell.E2010',
];

const addPSSnapin: BuiltinCmdlet = {
  name: 'Add-PSSnapin',
  commandType: 'Microsoft.PowerShell.Commands.AddPSSnapinCommand',
  params: [
    { name: 'Name', type: 'String[]', position: 0, mandatory: true },
    { name: 'PassThru', type: 'SwitchParameter' },
  ],
  invoke(args) {
    for (const name of args.Name as string[]) {
      if (!KNOWN_SNAPINS.some((m) => m.toLowerCase() === name.toLowerCase())) {
        throw cmdletError(
          `The Windows PowerShell snap-in '${name}' is not installed on this computer.`,
          'Add-PSSnapin',
          'Microsoft.PowerShell.Commands.AddPSSnapinCommand',
          {
            id: 'AddPSSnapInRead',
            category: 'InvalidArgument',
            reason: 'PSArgumentException',
            exceptionType: 'System.Management.Automation.PSArgumentException',
            target: name,
          },
        );
      }
    }
    return [];
  },
};

let sessionCounter = 0;
const PS_SESSION = 'System.Management.Automation.Runspaces.PSSession';
const isSession = (v: PSValue | undefined): v is RuntimeObject =>
  v instanceof RuntimeObject && v.runtimeType === PS_SESSION;

const newPSSession: BuiltinCmdlet = {
  name: 'New-PSSession',
  commandType: 'Microsoft.PowerShell.Commands.NewPSSessionCommand',
  params: [
    { name: 'ComputerName', type: 'String[]', position: 0, aliases: ['Cn'] },
    { name: 'ConnectionUri', type: 'String[]', aliases: ['URI', 'CU'] },
    { name: 'ConfigurationName', type: 'String' },
    {
      name: 'Authentication',
      type: {
        enum: 'System.Management.Automation.Runspaces.AuthenticationMechanism',
        values: ['Default', 'Basic', 'Negotiate', 'NegotiateWithImplicitCredential', 'Credssp', 'Digest', 'Kerberos'],
      },
    },
    { name: 'Credential', type: 'PSCredential' },
    { name: 'SessionOption', type: 'Object' },
    { name: 'AllowRedirection', type: 'SwitchParameter' },
    { name: 'Name', type: 'String[]' },
    { name: 'UseSSL', type: 'SwitchParameter' },
  ],
  invoke(args, ctx) {
    const uri = ((args.ConnectionUri as string[] | undefined) ?? [])[0];
    const [computerName = 'localhost'] = (args.ComputerName as string[] | undefined) ?? [];
    const computer = uri ? (/^[a-z]+:\/\/([^/:]+)/i.exec(uri)?.[1] ?? uri) : computerName;
    return [openSession(ctx, computer, (args.ConfigurationName as string | undefined) ?? 'Microsoft.PowerShell')];
  },
};

function openSession(ctx: CmdletContext, computer: string, configurationName: string): RuntimeObject {
  sessionCounter++;
  const session = new RuntimeObject(
    PS_SESSION,
    {
      Id: sessionCounter,
      Name: `Session${sessionCounter}`,
      ComputerName: computer,
      ConfigurationName: configurationName,
      State: 'Opened',
      Availability: 'Available',
    },
    {},
    `[PSSession]Session${sessionCounter}`,
  );
  ctxOf(ctx).interpreter.remoteSessions.push(session);
  return session;
}

/**
 * Connect-ExchangeServer, the function RemoteExchange.ps1 defines (the Exchange Management Shell shortcut runs
 * `. '<ExchangeInstallPath>\bin\RemoteExchange.ps1'; Connect-ExchangeServer -auto -ClientApplication:ManagementShell`):
 * it opens the implicit-remoting session to an Exchange server, -Auto choosing the local one, and imports its
 * commands. Without a server or -Auto it would prompt for one, which a non-interactive shell refuses.
 */
const connectExchangeServer: BuiltinCmdlet = {
  name: 'Connect-ExchangeServer',
  definedBy: { root: 'ExchangeInstallPath', path: 'bin\\RemoteExchange.ps1' },
  params: [
    { name: 'ServerFqdn', type: 'String', position: 0 },
    { name: 'Auto', type: 'SwitchParameter' },
    { name: 'Prompt', type: 'SwitchParameter' },
    { name: 'UserName', type: 'String' },
    { name: 'Forest', type: 'String' },
    { name: 'ClientApplication', type: 'String' },
    { name: 'AllowClobber', type: 'SwitchParameter' },
  ],
  invoke(args, ctx) {
    const server = args.ServerFqdn as string | undefined;
    if (!server && args.Auto !== true) {
      throw new PSError(NON_INTERACTIVE_MESSAGE, {
        category: 'InvalidOperation',
        reason: 'PSInvalidOperationException',
        exceptionType: 'System.Management.Automation.PSInvalidOperationException',
        errorId: 'System.Management.Automation.PSInvalidOperationException',
      });
    }
    openSession(ctx, server ?? 'localhost', 'Microsoft.Exchange');
    return [];
  },
};

function cultureArgument(value: PSValue | undefined, parameter: string): PSValue {
  if (value === undefined) return null;
  const name = toStr(value);
  try {
    Intl.getCanonicalLocales(name);
  } catch {
    throw cmdletError(
      `Cannot bind parameter '${parameter}'. Cannot convert value "${name}" to type "System.Globalization.CultureInfo". Error: "Culture is not supported.${'\r\n'}Parameter name: name${'\r\n'}${name} is an invalid culture identifier."`,
      'New-PSSessionOption',
      'Microsoft.PowerShell.Commands.NewPSSessionOptionCommand',
      {
        id: 'CannotConvertArgumentNoMessage',
        category: 'InvalidArgument',
        reason: 'ParameterBindingException',
        exceptionType: 'System.Management.Automation.ParameterBindingException',
      },
    );
  }
  return culture(name);
}

const newPSSessionOption: BuiltinCmdlet = {
  name: 'New-PSSessionOption',
  commandType: 'Microsoft.PowerShell.Commands.NewPSSessionOptionCommand',
  params: [
    { name: 'Culture', type: 'String' },
    { name: 'UICulture', type: 'String' },
    { name: 'IdleTimeout', type: 'Int32' },
    { name: 'OperationTimeout', type: 'Int32' },
    { name: 'SkipCACheck', type: 'SwitchParameter' },
    { name: 'SkipCNCheck', type: 'SwitchParameter' },
  ],
  invoke(args) {
    // The remote runspace takes its culture from these; null means the client's culture at connection time.
    return [
      new RuntimeObject(
        'System.Management.Automation.Remoting.PSSessionOption',
        {
          Culture: cultureArgument(args.Culture, 'Culture'),
          UICulture: cultureArgument(args.UICulture, 'UICulture'),
          IdleTimeout: 'IdleTimeout' in args ? args.IdleTimeout : -1,
          OperationTimeout: 'OperationTimeout' in args ? args.OperationTimeout : 180000,
          SkipCACheck: args.SkipCACheck === true,
          SkipCNCheck: args.SkipCNCheck === true,
        },
        {},
        'System.Management.Automation.Remoting.PSSessionOption',
      ),
    ];
  },
};

const getPSSession: BuiltinCmdlet = {
  name: 'Get-PSSession',
  commandType: 'Microsoft.PowerShell.Commands.GetPSSessionCommand',
  params: [
    { name: 'Name', type: 'String[]' },
    { name: 'Id', type: 'Int32' },
  ],
  invoke(args, ctx) {
    const names = (args.Name as string[] | undefined)?.map(wildcard);
    // Removed sessions leave the list, as in PowerShell; closed or broken ones stay until removed.
    return ctxOf(ctx).interpreter.remoteSessions.filter(
      (s) =>
        (!names || names.some((re) => re.test(toStr(s.get('Name'))))) && (!('Id' in args) || s.get('Id') === args.Id),
    );
  },
};

const importPSSession: BuiltinCmdlet = {
  name: 'Import-PSSession',
  commandType: 'Microsoft.PowerShell.Commands.ImportPSSessionCommand',
  params: [
    { name: 'Session', type: 'Object', position: 0, mandatory: true },
    { name: 'CommandName', type: 'String[]', position: 1, aliases: ['Name'] },
    { name: 'DisableNameChecking', type: 'SwitchParameter' },
    { name: 'AllowClobber', type: 'SwitchParameter' },
    { name: 'Prefix', type: 'String' },
    { name: 'FormatTypeName', type: 'String[]' },
  ],
  invoke(args) {
    const session = args.Session;
    if (!isSession(session)) {
      throw cmdletError(
        `Cannot bind parameter 'Session'. Cannot convert the "${toStr(session)}" value of type "${typeNameOf(session)}" to type "System.Management.Automation.Runspaces.PSSession".`,
        'Import-PSSession',
        'Microsoft.PowerShell.Commands.ImportPSSessionCommand',
        {
          id: 'CannotConvertArgumentNoMessage',
          category: 'InvalidArgument',
          reason: 'ParameterBindingException',
          exceptionType: 'System.Management.Automation.ParameterBindingException',
        },
      );
    }
    return [
      new RuntimeObject(
        'System.Management.Automation.PSModuleInfo',
        { Name: 'tmp_exchange.simulated', ModuleType: 'Script', Version: '1.0' },
        {},
        'tmp_exchange.simulated',
      ),
    ];
  },
};

const removePSSession: BuiltinCmdlet = {
  name: 'Remove-PSSession',
  commandType: 'Microsoft.PowerShell.Commands.RemovePSSessionCommand',
  params: [{ name: 'Session', type: 'Object[]', position: 0, fromPipeline: true }],
  invoke(args, ctx) {
    const sessions = ctxOf(ctx).interpreter.remoteSessions;
    for (const session of enumerate(args.Session ?? null)) {
      if (!isSession(session)) continue;
      // Closes the runspace on the server; the variable that held it now sees State Closed.
      session.set('State', 'Closed');
      session.set('Availability', 'None');
      const i = sessions.indexOf(session);
      if (i >= 0) sessions.splice(i, 1);
    }
    return [];
  },
};

function withComputerName(value: PSValue, computer: string): PSValue {
  if (!(value instanceof PSObject) || value instanceof RuntimeObject) return value;
  const copy = new PSObject(value.typeNames.map((t) => (t.startsWith('Deserialized.') ? t : `Deserialized.${t}`)));
  for (const [k, v] of value.entries()) copy.set(k, v);
  copy.set('PSComputerName', computer);
  copy.set('RunspaceId', '5c1b1a4e-0000-4000-8000-000000000000');
  copy.set('PSShowComputerName', true);
  return copy;
}

const invokeCommand: BuiltinCmdlet = {
  name: 'Invoke-Command',
  commandType: 'Microsoft.PowerShell.Commands.InvokeCommandCommand',
  collectsPipeline: true,
  params: [
    { name: 'ComputerName', type: 'String[]', position: 0, aliases: ['Cn'] },
    { name: 'ScriptBlock', type: 'ScriptBlock', position: 1, mandatory: true, aliases: ['Command'] },
    { name: 'ArgumentList', type: 'Object[]', aliases: ['Args'] },
    { name: 'Credential', type: 'PSCredential' },
    { name: 'Session', type: 'Object[]' },
    { name: 'InputObject', type: 'Object' },
    { name: 'Authentication', type: 'String' },
    { name: 'HideComputerName', type: 'SwitchParameter' },
    { name: 'ThrottleLimit', type: 'Int32' },
  ],
  async invoke(args, ctx) {
    const c = ctxOf(ctx);
    // A computer that cannot be reached, or whose block fails, is a non-terminating error of that computer: with
    // -ErrorAction SilentlyContinue (or Ignore) the others still answer. Otherwise the session's 'Stop' makes it end
    // the command, as before.
    const silently = /^(SilentlyContinue|Ignore)$/i.test(toStr((args.ErrorAction as PSValue | undefined) ?? ''));
    const block = args.ScriptBlock as never;
    const argumentList = (args.ArgumentList as PSValue[] | undefined) ?? [];
    const sessions = (args.Session as PSValue[] | undefined) ?? [];
    const computers =
      (args.ComputerName as string[] | undefined) ?? sessions.map((s) => toStr(getMember(s, 'ComputerName')));
    if (computers.length === 0)
      return c.interpreter.invokeScriptBlock(block, argumentList, undefined, c.scope, ctx.pipelineInput);
    const closed = sessions.find((s) => isSession(s) && s.get('State') !== 'Opened');
    if (closed) {
      const name = toStr(getMember(closed, 'Name'));
      throw cmdletError(
        `Because the session state for session ${name}, ${toStr(getMember(closed, 'ComputerName'))} is not equal to Open, you cannot run a command in the session.  The session state is ${toStr(getMember(closed, 'State'))}.`,
        'Invoke-Command',
        'Microsoft.PowerShell.Commands.InvokeCommandCommand',
        {
          id: 'InvokeCommandCommandInvalidSessionState',
          category: 'InvalidOperation',
          reason: 'InvalidRunspaceStateException',
          exceptionType: 'System.Management.Automation.Runspaces.InvalidRunspaceStateException',
          target: name,
        },
      );
    }
    const output: PSValue[] = [];
    for (const computer of computers) {
      let results: PSValue[];
      try {
        const remote = await c.interpreter.remoteScope(computer, c.scope);
        results = await c.interpreter.invokeScriptBlock(
          block,
          argumentList,
          undefined,
          remote,
          ctx.pipelineInput,
          computer,
        );
      } catch (error) {
        if (silently && error instanceof PSError) continue;
        throw error;
      }
      output.push(...results.map((r) => (args.HideComputerName === true ? r : withComputerName(r, computer))));
    }
    return output;
  },
};

const newObject: BuiltinCmdlet = {
  name: 'New-Object',
  commandType: 'Microsoft.PowerShell.Commands.NewObjectCommand',
  params: [
    { name: 'TypeName', type: 'String', position: 0, mandatory: true },
    { name: 'ArgumentList', type: 'Object[]', position: 1, aliases: ['Args'] },
    { name: 'Property', type: 'Hashtable' },
  ],
  invoke(args) {
    const type = (args.TypeName as string).toLowerCase().replace(/^system\./, '');
    const list = (args.ArgumentList as PSValue[] | undefined) ?? [];
    if (type === 'management.automation.pscredential' || type === 'pscredential') {
      if (list.length === 2 && (list[0] === null || toStr(list[0]) === '')) {
        throw cmdletError(
          'Exception calling ".ctor" with "2" argument(s): "Cannot process argument because the value of argument "userName" is not valid. Change the value of the "userName" argument and run the operation again."',
          'New-Object',
          'Microsoft.PowerShell.Commands.NewObjectCommand',
          {
            id: 'ConstructorInvokedThrowException',
            category: 'InvalidOperation',
            reason: 'MethodInvocationException',
            exceptionType: 'System.Management.Automation.MethodInvocationException',
          },
        );
      }
      if (list.length !== 2 || !(list[1] instanceof PSSecureString)) {
        throw cmdletError(
          `Cannot find an overload for "PSCredential" and the argument count: "${list.length}".`,
          'New-Object',
          'Microsoft.PowerShell.Commands.NewObjectCommand',
          {
            id: 'ConstructorInvokedThrowException',
            category: 'InvalidOperation',
            reason: 'MethodException',
            exceptionType: 'System.Management.Automation.MethodException',
          },
        );
      }
      return [
        new RuntimeObject(
          'System.Management.Automation.PSCredential',
          { UserName: toStr(list[0]), Password: list[1] },
          {},
          'System.Management.Automation.PSCredential',
        ),
      ];
    }
    if (type === 'psobject' || type === 'management.automation.psobject' || type === 'object') {
      const obj = new PSObject('System.Management.Automation.PSCustomObject');
      for (const [k, v] of (args.Property as PSHashtable | undefined)?.entries() ?? []) obj.set(k, v);
      return [obj];
    }
    if (type === 'collections.hashtable' || type === 'hashtable') return [new PSHashtable()];
    throw cmdletError(
      `Cannot find type [${args.TypeName as string}]: verify that the assembly containing this type is loaded.`,
      'New-Object',
      'Microsoft.PowerShell.Commands.NewObjectCommand',
      {
        id: 'TypeNotFound',
        category: 'InvalidType',
        reason: 'PSArgumentException',
        exceptionType: 'System.Management.Automation.PSArgumentException',
      },
    );
  },
};

export const BUILTIN_CMDLETS: BuiltinCmdlet[] = [
  selectObject,
  forEachObject,
  whereObject,
  convertToJsonCmdlet,
  convertFromJsonCmdlet,
  outNull,
  outString,
  writeOutput,
  writeHost,
  writeError,
  getDate,
  convertToSecureString,
  importModule,
  addPSSnapin,
  newPSSessionOption,
  newPSSession,
  connectExchangeServer,
  getPSSession,
  importPSSession,
  removePSSession,
  invokeCommand,
  newObject,
];
