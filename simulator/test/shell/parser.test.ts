// Lexical and syntactic tables for the simulated shell's parser, from the PowerShell language specification §2 and
// about_Quoting_Rules / about_Parsing.
import { ParseError, formatUncaughtError } from '../../shell/errors';
import { parseScript } from '../../shell/parser';
import type { PSValue } from '../../shell/types';
import { createHarness, lastArgs } from './harness';

const h = createHarness();

async function valueOf(source: string): Promise<PSValue> {
  const ast = parseScript(source);
  expect(ast.statements).toHaveLength(1);
  return h.interpreter.evalStatementValue(ast.statements[0]!, h.interpreter.global);
}

function parseErrorOf(source: string): ParseError {
  try {
    parseScript(source);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for ${source}`);
}

describe('single-quoted strings', () => {
  test.each([
    ["''", ''],
    ["'abc'", 'abc'],
    ["'it''s'", "it's"],
    ["''''", "'"],
    ["''''''", "''"],
    ["'a\"b'", 'a"b'],
    ["'$x $(Get-Date) `n'", '$x $(Get-Date) `n'],
    ["'# not a comment'", '# not a comment'],
    ["'a;b|c{d}e(f)'", 'a;b|c{d}e(f)'],
    ["'line1\nline2'", 'line1\nline2'],
    // The typographic single quotes open and close strings too.
    ['\u2018abc\u2019', 'abc'],
    ['\u201Aabc\u201B', 'abc'],
    ["'abc\u2019", 'abc'],
    ["\u2019abc'", 'abc'],
    // A doubled quote of any kind is one literal quote (the tokenizer keeps the second character of the pair).
    ["'a\u2018\u2018b'", 'a\u2018b'],
    ["'a\u2019\u2019b'", 'a\u2019b'],
    ["'a\u201A\u201Ab'", 'a\u201Ab'],
    ["'a\u201B\u201Bb'", 'a\u201Bb'],
    ["'a'\u2019b'", 'a\u2019b'],
    ["'a\u2019'b'", "a'b"],
    ["'\u201C\u201D\u201E'", '\u201C\u201D\u201E'],
    ["'\u0000\u0085\u2028\u2029'", '\u0000\u0085\u2028\u2029'],
  ])('%j is %j', async (source, expected) => {
    expect(await valueOf(source)).toBe(expected);
  });

  test('is a constant in the syntax tree', () => {
    const ast = parseScript("'x'");
    const statement = ast.statements[0];
    expect(
      statement?.kind === 'pipeline' &&
        statement.elements[0]?.kind === 'expression' &&
        statement.elements[0].expression.kind,
    ).toBe('constant');
  });
});

describe('double-quoted strings', () => {
  beforeAll(async () => {
    await h.run("$name = 'World'; $n = 3; $arr = 1, 2, 3");
  });

  test.each([
    ['""', ''],
    ['"abc"', 'abc'],
    ['"a""b"', 'a"b'],
    ['"a`"b"', 'a"b'],
    ['"`0`a`b`e`f`n`r`t`v"', '\0\x07\b\x1b\f\n\r\t\v'],
    ['"``"', '`'],
    ['"`$name"', '$name'],
    ['"`q"', 'q'],
    ['"`u{48}`u{1F600}"', 'H\u{1F600}'],
    ['"Hello $name!"', 'Hello World!'],
    ['"${name}x"', 'Worldx'],
    ['"$($n + 1)"', '4'],
    ['"$arr"', '1 2 3'],
    ["\"$('a', 'b')\"", 'a b'],
    ['"cost: $ 5"', 'cost: $ 5'],
    ['"trailing $"', 'trailing $'],
    ['"$undefined."', '.'],
    ['"it\'s"', "it's"],
    ['\u201Cabc\u201D', 'abc'],
    ['\u201Eabc\u201C', 'abc'],
    ['"a\u201D\u201Db"', 'a\u201Db'],
    ['"a`\u201Db"', 'a\u201Db'],
    ['"$($name.ToUpper())"', 'WORLD'],
    ['"$name.Length"', 'World.Length'],
  ])('%j is %j', async (source, expected) => {
    expect(await valueOf(source)).toBe(expected);
  });
});

