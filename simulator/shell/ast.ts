// Syntax tree of the PowerShell subset the simulated shell accepts (docs/powershell-dialect.md). Every node keeps its
// source offsets so errors can point at the text the way PowerShell's position messages do.

export interface Extent {
  start: number;
  end: number;
}

export type Statement = PipelineStatement | AssignmentStatement | TryStatement | IfStatement | FlowStatement;

export interface PipelineStatement extends Extent {
  kind: 'pipeline';
  elements: PipelineElement[];
}

export interface AssignmentStatement extends Extent {
  kind: 'assignment';
  target: Expression;
  operator: '=' | '+=';
  value: Statement;
}

export interface TryStatement extends Extent {
  kind: 'try';
  body: StatementBlock;
  catches: Array<{ types: string[]; body: StatementBlock }>;
  finally: StatementBlock | null;
}

export interface IfStatement extends Extent {
  kind: 'if';
  clauses: Array<{ condition: Statement; body: StatementBlock }>;
  elseBody: StatementBlock | null;
}

export interface FlowStatement extends Extent {
  kind: 'throw' | 'exit' | 'return';
  value: Statement | null;
}

export interface StatementBlock extends Extent {
  statements: Statement[];
}

export type PipelineElement = CommandAst | ExpressionElement;

export interface ExpressionElement extends Extent {
  kind: 'expression';
  expression: Expression;
}

export interface CommandAst extends Extent {
  kind: 'command';
  /** A literal command name, or an expression after the call operator `&`. */
  name: string | Expression;
  nameExtent: Extent;
  elements: CommandElement[];
  /** Invoked with the dot-source operator `.`: a script runs in the caller's scope. */
  dotSource?: boolean;
}

export type CommandElement =
  | (Extent & { kind: 'parameter'; name: string; colon: boolean; argument: Expression | null })
  | (Extent & { kind: 'argument'; value: Expression })
  | (Extent & { kind: 'splat'; variable: string });

export interface ParamDecl {
  name: string;
  defaultValue: Expression | null;
}

export interface ScriptBlockAst extends Extent {
  params: ParamDecl[];
  statements: Statement[];
  /** The text between the braces, as ScriptBlock.ToString() gives it. */
  text: string;
}

export type StringPart = string | { variable: string; extent: Extent } | { subexpression: Statement[]; extent: Extent };

export type Expression = Extent &
  (
    | { kind: 'constant'; value: null | string | number | boolean }
    | { kind: 'expandable'; parts: StringPart[] }
    | { kind: 'variable'; name: string }
    | { kind: 'array'; items: Expression[] }
    | { kind: 'hashtable'; entries: Array<{ key: Expression; value: Statement }> }
    | { kind: 'scriptblock'; block: ScriptBlockAst }
    | { kind: 'paren'; statement: Statement }
    | { kind: 'subexpression'; statements: Statement[] }
    | { kind: 'arraysubexpression'; statements: Statement[] }
    | { kind: 'member'; target: Expression; member: string | Expression; isStatic: boolean }
    | { kind: 'invoke'; target: Expression; member: string | Expression; isStatic: boolean; args: Expression[] }
    | { kind: 'index'; target: Expression; index: Expression }
    | { kind: 'type'; typeName: string }
    | { kind: 'cast'; typeName: string; operand: Expression }
    | { kind: 'unary'; operator: string; operand: Expression }
    | { kind: 'binary'; operator: string; left: Expression; right: Expression }
  );
