// The simulated shell's evaluator: parameter binding and its errors, values and members, try/catch, generic cmdlets.
import { PSDateTime, PSEnum, PSSecureString } from '../../shell/types';
import { createHarness, jsonOf, lastArgs as lastArgsOf, NOW_MS, type Harness } from './harness';
import { at } from '../../invariant';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});

const lastArgs = () => lastArgsOf(h);

/** Runs a line that must fail and returns the error fields the service's envelope reads. */
async function caught(pipeline: string) {
  const { out, err } = await h.run(
    `try { ${pipeline} } catch { ConvertTo-Json -InputObject @{ message = $_.Exception.Message; exceptionType = $_.Exception.GetType().FullName; reason = [string]$_.CategoryInfo.Reason; category = [string]$_.CategoryInfo.Category; errorId = [string]$_.FullyQualifiedErrorId; target = [string]$_.TargetObject } -Compress }`,
  );
  expect(err).toBe('');
  return JSON.parse(out) as Record<string, string>;
}

describe('parameter binding', () => {
  test.each([
    ["Get-Widget -Name 'a'", { Name: 'a' }],
    ["Get-Widget -name 'a'", { Name: 'a' }],
    ["Get-Widget -Na 'a'", { Name: 'a' }],
    ["Get-Widget 'pos'", { Name: 'pos' }],
    ['Get-Widget -Force', { Force: true }],
    ['Get-Widget -Force:$false', { Force: false }],
    ['Get-Widget -Force:$true', { Force: true }],
    ['Get-Widget -Force:0', { Force: false }],
    ["Get-Widget -Count '42'", { Count: 42 }],
    ['Get-Widget -Count 2.5', { Count: 2 }],
    ['Get-Widget -Count 3.5', { Count: 4 }],
    ['Get-Widget -Size 5000000000', { Size: 5000000000 }],
    ['Get-Widget -Enabled $true', { Enabled: true }],
    ['Get-Widget -Enabled 0', { Enabled: false }],
    ["Get-Widget -Tags 'a', 'b'", { Tags: ['a', 'b'] }],
    ['Get-Widget -Tags 1', { Tags: ['1'] }],
    ['Get-Widget -Name 5', { Name: '5' }],
    ['Get-Widget -Name $true', { Name: 'True' }],
    ["$h = @{ Name = 'splat'; Force = $true; Count = 3 }; Get-Widget @h", { Name: 'splat', Force: true, Count: 3 }],
    ["$a = @('viaarray'); Get-Widget @a", { Name: 'viaarray' }],
    ["Get-Widget -Services 'SMTP'", { Services: new PSEnum('Microsoft.Exchange.Data.AllowedServices', 16, 'SMTP') }],
    [
      "Get-Widget -Services 'imap, smtp'",
      { Services: new PSEnum('Microsoft.Exchange.Data.AllowedServices', 17, 'IMAP, SMTP') },
    ],
    ["Get-Widget -Services 'None'", { Services: new PSEnum('Microsoft.Exchange.Data.AllowedServices', 0, 'None') }],
    [
      "Get-Widget -Services 'SMTP', 'IIS'",
      { Services: new PSEnum('Microsoft.Exchange.Data.AllowedServices', 24, 'IIS, SMTP') },
    ],
    ["Get-Widget -When '2026-11-27T06:00:00Z'", { When: new PSDateTime(Date.UTC(2026, 10, 27, 6), 'Local') }],
    ["Get-Widget -Data ([System.Convert]::FromBase64String('AAEC'))", { Data: Uint8Array.from([0, 1, 2]) }],
    ['Get-Widget -Data 1, 2', { Data: Uint8Array.from([1, 2]) }],
    [
      "Get-Widget -Password (ConvertTo-SecureString -String 'p@ss' -AsPlainText -Force)",
      { Password: new PSSecureString('p@ss') },
    ],
    ["Get-Widget -Filter @{ LogName = 'Application' }", {}],
    ['Get-Widget -Block { 1 }', {}],
  ])('%s', async (line, expected) => {
    const { err } = await h.run(line);
    expect(err).toBe('');
    expect(lastArgs()).toMatchObject(expected);
  });

  test('an absent switch stays unbound, while -Switch:$false is bound as false', async () => {
    await h.run('Get-Widget');
    expect(lastArgs()).not.toHaveProperty('Force');
    await h.run('Get-Widget -Force:$false');
    expect(lastArgs()).toHaveProperty('Force', false);
  });

  test('a scalar hashtable becomes a one-element Hashtable[]', async () => {
    await h.run("Get-Widget -Filter @{ LogName = 'Application'; Id = 2014 }");
    const filter = lastArgs().Filter as unknown[];
    expect(filter).toHaveLength(1);
  });

  test.each([
    [
      'Get-Widget -Foo 1',
      "A parameter cannot be found that matches parameter name 'Foo'.",
      'NamedParameterNotFound,Get-Widget',
      'ParameterBindingException',
    ],
    [
      'Get-Widget -S x',
      "Parameter cannot be processed because the parameter name 'S' is ambiguous. Possible matches include: -Size -Services -Server -Subject.",
      'AmbiguousParameter,Get-Widget',
      'ParameterBindingException',
    ],
    [
      'Get-Widget -Count abc',
      'Cannot bind parameter \'Count\'. Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."',
      'CannotConvertArgumentNoMessage,Get-Widget',
      'ParameterBindingException',
    ],
    [
      'Get-Widget -Count 99999999999',
      'Cannot bind parameter \'Count\'. Cannot convert value "99999999999" to type "System.Int32". Error: "Value was either too large or too small for an Int32."',
      'CannotConvertArgumentNoMessage,Get-Widget',
      'ParameterBindingException',
    ],
    [
      "Get-Widget -When 'yesterday'",
      'Cannot bind parameter \'When\'. Cannot convert value "yesterday" to type "System.DateTime". Error: "String was not recognized as a valid DateTime."',
      'CannotConvertArgumentNoMessage,Get-Widget',
      'ParameterBindingException',
    ],
    [
      "Get-Widget -Enabled 'yes'",
      'Cannot process argument transformation on parameter \'Enabled\'. Cannot convert value "System.String" to type "System.Boolean". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.',
      'ParameterArgumentTransformationError,Get-Widget',
      'ParameterBindingArgumentTransformationException',
    ],
    [
      "Get-Widget -Force:'yes'",
      'Cannot process argument transformation on parameter \'Force\'. Cannot convert value "System.String" to type "System.Management.Automation.SwitchParameter". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.',
      'ParameterArgumentTransformationError,Get-Widget',
      'ParameterBindingArgumentTransformationException',
    ],
    [
      "Get-Widget -Services 'Bogus'",
      'Cannot bind parameter \'Services\'. Cannot convert value "Bogus" to type "Microsoft.Exchange.Data.AllowedServices". Error: "Unable to match the identifier name Bogus to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nNone, IMAP, POP, UM, IIS, SMTP, Federation, UMCallRouter"',
      'CannotConvertArgumentNoMessage,Get-Widget',
      'ParameterBindingException',
    ],
    [
      "Get-Widget -Password 'plain'",
      'Cannot bind parameter \'Password\'. Cannot convert the "plain" value of type "System.String" to type "System.Security.SecureString".',
      'CannotConvertArgumentNoMessage,Get-Widget',
      'ParameterBindingException',
    ],
    [
      "Get-Widget -Filter 'x'",
      'Cannot bind parameter \'Filter\'. Cannot convert the "x" value of type "System.String" to type "System.Collections.Hashtable[]".',
      'CannotConvertArgumentNoMessage,Get-Widget',
      'ParameterBindingException',
    ],
    [
      'Get-Widget -Name',
      "Missing an argument for parameter 'Name'. Specify a parameter of type 'System.String' and try again.",
      'MissingArgument,Get-Widget',
      'ParameterBindingException',
    ],
    [
      'Get-Widget -Name:',
      "Missing an argument for parameter 'Name'. Specify a parameter of type 'System.String' and try again.",
      'MissingArgument,Get-Widget',
      'ParameterBindingException',
    ],
    [
      "Get-Widget 'a' 'b'",
      "A positional parameter cannot be found that accepts argument 'b'.",
      'PositionalParameterNotFound,Get-Widget',
      'ParameterBindingException',
    ],
    [
      "Get-Widget -Name 'a' -Name 'b'",
      'Cannot bind parameter because parameter \'Name\' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".',
      'ParameterAlreadyBound,Get-Widget',
      'ParameterBindingException',
    ],
    [
      'Get-Mandatory',
      'Cannot process command because of one or more missing mandatory parameters: Identity Other.',
      'MissingMandatoryParameter,Get-Mandatory',
      'ParameterBindingException',
    ],
    [
      "Get-Mandatory -Identity 'x'",
      'Cannot process command because of one or more missing mandatory parameters: Other.',
      'MissingMandatoryParameter,Get-Mandatory',
      'ParameterBindingException',
    ],
    [
      "Get-Mandatory -Identity '' -Other 'y'",
      "Cannot bind argument to parameter 'Identity' because it is an empty string.",
      'ParameterArgumentValidationErrorEmptyStringNotAllowed,Get-Mandatory',
      'ParameterBindingValidationException',
    ],
    [
      "Get-Mandatory -Identity $null -Other 'y'",
      "Cannot bind argument to parameter 'Identity' because it is null.",
      'ParameterArgumentValidationErrorNullNotAllowed,Get-Mandatory',
      'ParameterBindingValidationException',
    ],
  ])('%s fails', async (line, message, errorId, reason) => {
    const error = await caught(line);
    expect(error).toMatchObject({ message, errorId, reason, category: 'InvalidArgument' });
    expect(h.received).toHaveLength(0);
    expect(h.before).toHaveLength(1);
  });

  test('an uncaught binding error is written like PowerShell, pointing at the parameter', async () => {
    const { out, err } = await h.run("Get-Widget -Nmae 'x'");
    expect(out).toBe('');
    expect(err).toBe(
      [
        "Get-Widget : A parameter cannot be found that matches parameter name 'Nmae'.",
        'At line:1 char:12',
        "+ Get-Widget -Nmae 'x'",
        '+            ~~~~~',
        '    + CategoryInfo          : InvalidArgument: (:) [Get-Widget], ParameterBindingException',
        '    + FullyQualifiedErrorId : NamedParameterNotFound,Get-Widget',
        '',
      ].join('\n'),
    );
  });

  test('pipeline input binds ByValue, once per record', async () => {
    const { out, err } = await h.run("'a', 'b' | Set-Thing -Value 3");
    expect(err).toBe('');
    expect(out).toBe('a=3\nb=3\n');
    expect(h.received.map((r) => r.input)).toEqual([['a'], ['b']]);
  });

  test('common parameters are accepted', async () => {
    const { err } = await h.run(
      "Get-Widget -ErrorAction Stop -Verbose:$false -Confirm:$false -WarningAction 'SilentlyContinue'",
    );
    expect(err).toBe('');
  });
});

