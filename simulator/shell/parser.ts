// Scanner and recursive-descent parser for the PowerShell subset of docs/powershell-dialect.md, written from the
// PowerShell language specification (chapter 2, lexical structure; chapter 8, statements) and about_Parsing.
// PowerShell tokenizes differently in command mode (arguments are bare words) and expression mode, so scanning and
// parsing are done together over the source text rather than from a token list.
import type {
  CommandAst,
  CommandElement,
  Expression,
  Extent,
  ParamDecl,
  PipelineElement,
  ScriptBlockAst,
  Statement,
  StatementBlock,
  StringPart,
} from './ast';
import { ParseError } from './errors';
import { defined } from '../invariant';

// §2.2.4 / §2.3: the dash, quote and whitespace characters PowerShell recognises, typographic ones included.
export const isDash = (c: string | undefined): boolean =>
  c === '-' || c === '\u2013' || c === '\u2014' || c === '\u2015';
export const isSingleQuote = (c: string | undefined): boolean =>
  c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B';
export const isDoubleQuote = (c: string | undefined): boolean =>
  c === '"' || c === '\u201C' || c === '\u201D' || c === '\u201E';
const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';
const isWhitespace = (c: string | undefined): boolean =>
  c !== undefined &&
  (c === ' ' ||
    c === '\t' ||
    c === '\v' ||
    c === '\f' ||
    c === '\u00A0' ||
    c === '\u0085' ||
    /[\p{Zs}\p{Zl}\p{Zp}]/u.test(c));
const isVarChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_?]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHexDigit = (c: string | undefined): boolean => c !== undefined && /[0-9a-fA-F]/.test(c);
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[\p{L}_]/u.test(c);
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
/** parameter: dash first-parameter-char (Lu Ll Lt Lm Lo _ ?). */
const isFirstParameterChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}_?]/u.test(c);
/** ForceStartNewToken: the characters that end a bare word (generic token). */
const endsGenericToken = (c: string | undefined): boolean =>
  c === undefined || c === '\0' || isWhitespace(c) || isNewline(c) || '{}();,|&'.includes(c);
/** ForceStartNewTokenAfterNumber: in expression mode these also end a number (`7+1` is three tokens, `7z` one). */
const endsNumberInExpression = (c: string | undefined): boolean =>
  endsGenericToken(c) || '!#%*+-./<=>]'.includes(c!) || isDash(c);

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const MULTIPLIERS: Record<string, bigint> = {
  kb: 1n << 10n,
  mb: 1n << 20n,
  gb: 1n << 30n,
  tb: 1n << 40n,
  pb: 1n << 50n,
};

const COMPARISON_OPERATORS = new Set(
  ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains', 'in', 'notin']
    .flatMap((op) => [op, `i${op}`, `c${op}`])
    .concat(['is', 'isnot', 'join', 'replace', 'ireplace', 'creplace']),
);
const LOGICAL_OPERATORS = new Set(['and', 'or', 'xor']);
const UNARY_OPERATORS = new Set(['not', 'join']);
const KEYWORDS_UNSUPPORTED = new Set([
  'begin',
  'break',
  'class',
  'continue',
  'data',
  'do',
  'dynamicparam',
  'end',
  'enum',
  'filter',
  'for',
  'foreach',
  'from',
  'function',
  'process',
  'switch',
  'trap',
  'until',
  'using',
  'while',
  'workflow',
  'configuration',
  'parallel',
  'sequence',
  'inlinescript',
]);

type Closer = '}' | ')' | null;

export function parseScript(source: string): ScriptBlockAst {
  return new Parser(source).parseScript();
}

class Parser {
  private pos = 0;
  /** False inside method-call argument lists, where commas separate arguments; nested statements reset it. */
  private commasMakeArrays = true;

  constructor(private readonly src: string) {}

  // ---------------------------------------------------------------- helpers

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private error(message: string, id: string, start: number, end = start + 1): never {
    throw new ParseError(message, id, { start, end });
  }

