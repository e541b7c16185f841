import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { asList, bytesAsBase64, parseEnvelope, parseItems, psDateSchema } from '../../activities/powershell/output';
import { authConfigOutputSchema } from '../../activities/powershell/objects/auth-config';
import { certificateOutputSchema, servicesSchema } from '../../activities/powershell/objects/certificate';
import { authAdminLastRunFromDiagnosticXml } from '../../activities/powershell/objects/diagnostic-info';
import { thumbprintFromAuthAdminMessage, winEventOutputSchema } from '../../activities/powershell/objects/event';
import { ORGANIZATION_CONFIG } from '../../activities/powershell/objects/organization-config';
import { exchangeServerOutputSchema, forestRootOfConfigurationDn } from '../../activities/powershell/objects/server';
import { appPoolOfCommandLine, workerProcessOutputSchema } from '../../activities/powershell/objects/worker-process';
import {
  CertificateNotFoundError,
  NoMatchingEventsError,
  OutputSchemaError,
  ServerUnreachableError,
  classifyErrorRecord,
} from '../../activities/powershell/errors';
import { nth, present } from '../helpers/present';

const ps51 = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'ps51', name), 'utf8');
const ps7 = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures-ps7', name), 'utf8');

function okItems(text: string, cmdlet = 'X'): unknown[] {
  const envelope = parseEnvelope(text, cmdlet);
  if (!envelope.ok) throw new Error('expected ok');
  return envelope.value;
}

const expectedServers = [
  {
    name: 'E2k16-1',
    fqdn: 'E2k16-1.Contoso.lab',
    site: 'Default-First-Site-Name',
    roles: ['Mailbox'],
    version: '15.1.2507.18',
    majorVersion: 15,
  },
  {
    name: 'E2k19-2',
    fqdn: 'E2k19-2.Contoso.lab',
    site: 'Branch-Site',
    roles: ['Mailbox'],
    version: '15.2.1544.4',
    majorVersion: 15,
  },
  {
    name: 'E2k13-3',
    fqdn: 'E2k13-3.Contoso.lab',
    site: 'Default-First-Site-Name',
    roles: ['Mailbox', 'ClientAccess'],
    version: '15.0.1497.2',
    majorVersion: 15,
  },
];

describe('Get-ExchangeServer output', () => {
  test.each([
    ['5.1 ({value,Count} wrapping, version objects, role numbers, remoting props)', ps51('get-exchange-server.stdout')],
    ['7', ps7('get-exchange-server.stdout')],
  ])('%s maps to ExchangeServer', (_shape, text) => {
    expect(parseItems(exchangeServerOutputSchema, okItems(text), 'Get-ExchangeServer')).toEqual(expectedServers);
  });

  test('an unrecognised version is an OutputSchemaError naming the field', () => {
    const bad = { Name: 'a', Fqdn: 'a.b', Site: 'x', ServerRole: 'Mailbox', AdminDisplayVersion: 'fifteen' };
    expect(() => parseItems(exchangeServerOutputSchema, [bad], 'Get-ExchangeServer')).toThrow(OutputSchemaError);
    expect(() => parseItems(exchangeServerOutputSchema, [bad], 'Get-ExchangeServer')).toThrow(/AdminDisplayVersion/);
  });
});

describe('Get-AuthConfig output', () => {
  const staged = {
    currentCertificateThumbprint: 'E1BDF9AE58C93C75E76C9DD882138FB8FF0FA786',
    previousCertificateThumbprint: null,
    nextCertificateThumbprint: 'BC6BF924D6EF046E64F8D1987DC1D7D2F4C0042A',
    nextCertificateEffectiveDate: '2023-02-03T14:16:02.000Z',
  };
  test.each([
    ['5.1 (one object, \\/Date\\/, empty string, lower-case thumbprint)', ps51('get-auth-config.stdout')],
    ['7', ps7('get-auth-config.stdout')],
  ])('%s', (_shape, text) => {
    expect(parseItems(authConfigOutputSchema, okItems(text), 'Get-AuthConfig')).toEqual([staged]);
  });

  test('5.1 without a next certificate', () => {
    expect(
      parseItems(authConfigOutputSchema, okItems(ps51('get-auth-config-no-next.stdout')), 'Get-AuthConfig'),
    ).toEqual([
      {
        currentCertificateThumbprint: 'E1BDF9AE58C93C75E76C9DD882138FB8FF0FA786',
        previousCertificateThumbprint: 'A0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9',
        nextCertificateThumbprint: null,
        nextCertificateEffectiveDate: null,
      },
    ]);
  });
});

