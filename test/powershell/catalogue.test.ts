import fs from 'node:fs';
import path from 'node:path';
import {
  CMDLET_NAMES,
  SCRIPT_BLOCKS,
  VARIABLES,
  renderCertificateCopy,
  renderClockReading,
  renderCommand,
  renderEnvelope,
  renderPipeline,
} from '../../activities/powershell/catalogue';
import {
  CERTIFICATE_PROPERTIES,
  EVENT_PROPERTIES,
  WORKER_PROCESS_PROPERTIES,
} from '../../activities/powershell/client';
import { CatalogueError } from '../../activities/powershell/errors';
import { PsAbsoluteDate, PsHashtable, PsScriptBlock, PsVariable } from '../../activities/powershell/render';
import { nth } from '../helpers/present';

const T = 'A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0';
const dialect = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'powershell-dialect.md'), 'utf8');
/** The example calls of the dialect doc, with its elided thumbprints and base64 made concrete. */
/** The part of `text` after the `n`th `separator`; a doc without it fails the tests. */
const after = (text: string, separator: string, n = 1) => nth(text.split(separator), n, `part after ${separator}`);
const docExamples = after(after(dialect, 'Example calls (all one line in reality):'), '```')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => l.replace(/'A1B2\.\.\.'/g, `'${T}'`).replace(/'MIIK\.\.\.'/g, "'MIIK'"));

describe('the dialect document examples are rendered exactly', () => {
  const rendered = [
    renderPipeline(
      renderCommand('Get-ExchangeCertificate', { Server: 'ex1.contoso.com', Thumbprint: T }),
      CERTIFICATE_PROPERTIES,
    ),
    renderCommand('Set-AuthConfig', {
      NewCertificateThumbprint: T,
      NewCertificateEffectiveDate: new PsAbsoluteDate('2026-11-27T06:00:00Z'),
      Force: true,
    }),
    renderCommand('Set-AuthConfig', { PublishCertificate: true, Force: true }),
    renderCommand('New-ExchangeCertificate', {
      KeySize: 2048,
      PrivateKeyExportable: true,
      SubjectName: 'cn=Microsoft Exchange Server Auth Certificate',
      FriendlyName: 'Microsoft Exchange Server Auth Certificate',
      DomainName: [],
      Services: 'None',
      Server: 'ex1.contoso.com',
    }),
    renderPipeline(
      renderCommand('Get-WinEvent', {
        ComputerName: 'ex1.contoso.com',
        FilterHashtable: PsHashtable.of({
          LogName: 'Application',
          ProviderName: 'MSExchange AuthAdmin',
          Id: 2014,
          StartTime: new PsAbsoluteDate('2026-11-25T00:00:00Z'),
        }),
        MaxEvents: 20,
      }),
      EVENT_PROPERTIES,
    ),
    renderCommand('Invoke-Command', {
      ComputerName: 'ex1.contoso.com',
      ScriptBlock: SCRIPT_BLOCKS.restartWebAppPool,
      ArgumentList: 'MSExchangeOWAAppPool',
    }),
    renderCommand('Invoke-Command', {
      ComputerName: 'ex1.contoso.com',
      ScriptBlock: SCRIPT_BLOCKS.restartService,
      ArgumentList: 'MSExchangeServiceHost',
    }),
    renderPipeline(
      renderCommand('Invoke-Command', {
        ComputerName: 'ex1.contoso.com',
        ScriptBlock: SCRIPT_BLOCKS.getWebAppPoolState,
        ArgumentList: 'MSExchangeOWAAppPool',
      }),
      ['Value'],
    ),
    renderPipeline(
      renderCommand('Invoke-Command', {
        ComputerName: 'ex1.contoso.com',
        ScriptBlock: SCRIPT_BLOCKS.getWorkerProcesses,
      }),
      WORKER_PROCESS_PROPERTIES,
    ),
    renderPipeline(renderCertificateCopy('ex1.contoso.com', T, 'ex9.fabrikam.com'), CERTIFICATE_PROPERTIES),
    renderClockReading('ex1.contoso.com'),
    renderPipeline(
      renderCommand('Invoke-Command', {
        ComputerName: 'ex1.contoso.com',
        ScriptBlock: SCRIPT_BLOCKS.getAuthAdminEvents,
        ArgumentList: new PsAbsoluteDate('2026-11-25T00:00:00Z'),
      }),
      EVENT_PROPERTIES,
    ),
    renderPipeline(
      renderCommand('Invoke-Command', {
        ComputerName: 'ex1.contoso.com',
        ScriptBlock: SCRIPT_BLOCKS.getDefaultWebSiteBindings,
      }),
      ['certificateHash'],
    ),
    renderPipeline(
      renderCommand('Invoke-Command', {
        ComputerName: 'ex1.contoso.com',
        ScriptBlock: SCRIPT_BLOCKS.newSelfSignedAuthCertificate,
        ArgumentList: new PsAbsoluteDate('2027-11-25T00:00:00Z'),
      }),
      ['Thumbprint'],
    ),
  ];

  test('the doc has as many examples as we render', () => {
    expect(docExamples).toHaveLength(rendered.length);
  });
  // The doc's Get-WinEvent example writes bare hashtable keys; its renderer rules say keys are rendered as strings,
  // which is what the renderer does. Both are the same hashtable in PowerShell.
  const quoteKeys = (line: string) =>
    line.includes('-FilterHashtable')
      ? line.replace(/-FilterHashtable @\{[^}]*\}/, (h) => h.replace(/(@\{ |; )(\w+) = /g, "$1'$2' = "))
      : line;
  test.each(rendered.map((r, i) => [i, r]))('example %d', (i, r) => {
    expect(r).toBe(quoteKeys(nth(docExamples, i as number, 'doc example')));
  });

  test('the envelope is the per-call form of the doc', () => {
    const form = after(after(dialect, '## Per-call form'), '```').trim();
    expect(renderEnvelope('<pipeline>')).toBe(form);
  });
});

