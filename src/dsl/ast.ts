/**
 * The syntax tree of a rule file (DSL.md sections 2-4), as the nearley grammar builds it. Nodes are
 * read-only plain objects tagged by `kind`, each with a `loc` pointing into the source
 * (graphql-js `language/ast.ts`). Nothing after the checker sees these nodes: the checker turns
 * them into the plain `Rule` structure of `src/nfa/rule.ts`.
 */

/** A source span: 1-based `line` and `col` of its first character, 0-based `offset`, `length` in characters. */
export interface Loc {
  readonly line: number;
  readonly col: number;
  readonly offset: number;
  readonly length: number;
}

/** An identifier or quoted name (`"order-placed"`, `` `next` ``), unquoted in `value`. */
export interface NameNode {
  readonly kind: 'Name';
  readonly value: string;
  /** True when written in quotes or backticks (a quoted bare name in a condition is always a field). */
  readonly quoted: boolean;
  readonly loc: Loc;
}

/** A whole `.cep` file. */
export interface FileNode {
  readonly kind: 'File';
  readonly rules: readonly RuleNode[];
  readonly loc: Loc;
}

/** `rule <name> [severity S] key by ... pattern ... [within] [skip] [emit] [on timeout emit]`. */
export interface RuleNode {
  readonly kind: 'Rule';
  readonly name: NameNode;
  /** The severity word as written (checked against low/medium/high/critical by the checker). */
  readonly severity: NameNode | null;
  readonly keyBy: readonly PathNode[];
  readonly pattern: PatternNode;
  readonly within: DurationNode | null;
  readonly skip: SkipNode | null;
  readonly emit: EmitNode | null;
  readonly onTimeout: EmitNode | null;
  readonly loc: Loc;
}

/** A dotted field path in `key by`. */
export interface PathNode {
  readonly kind: 'Path';
  readonly parts: readonly NameNode[];
  readonly loc: Loc;
}

/** A duration literal such as `10m` or `1h30m`; `ms` is its value in milliseconds. */
export interface DurationNode {
  readonly kind: 'Duration';
  readonly ms: number;
  readonly loc: Loc;
}

/** The contiguity operator written before an element. */
export type ContiguityOp = '->' | '->>' | 'next';

/** `element (op element)*`. */
export interface PatternNode {
  readonly kind: 'Pattern';
  readonly elements: readonly ElementNode[];
  readonly loc: Loc;
}

/** `[not] atom [quantifier] [modifiers] [as alias]`; `op` is null for the first element of a pattern. */
export interface ElementNode {
  readonly kind: 'Element';
  readonly op: ContiguityOp | null;
  /** Location of the operator token (for errors about it), null for the first element. */
  readonly opLoc: Loc | null;
  /** Location of the `not` keyword, null when the element is not negated. */
  readonly not: Loc | null;
  readonly atom: EventAtomNode | GroupAtomNode;
  readonly quantifier: QuantifierNode | null;
  readonly modifiers: readonly ModifierNode[];
  readonly alias: NameNode | null;
  readonly loc: Loc;
}

/** `type [cond]` or `any [cond]`: `type` is null for `any`. */
export interface EventAtomNode {
  readonly kind: 'EventAtom';
  readonly type: NameNode | null;
  readonly condition: ExprNode | null;
  readonly loc: Loc;
}

/** `( pattern )`. */
export interface GroupAtomNode {
  readonly kind: 'GroupAtom';
  readonly pattern: PatternNode;
  readonly loc: Loc;
}

/** `{n}`, `{n,}`, `{n,m}`, `+`, `*`, `?`; `max` is Infinity when open. */
export interface QuantifierNode {
  readonly kind: 'Quantifier';
  readonly text: string;
  readonly min: number;
  readonly max: number;
  /** `*` and `?` are optional by themselves. */
  readonly optional: boolean;
  readonly loc: Loc;
}

/** `optional`, `greedy`, `consecutive`, `combinations` or `until [cond]`. */
export interface ModifierNode {
  readonly kind: 'Modifier';
  readonly name: 'optional' | 'greedy' | 'consecutive' | 'combinations' | 'until';
  readonly condition: ExprNode | null;
  readonly loc: Loc;
}

/** `skip past last | to next | none | to first x | to last x`. */
export interface SkipNode {
  readonly kind: 'Skip';
  readonly strategy: 'pastLast' | 'toNext' | 'none' | 'toFirst' | 'toLast';
  readonly alias: NameNode | null;
  readonly loc: Loc;
}

/** `emit { name: expr, ... }`. */
export interface EmitNode {
  readonly kind: 'Emit';
  readonly fields: readonly EmitFieldNode[];
  readonly loc: Loc;
}

/** One `name: expr` of an `emit` or `on timeout emit`: the alert's field `name` gets the value of `expr`. */
export interface EmitFieldNode {
  readonly kind: 'EmitField';
  readonly name: NameNode;
  readonly value: ExprNode;
  readonly loc: Loc;
}

/** Expressions of conditions and `emit` (DSL.md section 4). */
export type ExprNode =
  | LiteralNode
  | ListNode
  | IdentNode
  | MemberNode
  | IndexNode
  | CallNode
  | UnaryNode
  | BinaryNode;

/** A number, string, boolean, null or duration (`duration: true`, value in ms). */
export interface LiteralNode {
  readonly kind: 'Literal';
  readonly value: number | string | boolean | null;
  readonly duration: boolean;
  readonly loc: Loc;
}

/** `[a, b, ...]`. */
export interface ListNode {
  readonly kind: 'List';
  readonly items: readonly ExprNode[];
  readonly loc: Loc;
}

/** A bare name: a field of the event under test, or an alias. */
export interface IdentNode {
  readonly kind: 'Ident';
  readonly name: NameNode;
  readonly loc: Loc;
}

/** `object.property`. */
export interface MemberNode {
  readonly kind: 'Member';
  readonly object: ExprNode;
  readonly property: NameNode;
  readonly loc: Loc;
}

/** `object[index]`; a negative index counts from the end. */
export interface IndexNode {
  readonly kind: 'Index';
  readonly object: ExprNode;
  readonly index: ExprNode;
  readonly loc: Loc;
}

/** `name(args...)`. */
export interface CallNode {
  readonly kind: 'Call';
  readonly callee: NameNode;
  readonly args: readonly ExprNode[];
  readonly loc: Loc;
}

/** `-x` (arithmetic negation; `null` for a non-number) or `not x` (boolean). */
export interface UnaryNode {
  readonly kind: 'Unary';
  readonly op: '-' | 'not';
  readonly operand: ExprNode;
  readonly loc: Loc;
}

/** The binary operators, loosest-binding first (see the grammar for precedence). */
export type BinaryOp =
  | 'or' | 'and'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in'
  | '+' | '-' | '*' | '/' | '%';

/** `left op right` (DSL.md section 4: null and division-by-zero rules apply at evaluation). */
export interface BinaryNode {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: ExprNode;
  readonly right: ExprNode;
  readonly loc: Loc;
}

/** The location of one token (moo token fields). */
export function tokenLoc(token: { line: number; col: number; offset: number; text: string }): Loc {
  return { line: token.line, col: token.col, offset: token.offset, length: token.text.length };
}

/** The span from the start of `first` to the end of `last`. */
export function span(first: Loc, last: Loc): Loc {
  return { line: first.line, col: first.col, offset: first.offset, length: last.offset + last.length - first.offset };
}