describe('Get-ExchangeCertificate output', () => {
  const cert = {
    thumbprint: '1D9E0ED24826A397480CB16669F1B57DA0B1C2D3',
    subject: 'CN=Microsoft Exchange Server Auth Certificate',
    friendlyName: 'Microsoft Exchange Server Auth Certificate',
    notBefore: '2023-01-05T09:04:48.000Z',
    notAfter: '2028-01-05T09:04:48.000Z',
    services: ['IIS', 'SMTP'],
    privateKeyExportable: true,
  };
  test.each([
    ['5.1 (Services as flags int, date object, one object)', ps51('get-exchange-certificate.stdout')],
    ['7', ps7('get-exchange-certificate.stdout')],
  ])('%s', (_shape, text) => {
    expect(parseItems(certificateOutputSchema, okItems(text), 'Get-ExchangeCertificate')).toEqual([cert]);
  });

  test('Services 0 is no services; "True" is a boolean', () => {
    const c = nth(
      parseItems(certificateOutputSchema, okItems(ps51('get-exchange-certificate-none-services.stdout')), 'G'),
      0,
      'certificate',
    );
    expect(c.services).toEqual([]);
    expect(c.privateKeyExportable).toBe(true);
  });

  test('broken serialization (only RawData survives): identity and validity are read from the certificate itself', () => {
    const items = okItems(ps51('get-exchange-certificate-broken-serialization.stdout'));
    expect(parseItems(certificateOutputSchema, items, 'Get-ExchangeCertificate')).toEqual([
      {
        thumbprint: 'D82B54B5E604A58CDD27811944EA0AE3CD939CB0',
        subject: 'CN=Microsoft Exchange Server Auth Certificate',
        friendlyName: '',
        notBefore: '2020-03-02T09:15:00.000Z',
        notAfter: '2025-03-02T09:15:00.000Z',
        services: [],
        // Not knowable from the DER: never assume the key can be exported.
        privateKeyExportable: false,
      },
    ]);
  });

  test('RawData as 5.1 writes a byte[] (numbers) works too; fields the object has win; garbage stays an error', () => {
    const item = nth(
      okItems(ps51('get-exchange-certificate-broken-serialization.stdout')) as Array<Record<string, unknown>>,
      0,
      'item',
    );
    const bytes = [...Buffer.from(item.RawData as string, 'base64')];
    const asNumbers = parseItems(certificateOutputSchema, [{ ...item, RawData: { value: bytes } }], 'X');
    expect(nth(asNumbers, 0, 'certificate').thumbprint).toBe('D82B54B5E604A58CDD27811944EA0AE3CD939CB0');
    const partly = parseItems(
      certificateOutputSchema,
      [{ ...item, FriendlyName: 'Auth', PrivateKeyExportable: true, Subject: 'CN=As Exchange Says' }],
      'X',
    );
    expect(partly[0]).toMatchObject({
      friendlyName: 'Auth',
      privateKeyExportable: true,
      subject: 'CN=As Exchange Says',
    });
    for (const RawData of ['AAAA', null, [1, 2, 300]]) {
      expect(() => parseItems(certificateOutputSchema, [{ ...item, RawData }], 'X')).toThrow(OutputSchemaError);
    }
  });

  test('bytes as base64 text, 5.1 numbers, wrapped numbers, or nothing usable', () => {
    expect(bytesAsBase64('AQID')).toBe('AQID');
    expect(bytesAsBase64([1, 2, 3])).toBe('AQID');
    expect(bytesAsBase64({ value: [1, 2, 3], Count: 3 })).toBe('AQID');
    expect(bytesAsBase64([1, 2, 300])).toBeNull();
    expect(bytesAsBase64(null)).toBeNull();
  });

  test.each([
    ['None', []],
    ['IMAP, POP, IIS, SMTP', ['IMAP', 'POP', 'IIS', 'SMTP']],
    [31, ['IMAP', 'POP', 'UM', 'IIS', 'SMTP']],
    [{ value: 16 }, ['SMTP']],
    [
      ['IIS', 'SMTP'],
      ['IIS', 'SMTP'],
    ],
  ])('Services %j -> %j', (input, names) => {
    expect(servicesSchema.parse(input)).toEqual(names);
  });

  test('an enum number with unknown bits is refused', () => {
    expect(servicesSchema.safeParse(1024).success).toBe(false);
  });
});