describe('here-strings', () => {
  test.each([
    ["@'\nline 1\n'quoted' $x\n'@", "line 1\n'quoted' $x"],
    ["@'\r\na\r\n'@", 'a'],
    ['@"\nvalue: $(1 + 1)\n"@', 'value: 2'],
    ["@'\n'@", ''],
  ])('%j is %j', async (source, expected) => {
    expect(await valueOf(source)).toBe(expected);
  });
});

describe('numbers', () => {
  test.each([
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['2147483647', 2147483647],
    ['2147483648', 2147483648],
    ['0x10', 16],
    ['0X1f', 31],
    // Hexadecimal literals are two's complement in their integer width.
    ['0xFFFFFFFF', -1],
    ['0x80000000', -2147483648],
    ['0x7FFFFFFF', 2147483647],
    ['0x100000000', 4294967296],
    ['0xFFFFFFFFFFFFFFFF', -1],
    ['10l', 10],
    ['10L', 10],
    ['5d', 5],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1.5E-2', 0.015],
    ['2.5d', 2.5],
    ['1kb', 1024],
    ['1KB', 1024],
    ['2mb', 2097152],
    ['1gb', 1073741824],
    ['1tb', 1099511627776],
    ['1pb', 1125899906842624],
    ['1.5kb', 1536],
    ['0x10kb', 16384],
    ['3lmb', 3145728],
    ['1.', 1],
    ['1.e2', 100],
    ['0x', 0],
    ['2.0l', 2],
    ['1kb + 1', 1025],
    ['7#comment\n', 7],
    ['1 + 2', 3],
    ['10 - 2 * 3', 4],
  ])('%s is %d', async (source, expected) => {
    expect(await valueOf(source)).toBe(expected);
  });
});

describe('constants, variables and comments', () => {
  test.each([
    ['$true', true],
    ['$TRUE', true],
    ['$false', false],
    ['$null', null],
    ['$x = 5; $x', 5],
    ['${a b} = 1; ${a b}', 1],
    ['${a`}b} = 2; ${a`}b}', 2],
    ["'a' # comment", 'a'],
    ["<# block\ncomment #> 'b'", 'b'],
    ["'c' <# inline #>", 'c'],
    ["'x' + <# mid #> 'y'", 'xy'],
  ])('%j', async (source, expected) => {
    const { out, err } = await h.run(`ConvertTo-Json -InputObject @(${source}\n) -Compress`);
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual([expected]);
  });
});

