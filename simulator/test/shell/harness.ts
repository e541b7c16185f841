// In-process harness for the simulated shell's language: an Interpreter over a small fake host, with stdout and
// stderr captured as text.
import { BUILTIN_CMDLETS } from '../../shell/builtins';
import { Interpreter } from '../../shell/evaluator';
import {
  PSDateTime,
  PSEnum,
  PSError,
  PSObject,
  type CmdletSpec,
  type ExchangeHost,
  type PSValue,
} from '../../shell/types';
import { at, defined } from '../../invariant';

export const NOW_MS = Date.UTC(2026, 10, 25, 6, 0, 0, 123);
/** The computers the fake host's WinRM reaches. */
export const REMOTE_COMPUTERS = ['ex1.contoso.com', 'ex2.contoso.com'];

export const SERVICES = {
  enum: 'Microsoft.Exchange.Data.AllowedServices',
  values: ['None', 'IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'Federation', 'UMCallRouter'],
  flags: true,
};

export interface Harness {
  interpreter: Interpreter;
  /** Names passed to beforeCmdlet, in order. */
  before: string[];
  /** Arguments each fake cmdlet received. */
  received: Array<{ name: string; args: Record<string, PSValue>; computerName: string | null; input: PSValue[] }>;
  run(line: string): Promise<{ out: string; err: string }>;
}

export function createHarness(extra: CmdletSpec[] = []): Harness {
  let out = '';
  let err = '';
  const before: string[] = [];
  const received: Harness['received'] = [];
  const record =
    (name: string, result: (args: Record<string, PSValue>) => PSValue[]) =>
    (args: Record<string, PSValue>, ctx: { computerName: string | null; pipelineInput: PSValue[] }) => {
      received.push({ name, args, computerName: ctx.computerName, input: ctx.pipelineInput });
      return result(args);
    };
  const cmdlets: CmdletSpec[] = [
    {
      name: 'Get-Widget',
      params: [
        { name: 'Name', type: 'String', position: 0 },
        { name: 'Count', type: 'Int32' },
        { name: 'Size', type: 'Int64' },
        { name: 'Enabled', type: 'Boolean' },
        { name: 'Force', type: 'SwitchParameter' },
        { name: 'When', type: 'DateTime' },
        { name: 'Services', type: SERVICES },
        { name: 'Server', type: 'String' },
        { name: 'Subject', type: 'String' },
        { name: 'Tags', type: 'String[]' },
        { name: 'Data', type: 'Byte[]' },
        { name: 'Password', type: 'SecureString' },
        { name: 'Filter', type: 'Hashtable[]' },
        { name: 'Block', type: 'ScriptBlock' },
      ],
      invoke: record('Get-Widget', (args) => [
        new PSObject('Deserialized.Contoso.Widget', {
          Name: args.Name ?? 'w1',
          Count: args.Count ?? 1,
          When: args.When ?? new PSDateTime(NOW_MS, 'Local'),
          Services: args.Services ?? new PSEnum(SERVICES.enum, 17, 'IMAP, SMTP'),
        }),
      ]),
    },
    {
      name: 'Get-Mandatory',
      params: [
        { name: 'Identity', type: 'String', mandatory: true, position: 0 },
        { name: 'Other', type: 'String', mandatory: true },
      ],
      invoke: record('Get-Mandatory', (args) => [defined(args.Identity, 'mandatory Identity')]),
    },
    {
      name: 'Set-Thing',
      params: [
        { name: 'Identity', type: 'String', fromPipeline: true, position: 0 },
        { name: 'Value', type: 'Int32', position: 1 },
      ],
      invoke: record('Set-Thing', (args) => [`${String(args.Identity)}=${String(args.Value)}`]),
    },
    {
      name: 'Get-Missing',
      params: [{ name: 'Thumbprint', type: 'String' }],
      invoke(args) {
        throw new PSError(`The certificate with thumbprint ${String(args.Thumbprint)} was not found.`, {
          category: 'ObjectNotFound',
          reason: 'ManagementObjectNotFoundException',
          exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
          errorId: 'B5E3B3A5,Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeCertificate',
          targetObject: String(args.Thumbprint),
        });
      },
    },
    ...extra,
  ];
  const host: ExchangeHost = {
    cmdlets,
    now: () => new PSDateTime(NOW_MS, 'Local'),
    beforeCmdlet: async (name) => {
      before.push(name);
    },
    connectRemote: async (computer) => {
      if (REMOTE_COMPUTERS.includes(computer.toLowerCase())) return;
      throw new PSError(`Connecting to remote server ${computer} failed: WinRM cannot process the request.`, {
        category: 'OpenError',
        reason: 'PSRemotingTransportException',
        exceptionType: 'System.Management.Automation.Remoting.PSRemotingTransportException',
        errorId: 'NetworkPathNotFound,PSSessionStateBroken',
        targetObject: computer,
      });
    },
  };
  const interpreter = new Interpreter(
    host,
    {
      writeOut: (t) => {
        out += t;
      },
      writeErr: (t) => {
        err += t;
      },
    },
    BUILTIN_CMDLETS,
  );
  return {
    interpreter,
    before,
    received,
    async run(line) {
      out = '';
      err = '';
      await interpreter.runScript(line);
      return { out, err };
    },
  };
}

/** Runs `expression` and returns its value as ConvertTo-Json -Compress writes it, parsed back. */
/** The arguments of the last fake cmdlet call; none at all fails the test. */
export function lastArgs(h: Harness): Record<string, PSValue> {
  return at(h.received, h.received.length - 1, 'received call').args;
}

export async function jsonOf(h: Harness, expression: string, depth = 8): Promise<unknown> {
  const { out, err } = await h.run(`ConvertTo-Json -InputObject (${expression}) -Depth ${depth} -Compress`);
  if (err) throw new Error(err);
  return JSON.parse(out) as unknown;
}