describe("Get-ExchangeServer's domains", () => {
  test('5.1: the server domain from Domain, the forest root from the distinguished name (configuration partition)', () => {
    const servers = parseItems(
      exchangeServerOutputSchema,
      okItems(ps51('get-exchange-server-child-domain.stdout')),
      'Get-ExchangeServer',
    );
    expect(servers.map((s) => [s.name, s.domain, s.forestRootDomain, s.site])).toEqual([
      ['MBX01', 'emea.fabrikam.local', 'fabrikam.local', 'Frankfurt'],
      ['MBX02', 'emea.fabrikam.local', 'fabrikam.local', 'Frankfurt'],
    ]);
  });

  test('without Domain and DistinguishedName (or empty) the domains are not known', () => {
    const [server] = parseItems(exchangeServerOutputSchema, okItems(ps51('get-exchange-server.stdout')), 'X');
    expect(server).not.toHaveProperty('domain');
    expect(server).not.toHaveProperty('forestRootDomain');
    const empty = { Name: 'EX1', Fqdn: 'ex1.contoso.com', ServerRole: 2, AdminDisplayVersion: '15.2.1544.4' };
    const parsed = exchangeServerOutputSchema.parse({ ...empty, Domain: '', DistinguishedName: null });
    expect(parsed).toEqual(exchangeServerOutputSchema.parse(empty));
  });

  test.each([
    ['CN=EX1,CN=Servers,CN=Configuration,DC=contoso,DC=com', 'contoso.com'],
    ['cn=EX1,cn=configuration,dc=Contoso, dc=lab', 'Contoso.lab'],
    ['CN=EX1,OU=Exchange,DC=corp,DC=contoso,DC=com', null],
    ['CN=Configuration', null],
    ['', null],
  ])('forestRootOfConfigurationDn(%j) -> %j', (dn, root) => {
    expect(forestRootOfConfigurationDn(dn)).toBe(root);
  });
});

describe('Get-CimInstance Win32_Process output (w3wp.exe through Invoke-Command)', () => {
  test('5.1: {value,Count} wrapping; the pool from each command line, a null command line names none', () => {
    const items = parseItems(
      workerProcessOutputSchema,
      okItems(ps51('get-ciminstance-w3wp.stdout')),
      'Get-CimInstance',
    );
    expect(items).toEqual([
      { processId: 6212, pool: 'MSExchangeOWAAppPool', startedAt: '2026-11-25T04:12:33.517Z' },
      { processId: 3988, pool: 'MSExchangeECPAppPool', startedAt: '2026-11-20T22:03:10.048Z' },
      { processId: 5120, pool: 'MSExchangeServicesAppPool', startedAt: '2026-11-20T22:03:11.201Z' },
      { processId: 7340, pool: null, startedAt: '2026-11-25T05:01:00.000Z' },
    ]);
  });

  test('5.1: one worker process arrives as one object, not a list', () => {
    const items = okItems(ps51('get-ciminstance-w3wp-one.stdout'));
    expect(parseItems(workerProcessOutputSchema, items, 'Get-CimInstance')).toEqual([
      { processId: 6212, pool: 'MSExchangeOWAAppPool', startedAt: '2026-11-25T04:12:33.517Z' },
    ]);
  });

  test.each([
    ['c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "MSExchangeECPAppPool" -v "v4.0"', 'MSExchangeECPAppPool'],
    ['w3wp.exe -AP "Pool With Spaces" -h "x.config"', 'Pool With Spaces'],
    ['w3wp.exe -h "C:\\inetpub\\temp\\apppools\\-ap\\x.config"', null],
    ['w3wp.exe -app "NotThePool"', null],
    ['', null],
  ])('appPoolOfCommandLine(%j) -> %j', (line, pool) => {
    expect(appPoolOfCommandLine(line)).toBe(pool);
  });

  test('a worker process without a ProcessId is an OutputSchemaError naming the field', () => {
    expect(() =>
      parseItems(
        workerProcessOutputSchema,
        [{ CommandLine: 'w3wp.exe -ap "P"', CreationDate: null }],
        'Get-CimInstance',
      ),
    ).toThrow(/Get-CimInstance output item 0:[\s\S]*ProcessId/);
  });
});