describe('commands', () => {
  test('an unknown command is CommandNotFoundException, exactly as PowerShell writes it', async () => {
    const { err } = await h.run('Get-Foo -Bar 1');
    expect(err).toBe(
      [
        "Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        'At line:1 char:1',
        '+ Get-Foo -Bar 1',
        '+ ~~~~~~~',
        '    + CategoryInfo          : ObjectNotFound: (Get-Foo:String) [], CommandNotFoundException',
        '    + FullyQualifiedErrorId : CommandNotFoundException',
        '',
      ].join('\n'),
    );
    expect(await caught('Get-Foo')).toEqual({
      message:
        "The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
      exceptionType: 'System.Management.Automation.CommandNotFoundException',
      reason: 'CommandNotFoundException',
      category: 'ObjectNotFound',
      errorId: 'CommandNotFoundException',
      target: 'Get-Foo',
    });
  });

  test('beforeCmdlet runs before every cmdlet, generic ones included, in order', async () => {
    await h.run("Get-Widget | Select-Object -Property 'Name' | ConvertTo-Json | Out-Null; Get-Date | Out-Null");
    expect(h.before).toEqual(['Get-Widget', 'Select-Object', 'ConvertTo-Json', 'Out-Null', 'Get-Date', 'Out-Null']);
  });

  test('a fault thrown by beforeCmdlet fails the command before it runs', async () => {
    const faulty = createHarness();
    (faulty.interpreter as unknown as { host: { beforeCmdlet: unknown } }).host.beforeCmdlet = async () => {
      throw new (await import('../../shell/types')).PSError('The RPC server is unavailable.', {
        category: 'NotSpecified',
        reason: 'RemotingTransportException',
        exceptionType: 'System.Management.Automation.Remoting.PSRemotingTransportException',
        errorId: 'JobFailure',
      });
    };
    const { err } = await faulty.run("Get-Widget -Name 'x'");
    expect(err).toContain('Get-Widget : The RPC server is unavailable.');
    expect(faulty.received).toHaveLength(0);
  });

  test('an error ends the line but not the shell', async () => {
    const first = await h.run("'before'; Get-Missing -Thumbprint 'AB'; 'after'");
    expect(first.out).toBe('before\n');
    expect(first.err).toContain('Get-Missing : The certificate with thumbprint AB was not found.');
    expect(first.err).toContain(
      '    + CategoryInfo          : ObjectNotFound: (AB:String) [Get-Missing], ManagementObjectNotFoundException',
    );
    const second = await h.run("'still here'");
    expect(second).toEqual({ out: 'still here\n', err: '' });
  });

  test('the service envelope reports a cmdlet error on stdout', async () => {
    const { out, err } = await h.run(
      "try { $r = @(Get-Missing -Thumbprint 'AB'); ConvertTo-Json -InputObject @{ ok = $true; value = $r } -Depth 8 -Compress } catch { ConvertTo-Json -InputObject @{ ok = $false; error = @{ message = $_.Exception.Message; exceptionType = $_.Exception.GetType().FullName; reason = [string]$_.CategoryInfo.Reason; category = [string]$_.CategoryInfo.Category; errorId = [string]$_.FullyQualifiedErrorId; target = [string]$_.TargetObject } } -Depth 4 -Compress }",
    );
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({
      ok: false,
      error: {
        message: 'The certificate with thumbprint AB was not found.',
        exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
        reason: 'ManagementObjectNotFoundException',
        category: 'ObjectNotFound',
        errorId: 'B5E3B3A5,Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeCertificate',
        target: 'AB',
      },
    });
  });

  test('the service envelope wraps results in an array', async () => {
    const { out, err } = await h.run(
      "try { $r = @(Get-Widget -Name 'x' | Select-Object -Property 'Name', @{ Name = 'When'; Expression = { $_.When.ToUniversalTime().ToString('o') } }, @{ Name = 'Services'; Expression = { [string]$_.Services } }); ConvertTo-Json -InputObject @{ ok = $true; value = $r } -Depth 8 -Compress } catch { 'failed' }",
    );
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({
      ok: true,
      value: [{ Name: 'x', When: '2026-11-25T06:00:00.1230000Z', Services: 'IMAP, SMTP' }],
    });
  });

  test('throw raises a RuntimeException whose id is the message', async () => {
    expect(await caught("throw 'boom'")).toMatchObject({
      message: 'boom',
      errorId: 'boom',
      category: 'OperationStopped',
      reason: 'RuntimeException',
    });
  });

  test('typed catch clauses match by exception type', async () => {
    const { out } = await h.run(
      "try { Get-Foo } catch [System.Management.Automation.CommandNotFoundException] { 'typed' } catch { 'any' }",
    );
    expect(out).toBe('typed\n');
    const other = await h.run(
      "try { throw 'x' } catch [System.Management.Automation.CommandNotFoundException] { 'typed' } catch { 'any' }",
    );
    expect(other.out).toBe('any\n');
  });

  test('finally runs after catch', async () => {
    const { out } = await h.run("try { throw 'x' } catch { 'c' } finally { 'f' }");
    expect(out).toBe('c\nf\n');
  });

  test('Invoke-Command runs the block on the named server', async () => {
    const { out, err } = await h.run(
      "Invoke-Command -ComputerName 'ex1.contoso.com' -ScriptBlock { param($name) Import-Module -Name 'WebAdministration'; Get-Widget -Name $name } -ArgumentList 'MSExchangeOWAAppPool' | Select-Object -Property 'Name', 'PSComputerName' | ConvertTo-Json -Compress",
    );
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({ Name: 'MSExchangeOWAAppPool', PSComputerName: 'ex1.contoso.com' });
    expect(at(h.received, 0, 'received call').computerName).toBe('ex1.contoso.com');
    await h.run('Get-Widget');
    expect(at(h.received, 1, 'received call').computerName).toBeNull();
  });

  test("a remote block sees none of the caller's variables: only -ArgumentList and $using: cross", async () => {
    const { out, err } = await h.run(
      "$pool = 'MSExchangeECPAppPool'; Invoke-Command -ComputerName 'ex2.contoso.com' -ScriptBlock { param($name) \"arg=$name local=$pool using=$using:pool eap=$ErrorActionPreference\" } -ArgumentList 'MSExchangeOWAAppPool'",
    );
    expect(err).toBe('');
    expect(out).toBe('arg=MSExchangeOWAAppPool local= using=MSExchangeECPAppPool eap=Continue\n');
    // Assignments in the remote session do not come back.
    await h.run("$x = 'caller'; Invoke-Command -ComputerName 'ex1.contoso.com' -ScriptBlock { $x = 'remote' }");
    expect(h.interpreter.global.get('x')).toBe('caller');
    // Run locally (no -ComputerName) the block is an ordinary child scope, and $using: means nothing there.
    expect((await h.run("$y = 'seen'; Invoke-Command -ScriptBlock { $y }")).out).toBe('seen\n');
    expect(await caught('Invoke-Command -ScriptBlock { $using:y }')).toMatchObject({
      errorId: 'UsingWithoutInvokeCommand',
    });
  });

  test('an unknown or unreachable computer fails before the block runs', async () => {
    const before = h.received.length;
    expect(
      await caught("Invoke-Command -ComputerName 'nosuch.contoso.com' -ScriptBlock { Get-Widget -Name 'x' }"),
    ).toMatchObject({ reason: 'PSRemotingTransportException', target: 'nosuch.contoso.com' });
    expect(h.received.length).toBe(before);
  });

  test('a removed session cannot run a command', async () => {
    expect(
      await caught(
        "$t = New-PSSession -ComputerName 'ex1.contoso.com'; Remove-PSSession -Session $t; Invoke-Command -Session $t -ScriptBlock { 1 }",
      ),
    ).toMatchObject({
      errorId: 'InvokeCommandCommandInvalidSessionState,Microsoft.PowerShell.Commands.InvokeCommandCommand',
      message: expect.stringContaining('The session state is Closed.'),
    });
  });

  test('session setup lines of every mode are accepted', async () => {
    const common =
      "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; $WarningPreference = 'SilentlyContinue'; $ConfirmPreference = 'None'; [Console]::OutputEncoding = [System.Text.Encoding]::UTF8";
    expect(await h.run(common)).toEqual({ out: '', err: '' });
    expect(await h.run("Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn'")).toEqual({
      out: '',
      err: '',
    });
    expect(
      await h.run(
        "$cred = New-Object System.Management.Automation.PSCredential('CONTOSO\\svc', (ConvertTo-SecureString -String 'pw' -AsPlainText -Force)); $s = New-PSSession -ConfigurationName 'Microsoft.Exchange' -ConnectionUri 'http://ex1.contoso.com/PowerShell/' -Authentication 'Kerberos' -Credential $cred; Import-PSSession -Session $s -DisableNameChecking -AllowClobber | Out-Null",
      ),
    ).toEqual({ out: '', err: '' });
    expect(h.interpreter.global.get('ErrorActionPreference')).toBe('Stop');
  });

  test.each([
    [
      "Import-Module -Name 'NoSuchModule'",
      "The specified module 'NoSuchModule' was not loaded because no valid module file was found in any module directory.",
      'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand',
    ],
    [
      "Add-PSSnapin -Name 'No.Such.SnapIn'",
      "The Windows PowerShell snap-in 'No.Such.SnapIn' is not installed on this computer.",
      'AddPSSnapInRead,Microsoft.PowerShell.Commands.AddPSSnapinCommand',
    ],
  ])('%s fails', async (line, message, errorId) => {
    expect(await caught(line)).toMatchObject({ message, errorId });
  });
});

