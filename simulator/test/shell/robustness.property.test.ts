// Whatever line arrives, the shell answers with output or a PowerShell-style error and keeps running: no JavaScript
// exception escapes, and every stderr text is an error record.
import fc from 'fast-check';
import { ExitSignal } from '../../shell/errors';
import { createHarness } from './harness';

const fragments = [
  "'",
  '"',
  '`',
  '$',
  '$x',
  '${a}',
  '$_',
  '$(',
  '@(',
  '@{',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '[int]',
  '[datetime]::',
  ';',
  '|',
  ',',
  '=',
  '+',
  '-',
  '-eq',
  '-not',
  '!',
  '.',
  '::',
  '#',
  '<#',
  '#>',
  '&',
  '@',
  ' ',
  '\t',
  '\n',
  '0x',
  '1',
  '2.5',
  '1kb',
  'Get-Widget',
  '-Name',
  '-Count',
  '-Force:',
  '$true',
  '$null',
  'try',
  'catch',
  'finally',
  'if',
  'else',
  'param',
  'Select-Object',
  'ConvertTo-Json',
  'ForEach-Object',
  '"a$x"',
  "'b''c'",
  '\u2019',
  '\u201C',
  'Get-Nope',
  '.ToString(',
  '.AddHours(1)',
  '[Console]::Out.WriteLine(',
  'throw',
  'return',
  '\0',
  '\u00A0',
  '\u2028',
  '\u2013',
  "@'\n",
];

const line = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...fragments) },
      { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
    ),
    {
      maxLength: 25,
    },
  )
  .map((parts) => parts.join(''));

test('any line yields output or a PowerShell error, never a crash', async () => {
  const h = createHarness();
  await fc.assert(
    fc.asyncProperty(line, async (source) => {
      let result: { out: string; err: string };
      try {
        result = await h.run(source);
      } catch (e) {
        // `exit` is the only way out of a script.
        expect(e).toBeInstanceOf(ExitSignal);
        return;
      }
      const errors = result.err.split(/(?<=FullyQualifiedErrorId : [^\n]*\n)/).filter((e) => e.trim() !== '');
      for (const error of errors) {
        // [Console]::Error.WriteLine writes raw text; everything else on stderr is an error record.
        if (!error.includes('FullyQualifiedErrorId')) continue;
        expect(error).toMatch(/    \+ CategoryInfo          : [\s\S]*\n    \+ FullyQualifiedErrorId : [^\n]+\n$/);
        expect(error).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
        // A defect of the simulator would surface as a JavaScript error message wrapped in a record.
        expect(error).not.toMatch(
          /Cannot read properties|is not a function|is not iterable|Maximum call stack|undefined/,
        );
      }
    }),
    { numRuns: 3000 },
  );
});

test('very deep nesting is refused politely', async () => {
  const h = createHarness();
  const { err } = await h.run('('.repeat(20000) + '1' + ')'.repeat(20000));
  expect(err).toContain('FullyQualifiedErrorId');
});