describe('parse errors', () => {
  // Ids and messages are PowerShell's (ParserStrings); the service's shell reports exactly these.
  test.each([
    ["'abc", 'TerminatorExpectedAtEndOfString', "The string is missing the terminator: '."],
    ['"abc', 'TerminatorExpectedAtEndOfString', 'The string is missing the terminator: ".'],
    ["Get-X -Name 'a''", 'TerminatorExpectedAtEndOfString', "The string is missing the terminator: '."],
    ['"a`', 'TerminatorExpectedAtEndOfString', 'The string is missing the terminator: ".'],
    ['\u2018abc', 'TerminatorExpectedAtEndOfString', "The string is missing the terminator: '."],
    ["@'", 'TerminatorExpectedAtEndOfString', "The string is missing the terminator: '@."],
    [
      "@' x",
      'UnexpectedCharactersAfterHereStringHeader',
      'No characters are allowed after a here-string header but before the end of the line.',
    ],
    ['try {', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition."],
    ['$b = { 1', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition."],
    ['@{ a = 1', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition."],
    ['try { 1 }', 'MissingCatchOrFinally', 'The Try statement is missing its Catch or Finally block.'],
    ['try 1', 'MissingTryStatementBlock', 'The Try statement is missing its statement block.'],
    ['try { 1 } catch 2', 'MissingCatchHandlerBlock', 'The Catch block is missing its statement block.'],
    ['1 +', 'ExpectedValueExpression', "You must provide a value expression following the '+' operator."],
    ['$x = ', 'ExpectedValueExpression', "You must provide a value expression following the '=' operator."],
    ['$a -eq', 'ExpectedValueExpression', "You must provide a value expression following the '-eq' operator."],
    ['-not', 'MissingExpressionAfterOperator', "Missing expression after unary operator '-not'."],
    ['$x = !', 'MissingExpressionAfterOperator', "Missing expression after unary operator '!'."],
    ['& ', 'MissingExpression', "Missing expression after '&' in pipeline element."],
    ['()', 'ExpectedExpression', "An expression was expected after '('."],
    ['(1', 'MissingEndParenthesisInExpression', "Missing closing ')' in expression."],
    ['$(1', 'MissingEndParenthesisInSubexpression', "Missing closing ')' in subexpression."],
    ["'a' 'b'", 'UnexpectedToken', "Unexpected token ''b'' in expression or statement."],
    [')', 'UnexpectedToken', "Unexpected token ')' in expression or statement."],
    ['}', 'UnexpectedToken', "Unexpected token '}' in expression or statement."],
    ['1abc', 'UnexpectedToken', "Unexpected token '1abc' in expression or statement."],
    ['$x -foo 1', 'UnexpectedToken', "Unexpected token '-foo' in expression or statement."],
    ['Get-A && Get-B', 'InvalidEndOfLine', "The token '&&' is not a valid statement separator in this version."],
    ['@{ a 1 }', 'MissingEqualsInHashLiteral', "Missing '=' operator after key in hash literal."],
    ['@{ a = }', 'MissingStatementInHashLiteral', "Missing statement after '=' in hash literal."],
    ['@{ a = 1; A = 2 }', 'DuplicateKeyInHashLiteral', "Duplicate keys 'A' are not allowed in hash literals."],
    ['Get-A |', 'EmptyPipeElement', 'An empty pipe element is not allowed.'],
    ['| Get-A', 'EmptyPipeElement', 'An empty pipe element is not allowed.'],
    [
      'Get-A | 1',
      'ExpressionsMustBeFirstInPipeline',
      'Expressions are only allowed as the first element of a pipeline.',
    ],
    ['$x.', 'MissingPropertyName', 'Missing property name after reference operator.'],
    ['$x.Foo(1', 'MissingEndParenthesisInMethodCall', "Missing ')' in method call."],
    ['$x[]', 'MissingArrayIndexExpression', 'Array index expression is missing or not valid.'],
    ['$x[1', 'MissingEndSquareBracket', "Missing ']' after array index expression."],
    ['[int', 'EndSquareBracketExpectedAtEndOfAttribute', 'Missing ] at end of attribute or type literal.'],
    ['[]', 'MissingTypename', "Missing type name after '['."],
    ['1,', 'MissingExpressionAfterToken', "Missing expression after ','."],
    ["Get-A -P 'a',", 'MissingArgument', 'Missing argument in parameter list.'],
    [
      '1 = 2',
      'InvalidLeftHandSide',
      'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.',
    ],
    ['0x1FFFFFFFFFFFFFFFF', 'BadNumericConstant', 'The numeric constant 0x1FFFFFFFFFFFFFFFF is not valid.'],
    ['99999999999999999999l', 'BadNumericConstant', 'The numeric constant 99999999999999999999l is not valid.'],
    ['1.5l', 'BadNumericConstant', 'The numeric constant 1.5l is not valid.'],
    ['<# open', 'MissingTerminatorMultiLineComment', "The terminator '#>' is missing from the multiline comment."],
    [
      '"`u{110000}"',
      'InvalidUnicodeEscapeSequenceValue',
      'The Unicode escape sequence value is out of range. The maximum value is 0x10FFFF.',
    ],
    [
      '"`u{}"',
      'InvalidUnicodeEscapeSequence',
      "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by one to six hex digits and a closing '}'.",
    ],
    [
      '"`u0041"',
      'InvalidUnicodeEscapeSequence',
      "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by one to six hex digits and a closing '}'.",
    ],
    [
      '"`u{12x}"',
      'InvalidUnicodeEscapeSequence',
      "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by one to six hex digits and a closing '}'.",
    ],
    [
      '"`u{0000412}"',
      'TooManyDigitsInUnicodeEscapeSequence',
      'The Unicode escape sequence contains more than the maximum of six hex digits between braces.',
    ],
    [
      '"`u{000041x"',
      'MissingUnicodeEscapeSequenceTerminator',
      "The Unicode escape sequence is missing the closing '}'.",
    ],
    ['${abc', 'IncompleteDollarVariableReference', "${variable} reference starting is missing the closing '}'."],
    [
      '${}',
      'EmptyVariableReference',
      'An empty ${} variable reference was found. A name is required inside the braces.',
    ],
    [
      '"$x:"',
      'InvalidVariableReferenceWithDrive',
      "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name.",
    ],
    ['Get-A > out.txt', 'RedirectionNotSupported', 'Redirection is not supported by this shell.'],
    [
      'foreach ($a in $b) { }',
      'ReservedKeywordNotAllowed',
      "The 'foreach' keyword is not supported in this version of the language.",
    ],
  ])('%j -> %s', (source, id, message) => {
    const error = parseErrorOf(source);
    expect(error.details.errorId).toBe(id);
    expect(error.message).toBe(message);
    expect(error.details.parseError).toBe(true);
  });

  test('are formatted like Windows PowerShell, pointing at the offending text', () => {
    const source = "Get-Thing -Name 'abc";
    const error = parseErrorOf(source);
    expect(formatUncaughtError(error, { source, extent: error.extent })).toBe(
      [
        'At line:1 char:17',
        "+ Get-Thing -Name 'abc",
        '+                 ~~~~',
        "The string is missing the terminator: '.",
        '    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException',
        '    + FullyQualifiedErrorId : TerminatorExpectedAtEndOfString',
        '',
      ].join('\n'),
    );
  });

  test('a missing closing brace points at the opening one', () => {
    const error = parseErrorOf('try { Get-A');
    expect(error.extent.start).toBe(4);
  });

  test('an unexpected token is underlined whole', () => {
    const source = "Write-Output 'a'; 'x' 'yz'";
    const error = parseErrorOf(source);
    expect(formatUncaughtError(error, { source, extent: error.extent }).split('\n').slice(0, 3)).toEqual([
      'At line:1 char:23',
      "+ Write-Output 'a'; 'x' 'yz'",
      '+                       ~~~~',
    ]);
  });
});

describe('command mode', () => {
  const argsOf = async (line: string) => {
    const { err } = await h.run(line);
    expect(err).toBe('');
    return lastArgs(h);
  };

  test.each([
    ['Get-Widget plain', { Name: 'plain' }],
    ['Get-Widget a.b-c', { Name: 'a.b-c' }],
    ["Get-Widget a'b c'd", { Name: 'ab cd' }],
    ['Get-Widget a`tb', { Name: 'a\tb' }],
    ['Get-Widget 0x10', { Name: '16' }],
    ['Get-Widget 1.2.3', { Name: '1.2.3' }],
    ['Get-Widget 12abc', { Name: '12abc' }],
    ['Get-Widget -Count 0x10', { Count: 16 }],
    ['Get-Widget -Count 1kb', { Count: 1024 }],
    ['Get-Widget -Count -5', { Count: -5 }],
    ['Get-Widget -Count:7', { Count: 7 }],
    ['Get-Widget -Count: 8', { Count: 8 }],
    ['Get-Widget -Name:(1 + 2)', { Name: '3' }],
    ['Get-Widget \u2013Name dash', { Name: 'dash' }],
    ['Get-Widget \u2014Count 3', { Count: 3 }],
    ['$n = \'v\'; Get-Widget "x$n"', { Name: 'xv' }],
    ['Get-Widget -Tags a, b,c', { Tags: ['a', 'b', 'c'] }],
    ["Get-Widget -Tags 'a', ('b'), $('c'), @('d'), {e}", { Tags: ['a', 'b', 'c', 'd', 'e'] }],
    ["Get-Widget -Tags 'a'", { Tags: ['a'] }],
    ["Get-Widget -Name '-Count'", { Name: '-Count' }],
    ['Get-Widget -- -Count', { Name: '-Count' }],
    ['Get-Widget 1k', { Name: '1k' }],
    ['Get-Widget 99999999999999999999999999999l', { Name: '99999999999999999999999999999l' }],
    ['Get-Widget +5', { Name: '5' }],
    ['Get-Widget a>b', { Name: 'a>b' }],
    ["$v = 'V'; Get-Widget $v-x", { Name: 'V-x' }],
    ["$v = 'V'; Get-Widget $v'q'", { Name: 'Vq' }],
    ["Get-Widget -Name:'a'", { Name: 'a' }],
    ['Get-Widget a#b', { Name: 'a#b' }],
    ['Get-Widget x # comment', { Name: 'x' }],
    ['Get-Widget a`', { Name: 'a`' }],
    ['Get-Widget -Tags a\0b', { Tags: ['a'], Name: '\0b' }],
    ['Get-Widget -Tags \0', { Tags: ['\0'] }],
  ])('%s', async (line, expected) => {
    expect(await argsOf(line)).toMatchObject(expected);
  });
});
