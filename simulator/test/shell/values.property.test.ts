// Values rendered by the dialect's renderer rules (docs/powershell-dialect.md), written here from the rules alone,
// evaluate in the simulated shell to the values they stand for. ConvertTo-Json reads them back.
import fc from 'fast-check';
import { createHarness } from './harness';
import { at } from '../../invariant';

type Model =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'bytes'; v: number[] }
  | { t: 'date'; ms: number }
  | { t: 'arr'; v: Model[] }
  | { t: 'hash'; v: Array<[string, Model]> };

const QUOTES = ["'", '\u2018', '\u2019', '\u201A', '\u201B'];
const quote = (s: string) => `'${[...s].map((c) => (QUOTES.includes(c) ? c + c : c)).join('')}'`;

function renderString(s: string): string {
  const pieces: string[] = [];
  let text = '';
  let broken = false;
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c.length === 1 && (code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029)) {
      broken = true;
      if (text) pieces.push(quote(text));
      text = '';
      pieces.push(`[char]${code}`);
    } else text += c;
  }
  if (!broken) return quote(s);
  if (text) pieces.push(quote(text));
  // A leading [char] would make `+` concatenate characters as numbers; start with a string.
  return `(${at(pieces, 0, 'piece').startsWith('[char]') ? `'' + ` : ''}${pieces.join(' + ')})`;
}

function render(m: Model): string {
  switch (m.t) {
    case 'str':
      return renderString(m.v);
    case 'num':
      return String(m.v);
    case 'bool':
      return m.v ? '$true' : '$false';
    case 'null':
      return '$null';
    case 'bytes':
      return `([System.Convert]::FromBase64String('${Buffer.from(m.v).toString('base64')}'))`;
    case 'date':
      return `([datetime]::Parse('${new Date(m.ms).toISOString().replace('Z', '0000Z')}', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind))`;
    case 'arr':
      return `@(${m.v.map(render).join(', ')})`;
    case 'hash':
      return `@{ ${m.v.map(([k, v]) => `${renderString(k)} = ${render(v)}`).join('; ')} }`;
  }
}

/** What ConvertTo-Json writes for the value, parsed back by JSON.parse. */
function expected(m: Model): unknown {
  switch (m.t) {
    case 'str':
    case 'num':
    case 'bool':
      return m.v;
    case 'null':
      return null;
    case 'bytes':
      return m.v;
    case 'date':
      return `/Date(${m.ms})/`;
    case 'arr': {
      // @(x) collects what x writes to the pipeline: a lone array (or byte array) is enumerated into it.
      const [only] = m.v;
      if (m.v.length === 1 && only && (only.t === 'arr' || only.t === 'bytes')) return expected(only);
      return m.v.map(expected);
    }
    case 'hash':
      return Object.fromEntries(m.v.map(([k, v]) => [k, expected(v)]));
  }
}

const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      ...QUOTES,
      '"',
      '`',
      '$',
      '(',
      ')',
      '{',
      '}',
      ';',
      '|',
      '#',
      '@',
      ',',
      '\n',
      '\r',
      '\t',
      '\0',
      '\u0085',
      '\u2028',
    ),
    fc.string({ unit: 'grapheme', maxLength: 1 }),
  ),
  maxLength: 12,
});

const model: fc.Arbitrary<Model> = fc.letrec<{ m: Model }>((tie) => ({
  m: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('str' as const), v: text }),
    fc.record({
      t: fc.constant('num' as const),
      v: fc.oneof(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((d) => !Object.is(d, -0)),
      ),
    }),
    fc.record({ t: fc.constant('bool' as const), v: fc.boolean() }),
    fc.constant({ t: 'null' as const }),
    fc.record({
      t: fc.constant('bytes' as const),
      v: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
    }),
    fc.record({ t: fc.constant('date' as const), ms: fc.integer({ min: 0, max: 4102444800000 }) }),
    fc.record({ t: fc.constant('arr' as const), v: fc.array(tie('m'), { minLength: 2, maxLength: 3 }) }),
    fc.record({
      t: fc.constant('hash' as const),
      v: fc.uniqueArray(
        fc.tuple(
          text.filter((k) => k.length > 0),
          tie('m'),
        ),
        {
          maxLength: 3,
          selector: ([k]) => k.toLowerCase(),
        },
      ),
    }),
  ),
})).m;

test('rendered values evaluate to what they stand for', async () => {
  const h = createHarness();
  await fc.assert(
    fc.asyncProperty(model, async (m) => {
      const source = `ConvertTo-Json -InputObject @(${render(m)}) -Depth 100 -Compress`;
      expect(source).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
      const { out, err } = await h.run(source);
      expect(err).toBe('');
      expect(JSON.parse(out)).toEqual(expectedTop(m));
    }),
    { numRuns: 800 },
  );
});

/** @(x) around the value: arrays and byte arrays are enumerated into it, everything else is its one element. */
function expectedTop(m: Model): unknown {
  if (m.t === 'arr' || m.t === 'bytes') return expected(m);
  return [expected(m)];
}