describe('Get-WinEvent output', () => {
  test.each([
    ['5.1', ps51('get-winevent-2014.stdout'), '2023-02-03T14:20:00.000Z'],
    ['7', ps7('get-winevent-2014.stdout'), '2023-02-03T14:20:00.000Z'],
  ])('%s', (_shape, text, time) => {
    const e = nth(parseItems(winEventOutputSchema, okItems(text), 'Get-WinEvent'), 0, 'event');
    expect(e.TimeCreated).toBe(time);
    expect(thumbprintFromAuthAdminMessage(e.Message ?? '')).toBe('BC6BF924D6EF046E64F8D1987DC1D7D2F4C0042A');
  });

  test('"No events were found" classifies as NoMatchingEventsError', () => {
    const envelope = parseEnvelope(ps51('get-winevent-none.stdout'), 'Get-WinEvent');
    if (envelope.ok) throw new Error('expected an error envelope');
    expect(classifyErrorRecord(envelope.error, 'Get-WinEvent')).toBeInstanceOf(NoMatchingEventsError);
  });

  test.each([
    [
      'The current signing certificate for Exchange has been updated to certificate with thumbprint abcdefabcdefabcdefabcdefabcdefabcdefabcd.',
      'ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD',
    ],
    ['... thumbprint ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD', 'ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD'],
    ['no thumbprint here', null],
    ['thumbprint ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD then more words', null],
  ])('thumbprint at the end of %j', (message, thumbprint) => {
    expect(thumbprintFromAuthAdminMessage(message)).toBe(thumbprint);
  });
});

describe('Get-ExchangeCertificate errors', () => {
  test('"was not found" (InvalidOperationException) is CertificateNotFoundError', () => {
    const envelope = parseEnvelope(ps51('get-exchange-certificate-not-found.stdout'), 'Get-ExchangeCertificate');
    if (envelope.ok) throw new Error('expected an error envelope');
    expect(classifyErrorRecord(envelope.error, 'Get-ExchangeCertificate')).toBeInstanceOf(CertificateNotFoundError);
  });
  test('RPC unavailable is ServerUnreachableError', () => {
    const envelope = parseEnvelope(ps51('get-exchange-certificate-rpc-unavailable.stdout'), 'Get-ExchangeCertificate');
    if (envelope.ok) throw new Error('expected an error envelope');
    expect(classifyErrorRecord(envelope.error, 'Get-ExchangeCertificate')).toBeInstanceOf(ServerUnreachableError);
  });
});

