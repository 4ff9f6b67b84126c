# The rule language of DSL.md sections 2-4 as a nearley grammar over the moo lexer of lexer.ts.
# Compiled by `npm run grammar` (nearleyc) to grammar.generated.ts, never edited by hand.
# Postprocessors only build AST object literals (ast.ts) with positions taken from tokens.
# The grammar must stay unambiguous: test/dsl/grammar.test.ts fails on more than one parse.
# Lists are left-recursive (Earley parsers are fastest that way).

@preprocessor typescript

@{%
import { lexer } from './lexer.js';
import { tokenLoc as L, span } from './ast.js';
import { durationMs, unquoteName, unquoteString } from './literals.js';

const nameOf = (t: any) => ({
  kind: 'Name',
  value: t.type === 'string' ? unquoteString(t.text) : t.type === 'quoted' ? unquoteName(t.text) : t.text,
  quoted: t.type === 'string' || t.type === 'quoted',
  loc: L(t),
});
const last = (xs: any[]) => xs[xs.length - 1];
%}

@lexer lexer

File -> Rule:* {% (d) => ({ kind: 'File', rules: d[0], loc: d[0].length ? span(d[0][0].loc, last(d[0]).loc) : { line: 1, col: 1, offset: 0, length: 0 } }) %}

Rule -> "rule" Name Severity:? "key" "by" Paths "pattern" Pattern Within:? Skip:? Emit:? OnTimeout:?
  {% (d) => ({ kind: 'Rule', name: d[1], severity: d[2], keyBy: d[5], pattern: d[7], within: d[8], skip: d[9], emit: d[10], onTimeout: d[11],
       loc: span(L(d[0]), (d[11] ?? d[10] ?? d[9] ?? d[8] ?? d[7]).loc) }) %}

Name -> (%ident | %string | %quoted) {% (d) => nameOf(d[0][0]) %}
Word -> (%ident | %keyword | %string | %quoted) {% (d) => nameOf(d[0][0]) %}

Severity -> "severity" %ident {% (d) => nameOf(d[1]) %}

Paths -> Path {% (d) => [d[0]] %}
  | Paths "," Path {% (d) => [...d[0], d[2]] %}
Path -> Name {% (d) => ({ kind: 'Path', parts: [d[0]], loc: d[0].loc }) %}
  | Path "." Word {% (d) => ({ kind: 'Path', parts: [...d[0].parts, d[2]], loc: span(d[0].loc, d[2].loc) }) %}

Within -> "within" %duration {% (d) => ({ kind: 'Duration', ms: durationMs(d[1].text), loc: L(d[1]) }) %}

Skip -> "skip" "past" "last" {% (d) => ({ kind: 'Skip', strategy: 'pastLast', alias: null, loc: span(L(d[0]), L(d[2])) }) %}
  | "skip" "to" "next" {% (d) => ({ kind: 'Skip', strategy: 'toNext', alias: null, loc: span(L(d[0]), L(d[2])) }) %}
  | "skip" "none" {% (d) => ({ kind: 'Skip', strategy: 'none', alias: null, loc: span(L(d[0]), L(d[1])) }) %}
  | "skip" "to" "first" Name {% (d) => ({ kind: 'Skip', strategy: 'toFirst', alias: d[3], loc: span(L(d[0]), d[3].loc) }) %}
  | "skip" "to" "last" Name {% (d) => ({ kind: 'Skip', strategy: 'toLast', alias: d[3], loc: span(L(d[0]), d[3].loc) }) %}

Emit -> "emit" EmitBody {% (d) => ({ ...d[1], loc: span(L(d[0]), d[1].loc) }) %}
OnTimeout -> "on" "timeout" "emit" EmitBody {% (d) => ({ ...d[3], loc: span(L(d[0]), d[3].loc) }) %}
EmitBody -> "{" "}" {% (d) => ({ kind: 'Emit', fields: [], loc: span(L(d[0]), L(d[1])) }) %}
  | "{" EmitFields "}" {% (d) => ({ kind: 'Emit', fields: d[1], loc: span(L(d[0]), L(d[2])) }) %}
EmitFields -> EmitField {% (d) => [d[0]] %}
  | EmitFields "," EmitField {% (d) => [...d[0], d[2]] %}
EmitField -> Word ":" Expr {% (d) => ({ kind: 'EmitField', name: d[0], value: d[2], loc: span(d[0].loc, d[2].loc) }) %}

# ---- patterns (DSL.md section 3) ----

Pattern -> Element {% (d) => ({ kind: 'Pattern', elements: [d[0]], loc: d[0].loc }) %}
  | Pattern Op Element {% (d) => ({ kind: 'Pattern', elements: [...d[0].elements, { ...d[2], op: d[1].op, opLoc: d[1].loc }], loc: span(d[0].loc, d[2].loc) }) %}

Op -> "->" {% (d) => ({ op: '->', loc: L(d[0]) }) %}
  | "->>" {% (d) => ({ op: '->>', loc: L(d[0]) }) %}
  | "next" {% (d) => ({ op: 'next', loc: L(d[0]) }) %}

Element -> "not":? Atom Quantifier:? Modifier:* Alias:?
  {% (d) => ({ kind: 'Element', op: null, opLoc: null, not: d[0] ? L(d[0]) : null, atom: d[1], quantifier: d[2], modifiers: d[3], alias: d[4],
       loc: span(d[0] ? L(d[0]) : d[1].loc, (d[4] ?? (d[3].length ? last(d[3]) : null) ?? d[2] ?? d[1]).loc) }) %}

Alias -> "as" Name {% (d) => d[1] %}

