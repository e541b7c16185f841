// Strings built from the pieces that break naive quoting: every quote kind, backticks, sub-expressions, statement
// separators, comments, line terminators, pipes, NUL, lone surrogates.
import fc from 'fast-check';

export const HOSTILE_PIECES = [
  "'",
  '\u2018',
  '\u2019',
  '\u201A',
  '\u201B',
  '"',
  '\u201C',
  '\u201D',
  '\u201E',
  '`',
  '`n',
  '$',
  '$(',
  ')',
  '${x}',
  '$_',
  ';',
  '|',
  '&',
  '#',
  '<#',
  '#>',
  '@{',
  '@(',
  '}',
  '{',
  '\n',
  '\r',
  '\r\n',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u0000',
  '\t',
  '\u001b',
  '\uD83D',
  '\uDE00',
  ' ',
  '-Force',
  "'; Remove-Item -Path 'x' -Recurse; '",
  '"; Stop-Computer; "',
  '[char]10',
  "' + [char]59 + '",
  'é',
  '😀',
  'a',
  'Z',
  '0',
];

export function hostileString(): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ maxLength: 3 })), { maxLength: 12 })
    .map((parts) => parts.join(''));
}