describe('values and members', () => {
  test.each([
    ["(Get-Date).ToUniversalTime().ToString('o')", '2026-11-25T06:00:00.1230000Z'],
    ["(Get-Date).ToString('o')", '2026-11-25T06:00:00.1230000+00:00'],
    ["(Get-Date).AddHours(49).ToUniversalTime().ToString('o')", '2026-11-27T07:00:00.1230000Z'],
    [
      "(Get-Date).AddMinutes(-30).AddSeconds(1.5).AddDays(1).ToUniversalTime().ToString('o')",
      '2026-11-26T05:30:01.6230000Z',
    ],
    ["(Get-Date).AddHours(0.0000001).ToUniversalTime().ToString('o')", '2026-11-25T06:00:00.1230000Z'],
    [
      "[datetime]::Parse('2026-11-27T06:00:00.1234567Z', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToString('o')",
      '2026-11-27T06:00:00.1234567Z',
    ],
    [
      "[datetime]::Parse('2026-11-27T06:00:00Z', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).Kind.ToString()",
      'Utc',
    ],
    [
      "[datetime]::Parse('2026-11-27T06:00:00', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToString('o')",
      '2026-11-27T06:00:00.0000000',
    ],
    ["[datetime]::UtcNow.ToString('o')", '2026-11-25T06:00:00.1230000Z'],
    ["[datetime]::Now.ToString('yyyy-MM-dd HH:mm:ss')", '2026-11-25 06:00:00'],
    ['(Get-Date).GetType().FullName', 'System.DateTime'],
    ["'abc'.GetType().FullName", 'System.String'],
    ['(1).GetType().FullName', 'System.Int32'],
    ['@(1).GetType().FullName', 'System.Object[]'],
    ['@{}.GetType().FullName', 'System.Collections.Hashtable'],
    ["[System.Convert]::ToBase64String([System.Convert]::FromBase64String('aGVsbG8='))", 'aGVsbG8='],
    ["[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('aGVsbG8='))", 'hello'],
    ['[string][char]65', 'A'],
    ["[string]([int]'42' + 1)", '43'],
    ['[string](Get-Widget).Services', 'IMAP, SMTP'],
    ['[string](Get-Date)', '11/25/2026 06:00:00'],
    ["'a' + 1 + $true", 'a1True'],
    [
      "'Ab'.ToUpper() + 'Cd'.ToLower() + ' x '.Trim() + 'hello'.Substring(1, 3) + 'a-b'.Replace('-', '+')",
      'ABcdxella+b',
    ],
    ["'a,b;c'.Split(',;').Count.ToString()", '3'],
    ["(@{ a = 1 }).a.ToString() + (@{ a = 1 })['a']", '11'],
    ['(1, 2, 3)[-1].ToString()', '3'],
    ["@(Get-Widget; Get-Widget).Name -join ','", 'w1,w1'],
    [
      "\"$(1 -eq 1) $(1 -ne 1) $('A' -eq 'a') $('A' -ceq 'a') $(-not $false) $(!$true) $($true -and $false) $($false -or $true)\"",
      'True False True False True False False True',
    ],
    ['"$(@(1, 2, 3) -eq 2)"', '2'],
    ["\"$('abc' -like 'a*') $(5 -gt 3) $(2 -le 1) $(1, 2 -contains 2) $(3 -in 1, 2)\"", 'True True False True False'],
    ["if ($true) { 'yes' } else { 'no' }", 'yes'],
    ['$x = 1; $x += 2; [string]$x', '3'],
    ["$h = @{}; $h.k = 'v'; $h['k2'] = 'w'; $h.k + $h.k2", 'vw'],
    ["& { param($a, $b) $a + $b } 'x' 'y'", 'xy'],
    ['$sb = { param($n) $n * 2 }; [string]$sb.Invoke(21)', '42'],
    ['[string](1..3)', '1 2 3'],
    ['$PSVersionTable.PSVersion', '5.1.14393.5582'],
    ['[string](1 / 3)', '0.333333333333333'],
    [
      "[string](0.1 + 0.2) + ' ' + [string]1e21 + ' ' + [string]1e-7 + ' ' + [string]12345678901",
      '0.3 1E+21 1E-07 12345678901',
    ],
    [
      "[System.Management.Automation.PSCredential]::new('CONTOSO\\svc', (ConvertTo-SecureString -String 'pw' -AsPlainText -Force)).UserName",
      'CONTOSO\\svc',
    ],
    [
      "(New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'u', (ConvertTo-SecureString -String 'pw' -AsPlainText -Force)).Password.Length.ToString()",
      '2',
    ],
  ])('%s', async (expression, expected) => {
    const { out, err } = await h.run(`ConvertTo-Json -InputObject $(${expression}) -Compress`);
    expect(err).toBe('');
    expect(JSON.parse(out)).toBe(expected);
  });

  test('dot-sourcing RemoteExchange.ps1 defines Connect-ExchangeServer, which opens the Exchange session', async () => {
    const script = "($env:ExchangeInstallPath + '\\bin\\RemoteExchange.ps1')";
    expect(await caught('Connect-ExchangeServer -Auto')).toMatchObject({ errorId: 'CommandNotFoundException' });
    // Run without the dot, the script's functions vanish with its scope.
    expect((await h.run(`& ${script}`)).err).toBe('');
    expect(await caught('Connect-ExchangeServer -Auto')).toMatchObject({ errorId: 'CommandNotFoundException' });
    expect(await caught("Connect-ExchangeServer -Auto -ClientApplication 'ManagementShell'")).toMatchObject({
      reason: 'CommandNotFoundException',
    });
    expect(await caught(". 'C:\\Scripts\\Other.ps1'")).toMatchObject({
      message: expect.stringContaining("The term 'C:\\Scripts\\Other.ps1' is not recognized"),
    });
    const { out, err } = await h.run(
      `. ${script}; Connect-ExchangeServer -Auto -ClientApplication 'ManagementShell'; (Get-PSSession).ConfigurationName`,
    );
    expect({ out, err }).toEqual({ out: 'Microsoft.Exchange\n', err: '' });
    // Without a server or -Auto it would ask for one.
    expect(await caught('Connect-ExchangeServer')).toMatchObject({
      message: 'PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.',
    });
    // $env: names are case-insensitive, as on Windows; the simulated server has Exchange installed.
    expect((await h.run('$env:exchangeinstallpath')).out).toBe(
      'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\\n',
    );
  });

  test('Get-PSSession lists the sessions this shell opened; Remove-PSSession closes them (also from the pipeline)', async () => {
    const { out, err } = await h.run(
      "$s = New-PSSession -ConfigurationName 'Microsoft.Exchange' -ConnectionUri 'http://ex1.contoso.com/PowerShell/'; $t = New-PSSession -ComputerName 'ex2.contoso.com'; @(Get-PSSession).Count; $s.State; Get-PSSession | Remove-PSSession; @(Get-PSSession).Count; $s.State; $t.State",
    );
    expect(err).toBe('');
    expect(out).toBe('2\nOpened\n0\nClosed\nClosed\n');
  });

  test('the UI culture: settable on the current thread for one pipeline; session options carry their own', async () => {
    const set =
      "[System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::GetCultureInfo('ja-JP')";
    expect((await h.run(`${set}; [System.Globalization.CultureInfo]::CurrentUICulture.Name`)).out).toBe('ja-JP\n');
    expect((await h.run('[System.Globalization.CultureInfo]::CurrentUICulture.Name')).out).toBe('en-US\n');
    const { out, err } = await h.run(
      "$so = New-PSSessionOption -Culture 'en-US' -UICulture 'en-US'; $so.UICulture.Name; $so.GetType().FullName",
    );
    expect({ out, err }).toEqual({
      out: 'en-US\nSystem.Management.Automation.Remoting.PSSessionOption\n',
      err: '',
    });
    expect(await caught("New-PSSessionOption -UICulture 'not a culture!'")).toMatchObject({
      errorId: 'CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.NewPSSessionOptionCommand',
    });
  });

  test('secrets made inside the shell: random bytes, a SecureString without a cmdlet, [void] writes nothing', async () => {
    const { out, err } = await h.run(
      "& { $b = [byte[]]::new(32); [void][System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($b); $pw = [System.Net.NetworkCredential]::new('', [System.Convert]::ToBase64String($b)).SecurePassword; $pw.GetType().FullName; [System.Convert]::ToBase64String($b).Length; @($b | Where-Object { $_ -ne 0 }).Count -gt 16 }",
    );
    expect(err).toBe('');
    expect(out).toBe('System.Security.SecureString\n44\nTrue\n');
    expect((await jsonOf(h, '@([void]1)')) ?? []).toEqual([]);
  });

  test('-Credential takes a PSCredential; a user name alone would prompt, which the non-interactive shell refuses', async () => {
    expect(
      await caught("Invoke-Command -ComputerName 'ex1.contoso.com' -Credential 'CONTOSO\\svc' -ScriptBlock { 1 }"),
    ).toMatchObject({
      message:
        "Cannot process argument transformation on parameter 'Credential'. PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
      errorId: 'ParameterArgumentTransformationError,Microsoft.PowerShell.Commands.InvokeCommandCommand',
    });
    const { out, err } = await h.run(
      "$c = [System.Management.Automation.PSCredential]::new('CONTOSO\\svc', [System.Net.NetworkCredential]::new('', 'pw').SecurePassword); Invoke-Command -ComputerName 'ex1.contoso.com' -Credential $c -ScriptBlock { 'ran' }",
    );
    expect({ out, err }).toEqual({ out: 'ran\n', err: '' });
  });

  test('a PSCredential from an unset environment variable fails as PowerShell does', async () => {
    delete process.env.SIM_TEST_UNSET_USER;
    expect(
      await caught(
        "[System.Management.Automation.PSCredential]::new($env:SIM_TEST_UNSET_USER, [System.Net.NetworkCredential]::new('', 'pw').SecurePassword)",
      ),
    ).toMatchObject({
      message: expect.stringContaining('the value of argument "userName" is not valid'),
      reason: 'MethodInvocationException',
    });
  });

  test('an uncaught runtime error is written without a command prefix, under the failing expression', async () => {
    const { err } = await h.run("$x = 'a'; $null.Foo()");
    expect(err).toBe(
      [
        'You cannot call a method on a null-valued expression.',
        'At line:1 char:11',
        "+ $x = 'a'; $null.Foo()",
        '+           ~~~~~~~~~~~',
        '    + CategoryInfo          : InvalidOperation: (:) [], RuntimeException',
        '    + FullyQualifiedErrorId : InvokeMethodOnNull',
        '',
      ].join('\n'),
    );
  });

  test('[Console]::Out and [Console]::Error write immediately', async () => {
    const { out, err } = await h.run("[Console]::Out.WriteLine(\"abc\"); [Console]::Error.WriteLine('e'); 'x'");
    expect(out).toBe('abc\nx\n');
    expect(err).toBe('e\n');
  });

  test.each([
    [
      '$null.Foo()',
      'You cannot call a method on a null-valued expression.',
      'InvokeMethodOnNull',
      'RuntimeException',
      'System.Management.Automation.RuntimeException',
    ],
    [
      "'abc'.Bogus()",
      "Method invocation failed because [System.String] does not contain a method named 'Bogus'.",
      'MethodNotFound',
      'RuntimeException',
      'System.Management.Automation.RuntimeException',
    ],
    [
      "[datetime]::Parse('not a date', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)",
      'Exception calling "Parse" with "3" argument(s): "String was not recognized as a valid DateTime."',
      'FormatException',
      'MethodInvocationException',
      'System.Management.Automation.MethodInvocationException',
    ],
    [
      "[System.Convert]::FromBase64String('abc')",
      'Exception calling "FromBase64String" with "1" argument(s): "Invalid length for a Base-64 char array or string."',
      'FormatException',
      'MethodInvocationException',
      'System.Management.Automation.MethodInvocationException',
    ],
    [
      "[int]'abc'",
      'Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."',
      'InvalidCastFromStringToInteger',
      'RuntimeException',
      'System.Management.Automation.RuntimeException',
    ],
    [
      '[NoSuchType]::Foo',
      'Unable to find type [NoSuchType].',
      'TypeNotFound',
      'RuntimeException',
      'System.Management.Automation.RuntimeException',
    ],
    [
      "(Get-Date).AddHours('x')",
      'Cannot convert argument "value", with value: "x", for "AddHours" to type "System.Double": "Cannot convert value "x" to type "System.Double". Error: "Input string was not in a correct format.""',
      'MethodArgumentConversionInvalidCastArgument',
      'MethodException',
      'System.Management.Automation.MethodException',
    ],
    [
      '(Get-Date).AddHours(1, 2)',
      'Cannot find an overload for "AddHours" and the argument count: "2".',
      'MethodCountCouldNotFindBest',
      'MethodException',
      'System.Management.Automation.MethodException',
    ],
  ])('%s fails', async (expression, message, errorId, reason, exceptionType) => {
    expect(await caught(expression)).toMatchObject({ message, errorId, reason, exceptionType });
  });
});