Atom -> Name Condition:? {% (d) => ({ kind: 'EventAtom', type: d[0], condition: d[1]?.expr ?? null, loc: span(d[0].loc, d[1]?.loc ?? d[0].loc) }) %}
  | "any" Condition:? {% (d) => ({ kind: 'EventAtom', type: null, condition: d[1]?.expr ?? null, loc: span(L(d[0]), d[1]?.loc ?? L(d[0])) }) %}
  | "(" Pattern ")" {% (d) => ({ kind: 'GroupAtom', pattern: d[1], loc: span(L(d[0]), L(d[2])) }) %}

Condition -> "[" Expr "]" {% (d) => ({ expr: d[1], loc: span(L(d[0]), L(d[2])) }) %}

Quantifier -> "{" %number "}" {% (d) => ({ kind: 'Quantifier', text: `{${d[1].text}}`, min: Number(d[1].text), max: Number(d[1].text), optional: false, loc: span(L(d[0]), L(d[2])) }) %}
  | "{" %number "," "}" {% (d) => ({ kind: 'Quantifier', text: `{${d[1].text},}`, min: Number(d[1].text), max: Infinity, optional: false, loc: span(L(d[0]), L(d[3])) }) %}
  | "{" %number "," %number "}" {% (d) => ({ kind: 'Quantifier', text: `{${d[1].text},${d[3].text}}`, min: Number(d[1].text), max: Number(d[3].text), optional: false, loc: span(L(d[0]), L(d[4])) }) %}
  | "+" {% (d) => ({ kind: 'Quantifier', text: '+', min: 1, max: Infinity, optional: false, loc: L(d[0]) }) %}
  | "*" {% (d) => ({ kind: 'Quantifier', text: '*', min: 1, max: Infinity, optional: true, loc: L(d[0]) }) %}
  | "?" {% (d) => ({ kind: 'Quantifier', text: '?', min: 1, max: 1, optional: true, loc: L(d[0]) }) %}

Modifier -> ("optional" | "greedy" | "consecutive" | "combinations") {% (d) => ({ kind: 'Modifier', name: d[0][0].text, condition: null, loc: L(d[0][0]) }) %}
  | "until" Condition {% (d) => ({ kind: 'Modifier', name: 'until', condition: d[1].expr, loc: span(L(d[0]), d[1].loc) }) %}

# ---- expressions (DSL.md section 4), loosest first ----

Expr -> Or {% id %}

Or -> Or "or" And {% (d) => ({ kind: 'Binary', op: 'or', left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | And {% id %}

And -> And "and" Not {% (d) => ({ kind: 'Binary', op: 'and', left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Not {% id %}

Not -> "not" Not {% (d) => ({ kind: 'Unary', op: 'not', operand: d[1], loc: span(L(d[0]), d[1].loc) }) %}
  | Compare {% id %}

Compare -> Sum CompareOp Sum {% (d) => ({ kind: 'Binary', op: d[1], left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Sum "not" "in" Sum {% (d) => ({ kind: 'Binary', op: 'not in', left: d[0], right: d[3], loc: span(d[0].loc, d[3].loc) }) %}
  | Sum {% id %}

CompareOp -> (%cmp | "in") {% (d) => d[0][0].text %}

Sum -> Sum ("+" | "-") Product {% (d) => ({ kind: 'Binary', op: d[1][0].text, left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Product {% id %}

Product -> Product ("*" | "/" | "%") Unary {% (d) => ({ kind: 'Binary', op: d[1][0].text, left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Unary {% id %}

Unary -> "-" Unary {% (d) => ({ kind: 'Unary', op: '-', operand: d[1], loc: span(L(d[0]), d[1].loc) }) %}
  | Postfix {% id %}

Postfix -> Primary {% id %}
  | Postfix "." Word {% (d) => ({ kind: 'Member', object: d[0], property: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Postfix "[" Expr "]" {% (d) => ({ kind: 'Index', object: d[0], index: d[2], loc: span(d[0].loc, L(d[3])) }) %}

Primary -> %number {% (d) => ({ kind: 'Literal', value: Number(d[0].text), duration: false, loc: L(d[0]) }) %}
  | %duration {% (d) => ({ kind: 'Literal', value: durationMs(d[0].text), duration: true, loc: L(d[0]) }) %}
  | %string {% (d) => ({ kind: 'Literal', value: unquoteString(d[0].text), duration: false, loc: L(d[0]) }) %}
  | "true" {% (d) => ({ kind: 'Literal', value: true, duration: false, loc: L(d[0]) }) %}
  | "false" {% (d) => ({ kind: 'Literal', value: false, duration: false, loc: L(d[0]) }) %}
  | "null" {% (d) => ({ kind: 'Literal', value: null, duration: false, loc: L(d[0]) }) %}
  | "[" "]" {% (d) => ({ kind: 'List', items: [], loc: span(L(d[0]), L(d[1])) }) %}
  | "[" Items "]" {% (d) => ({ kind: 'List', items: d[1], loc: span(L(d[0]), L(d[2])) }) %}
  | "(" Expr ")" {% (d) => ({ ...d[1], loc: span(L(d[0]), L(d[2])) }) %}
  | Ident {% (d) => ({ kind: 'Ident', name: d[0], loc: d[0].loc }) %}
  | Ident "(" ")" {% (d) => ({ kind: 'Call', callee: d[0], args: [], loc: span(d[0].loc, L(d[2])) }) %}
  | Ident "(" Items ")" {% (d) => ({ kind: 'Call', callee: d[0], args: d[2], loc: span(d[0].loc, L(d[3])) }) %}

Ident -> (%ident | %quoted) {% (d) => nameOf(d[0][0]) %}

Items -> Expr {% (d) => [d[0]] %}
  | Items "," Expr {% (d) => [...d[0], d[2]] %}