  /** Skips whitespace, comments and line continuations; with `newlines`, line breaks too. */
  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (isWhitespace(c)) this.pos++;
      else if (c === '`' && isNewline(this.peek(1))) {
        this.pos += this.peek(1) === '\r' && this.peek(2) === '\n' ? 3 : 2;
      } else if (newlines && isNewline(c)) this.pos++;
      else if (c === '#') {
        while (this.pos < this.src.length && !isNewline(this.peek())) this.pos++;
      } else if (c === '<' && this.peek(1) === '#') {
        const start = this.pos;
        const close = this.src.indexOf('#>', this.pos + 2);
        if (close < 0)
          this.error(
            "The terminator '#>' is missing from the multiline comment.",
            'MissingTerminatorMultiLineComment',
            start,
            this.src.length,
          );
        this.pos = close + 2;
      } else return;
    }
  }

  /** The token at `at`, roughly as PowerShell would show it in "Unexpected token 'x'". */
  private tokenAt(at: number): Extent & { text: string } {
    const c = this.src[at];
    let end = at + 1;
    if (c === undefined) return { start: at, end: at, text: '' };
    if (isSingleQuote(c) || isDoubleQuote(c)) {
      const save = this.pos;
      this.pos = at;
      try {
        if (isSingleQuote(c)) this.scanSingleQuoted();
        else this.scanDoubleQuoted();
        end = this.pos;
      } catch {
        end = this.src.length;
      }
      this.pos = save;
    } else if (c === '$' && isVarChar(this.src[at + 1])) {
      while (isVarChar(this.src[end])) end++;
    } else if (isDash(c) && isIdentStart(this.src[at + 1])) {
      while (isIdentChar(this.src[end])) end++;
    } else if (c === '&' && this.src[at + 1] === '&') end = at + 2;
    else if (c === '|' && this.src[at + 1] === '|') end = at + 2;
    else if (!'{}()[];,|&=+*/%!.@$<>'.includes(c) && !isDash(c)) {
      while (end < this.src.length && !endsGenericToken(this.src.charAt(end)) && !'[]='.includes(this.src.charAt(end)))
        end++;
    }
    return { start: at, end, text: this.src.slice(at, end) };
  }

  private unexpectedToken(at: number): never {
    const token = this.tokenAt(at);
    if (token.text === '&&' || token.text === '||') {
      this.error(
        `The token '${token.text}' is not a valid statement separator in this version.`,
        'InvalidEndOfLine',
        at,
        token.end,
      );
    }
    this.error(`Unexpected token '${token.text}' in expression or statement.`, 'UnexpectedToken', at, token.end);
  }

  /** A case-insensitive keyword or bare word at the current position, followed by a non-word character. */
  private wordAt(at: number): string | null {
    let end = at;
    while (isIdentChar(this.src[end]) || (end > at && isDash(this.src[end]))) end++;
    if (end === at) return null;
    return this.src.slice(at, end);
  }

  private keywordAt(keyword: string): boolean {
    const word = this.src.slice(this.pos, this.pos + keyword.length);
    if (word.toLowerCase() !== keyword) return false;
    const next = this.src[this.pos + keyword.length];
    return next === undefined || !(isIdentChar(next) || isDash(next) || next === '.' || next === ':' || next === '\\');
  }

  // ---------------------------------------------------------------- statements

  parseScript(): ScriptBlockAst {
    const statements = this.parseStatementList(null);
    if (this.pos < this.src.length) this.unexpectedToken(this.pos);
    return { start: 0, end: this.src.length, params: [], statements, text: this.src };
  }

  /** statement-list up to `closer` (not consumed) or the end of the text. */
  private parseStatementList(closer: Closer): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      this.skip(true);
      const c = this.peek();
      if (c === undefined) return statements;
      if (c === ';') {
        this.pos++;
        continue;
      }
      if (c === closer) return statements;
      if (c === '}' || c === ')') this.unexpectedToken(this.pos);
      statements.push(this.parseStatement());
      this.skip(false);
      const next = this.peek();
      if (next === undefined || next === ';' || isNewline(next) || next === closer) continue;
      this.unexpectedToken(this.pos);
    }
  }

  private parseStatement(): Statement {
    return this.withCommasMakingArrays(true, () => this.parseStatementInner());
  }

  /** Whether `a, b` builds an array depends on the enclosing construct; nested constructs restore the outer rule. */
  private withCommasMakingArrays<T>(value: boolean, parse: () => T): T {
    const saved = this.commasMakeArrays;
    this.commasMakeArrays = value;
    try {
      return parse();
    } finally {
      this.commasMakeArrays = saved;
    }
  }

  private parseStatementInner(): Statement {
    const start = this.pos;
    if (this.peek() === '|' && this.peek(1) !== '|')
      this.error('An empty pipe element is not allowed.', 'EmptyPipeElement', start);
    if (this.keywordAt('try')) return this.parseTry();
    if (this.keywordAt('if')) return this.parseIf();
    for (const flow of ['throw', 'exit', 'return'] as const) {
      if (this.keywordAt(flow)) {
        this.pos += flow.length;
        this.skip(false);
        const c = this.peek();
        const value =
          c === undefined || c === ';' || isNewline(c) || c === '}' || c === ')' ? null : this.parsePipeline();
        return { kind: flow, value, start, end: this.pos };
      }
    }
    for (const keyword of ['catch', 'finally', 'else', 'elseif', 'param']) {
      if (this.keywordAt(keyword)) this.unexpectedToken(start);
    }
    const word = this.wordAt(this.pos);
    if (word && KEYWORDS_UNSUPPORTED.has(word.toLowerCase()) && this.keywordAt(word.toLowerCase())) {
      this.error(
        `The '${word}' keyword is not supported in this version of the language.`,
        'ReservedKeywordNotAllowed',
        start,
        start + word.length,
      );
    }
    return this.parsePipeline();
  }

  private parseBlock(missingId: string, missingMessage: string): StatementBlock {
    this.skip(true);
    const start = this.pos;
    if (this.peek() !== '{') this.error(missingMessage, missingId, this.pos);
    this.pos++;
    const statements = this.parseStatementList('}');
    if (this.peek() !== '}')
      this.error("Missing closing '}' in statement block or type definition.", 'MissingEndCurlyBrace', start);
    this.pos++;
    return { start, end: this.pos, statements };
  }

  private parseTry(): Statement {
    const start = this.pos;
    this.pos += 3;
    const body = this.parseBlock('MissingTryStatementBlock', 'The Try statement is missing its statement block.');
    const catches: Array<{ types: string[]; body: StatementBlock }> = [];
    let finallyBlock: StatementBlock | null = null;
    for (;;) {
      const save = this.pos;
      this.skip(true);
      if (this.keywordAt('catch')) {
        this.pos += 5;
        const types: string[] = [];
        this.skip(false);
        while (this.peek() === '[') {
          types.push(this.scanTypeName().name);
          this.skip(false);
          if (this.peek() === ',') {
            this.pos++;
            this.skip(true);
          }
        }
        catches.push({
          types,
          body: this.parseBlock('MissingCatchHandlerBlock', 'The Catch block is missing its statement block.'),
        });
        continue;
      }
      if (this.keywordAt('finally')) {
        this.pos += 7;
        finallyBlock = this.parseBlock(
          'MissingFinallyStatementBlock',
          'The Finally block is missing its statement block.',
        );
      } else this.pos = save;
      break;
    }
    if (catches.length === 0 && !finallyBlock) {
      this.error('The Try statement is missing its Catch or Finally block.', 'MissingCatchOrFinally', this.pos);
    }
    return { kind: 'try', body, catches, finally: finallyBlock, start, end: this.pos };
  }

  private parseIf(): Statement {
    const start = this.pos;
    this.pos += 2;
    const clauses: Array<{ condition: Statement; body: StatementBlock }> = [];
    let elseBody: StatementBlock | null = null;
    for (;;) {
      this.skip(true);
      if (this.peek() !== '(')
        this.error("Missing '(' after 'if' in if statement.", 'MissingOpenParenthesisInIfStatement', this.pos);
      this.pos++;
      this.skip(true);
      const condition = this.parsePipeline();
      this.skip(true);
      if (this.peek() !== ')')
        this.error(
          "Missing closing ')' after expression in 'if' statement.",
          'MissingEndParenthesisAfterStatement',
          this.pos,
        );
      this.pos++;
      clauses.push({
        condition,
        body: this.parseBlock('MissingStatementBlock', 'Missing statement block after if ( condition ).'),
      });
      const save = this.pos;
      this.skip(true);
      if (this.keywordAt('elseif')) {
        this.pos += 6;
        continue;
      }
      if (this.keywordAt('else')) {
        this.pos += 4;
        elseBody = this.parseBlock('MissingStatementBlockAfterElse', "Missing statement block after 'else' keyword.");
      } else this.pos = save;
      break;
    }
    return { kind: 'if', clauses, elseBody, start, end: this.pos };
  }

  /** A pipeline, or an assignment when its first element is an assignable expression followed by `=`. */
  private parsePipeline(): Statement {
    const start = this.pos;
    const elements: PipelineElement[] = [];
    const first = this.parsePipelineElement(true);
    this.skip(false);
    if (first.kind === 'expression') {
      const assignment = this.peek() === '=' ? '=' : this.peek() === '+' && this.peek(1) === '=' ? '+=' : null;
      if (assignment) {
        const target = first.expression;
        if (!['variable', 'member', 'index'].includes(target.kind)) {
          this.error(
            'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.',
            'InvalidLeftHandSide',
            target.start,
            target.end,
          );
        }
        const opAt = this.pos;
        this.pos += assignment.length;
        this.skip(true);
        const c = this.peek();
        if (c === undefined || c === ';' || c === '}' || c === ')' || c === '|') {
          this.error(
            `You must provide a value expression following the '${assignment}' operator.`,
            'ExpectedValueExpression',
            opAt + assignment.length,
          );
        }
        const value = this.parseStatement();
        return { kind: 'assignment', target, operator: assignment, value, start, end: this.pos };
      }
    }
    elements.push(first);
    for (;;) {
      this.skip(false);
      if (this.peek() !== '|' || this.peek(1) === '|') break;
      const barAt = this.pos;
      this.pos++;
      this.skip(true);
      const c = this.peek();
      if (c === undefined || c === '|' || c === ';' || c === ')' || c === '}') {
        this.error('An empty pipe element is not allowed.', 'EmptyPipeElement', barAt + 1);
      }
      const element = this.parsePipelineElement(false);
      elements.push(element);
    }
    if (this.peek() === '>' || (this.peek() === '<' && this.peek(1) !== '#')) {
      this.error('Redirection is not supported by this shell.', 'RedirectionNotSupported', this.pos);
    }
    return { kind: 'pipeline', elements, start, end: this.pos };
  }

  private startsExpression(): boolean {
    const c = this.peek();
    if (c === undefined) return false;
    if (c === '$' || c === '(' || c === '@' || c === '[' || c === '{' || c === '!' || c === ',') return true;
    if (isSingleQuote(c) || isDoubleQuote(c) || isDigit(c)) return true;
    if (c === '.' && isDigit(this.peek(1))) return true;
    if (isDash(c) || c === '+') return true;
    return false;
  }

  private parsePipelineElement(first: boolean): PipelineElement {
    const start = this.pos;
    if (this.peek() === '&' && this.peek(1) !== '&') return this.parseCommand();
    if (this.atDotSource()) return this.parseCommand();
    if (this.startsExpression()) {
      if (!first) {
        const expression = this.parseExpression();
        this.error(
          'Expressions are only allowed as the first element of a pipeline.',
          'ExpressionsMustBeFirstInPipeline',
          expression.start,
          expression.end,
        );
      }
      const expression = this.parseExpression();
      return { kind: 'expression', expression, start, end: this.pos };
    }
    return this.parseCommand();
  }

  // ---------------------------------------------------------------- commands

  /** `. ` followed by what to run (the dot-source operator), as opposed to `.\path`, `.5` or a member access. */
  private atDotSource(): boolean {
    return this.peek() === '.' && (isWhitespace(this.peek(1)) || this.peek(1) === '{' || this.peek(1) === '(');
  }

  private parseCommand(): CommandAst {
    const start = this.pos;
    let name: string | Expression;
    let nameExtent: Extent;
    const dotSource = this.atDotSource();
    if (this.peek() === '&' || dotSource) {
      this.pos++;
      this.skip(false);
      const at = this.pos;
      if (this.startsExpression()) name = this.parsePrimary(true);
      else name = this.scanGenericToken().text;
      nameExtent = { start: at, end: this.pos };
      if (typeof name === 'string' && name === '')
        this.error(`Missing expression after '${dotSource ? '.' : '&'}' in pipeline element.`, 'MissingExpression', at);
    } else {
      const c = this.peek();
      if (c === undefined || endsGenericToken(c)) this.unexpectedToken(this.pos);
      const token = this.scanGenericToken();
      name = token.text;
      nameExtent = { start, end: this.pos };
    }
    const elements: CommandElement[] = [];
    let endOfParameters = false;
    for (;;) {
      this.skip(false);
      const c = this.peek();
      if (c === undefined || isNewline(c) || c === ';' || c === '|' || c === ')' || c === '}') break;
      if (c === '&') {
        if (this.peek(1) === '&') this.unexpectedToken(this.pos);
        this.error(
          'The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks ("&") to pass it as part of a string.',
          'AmpersandNotAllowed',
          this.pos,
        );
      }
      if (c === '>' || c === '<')
        this.error('Redirection is not supported by this shell.', 'RedirectionNotSupported', this.pos);
      const at = this.pos;
      if (!endOfParameters && isDash(c) && isDash(this.peek(1)) && endsGenericToken(this.peek(2))) {
        this.pos += 2;
        endOfParameters = true;
        continue;
      }
      if (!endOfParameters && isDash(c) && isFirstParameterChar(this.peek(1))) {
        this.pos++;
        while (this.pos < this.src.length) {
          const p = this.peek();
          if (
            p === undefined ||
            isWhitespace(p) ||
            isNewline(p) ||
            '{}();,|&.[:'.includes(p) ||
            isSingleQuote(p) ||
            isDoubleQuote(p)
          )
            break;
          this.pos++;
        }
        const paramName = this.src.slice(at + 1, this.pos);
        if (this.peek() === ':') {
          this.pos++;
          const colonEnd = this.pos;
          this.skip(false);
          const n = this.peek();
          if (n === undefined || isNewline(n) || n === ';' || n === '|' || n === ')' || n === '}') {
            elements.push({
              kind: 'parameter',
              name: paramName,
              colon: true,
              argument: null,
              start: at,
              end: colonEnd,
            });
            continue;
          }
          const argument = this.parseCommandArgument();
          elements.push({ kind: 'parameter', name: paramName, colon: true, argument, start: at, end: this.pos });
        } else {
          elements.push({ kind: 'parameter', name: paramName, colon: false, argument: null, start: at, end: this.pos });
        }
        continue;
      }
      if (c === '@' && isVarChar(this.peek(1))) {
        this.pos++;
        while (isVarChar(this.peek())) this.pos++;
        elements.push({ kind: 'splat', variable: this.src.slice(at + 1, this.pos), start: at, end: this.pos });
        continue;
      }
      const value = this.parseCommandArgument();
      if (this.pos === at) this.unexpectedToken(at);
      elements.push({ kind: 'argument', value, start: at, end: this.pos });
    }
    return { kind: 'command', name, nameExtent, elements, start, end: this.pos, ...(dotSource ? { dotSource } : {}) };
  }

  /** command-argument: primaries separated by commas form an array. */
  private parseCommandArgument(): Expression {
    const start = this.pos;
    const first = this.parseCommandArgumentPrimary();
    this.skip(false);
    if (this.peek() !== ',') return first;
    const items = [first];
    while (this.peek() === ',') {
      const commaAt = this.pos;
      this.pos++;
      this.skip(true);
      const c = this.peek();
      if (c === undefined || c === '\0' || ';)}|&,'.includes(c)) {
        this.error('Missing argument in parameter list.', 'MissingArgument', commaAt, commaAt + 1);
      }
      items.push(this.parseCommandArgumentPrimary());
      this.skip(false);
    }
    return { kind: 'array', items, start, end: this.pos };
  }

  private parseCommandArgumentPrimary(): Expression {
    const start = this.pos;
    const c = this.peek();
    if (c === '$' && this.peek(1) !== '(') {
      const primary = this.parsePrimary(true);
      // `$a-b` or `$a'x'` in command mode is one bare word with `$a` expanded in it.
      const n = this.peek();
      if (!endsGenericToken(n) && n !== '.' && n !== '[' && n !== '=' && !(n === ':' && this.peek(1) === ':')) {
        this.pos = start;
        return this.scanGenericArgument();
      }
      return this.parsePostfix(primary, true);
    }
    if (c === '$' || c === '(' || c === '{' || (c === '@' && (this.peek(1) === '(' || this.peek(1) === '{'))) {
      return this.parsePostfix(this.parsePrimary(true), true);
    }
    if (c === '@' && (isSingleQuote(this.peek(1)) || isDoubleQuote(this.peek(1)))) return this.parsePrimary(true);
    if (isSingleQuote(c) || isDoubleQuote(c)) {
      const literal = this.parsePrimary(true);
      if (endsGenericToken(this.peek())) return literal;
      this.pos = start;
      return this.scanGenericArgument();
    }
    if (
      isDigit(c) ||
      (c === '.' && isDigit(this.peek(1))) ||
      ((isDash(c) || c === '+') && (isDigit(this.peek(1)) || (this.peek(1) === '.' && isDigit(this.peek(2)))))
    ) {
      const number = this.tryScanNumber(true);
      if (number !== null) return number;
      this.pos = start;
    }
    if (c === ',') this.error('Missing argument in parameter list.', 'MissingArgument', this.pos);
    return this.scanGenericArgument();
  }

  private scanGenericArgument(): Expression {
    const start = this.pos;
    const token = this.scanGenericToken();
    if (token.parts.every((p) => typeof p === 'string')) {
      return { kind: 'constant', value: token.text, start, end: this.pos };
    }
    return { kind: 'expandable', parts: token.parts, start, end: this.pos };
  }

  /**
   * A bare word in command mode: runs to whitespace or one of `{}();,|&<>`, with backtick escapes, embedded quoted
   * sections (`a'b c'` is "ab c") and `$variable` expansion.
   */
  private scanGenericToken(): { text: string; parts: StringPart[] } {
    const parts: StringPart[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push(text);
    };
    let literal = '';
    // A NUL that is not the end of the text starts a bare word of its own (and ends any other).
    if (this.peek() === '\0') {
      this.pos++;
      text = literal = '\0';
    }
    while (!endsGenericToken(this.peek())) {
      const c = this.peek()!;
      if (c === '`') {
        // A backtick at the very end stays in the token.
        const escaped = this.peek(1) === undefined ? (this.pos++, '`') : this.scanBacktick();
        text += escaped;
        literal += escaped;
        continue;
      }
      if (isSingleQuote(c)) {
        const s = this.scanSingleQuoted();
        text += s;
        literal += s;
        continue;
      }
      if (isDoubleQuote(c)) {
        const quotedParts = this.scanDoubleQuoted();
        for (const p of quotedParts) {
          if (typeof p === 'string') {
            text += p;
            literal += p;
          } else {
            flush();
            text = '';
            parts.push(p);
            literal += '$';
          }
        }
        continue;
      }
      if (c === '$') {
        const variable = this.tryScanVariableInString();
        if (variable) {
          flush();
          text = '';
          parts.push(variable);
          literal += '$';
          continue;
        }
      }
      text += c;
      literal += c;
      this.pos++;
    }
    flush();
    return { text: literal, parts };
  }

  // ---------------------------------------------------------------- expressions

  private parseExpression(): Expression {
    return this.parseLogical();
  }

  /** Reads `-op` at the current position when it is one of `ops`; returns it lower-cased. */
  private peekDashOperator(ops: Set<string>): { op: string; length: number } | null {
    if (!isDash(this.peek())) return null;
    let end = this.pos + 1;
    while (isIdentChar(this.src[end])) end++;
    const op = this.src.slice(this.pos + 1, end).toLowerCase();
    return ops.has(op) ? { op, length: end - this.pos } : null;
  }

  /** The right operand of a binary operator, or the operand of a unary one (their errors differ). */
  private operand(parse: () => Expression, operator: string, at: number, unary = false): Expression {
    this.skip(true);
    const c = this.peek();
    if (c === undefined || c === ';' || c === ')' || c === '}' || c === '|' || c === ']' || !this.startsExpression()) {
      if (unary)
        this.error(`Missing expression after unary operator '${operator}'.`, 'MissingExpressionAfterOperator', at);
      this.error(
        `You must provide a value expression following the '${operator}' operator.`,
        'ExpectedValueExpression',
        at,
      );
    }
    return parse();
  }

  private parseLogical(): Expression {
    let left = this.parseComparison();
    for (;;) {
      this.skip(false);
      const op = this.peekDashOperator(LOGICAL_OPERATORS);
      if (!op) return left;
      const text = this.src.slice(this.pos, this.pos + op.length);
      this.pos += op.length;
      const right = this.operand(() => this.parseComparison(), text, this.pos);
      left = { kind: 'binary', operator: op.op, left, right, start: left.start, end: right.end };
    }
  }

  private parseComparison(): Expression {
    let left = this.parseAdditive();
    for (;;) {
      this.skip(false);
      const op = this.peekDashOperator(COMPARISON_OPERATORS);
      if (!op) {
        if (isDash(this.peek()) && isIdentStart(this.peek(1))) {
          const word = this.wordAt(this.pos + 1) ?? '';
          if (!LOGICAL_OPERATORS.has(word.toLowerCase())) this.unexpectedToken(this.pos);
        }
        return left;
      }
      const text = this.src.slice(this.pos, this.pos + op.length);
      this.pos += op.length;
      const right = this.operand(() => this.parseAdditive(), text, this.pos);
      left = { kind: 'binary', operator: op.op, left, right, start: left.start, end: right.end };
    }
  }

  private parseAdditive(): Expression {
    let left = this.parseMultiplicative();
    for (;;) {
      this.skip(false);
      const c = this.peek();
      const isMinus = isDash(c) && !isIdentStart(this.peek(1)) && this.peek(1) !== '=' && !isDash(this.peek(1));
      if (!((c === '+' && this.peek(1) !== '=' && this.peek(1) !== '+') || isMinus)) return left;
      this.pos++;
      const right = this.operand(() => this.parseMultiplicative(), c === '+' ? '+' : '-', this.pos);
      left = { kind: 'binary', operator: c === '+' ? '+' : '-', left, right, start: left.start, end: right.end };
    }
  }

  private parseMultiplicative(): Expression {
    let left = this.parseRange();
    for (;;) {
      this.skip(false);
      const c = this.peek();
      if (!(c === '*' || c === '/' || c === '%') || this.peek(1) === '=') return left;
      this.pos++;
      const right = this.operand(() => this.parseRange(), c, this.pos);
      left = { kind: 'binary', operator: c, left, right, start: left.start, end: right.end };
    }
  }

  private parseRange(): Expression {
    const left = this.parseArrayLiteral();
    this.skip(false);
    if (this.peek() === '.' && this.peek(1) === '.') {
      this.pos += 2;
      const right = this.operand(() => this.parseArrayLiteral(), '..', this.pos);
      return { kind: 'binary', operator: '..', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseArrayLiteral(): Expression {
    const first = this.parseUnary();
    this.skip(false);
    if (this.peek() !== ',' || !this.commasMakeArrays) return first;
    const items = [first];
    while (this.peek() === ',') {
      const at = this.pos;
      this.pos++;
      this.skip(true);
      if (!this.startsExpression() || this.peek() === ',')
        this.error("Missing expression after ','.", 'MissingExpressionAfterToken', at + 1);
      items.push(this.parseUnary());
      this.skip(false);
    }
    return { kind: 'array', items, start: first.start, end: this.pos };
  }

  private parseUnary(): Expression {
    const start = this.pos;
    const c = this.peek();
    if (c === '!') {
      this.pos++;
      const operand = this.operand(() => this.parseUnary(), '!', this.pos, true);
      return { kind: 'unary', operator: 'not', operand, start, end: operand.end };
    }
    if (c === ',') {
      this.pos++;
      const operand = this.operand(() => this.parseUnary(), ',', this.pos, true);
      return { kind: 'unary', operator: ',', operand, start, end: operand.end };
    }
    if (isDash(c)) {
      const op = this.peekDashOperator(UNARY_OPERATORS);
      if (op) {
        const text = this.src.slice(this.pos, this.pos + op.length);
        this.pos += op.length;
        const operand = this.operand(() => this.parseUnary(), text, this.pos, true);
        return { kind: 'unary', operator: op.op, operand, start, end: operand.end };
      }
      if (isIdentStart(this.peek(1))) this.unexpectedToken(this.pos);
      if (isDigit(this.peek(1)) || (this.peek(1) === '.' && isDigit(this.peek(2)))) {
        const number = this.tryScanNumber(false);
        if (number) return this.parsePostfix(number, false);
        this.pos = start;
      }
      this.pos++;
      const operand = this.operand(() => this.parseUnary(), '-', this.pos, true);
      return { kind: 'unary', operator: '-', operand, start, end: operand.end };
    }
    if (c === '+') {
      this.pos++;
      const operand = this.operand(() => this.parseUnary(), '+', this.pos, true);
      return { kind: 'unary', operator: '+', operand, start, end: operand.end };
    }
    if (c === '[') {
      const type = this.scanTypeName();
      if (this.peek() === ':' && this.peek(1) === ':') {
        return this.parsePostfix({ kind: 'type', typeName: type.name, start, end: this.pos }, false);
      }
      this.skip(false);
      if (this.startsExpression() && !isDash(this.peek()) && this.peek() !== ',' && this.peek() !== '+') {
        const operand = this.parseUnary();
        return { kind: 'cast', typeName: type.name, operand, start, end: operand.end };
      }
      if (isDash(this.peek()) && (isDigit(this.peek(1)) || this.peekDashOperator(UNARY_OPERATORS))) {
        const operand = this.parseUnary();
        return { kind: 'cast', typeName: type.name, operand, start, end: operand.end };
      }
      return this.parsePostfix({ kind: 'type', typeName: type.name, start, end: type.end }, false);
    }
    return this.parsePostfix(this.parsePrimary(false), false);
  }

  /** type-literal: `[` type-name `]`, with generic arguments and array ranks kept in the name. */
  private scanTypeName(): Extent & { name: string } {
    const start = this.pos;
    this.pos++;
    this.skip(false);
    const nameStart = this.pos;
    let depth = 0;
    for (;;) {
      const c = this.peek();
      if (c === undefined || isNewline(c)) {
        if (this.pos === nameStart) this.error("Missing type name after '['.", 'MissingTypename', this.pos);
        this.error(
          'Missing ] at end of attribute or type literal.',
          'EndSquareBracketExpectedAtEndOfAttribute',
          this.pos,
        );
      }
      if (c === '[') depth++;
      else if (c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (!(isIdentChar(c) || c === '.' || c === ',' || c === '`' || c === '+' || isWhitespace(c))) {
        if (this.pos === nameStart) this.error("Missing type name after '['.", 'MissingTypename', this.pos);
        this.error(
          'Missing ] at end of attribute or type literal.',
          'EndSquareBracketExpectedAtEndOfAttribute',
          this.pos,
        );
      }
      this.pos++;
    }
    const name = this.src.slice(nameStart, this.pos).replace(/\s+/g, '');
    if (!name) this.error("Missing type name after '['.", 'MissingTypename', nameStart);
    this.pos++;
    return { start, end: this.pos, name };
  }

  private parsePrimary(commandMode: boolean): Expression {
    const start = this.pos;
    const c = this.peek();
    if (c === undefined) this.error('An expression was expected after this point.', 'ExpectedExpression', this.pos);
    if (isSingleQuote(c)) {
      const value = this.scanSingleQuoted();
      return { kind: 'constant', value, start, end: this.pos };
    }
    if (isDoubleQuote(c)) {
      const parts = this.scanDoubleQuoted();
      return this.stringExpression(parts, start);
    }
    if (c === '@' && (isSingleQuote(this.peek(1)) || isDoubleQuote(this.peek(1)))) return this.scanHereString();
    if (c === '$') {
      if (this.peek(1) === '(') {
        this.pos += 2;
        const statements = this.parseStatementList(')');
        if (this.peek() !== ')')
          this.error("Missing closing ')' in subexpression.", 'MissingEndParenthesisInSubexpression', this.pos);
        this.pos++;
        return { kind: 'subexpression', statements, start, end: this.pos };
      }
      const variable = this.scanVariable();
      if (variable === null) this.unexpectedToken(start);
      return this.variableExpression(variable, start);
    }
    if (c === '@') {
      if (this.peek(1) === '(') {
        this.pos += 2;
        const statements = this.parseStatementList(')');
        if (this.peek() !== ')')
          this.error("Missing closing ')' in subexpression.", 'MissingEndParenthesisInSubexpression', this.pos);
        this.pos++;
        return { kind: 'arraysubexpression', statements, start, end: this.pos };
      }
      if (this.peek(1) === '{') return this.parseHashtable();
      this.unexpectedToken(start);
    }
    if (c === '(') {
      this.pos++;
      this.skip(true);
      if (this.peek() === ')' || this.peek() === undefined) {
        this.error("An expression was expected after '('.", 'ExpectedExpression', this.pos);
      }
      const statement = this.parseStatementInParens();
      this.skip(true);
      if (this.peek() !== ')') {
        if (this.peek() === undefined)
          this.error("Missing closing ')' in expression.", 'MissingEndParenthesisInExpression', this.pos);
        this.unexpectedToken(this.pos);
      }
      this.pos++;
      return { kind: 'paren', statement, start, end: this.pos };
    }
    if (c === '{') {
      const block = this.parseScriptBlock();
      return { kind: 'scriptblock', block, start, end: this.pos };
    }
    if (isDigit(c) || (c === '.' && isDigit(this.peek(1)))) {
      const number = this.tryScanNumber(commandMode);
      if (number) return number;
      this.pos = start;
      this.unexpectedToken(start);
    }
    this.unexpectedToken(start);
  }

  private parseStatementInParens(): Statement {
    const statement = this.parseStatement();
    return statement;
  }

  private variableExpression(name: string, start: number): Expression {
    const lower = name.toLowerCase();
    if (lower === 'true') return { kind: 'constant', value: true, start, end: this.pos };
    if (lower === 'false') return { kind: 'constant', value: false, start, end: this.pos };
    if (lower === 'null') return { kind: 'constant', value: null, start, end: this.pos };
    return { kind: 'variable', name, start, end: this.pos };
  }

  private stringExpression(parts: StringPart[], start: number): Expression {
    if (parts.every((p) => typeof p === 'string')) {
      return { kind: 'constant', value: (parts as string[]).join(''), start, end: this.pos };
    }
    return { kind: 'expandable', parts, start, end: this.pos };
  }

  /** Member access `.x`, `::x`, method calls `.x(...)` and indexing `[i]`, written without whitespace before them. */
  private parsePostfix(target: Expression, commandMode: boolean): Expression {
    let expr = target;
    for (;;) {
      const c = this.peek();
      let isStatic = false;
      if (c === '.' && this.peek(1) !== '.') {
        if (commandMode && endsGenericToken(this.peek(1))) return expr;
        this.pos++;
      } else if (c === ':' && this.peek(1) === ':') {
        this.pos += 2;
        isStatic = true;
      } else if (c === '[' && expr.kind !== 'type') {
        this.pos++;
        this.skip(true);
        if (this.peek() === ']')
          this.error('Array index expression is missing or not valid.', 'MissingArrayIndexExpression', this.pos);
        const index = this.parseExpression();
        this.skip(true);
        if (this.peek() !== ']')
          this.error("Missing ']' after array index expression.", 'MissingEndSquareBracket', this.pos);
        this.pos++;
        expr = { kind: 'index', target: expr, index, start: expr.start, end: this.pos };
        continue;
      } else return expr;
      const memberStart = this.pos;
      let member: string | Expression;
      const m = this.peek();
      if (isIdentStart(m) || isDigit(m)) {
        while (isIdentChar(this.peek())) this.pos++;
        member = this.src.slice(memberStart, this.pos);
      } else if (isSingleQuote(m) || isDoubleQuote(m) || m === '$' || m === '(') {
        member = this.parsePrimary(false);
      } else {
        this.error('Missing property name after reference operator.', 'MissingPropertyName', this.pos);
      }
      if (this.peek() === '(') {
        this.pos++;
        const args: Expression[] = [];
        this.skip(true);
        if (this.peek() !== ')') {
          for (;;) {
            this.skip(true);
            if (this.peek() === undefined)
              this.error("Missing ')' in method call.", 'MissingEndParenthesisInMethodCall', this.pos);
            if (!this.startsExpression()) {
              if (this.peek() === ')' || this.peek() === ',')
                this.error("Missing expression after ','.", 'MissingExpressionAfterToken', this.pos);
              this.unexpectedToken(this.pos);
            }
            args.push(this.parseMethodArgument());
            this.skip(true);
            if (this.peek() === ',') {
              this.pos++;
              continue;
            }
            if (this.peek() === ')') break;
            if (this.peek() === undefined)
              this.error("Missing ')' in method call.", 'MissingEndParenthesisInMethodCall', this.pos);
            this.unexpectedToken(this.pos);
          }
        }
        this.pos++;
        expr = { kind: 'invoke', target: expr, member, isStatic, args, start: expr.start, end: this.pos };
      } else {
        expr = { kind: 'member', target: expr, member, isStatic, start: expr.start, end: this.pos };
      }
    }
  }

  /** Method arguments are separated by commas, so each is an expression without the array-literal level. */
  private parseMethodArgument(): Expression {
    return this.withCommasMakingArrays(false, () => this.parseLogical());
  }

  private parseHashtable(): Expression {
    const start = this.pos;
    this.pos += 2;
    const entries: Array<{ key: Expression; value: Statement }> = [];
    const seen = new Set<string>();
    for (;;) {
      this.skip(true);
      const c = this.peek();
      if (c === undefined)
        this.error("Missing closing '}' in statement block or type definition.", 'MissingEndCurlyBrace', start + 2);
      if (c === ';') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { kind: 'hashtable', entries, start, end: this.pos };
      }
      const keyStart = this.pos;
      let key: Expression;
      if (this.startsExpression() && !isDash(c) && c !== '+' && c !== ',' && c !== '!') key = this.parseUnary();
      else {
        while (!endsGenericToken(this.peek()) && this.peek() !== '=') this.pos++;
        if (this.pos === keyStart) this.unexpectedToken(this.pos);
        key = { kind: 'constant', value: this.src.slice(keyStart, this.pos), start: keyStart, end: this.pos };
      }
      this.skip(false);
      if (this.peek() !== '=') {
        this.error("Missing '=' operator after key in hash literal.", 'MissingEqualsInHashLiteral', this.pos);
      }
      const equalsAt = this.pos;
      this.pos++;
      this.skip(true);
      const v = this.peek();
      if (v === undefined || v === ';' || v === '}' || v === ')') {
        this.error("Missing statement after '=' in hash literal.", 'MissingStatementInHashLiteral', equalsAt + 1);
      }
      const value = this.parseStatement();
      if (key.kind === 'constant' && key.value !== null) {
        const name = String(key.value).toLowerCase();
        if (seen.has(name)) {
          this.error(
            `Duplicate keys '${String(key.value)}' are not allowed in hash literals.`,
            'DuplicateKeyInHashLiteral',
            key.start,
            key.end,
          );
        }
        seen.add(name);
      }
      entries.push({ key, value });
      this.skip(false);
      const n = this.peek();
      if (n === undefined)
        this.error("Missing closing '}' in statement block or type definition.", 'MissingEndCurlyBrace', start + 2);
      if (n !== ';' && n !== '}' && !isNewline(n)) {
        this.error("Missing '=' operator after key in hash literal.", 'MissingEqualsInHashLiteral', this.pos);
      }
    }
  }

  private parseScriptBlock(): ScriptBlockAst {
    const start = this.pos;
    this.pos++;
    const textStart = this.pos;
    this.skip(true);
    const params: ParamDecl[] = [];
    if (this.keywordAt('param')) {
      const save = this.pos;
      this.pos += 5;
      this.skip(true);
      if (this.peek() === '(') {
        this.pos++;
        for (;;) {
          this.skip(true);
          if (this.peek() === ')') {
            this.pos++;
            break;
          }
          while (this.peek() === '[') {
            this.scanTypeName();
            this.skip(true);
          }
          const varAt = this.pos;
          if (this.peek() !== '$') {
            if (this.peek() === undefined)
              this.error(
                "Missing ')' in function parameter list.",
                'MissingEndParenthesisInFunctionParameterList',
                this.pos,
              );
            this.unexpectedToken(this.pos);
          }
          const name = this.scanVariable();
          if (name === null) this.unexpectedToken(varAt);
          this.skip(true);
          let defaultValue: Expression | null = null;
          if (this.peek() === '=') {
            this.pos++;
            this.skip(true);
            defaultValue = this.parseMethodArgument();
            this.skip(true);
          }
          params.push({ name, defaultValue });
          if (this.peek() === ',') {
            this.pos++;
            continue;
          }
          if (this.peek() === ')') {
            this.pos++;
            break;
          }
          if (this.peek() === undefined)
            this.error(
              "Missing ')' in function parameter list.",
              'MissingEndParenthesisInFunctionParameterList',
              this.pos,
            );
          this.unexpectedToken(this.pos);
        }
      } else this.pos = save;
    }
    const statements = this.parseStatementList('}');
    if (this.peek() !== '}')
      this.error("Missing closing '}' in statement block or type definition.", 'MissingEndCurlyBrace', start);
    const text = this.src.slice(textStart, this.pos);
    this.pos++;
    return { start, end: this.pos, params, statements, text };
  }

  // ---------------------------------------------------------------- literals

  /**
   * An escape sequence at a backtick (the next character exists): `0 `a `b `e `f `n `r `t `v, `u{hex}, otherwise
   * the character itself. `u must be followed by one to six hex digits in braces, at most 0x10FFFF.
   */
  private scanBacktick(): string {
    const escStart = this.pos;
    const n = this.peek(1)!;
    this.pos += 2;
    if (n !== 'u') return ESCAPES[n] ?? n;
    const invalid = (start: number, end: number): never =>
      this.error(
        "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by one to six hex digits and a closing '}'.",
        'InvalidUnicodeEscapeSequence',
        start,
        end,
      );
    if (this.peek() !== '{') invalid(escStart, this.pos);
    this.pos++;
    const hexStart = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === '}') {
        if (this.pos === hexStart) invalid(escStart, this.pos + 1);
        break;
      }
      if (!isHexDigit(c)) {
        if (this.pos - hexStart < 6) invalid(this.pos, this.pos + 1);
        this.error(
          "The Unicode escape sequence is missing the closing '}'.",
          'MissingUnicodeEscapeSequenceTerminator',
          this.pos,
        );
      }
      if (this.pos - hexStart === 6) {
        this.error(
          'The Unicode escape sequence contains more than the maximum of six hex digits between braces.',
          'TooManyDigitsInUnicodeEscapeSequence',
          this.pos,
        );
      }
      this.pos++;
    }
    const code = parseInt(this.src.slice(hexStart, this.pos), 16);
    if (code > 0x10ffff) {
      this.error(
        'The Unicode escape sequence value is out of range. The maximum value is 0x10FFFF.',
        'InvalidUnicodeEscapeSequenceValue',
        hexStart,
        this.pos,
      );
    }
    this.pos++;
    return String.fromCodePoint(code);
  }

  /** single-quoted string: any of ' U+2018 U+2019 U+201A U+201B opens and closes; two in a row are one literal quote. */
  private scanSingleQuoted(): string {
    const start = this.pos;
    this.pos++;
    let value = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.error(
          "The string is missing the terminator: '.",
          'TerminatorExpectedAtEndOfString',
          start,
          this.src.length,
        );
      }
      if (isSingleQuote(c)) {
        if (!isSingleQuote(this.peek(1))) {
          this.pos++;
          return value;
        }
        // PowerShell's tokenizer keeps the second character of the pair.
        value += this.peek(1);
        this.pos += 2;
        continue;
      }
      value += c;
      this.pos++;
    }
  }

  /** expandable string: double quotes (" U+201C U+201D U+201E), backtick escapes, $var and $(...) expansion. */
  private scanDoubleQuoted(): StringPart[] {
    const start = this.pos;
    this.pos++;
    return this.scanExpandableBody(
      start,
      () => {
        const c = this.peek();
        if (!isDoubleQuote(c)) return 'no';
        if (isDoubleQuote(this.peek(1))) return 'doubled';
        return 'end';
      },
      '"',
    );
  }

  private scanExpandableBody(start: number, atQuote: () => 'no' | 'doubled' | 'end', terminator: string): StringPart[] {
    const parts: StringPart[] = [];
    let text = '';
    const missing = () =>
      this.error(
        `The string is missing the terminator: ${terminator}.`,
        'TerminatorExpectedAtEndOfString',
        start,
        this.src.length,
      );
    for (;;) {
      const c = this.peek();
      if (c === undefined) missing();
      const quote = atQuote();
      if (quote === 'end') break;
      if (quote === 'doubled') {
        text += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (c === '`') {
        const n = this.peek(1);
        if (n === undefined) missing();
        text += this.scanBacktick();
        continue;
      }
      if (c === '$') {
        if (this.peek(1) === '(') {
          const subStart = this.pos;
          this.pos += 2;
          const statements = this.parseStatementList(')');
          if (this.peek() !== ')') missing();
          this.pos++;
          if (text) parts.push(text);
          text = '';
          parts.push({ subexpression: statements, extent: { start: subStart, end: this.pos } });
          continue;
        }
        const variable = this.tryScanVariableInString();
        if (variable) {
          if (text) parts.push(text);
          text = '';
          parts.push(variable);
          continue;
        }
      }
      text += c;
      this.pos++;
    }
    this.pos++;
    if (text || parts.length === 0) parts.push(text);
    return parts;
  }

  private tryScanVariableInString(): { variable: string; extent: Extent } | null {
    const start = this.pos;
    const n = this.peek(1);
    if (!(n === '{' || n === '$' || n === '^' || n === ':' || isVarChar(n))) return null;
    const name = this.scanVariable();
    if (name === null) {
      this.pos = start;
      return null;
    }
    return { variable: name, extent: { start, end: this.pos } };
  }

  /** variable: `$name`, `$scope:name`, `${any text}`, `$$`, `$?`, `$^`. Returns null when `$` starts no variable. */
  private scanVariable(): string | null {
    const start = this.pos;
    this.pos++;
    const c = this.peek();
    if (c === '{') {
      this.pos++;
      let name = '';
      for (;;) {
        const d = this.peek();
        if (d === undefined) {
          this.error(
            "${variable} reference starting is missing the closing '}'.",
            'IncompleteDollarVariableReference',
            start + 1,
            this.src.length,
          );
        }
        if (d === '}') break;
        if (d === '`' && this.peek(1) !== undefined) {
          name += this.scanBacktick();
          continue;
        }
        name += d;
        this.pos++;
      }
      this.pos++;
      if (!name) {
        this.error(
          'An empty ${} variable reference was found. A name is required inside the braces.',
          'EmptyVariableReference',
          this.pos - 1,
        );
      }
      return name;
    }
    if (c === '$' || c === '^' || c === '?') {
      this.pos++;
      return c;
    }
    if (!(isVarChar(c) || c === ':')) {
      this.pos = start;
      return null;
    }
    // Letters, digits, `_`, `?`, and `:` for a scope or drive (`$env:Path`), but not `::` (static member access).
    while (isVarChar(this.peek()) || (this.peek() === ':' && this.peek(1) !== ':')) this.pos++;
    const name = this.src.slice(start + 1, this.pos);
    if (name.endsWith(':')) {
      this.error(
        "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name.",
        'InvalidVariableReferenceWithDrive',
        start,
        this.pos,
      );
    }
    return name;
  }

  /** here-string: `@'` / `@"` then a line break; closed by `'@` / `"@` at the start of a line. */
  private scanHereString(): Expression {
    const start = this.pos;
    const quote = this.peek(1)!;
    const single = isSingleQuote(quote);
    this.pos += 2;
    while (isWhitespace(this.peek())) this.pos++;
    if (!isNewline(this.peek())) {
      if (this.peek() === undefined) {
        this.error(
          `The string is missing the terminator: ${single ? "'" : '"'}@.`,
          'TerminatorExpectedAtEndOfString',
          start,
          this.src.length,
        );
      }
      this.error(
        'No characters are allowed after a here-string header but before the end of the line.',
        'UnexpectedCharactersAfterHereStringHeader',
        this.pos,
      );
    }
    this.pos += this.peek() === '\r' && this.peek(1) === '\n' ? 2 : 1;
    const bodyStart = this.pos;
    const isCloser = (at: number) => {
      const q = this.src[at];
      return (
        (single ? isSingleQuote(q) : isDoubleQuote(q)) &&
        this.src[at + 1] === '@' &&
        (at === bodyStart || isNewline(this.src[at - 1]))
      );
    };
    if (single) {
      let at = bodyStart;
      while (at < this.src.length && !isCloser(at)) at++;
      if (at >= this.src.length) {
        this.error(
          `The string is missing the terminator: '@.`,
          'TerminatorExpectedAtEndOfString',
          start,
          this.src.length,
        );
      }
      let body = this.src.slice(bodyStart, at);
      body = body.replace(/\r?\n$|\r$/, '');
      this.pos = at + 2;
      return { kind: 'constant', value: body, start, end: this.pos };
    }
    const parts = this.scanExpandableBody(start, () => (isCloser(this.pos) ? 'end' : 'no'), '"@');
    this.pos++;
    const last = parts[parts.length - 1];
    if (typeof last === 'string') parts[parts.length - 1] = last.replace(/\r?\n$|\r$/, '');
    return this.stringExpression(parts, start);
  }

  /**
   * Numbers (§2.3.5.1): decimal and 0x hexadecimal integers with an optional l/d suffix, reals with an optional
   * exponent and d suffix, then an optional kb/mb/gb/tb/pb multiplier. Returns null (position unchanged) when the
   * text is not a complete number, so command mode can read it as a bare word.
   */
  private tryScanNumber(commandMode: boolean): Expression | null {
    const start = this.pos;
    let sign = 1;
    if (isDash(this.peek()) || this.peek() === '+') {
      if (isDash(this.peek())) sign = -1;
      this.pos++;
    }
    const notNumber = () => {
      this.pos = start;
      return null;
    };
    let value: number;
    if (this.peek() === '0' && (this.peek(1) === 'x' || this.peek(1) === 'X')) {
      this.pos += 2;
      const digitsStart = this.pos;
      while (isHexDigit(this.peek())) this.pos++;
      const digits = this.src.slice(digitsStart, this.pos) || '0';
      let long = false;
      if (this.peek() === 'l' || this.peek() === 'L') {
        long = true;
        this.pos++;
      }
      const multiplier = this.scanMultiplier();
      if (multiplier === null || !this.numberEnds(commandMode)) return notNumber();
      let big = BigInt(`0x${digits}`);
      if (big > 0xffffffffffffffffn) return commandMode ? notNumber() : this.badNumber(start);
      // Hex literals are two's complement: 0xFFFFFFFF is [int] -1, 0xFFFFFFFFFFFFFFFF is [long] -1.
      big = !long && big <= 0xffffffffn ? BigInt.asIntN(32, big) : BigInt.asIntN(64, big);
      value = Number(big * multiplier);
    } else {
      const digitsStart = this.pos;
      while (isDigit(this.peek())) this.pos++;
      let isReal = false;
      // `1.` and `1.e3` are reals; `1..2` is a range.
      if (this.peek() === '.' && this.peek(1) !== '.' && (this.pos > digitsStart || isDigit(this.peek(1)))) {
        isReal = true;
        this.pos++;
        while (isDigit(this.peek())) this.pos++;
      }
      if (this.pos === digitsStart) return notNumber();
      if (this.peek() === 'e' || this.peek() === 'E') {
        isReal = true;
        this.pos++;
        if (this.peek() === '+' || isDash(this.peek())) this.pos++;
        if (!isDigit(this.peek())) return notNumber();
        while (isDigit(this.peek())) this.pos++;
      }
      const text = this.src.slice(digitsStart, this.pos).replace(/[\u2013\u2014\u2015]/g, '-');
      let suffix = '';
      const s = this.peek()?.toLowerCase();
      if (s === 'd' || s === 'l') {
        suffix = s;
        this.pos++;
      }
      const multiplier = this.scanMultiplier();
      if (multiplier === null || !this.numberEnds(commandMode)) return notNumber();
      if (isReal) {
        value = Number(text) * Number(multiplier);
        if (suffix === 'l') {
          if (!Number.isInteger(value)) return commandMode ? notNumber() : this.badNumber(start);
        }
        if (!Number.isFinite(value)) return commandMode ? notNumber() : this.badNumber(start);
      } else {
        const big = BigInt(text) * multiplier;
        if (suffix === 'l' && big > 0x7fffffffffffffffn) return commandMode ? notNumber() : this.badNumber(start);
        value = Number(big);
        if (!Number.isFinite(value)) return commandMode ? notNumber() : this.badNumber(start);
      }
    }
    return { kind: 'constant', value: sign * value, start, end: this.pos };
  }

  private badNumber(start: number): never {
    this.error(
      `The numeric constant ${this.src.slice(start, this.pos)} is not valid.`,
      'BadNumericConstant',
      start,
      this.pos,
    );
  }

  /** A multiplier is kb, mb, gb, tb or pb; a multiplier letter without its `b` makes the token not a number. */
  private scanMultiplier(): bigint | null {
    const c = this.peek()?.toLowerCase();
    if (c === undefined || !'kmgtp'.includes(c)) return 1n;
    if (this.peek(1)?.toLowerCase() !== 'b') return null;
    this.pos += 2;
    return defined(MULTIPLIERS[`${c}b`], `multiplier ${c}b`);
  }

  private numberEnds(commandMode: boolean): boolean {
    const c = this.peek();
    if (commandMode) return endsGenericToken(c);
    if (endsNumberInExpression(c)) return true;
    // `1abc` in expression mode is one bad token, reported as unexpected.
    return false;
  }
}