describe('ConvertTo-Json (Windows PowerShell 5.1 shapes)', () => {
  test.each([
    ["'a'", '"a"'],
    ["'<>&''\"\\/'", '"\\u003c\\u003e\\u0026\\u0027\\"\\\\/"'],
    ['[char]1 + [char]9 + [char]10', '"\\u0001\\t\\n"'],
    ['1.5', '1.5'],
    ['1 / 3', '0.33333333333333331'],
    ['0.1 + 0.2', '0.30000000000000004'],
    ['1e21', '1E+21'],
    ['$true', 'true'],
    ['Get-Date', '"\\/Date(1795586400123)\\/"'],
    ['(Get-Widget).Services', '17'],
    ['@()', '[]'],
    ['@(1)', '[1]'],
    ['@{ a = @{ b = @{ c = @{ d = 1 } } } }', '{"a":{"b":{"c":"System.Collections.Hashtable"}}}'],
    ['@(@(@(1)))', '[1]'],
    [',(,(,1))', '[[[1]]]'],
    ['@(1, @(2, @(3, @(4))))', '[1,[2,[3,"4"]]]'],
    ["(ConvertTo-SecureString -String 'abc' -AsPlainText -Force)", '{"Length":3}'],
  ])('%s -> %s (default depth 2)', async (expression, expected) => {
    const { out, err } = await h.run(`ConvertTo-Json -InputObject (${expression}) -Compress`);
    expect(err).toBe('');
    expect(out).toBe(`${expected}\n`);
  });

  test('deeper objects are truncated silently to their string form', async () => {
    const { out, err } = await h.run(
      "ConvertTo-Json -InputObject @{ a = @(Get-Widget | Select-Object -Property 'Name', 'Count') } -Depth 1 -Compress",
    );
    expect(err).toBe('');
    expect(out).toBe('{"a":["@{Name=w1; Count=1}"]}\n');
  });

  test('a pipeline of one object is written as that object, of several as an array', async () => {
    expect((await h.run("Get-Widget | Select-Object -Property 'Name' | ConvertTo-Json -Compress")).out).toBe(
      '{"Name":"w1"}\n',
    );
    expect((await h.run('@(1, 2) | ConvertTo-Json -Compress')).out).toBe('[1,2]\n');
    expect((await h.run('@() | ConvertTo-Json -Compress')).out).toBe('');
    expect((await h.run('ConvertTo-Json -InputObject $null; $null | ConvertTo-Json')).out).toBe('');
    expect((await h.run('@(1, $null, 2) | ConvertTo-Json -Compress')).out).toBe('[1,2]\n');
    expect((await h.run('ConvertTo-Json -InputObject @(1, $null) -Compress')).out).toBe('[1,null]\n');
  });

  test('uncompressed output uses the 5.1 layout', async () => {
    const { out } = await h.run("ConvertTo-Json -InputObject @{ a = 1; b = @(1, 2); c = @{ d = 'x' } }");
    expect(out).toBe(
      [
        '{',
        '    "a":  1,',
        '    "b":  [',
        '              1,',
        '              2',
        '          ],',
        '    "c":  {',
        '              "d":  "x"',
        '          }',
        '}',
      ].join('\r\n') + '\n',
    );
  });

  test('uncompressed arrays, nested and empty containers follow the 5.1 layout', async () => {
    const { out } = await h.run('ConvertTo-Json -InputObject @(@{ a = 1 }, @(1, 2), @(), @{ e = @{} })');
    expect(out).toBe(
      [
        '[',
        '    {',
        '        "a":  1',
        '    },',
        '    [',
        '        1,',
        '        2',
        '    ],',
        '    [',
        '',
        '    ],',
        '    {',
        '        "e":  {',
        '',
        '              }',
        '    }',
        ']',
      ].join('\r\n') + '\n',
    );
  });

  test('ConvertFrom-Json reads objects back', async () => {
    const json = await jsonOf(h, '(\'{"a":[1,2],"b":{"c":"d"}}\' | ConvertFrom-Json).b.c');
    expect(json).toBe('d');
  });
});

