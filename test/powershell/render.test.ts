import fc from 'fast-check';
import { CatalogueError } from '../../activities/powershell/errors';
import {
  PsAbsoluteDate,
  PsHashtable,
  PsScriptBlock,
  PsVariable,
  renderLiteral,
  renderNumber,
  renderString,
} from '../../activities/powershell/render';
import { hostileString } from './hostile';

const QUOTE_CHARS = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);

/**
 * Reads back exactly the forms the renderer may emit, by the language specification's rules for single-quoted
 * strings (a quote character followed by another quote character stands for the second one), and insists that the
 * whole text is consumed: anything left over would be code.
 */
function decodeRenderedString(text: string): string {
  let i = 0;
  const quoted = (): string => {
    if (!QUOTE_CHARS.has(text.charAt(i))) throw new Error(`expected a quote at ${i} in ${JSON.stringify(text)}`);
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) throw new Error('unterminated string');
      const c = text.charAt(i);
      if (QUOTE_CHARS.has(c)) {
        if (QUOTE_CHARS.has(text.charAt(i + 1))) {
          out += text.charAt(i + 1);
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      out += c;
      i++;
    }
  };
  if (text[0] !== '(') {
    const value = quoted();
    if (i !== text.length) throw new Error(`trailing text ${JSON.stringify(text.slice(i))}`);
    return value;
  }
  i = 1;
  let out = '';
  let first = true;
  for (;;) {
    if (!first) {
      if (text.startsWith(' + ', i)) i += 3;
      else if (text.startsWith(')', i) && i === text.length - 1) return out;
      else throw new Error(`unexpected ${JSON.stringify(text.slice(i))}`);
    }
    if (first && text.startsWith('[char]', i)) throw new Error('a [char] may not come first (numeric +)');
    first = false;
    const ch = /^\[char\](\d+)/.exec(text.slice(i));
    if (ch) {
      out += String.fromCharCode(Number(ch[1]));
      i += ch[0].length;
    } else {
      out += quoted();
    }
  }
}

describe('renderString', () => {
  test.each([
    ['', "''"],
    ['plain', "'plain'"],
    ["O'Brien", "'O''Brien'"],
    ["it's", "'it''s'"],
    ['\u2018x\u2019 \u201Ay\u201B', "('' + [char]8216 + 'x' + [char]8217 + ' ' + [char]8218 + 'y' + [char]8219)"],
    ['caf\u00e9', "('caf' + [char]233)"],
    ['a\nb', "('a' + [char]10 + 'b')"],
    ['\r\n', "('' + [char]13 + [char]10)"],
    ['x\u2028y\u0085z\u2029', "('x' + [char]8232 + 'y' + [char]133 + 'z' + [char]8233)"],
    ['tab\t', "('tab' + [char]9)"],
    ['$(Remove-Item C:\\)', "'$(Remove-Item C:\\)'"],
    ['"; Stop-Computer; "', '\'"; Stop-Computer; "\''],
    ['\uD800', "('' + [char]55296)"],
    ['😀', "('' + [char]55357 + [char]56832)"],
    ['\u007f', "('' + [char]127)"],
  ])('%j -> %s', (value, rendered) => {
    expect(renderString(value)).toBe(rendered);
    expect(decodeRenderedString(rendered)).toBe(value);
  });

  test('any UTF-16 string decodes back exactly and has no line break', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), (s) => {
        const rendered = renderString(s);
        // Pure printable ASCII: no raw line break, nothing a code page can mangle.
        expect(rendered).toMatch(/^[\x20-\x7E]*$/);
        expect(decodeRenderedString(rendered)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  test('hostile strings decode back exactly', () => {
    fc.assert(
      fc.property(hostileString(), (s) => {
        expect(decodeRenderedString(renderString(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('renderNumber', () => {
  test.each([
    [0, '0'],
    [-0, '0'],
    [2048, '2048'],
    [49, '49'],
    [1.5, '1.5'],
    [-3, '(-3)'],
    [1e21, '1e+21'],
    [5e-7, '5e-7'],
  ])('%d -> %s', (n, text) => {
    expect(renderNumber(n)).toBe(text);
  });

  test.each([[NaN], [Infinity], [-Infinity]])('%d is refused', (n) => {
    expect(() => renderNumber(n)).toThrow(CatalogueError);
  });

  test('finite numbers render in invariant form that parses back', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = renderNumber(n).replace(/^\((.*)\)$/, '$1');
        expect(text).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
        expect(Number(text)).toBe(Object.is(n, -0) ? 0 : n);
      }),
    );
  });
});

describe('renderLiteral', () => {
  test.each([
    ['null', null, '$null'],
    ['true', true, '$true'],
    ['false', false, '$false'],
    ['array', ['a', 1, true], "@('a', 1, $true)"],
    ['empty array', [], '@()'],
    ['nested', [['x'], []], "@(@('x'), @())"],
    ['hashtable', PsHashtable.of({ LogName: 'Application', Id: 2014 }), "@{ 'LogName' = 'Application'; 'Id' = 2014 }"],
    ['hashtable with hostile key', PsHashtable.of({ "a'; b": 1 }), "@{ 'a''; b' = 1 }"],
    ['empty hashtable', new PsHashtable([]), '@{}'],
    [
      'absolute date',
      new PsAbsoluteDate('2026-11-27T07:00:00+01:00'),
      "([datetime]::Parse('2026-11-27T06:00:00.0000000Z', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind))",
    ],
    ['variable', new PsVariable('name'), '$name'],
    ['environment variable', new PsVariable('env:EXCHANGE_SHELL_PASSWORD'), '$env:EXCHANGE_SHELL_PASSWORD'],
    [
      'script block',
      new PsScriptBlock('param($name) Restart-Service -Name $name'),
      '{ param($name) Restart-Service -Name $name }',
    ],
  ])('%s', (_name, value, text) => {
    expect(renderLiteral(value as never)).toBe(text);
  });

  test.each([
    ['absolute date without offset', () => new PsAbsoluteDate('2026-11-27T06:00:00')],
    ['absolute date nonsense', () => new PsAbsoluteDate('tomorrow')],
    ['bad variable', () => new PsVariable('a; b')],
    ['variable of another drive', () => new PsVariable('function:x')],
    ['multi-line script block', () => new PsScriptBlock('a\nb')],
    ['a plain object', () => renderLiteral({ a: 1 } as never)],
    ['undefined', () => renderLiteral(undefined as never)],
    [
      'repeated hashtable key',
      () =>
        renderLiteral(
          new PsHashtable([
            ['Id', 1],
            ['ID', 2],
          ]),
        ),
    ],
    ['a function', () => renderLiteral((() => 1) as never)],
  ])('%s is a CatalogueError', (_name, f) => {
    expect(f).toThrow(CatalogueError);
  });
});