describe('nothing outside the catalogue renders', () => {
  test.each([
    ['unknown cmdlet', () => renderCommand('Remove-Item' as never, {})],
    ['unknown parameter', () => renderCommand('Get-AuthConfig', { Identity: 'x' } as never)],
    ['prototype key as cmdlet', () => renderCommand('constructor' as never, {})],
    ['prototype key as parameter', () => renderCommand('Get-AuthConfig', { toString: 'x' } as never)],
    ['string for Int32', () => renderCommand('New-ExchangeCertificate', { KeySize: '2048' })],
    ['fraction for Int32', () => renderCommand('New-ExchangeCertificate', { KeySize: 2048.5 })],
    ['Int32 out of range', () => renderCommand('New-ExchangeCertificate', { KeySize: 2 ** 31 })],
    ['string for Boolean', () => renderCommand('New-ExchangeCertificate', { PrivateKeyExportable: 'true' })],
    ['string for switch', () => renderCommand('Set-AuthConfig', { Force: '$true' } as never)],
    ['string for DateTime', () => renderCommand('Set-AuthConfig', { NewCertificateEffectiveDate: '2026-01-01' })],
    ['string for SecureString', () => renderCommand('Export-ExchangeCertificate', { Password: 'p@ss' })],
    ['string for Byte[]', () => renderCommand('Import-ExchangeCertificate', { FileData: 'MIIK' })],
    ['number in String[]', () => renderCommand('New-ExchangeCertificate', { DomainName: [1] as never })],
    ['unknown enum value', () => renderCommand('New-ExchangeCertificate', { Services: 'Everything' })],
    ['enum injection', () => renderCommand('New-ExchangeCertificate', { Services: "None'; Remove-Item x; '" })],
    ['two values for a non-flags enum', () => renderCommand('Test-OAuthConnectivity', { Service: ['EWS', 'AutoD'] })],
    ['string for ScriptBlock', () => renderCommand('Invoke-Command', { ScriptBlock: 'Remove-Item x' })],
    ['string for PSCredential', () => renderCommand('Invoke-Command', { Credential: 'admin' })],
    ['non-finite number', () => renderCommand('Get-WinEvent', { MaxEvents: Infinity })],
    ['object for Hashtable[]', () => renderCommand('Get-WinEvent', { FilterHashtable: { a: 1 } as never })],
    [
      'a script block made up by the caller',
      () => renderCommand('Invoke-Command', { ScriptBlock: new PsScriptBlock('Remove-Item -Path C:\\ -Recurse') }),
    ],
    [
      'a variable made up by the caller',
      () => renderCommand('Get-ExchangeCertificate', { Server: new PsVariable('x') }),
    ],
    [
      'a made-up variable with the name of a catalogue one',
      () => renderCommand('Invoke-Command', { ComputerName: 'ex1', Credential: new PsVariable('cred') }),
    ],
    [
      'a made-up variable inside an argument list',
      () => renderCommand('Invoke-Command', { ArgumentList: [new PsVariable('env:PATH')] }),
    ],
    [
      'a made-up variable inside a hashtable',
      () => renderCommand('Get-WinEvent', { FilterHashtable: PsHashtable.of({ LogName: new PsVariable('x') }) }),
    ],
    ['hostile property name', () => renderPipeline('Get-Date', ["x'; Remove-Item y; '"])],
    ['hostile calculated property source', () => renderPipeline('Get-Date', [{ name: 'a', isoDateOf: 'b.c()' }])],
  ])('%s', (_name, f) => {
    expect(f).toThrow(CatalogueError);
  });

  test("the catalogue's own variables and script blocks render", () => {
    expect(
      renderCommand('Invoke-Command', {
        ComputerName: 'ex1',
        ScriptBlock: SCRIPT_BLOCKS.restartService,
        ArgumentList: 'MSExchangeServiceHost',
        Credential: VARIABLES.credential,
      }),
    ).toBe(
      "Invoke-Command -ComputerName 'ex1' -ScriptBlock { param($name) Restart-Service -Name $name -Force } -ArgumentList 'MSExchangeServiceHost' -Credential $cred",
    );
  });

  test('undefined parameters are left out; false switches are explicit', () => {
    expect(renderCommand('Set-AuthConfig', { PublishCertificate: true, Force: undefined })).toBe(
      'Set-AuthConfig -PublishCertificate',
    );
    expect(renderCommand('Set-AuthConfig', { ClearPreviousCertificate: true, Force: false })).toBe(
      'Set-AuthConfig -ClearPreviousCertificate -Force:$false',
    );
  });

  test('flags enums render as one "A, B" string', () => {
    expect(renderCommand('Enable-ExchangeCertificate', { Thumbprint: T, Services: ['IIS', 'SMTP'], Force: true })).toBe(
      `Enable-ExchangeCertificate -Thumbprint '${T}' -Services 'IIS, SMTP' -Force`,
    );
  });

  test("a DateTime takes only an absolute date: nothing can make the worker's Get-Date the clock", () => {
    for (const value of ['(Get-Date)', '(Get-Date).AddHours(49)', { kind: 'now' }, 49, new Date()]) {
      expect(() =>
        renderCommand('Set-AuthConfig', { NewCertificateThumbprint: T, NewCertificateEffectiveDate: value as never }),
      ).toThrow(CatalogueError);
    }
  });

  test("the clock reading: the host's clock, then the server's through Invoke-Command, in one call", () => {
    expect(renderClockReading('ex1.contoso.com', VARIABLES.credential)).toBe(
      "& { $h = [datetime]::UtcNow.ToString('o'); @{ 'HostUtc' = $h; 'ServerUtc' = [string](Invoke-Command " +
        "-ComputerName 'ex1.contoso.com' -ScriptBlock { [datetime]::UtcNow.ToString('o') } -Credential $cred) } }",
    );
    expect(renderClockReading(null)).toBe(
      "& { $h = [datetime]::UtcNow.ToString('o'); @{ 'HostUtc' = $h; 'ServerUtc' = $h } }",
    );
  });

  test('every cmdlet the service uses is in the catalogue', () => {
    expect(CMDLET_NAMES).toEqual(
      expect.arrayContaining([
        'Get-ExchangeServer',
        'Get-AuthConfig',
        'Set-AuthConfig',
        'Get-ExchangeCertificate',
        'New-ExchangeCertificate',
        'Enable-ExchangeCertificate',
        'Export-ExchangeCertificate',
        'Import-ExchangeCertificate',
        'Get-HybridConfiguration',
        'Get-OrganizationConfig',
        'Get-TransportService',
        'Get-WinEvent',
        'Get-ExchangeDiagnosticInfo',
        'Test-OAuthConnectivity',
        'Invoke-Command',
        'Get-CimInstance',
      ]),
    );
  });
});
