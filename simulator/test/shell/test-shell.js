#!/usr/bin/env node
// Test launcher: the simulated shell's protocol loop (from dist/) over a small fake host with a few cmdlets, so the
// language can be tested through real node-powershell without the Exchange organisation.
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', '..', 'dist', 'shell');
const { runShell } = require(path.join(dist, 'main.js'));
const { PSDateTime, PSEnum, PSError, PSObject } = require(path.join(dist, 'types.js'));

const NOW = Date.UTC(2026, 10, 25, 6, 0, 0, 123);
const calls = [];

const cmdlets = [
  {
    name: 'Get-Widget',
    params: [
      { name: 'Name', type: 'String', position: 0 },
      { name: 'Count', type: 'Int32' },
      { name: 'Enabled', type: 'Boolean' },
      { name: 'Force', type: 'SwitchParameter' },
      { name: 'When', type: 'DateTime' },
      {
        name: 'Services',
        type: {
          enum: 'Microsoft.Exchange.Data.AllowedServices',
          values: ['None', 'IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'Federation', 'UMCallRouter'],
          flags: true,
        },
      },
      { name: 'Server', type: 'String' },
      { name: 'Subject', type: 'String' },
    ],
    invoke(args, ctx) {
      calls.push('Get-Widget');
      return [
        new PSObject('Deserialized.Contoso.Widget', {
          Name: args.Name ?? 'w1',
          Count: args.Count ?? 1,
          Enabled: args.Enabled ?? true,
          Force: args.Force,
          When: args.When ?? new PSDateTime(NOW, 'Local'),
          Services: args.Services ?? new PSEnum('Microsoft.Exchange.Data.AllowedServices', 18, 'IMAP, SMTP'),
          ComputerName: ctx.computerName,
        }),
      ];
    },
  },
  {
    name: 'Get-Mandatory',
    params: [{ name: 'Identity', type: 'String', mandatory: true }],
    invoke: (args) => [args.Identity],
  },
  {
    name: 'Wait-Forever',
    params: [],
    invoke: () => new Promise(() => undefined),
  },
  {
    name: 'Wait-Briefly',
    params: [{ name: 'Milliseconds', type: 'Int32', position: 0 }],
    invoke: (args) =>
      new Promise((resolve) => setTimeout(() => resolve([`waited ${args.Milliseconds}`]), args.Milliseconds)),
  },
  {
    name: 'Get-Missing',
    params: [{ name: 'Thumbprint', type: 'String' }],
    invoke(args) {
      throw new PSError(`The certificate with thumbprint ${args.Thumbprint} was not found.`, {
        category: 'ObjectNotFound',
        reason: 'ManagementObjectNotFoundException',
        exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
        errorId:
          '[Server=EX1,RequestId=1,TimeStamp=1] [FailureCategory=Cmdlet-ManagementObjectNotFoundException] 7F2B,Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeCertificate',
        targetObject: args.Thumbprint,
      });
    },
  },
  {
    name: 'Get-Calls',
    params: [],
    invoke: () => [calls.join(',')],
  },
];

const host = {
  cmdlets,
  now: () => new PSDateTime(NOW, 'Local'),
  async beforeCmdlet(name) {
    calls.push(`before:${name}`);
  },
};

runShell({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  host,
}).then((code) => process.stdout.write('', () => process.exit(code)));