describe('envelope and dates', () => {
  test.each([
    ['\\/Date(1675433762000)\\/ as JSON text', JSON.parse('"\\/Date(1675433762000)\\/"'), '2023-02-03T14:16:02.000Z'],
    ['/Date(ms+0100)/', '/Date(1675433762000+0100)/', '2023-02-03T14:16:02.000Z'],
    ['ISO with offset', '2023-02-03T15:16:02+01:00', '2023-02-03T14:16:02.000Z'],
    ['ISO with 7 fraction digits', '2023-02-03T14:16:02.1234567Z', '2023-02-03T14:16:02.123Z'],
    [
      '5.1 Get-Date object',
      { value: '/Date(1675433762000)/', DisplayHint: 2, DateTime: 'Friday' },
      '2023-02-03T14:16:02.000Z',
    ],
  ])('%s', (_name, input, iso) => {
    expect(psDateSchema.parse(input)).toBe(iso);
  });

  test.each([['2023-02-03T14:16:02'], ['02/03/2023 14:16:02'], [1675433762000]])(
    'ambiguous date %j is refused',
    (input) => {
      expect(psDateSchema.safeParse(input).success).toBe(false);
    },
  );

  test.each([
    [null, []],
    [[], []],
    [{ a: 1 }, [{ a: 1 }]],
    [{ value: [1, 2], Count: 2 }, [1, 2]],
    [[{ a: 1 }], [{ a: 1 }]],
  ])('asList(%j)', (input, list) => {
    expect(asList(input)).toEqual(list);
  });

  test('Get-Date in both shapes', () => {
    expect(okItems(ps51('get-date.stdout'))).toEqual([{ Now: '2026-11-25T05:50:00.1234567Z' }]);
    expect(psDateSchema.parse(okItems(ps51('get-date-raw.stdout'))[0])).toBe('2026-11-25T05:50:00.000Z');
  });

  test('noise before the envelope is ignored; no envelope is an OutputSchemaError', () => {
    expect(parseEnvelope('WARNING: something\n{"ok":true,"value":[]}\n', 'X')).toEqual({ ok: true, value: [] });
    expect(() => parseEnvelope('', 'X')).toThrow(OutputSchemaError);
    expect(() => parseEnvelope('{"ok":maybe}', 'X')).toThrow(OutputSchemaError);
    expect(() => parseEnvelope('{"ok":false}', 'X')).toThrow(OutputSchemaError);
  });
});

describe('AuthAdmin last run from Get-ExchangeDiagnosticInfo XML', () => {
  const xml = (apps: string) => `<Diagnostics><Components>${apps}</Components></Diagnostics>`;
  test.each([
    [
      'attribute form, AuthAdmin among several applications',
      xml(
        '<AnchorApplication name="Other"><AnchorServiceComponents><CacheScheduler lastRunTime="2020-01-01T00:00:00Z"/></AnchorServiceComponents></AnchorApplication>' +
          '<AnchorApplication name="AuthAdmin"><AnchorServiceComponents><CacheScheduler lastRunTime="2026-11-24T18:00:00.0000000Z"/></AnchorServiceComponents></AnchorApplication>',
      ),
      '2026-11-24T18:00:00.000Z',
    ],
    [
      'element form',
      xml(
        '<AnchorApplication><Name>AuthAdmin</Name><AnchorServiceComponents><CacheScheduler><lastRunTime>2026-11-24T06:00:00Z</lastRunTime></CacheScheduler></AnchorServiceComponents></AnchorApplication>',
      ),
      '2026-11-24T06:00:00.000Z',
    ],
    ['no scheduler', xml('<AnchorApplication name="AuthAdmin"/>'), null],
    [
      'AuthAdmin never ran while another application did',
      xml(
        '<AnchorApplication name="MailboxAssociationReplication"><AnchorServiceComponents><CacheScheduler lastRunTime="2026-11-24T18:00:00Z"/></AnchorServiceComponents></AnchorApplication>' +
          '<AnchorApplication name="AuthAdmin"><AnchorServiceComponents><CacheScheduler/></AnchorServiceComponents></AnchorApplication>',
      ),
      null,
    ],
    [
      'garbage date',
      xml('<AnchorApplication name="AuthAdmin"><CacheScheduler lastRunTime="soon"/></AnchorApplication>'),
      null,
    ],
  ])('%s', (_name, text, expected) => {
    expect(authAdminLastRunFromDiagnosticXml(text)).toBe(expected);
  });
});

