// Property tests: whatever a string holds, quoting it by PowerShell's rules and parsing it gives the string back.
// The quoting here is written from the language specification, independently of the service's renderer.
import fc from 'fast-check';
import { parseScript } from '../../shell/parser';
import { PSHashtable } from '../../shell/types';
import { createHarness, lastArgs } from './harness';
import { at } from '../../invariant';

const SINGLE_QUOTES = ["'", '\u2018', '\u2019', '\u201A', '\u201B'];
const DOUBLE_QUOTES = ['"', '\u201C', '\u201D', '\u201E'];

/** A single-quoted literal: every single-quote character doubled. */
const singleQuoted = (s: string) => `'${[...s].map((c) => (SINGLE_QUOTES.includes(c) ? c + c : c)).join('')}'`;

/** A double-quoted literal: backtick before every double quote, `$` and backtick. */
const doubleQuoted = (s: string) =>
  `"${[...s].map((c) => (DOUBLE_QUOTES.includes(c) || c === '$' || c === '`' ? '`' + c : c)).join('')}"`;

/** One line even for strings holding line breaks: ('a' + [char]10 + 'b'). */
const oneLine = (s: string) => {
  const pieces: string[] = [];
  let text = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c.length === 1 && (code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029)) {
      if (text) pieces.push(singleQuoted(text));
      text = '';
      pieces.push(`[char]${code}`);
    } else text += c;
  }
  if (text || pieces.length === 0) pieces.push(singleQuoted(text));
  return `(${pieces.join(' + ')})`;
};

/** Strings rich in the characters that matter to PowerShell's lexer. */
const hostile = fc.string({
  unit: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        ...SINGLE_QUOTES,
        ...DOUBLE_QUOTES,
        '`',
        '$',
        '(',
        ')',
        '{',
        '}',
        ';',
        '|',
        '&',
        '#',
        '<#',
        '#>',
        '@',
        ',',
        '-',
        '\u2013',
        ' ',
        '\t',
        '\n',
        '\r',
        '\0',
        '\u0085',
        '\u2028',
        '\u2029',
        '\u00A0',
        '$(',
        '${',
        '$_',
        "@'",
        "'@",
        '"@',
      ),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 2 }) },
  ),
  maxLength: 40,
});

function constantOf(source: string): unknown {
  const ast = parseScript(source);
  const [statement, ...others] = ast.statements;
  const element = statement?.kind === 'pipeline' ? statement.elements[0] : undefined;
  if (others.length > 0 || element?.kind !== 'expression') throw new Error(`not one expression: ${source}`);
  const expression = element.expression;
  if (expression.kind !== 'constant') throw new Error(`not a constant: ${source}`);
  return expression.value;
}

describe('single-quoted literals', () => {
  test('parse back to exactly the quoted string', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(constantOf(singleQuoted(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  test('stay whole as command arguments, hashtable keys and values and method arguments', async () => {
    const h = createHarness();
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (a, b) => {
        const line = `Get-Widget -Name ${singleQuoted(a)} -Subject:${singleQuoted(b)}; $t = @{ ${singleQuoted(a)} = ${singleQuoted(b)}; 'fixed-key-0' = 1 }; $z = 'x'.Replace('x', ${singleQuoted(b)})`;
        expect(parseScript(line).statements).toHaveLength(3);
        const { err } = await h.run(line);
        expect(err).toBe('');
        expect(lastArgs(h)).toMatchObject({ Name: a, Subject: b });
        const table = h.interpreter.global.get('t');
        expect(table instanceof PSHashtable ? table.get(a) : undefined).toBe(b);
        expect(h.interpreter.global.get('z')).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  test('without doubling, a quote inside never yields the original string', () => {
    fc.assert(
      fc.property(
        hostile.filter((s) => [...s].some((c) => SINGLE_QUOTES.includes(c))),
        (s) => {
          let result: unknown;
          try {
            result = constantOf(`'${s}'`);
          } catch {
            return;
          }
          expect(result).not.toBe(s);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('double-quoted literals', () => {
  test('parse back to exactly the escaped string', async () => {
    const h = createHarness();
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const ast = parseScript(doubleQuoted(s));
        const statement = at(ast.statements, 0, 'statement');
        expect(statement.kind).toBe('pipeline');
        expect(await h.interpreter.evalStatementValue(statement, h.interpreter.global)).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('one-line concatenations with [char]N', () => {
  test('evaluate to the string and never contain a line break', async () => {
    const h = createHarness();
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const source = oneLine(s);
        expect(source).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
        const { out, err } = await h.run(`ConvertTo-Json -InputObject ${source} -Compress`);
        expect(err).toBe('');
        expect(JSON.parse(out)).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });
});