describe('generic cmdlets', () => {
  test('Select-Object -First, -ExpandProperty, calculated properties with N/E abbreviations', async () => {
    expect(await jsonOf(h, '@(1, 2, 3) | Select-Object -First 2')).toEqual([1, 2]);
    expect(await jsonOf(h, "Get-Widget | Select-Object -ExpandProperty 'Name'")).toBe('w1');
    expect(
      await jsonOf(
        h,
        "Get-Widget | Select-Object @{ N = 'n2'; E = { $_.Name + '!' } }, @{ Label = 'L'; Expression = 'Count' }",
      ),
    ).toEqual({ n2: 'w1!', L: 1 });
    expect(await jsonOf(h, "Get-Widget | Select-Object -Property 'Missing'")).toEqual({ Missing: null });
    expect(await jsonOf(h, "Get-Widget | Select-Object -Property 'N*'")).toEqual({ Name: 'w1' });
    expect(await jsonOf(h, "Get-Widget | Select-Object -Property '*' -ExcludeProperty 'W*', 'S*'")).toEqual({
      Name: 'w1',
      Count: 1,
    });
  });

  test('a calculated property whose block fails is $null, without an error, as in PowerShell', async () => {
    const r = await h.run(
      "$ErrorActionPreference = 'Stop'; Get-Widget | Select-Object 'Name', @{ N = 'd'; E = { $_.Missing.ToString('o') } }, @{ N = 'b'; E = { [System.Convert]::ToBase64String($_.Missing) } } | ConvertTo-Json -Compress",
    );
    expect(r).toEqual({ out: '{"Name":"w1","d":null,"b":null}\n', err: '' });
  });

  test('Select-Object rejects an unknown calculated property key', async () => {
    expect(await caught('Get-Widget | Select-Object @{ Bogus = 1; E = { 1 } }')).toMatchObject({
      message: 'The "Bogus" key is not valid.',
      errorId: 'DictionaryKeyIllegal,Microsoft.PowerShell.Commands.SelectObjectCommand',
    });
  });

  test('ForEach-Object and Where-Object bind $_', async () => {
    expect(await jsonOf(h, '1..5 | Where-Object { $_ -gt 2 } | ForEach-Object { $_ * 10 }')).toEqual([30, 40, 50]);
  });

  test("ForEach-Object runs its block in the caller's scope", async () => {
    expect(await h.run('$sum = 0; 1..4 | ForEach-Object { $sum += $_ }')).toEqual({ out: '', err: '' });
    expect(await jsonOf(h, '$sum')).toBe(10);
  });

  test('Write-Output enumerates, Out-Null swallows', async () => {
    expect((await h.run("Write-Output 'a', 'b'; 'c' | Out-Null")).out).toBe('a\nb\n');
  });

  test('Get-Date reads the host clock', async () => {
    expect(await jsonOf(h, "Get-Date -Format 'yyyy-MM-ddTHH:mm:ss.fff'")).toBe('2026-11-25T06:00:00.123');
  });

  test('ConvertTo-SecureString requires -AsPlainText and -Force', async () => {
    expect((await caught("ConvertTo-SecureString -String 'x' -AsPlainText")).errorId).toBe(
      'ImportSecureString_InvalidArgument,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand',
    );
  });

  test('uncaptured objects are shown in a readable list', async () => {
    const { out } = await h.run("Get-Widget | Select-Object -Property 'Name', 'Count'");
    expect(out).toBe('\nName  : w1\nCount : 1\n\n');
  });

  test('exit ends the script with a code', async () => {
    await expect(h.run("'a'; exit 3; 'b'")).rejects.toMatchObject({ code: 3 });
  });

  test('NOW_MS is the fake clock', () => {
    expect(new Date(NOW_MS).toISOString()).toBe('2026-11-25T06:00:00.123Z');
  });
});

describe('generic cmdlet binding errors', () => {
  test.each([
    ['Get-Date -Bogus', 'NamedParameterNotFound,Microsoft.PowerShell.Commands.GetDateCommand'],
    [
      "ConvertTo-Json -InputObject 1 -Depth 'deep'",
      'CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.ConvertToJsonCommand',
    ],
    ["Select-Object -Bogus 'x'", 'NamedParameterNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand'],
    ['Invoke-Command -ComputerName x', 'MissingMandatoryParameter,Microsoft.PowerShell.Commands.InvokeCommandCommand'],
  ])('%s -> %s', async (line, errorId) => {
    const error = await caught(line);
    expect(error.errorId).toBe(errorId);
  });
});