describe('5.1 and 7 shapes of the same certificates parse to the same facts', () => {
  const SERVICE_NAMES = ['IMAP', 'POP', 'UM', 'IIS', 'SMTP', 'Federation', 'UMCallRouter'] as const;
  const BITS: Record<string, number> = { IMAP: 1, POP: 2, UM: 4, IIS: 8, SMTP: 16, Federation: 32, UMCallRouter: 64 };
  const hex = fc.constantFrom(...'0123456789ABCDEF'.split(''));
  const cert = fc.record({
    thumbprint: fc.array(hex, { minLength: 40, maxLength: 40 }).map((a) => a.join('')),
    subject: fc.string(),
    friendlyName: fc.string(),
    notBefore: fc.integer({ min: 0, max: 4102444800000 }),
    lifetime: fc.integer({ min: 1, max: 10 * 365 * 86400000 }),
    services: fc.subarray([...SERVICE_NAMES]),
    privateKeyExportable: fc.boolean(),
  });

  test('property', () => {
    fc.assert(
      fc.property(fc.array(cert, { minLength: 1, maxLength: 4 }), fc.boolean(), (certs, wrap) => {
        const expected = certs.map((c) => ({
          thumbprint: c.thumbprint,
          subject: c.subject,
          friendlyName: c.friendlyName,
          notBefore: new Date(c.notBefore).toISOString(),
          notAfter: new Date(c.notBefore + c.lifetime).toISOString(),
          services: c.services,
          privateKeyExportable: c.privateKeyExportable,
        }));
        const ps7 = certs.map((c, i) => ({
          Thumbprint: c.thumbprint,
          Subject: c.subject,
          FriendlyName: c.friendlyName,
          NotBefore: nth(expected, i, 'certificate').notBefore.replace('Z', '0000Z'),
          NotAfter: nth(expected, i, 'certificate').notAfter.replace('Z', '0000Z'),
          Services: c.services.length ? c.services.join(', ') : 'None',
          PrivateKeyExportable: c.privateKeyExportable,
        }));
        const ps51 = certs.map((c, i) => ({
          Thumbprint: c.thumbprint.toLowerCase(),
          Subject: c.subject,
          FriendlyName: c.friendlyName,
          NotBefore: `/Date(${c.notBefore})/`,
          NotAfter: { value: `/Date(${c.notBefore + c.lifetime})/`, DateTime: 'whatever' },
          Services: c.services.reduce((acc, n) => acc | present(BITS[n], `bit of ${n}`), 0),
          PrivateKeyExportable: c.privateKeyExportable,
          PSComputerName: 'ex1.contoso.com',
          RunspaceId: `${i}`,
        }));
        const value51 = ps51.length === 1 && !wrap ? ps51[0] : wrap ? { value: ps51, Count: ps51.length } : ps51;
        const text51 = JSON.stringify({ ok: true, value: value51 })
          .replace(/\/Date/g, '\\/Date')
          .replace(/\)\//g, ')\\/');
        const text7 = JSON.stringify({ ok: true, value: ps7 });
        const from51 = parseItems(certificateOutputSchema, okItems(`${text51}\r\n`), 'G');
        const from7 = parseItems(certificateOutputSchema, okItems(text7), 'G');
        expect(from7).toEqual(expected);
        // 5.1 lists services in bit order; the facts are the same set.
        expect(from51.map((c) => ({ ...c, services: [...c.services].sort() }))).toEqual(
          expected.map((c) => ({ ...c, services: [...c.services].sort() })),
        );
      }),
    );
  });
});

describe('Get-OrganizationConfig: EnableAuthAdminReadSession is not documented, so absent is unknown', () => {
  test.each([
    [{ EnableAuthAdminReadSession: true }, true],
    [{ EnableAuthAdminReadSession: 'True' }, true],
    [{ EnableAuthAdminReadSession: false }, false],
    [{ EnableAuthAdminReadSession: 'False' }, false],
    // Select-Object of a property the object lacks writes null.
    [{ EnableAuthAdminReadSession: null }, null],
    [{}, null],
  ])('%j', (item, expected) => {
    expect(parseItems(ORGANIZATION_CONFIG.schema, [item], 'Get-OrganizationConfig')).toEqual([
      { enableAuthAdminReadSession: expected },
    ]);
  });
});
