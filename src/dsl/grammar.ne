# The rule language of DSL.md sections 2-4 as a nearley grammar over the moo lexer of lexer.ts.
# Compiled by `npm run grammar` (nearleyc) to grammar.generated.ts, never edited by hand.
# Postprocessors only build AST object literals (ast.ts) with positions taken from tokens.
# The grammar must stay unambiguous: test/dsl/grammar.test.ts fails on more than one parse.
# Lists are left-recursive (Earley parsers are fastest that way) and built as cons lists (list.ts):
# an Earley parser completes a list after every item, so copying it per item would be quadratic.
# Each list becomes an array once, where it is closed (`)`, `]`, `}`), or in `finishRule` (parse.ts).

@preprocessor typescript

@{%
import { lexer } from './lexer.js';
import { tokenLoc as L, span } from './ast.js';
import { parseDuration, unquoteName, unquoteString } from './literals.js';
import { finishPattern, push, toArray } from './list.js';

const nameOf = (t: any) => ({
  kind: 'Name',
  value: t.type === 'string' ? unquoteString(t.text) : t.type === 'quoted' ? unquoteName(t.text) : t.text,
  quoted: t.type === 'string' || t.type === 'quoted',
  loc: L(t),
});

// Token classes: one grammar symbol for several tokens keeps the Earley chart small. `expected`
// lists them for syntax errors (parse.ts). Declared `var x: any` because nearleyc also emits
// `declare var x: any` for every %x it sees.
const tokenClass = (expected: string[], test: (t: any) => boolean) => ({ test, expected });
var literal: any = tokenClass(['%number', '%duration', '%string', 'true', 'false', 'null'], (t) =>
  t.type === 'number' || t.type === 'duration' || t.type === 'string' || (t.type === 'keyword' && (t.text === 'true' || t.text === 'false' || t.text === 'null')));
var name: any = tokenClass(['%ident', '%quoted'], (t) => t.type === 'ident' || t.type === 'quoted');
var compare: any = tokenClass(['%cmp', 'in'], (t) => t.type === 'cmp' || (t.type === 'keyword' && t.text === 'in'));
var additive: any = tokenClass(['+', '-'], (t) => t.text === '+' || t.text === '-');
var anyName: any = tokenClass(['%ident', '%string', '%quoted'], (t) => t.type === 'ident' || t.type === 'string' || t.type === 'quoted');
var word: any = tokenClass(['%ident', '%string', '%quoted'], (t) => t.type === 'ident' || t.type === 'string' || t.type === 'quoted' || t.type === 'keyword');
var mark: any = tokenClass(['+', '*', '?'], (t) => t.type === 'punct' && (t.text === '+' || t.text === '*' || t.text === '?'));
var flag: any = tokenClass(['optional', 'greedy', 'consecutive', 'combinations'], (t) =>
  t.type === 'keyword' && (t.text === 'optional' || t.text === 'greedy' || t.text === 'consecutive' || t.text === 'combinations'));
var multiplicative: any = tokenClass(['*', '/', '%'], (t) => t.type === 'punct' && (t.text === '*' || t.text === '/' || t.text === '%'));
const literalOf = (t: any) => ({
  kind: 'Literal',
  value: t.type === 'number' ? Number(t.text) : t.type === 'duration' ? parseDuration(t.text) : t.type === 'string' ? unquoteString(t.text) : t.text === 'null' ? null : t.text === 'true',
  duration: t.type === 'duration',
  loc: L(t),
});
%}

@lexer lexer

# parse.ts gives each piece of tokens that starts with `rule` a parser of its own: a File here holds at most one rule.
File -> Rule:? {% (d) => ({ kind: 'File', rules: d[0] ? [d[0]] : [], loc: d[0] ? d[0].loc : { line: 1, col: 1, offset: 0, length: 0 } }) %}

Rule -> "rule" Name Severity:? "key" "by" Paths "pattern" Pattern Within:? Skip:? Emit:? OnTimeout:?
  {% (d) => ({ kind: 'Rule', name: d[1], severity: d[2], keyBy: d[5], pattern: d[7], within: d[8], skip: d[9], emit: d[10], onTimeout: d[11],
       loc: span(L(d[0]), (d[11] ?? d[10] ?? d[9] ?? d[8] ?? d[7]).loc) }) %}

Name -> %anyName {% (d) => nameOf(d[0]) %}
Word -> %word {% (d) => nameOf(d[0]) %}

Severity -> "severity" %ident {% (d) => nameOf(d[1]) %}

Paths -> Path {% (d) => push(null, d[0]) %}
  | Paths "," Path {% (d) => push(d[0], d[2]) %}
Path -> Name {% (d) => ({ kind: 'Path', parts: push(null, d[0]), loc: d[0].loc }) %}
  | Path "." Word {% (d) => ({ kind: 'Path', parts: push(d[0].parts, d[2]), loc: span(d[0].loc, d[2].loc) }) %}

Within -> "within" %duration {% (d) => ({ kind: 'Duration', ms: parseDuration(d[1].text), loc: L(d[1]) }) %}

Skip -> "skip" SkipStrategy {% (d) => ({ kind: 'Skip', strategy: d[1].strategy, alias: d[1].alias, loc: span(L(d[0]), d[1].loc) }) %}
SkipStrategy -> "past" "last" {% (d) => ({ strategy: 'pastLast', alias: null, loc: L(d[1]) }) %}
  | "to" "next" {% (d) => ({ strategy: 'toNext', alias: null, loc: L(d[1]) }) %}
  | "none" {% (d) => ({ strategy: 'none', alias: null, loc: L(d[0]) }) %}
  | "to" "first" Name {% (d) => ({ strategy: 'toFirst', alias: d[2], loc: d[2].loc }) %}
  | "to" "last" Name {% (d) => ({ strategy: 'toLast', alias: d[2], loc: d[2].loc }) %}

Emit -> "emit" EmitBody {% (d) => ({ ...d[1], loc: span(L(d[0]), d[1].loc) }) %}
OnTimeout -> "on" "timeout" "emit" EmitBody {% (d) => ({ ...d[3], loc: span(L(d[0]), d[3].loc) }) %}
EmitBody -> "{" "}" {% (d) => ({ kind: 'Emit', fields: [], loc: span(L(d[0]), L(d[1])) }) %}
  | "{" EmitFields "}" {% (d) => ({ kind: 'Emit', fields: toArray(d[1]), loc: span(L(d[0]), L(d[2])) }) %}
EmitFields -> EmitField {% (d) => push(null, d[0]) %}
  | EmitFields "," EmitField {% (d) => push(d[0], d[2]) %}
EmitField -> Word ":" Expr {% (d) => ({ kind: 'EmitField', name: d[0], value: d[2], loc: span(d[0].loc, d[2].loc) }) %}

# ---- patterns (DSL.md section 3) ----

Pattern -> Element {% (d) => ({ kind: 'Pattern', elements: push(null, d[0]), loc: d[0].loc }) %}
  | Pattern Op Element {% (d) => ({ kind: 'Pattern', elements: push(d[0].elements, { ...d[2], op: d[1].op, opLoc: d[1].loc }), loc: span(d[0].loc, d[2].loc) }) %}

Op -> "->" {% (d) => ({ op: '->', loc: L(d[0]) }) %}
  | "->>" {% (d) => ({ op: '->>', loc: L(d[0]) }) %}
  | "next" {% (d) => ({ op: 'next', loc: L(d[0]) }) %}

Element -> "not":? Atom Quantifier:? Modifiers Alias:?
  {% (d) => ({ kind: 'Element', op: null, opLoc: null, not: d[0] ? L(d[0]) : null, atom: d[1], quantifier: d[2], modifiers: d[3], alias: d[4],
       loc: span(d[0] ? L(d[0]) : d[1].loc, (d[4] ?? d[3]?.head ?? d[2] ?? d[1]).loc) }) %}

Alias -> "as" Name {% (d) => d[1] %}

Atom -> Name Condition:? {% (d) => ({ kind: 'EventAtom', type: d[0], condition: d[1]?.expr ?? null, loc: span(d[0].loc, d[1]?.loc ?? d[0].loc) }) %}
  | "any" Condition:? {% (d) => ({ kind: 'EventAtom', type: null, condition: d[1]?.expr ?? null, loc: span(L(d[0]), d[1]?.loc ?? L(d[0])) }) %}
  | "(" Pattern ")" {% (d) => ({ kind: 'GroupAtom', pattern: finishPattern(d[1]), loc: span(L(d[0]), L(d[2])) }) %}

Condition -> "[" Expr "]" {% (d) => ({ expr: d[1], loc: span(L(d[0]), L(d[2])) }) %}

Quantifier -> "{" Counts "}" {% (d) => ({ kind: 'Quantifier', text: `{${d[1].text}}`, min: d[1].min, max: d[1].max, optional: false, loc: span(L(d[0]), L(d[2])) }) %}
  | %mark {% (d) => ({ kind: 'Quantifier', text: d[0].text, min: 1, max: d[0].text === '?' ? 1 : Infinity, optional: d[0].text !== '+', loc: L(d[0]) }) %}
Counts -> %number {% (d) => ({ text: d[0].text, min: Number(d[0].text), max: Number(d[0].text) }) %}
  | %number "," {% (d) => ({ text: `${d[0].text},`, min: Number(d[0].text), max: Infinity }) %}
  | %number "," %number {% (d) => ({ text: `${d[0].text},${d[2].text}`, min: Number(d[0].text), max: Number(d[2].text) }) %}

Modifiers -> null {% () => null %}
  | Modifiers Modifier {% (d) => push(d[0], d[1]) %}
Modifier -> %flag {% (d) => ({ kind: 'Modifier', name: d[0].text, condition: null, loc: L(d[0]) }) %}
  | "until" Condition {% (d) => ({ kind: 'Modifier', name: 'until', condition: d[1].expr, loc: span(L(d[0]), d[1].loc) }) %}

# ---- expressions (DSL.md section 4), loosest first ----

# Expr is Or itself (one nonterminal less per expression for the Earley parser).
Expr -> Expr "or" And {% (d) => ({ kind: 'Binary', op: 'or', left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | And {% id %}

And -> And "and" Not {% (d) => ({ kind: 'Binary', op: 'and', left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Not {% id %}

Not -> "not" Not {% (d) => ({ kind: 'Unary', op: 'not', operand: d[1], loc: span(L(d[0]), d[1].loc) }) %}
  | Compare {% id %}

Compare -> Sum %compare Sum {% (d) => ({ kind: 'Binary', op: d[1].text, left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Sum "not" "in" Sum {% (d) => ({ kind: 'Binary', op: 'not in', left: d[0], right: d[3], loc: span(d[0].loc, d[3].loc) }) %}
  | Sum {% id %}

Sum -> Sum %additive Product {% (d) => ({ kind: 'Binary', op: d[1].text, left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Product {% id %}

Product -> Product %multiplicative Unary {% (d) => ({ kind: 'Binary', op: d[1].text, left: d[0], right: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Unary {% id %}

Unary -> "-" Unary {% (d) => ({ kind: 'Unary', op: '-', operand: d[1], loc: span(L(d[0]), d[1].loc) }) %}
  | Postfix {% id %}

Postfix -> Primary {% id %}
  | Postfix "." Word {% (d) => ({ kind: 'Member', object: d[0], property: d[2], loc: span(d[0].loc, d[2].loc) }) %}
  | Postfix "[" Expr "]" {% (d) => ({ kind: 'Index', object: d[0], index: d[2], loc: span(d[0].loc, L(d[3])) }) %}

Primary -> %literal {% (d) => literalOf(d[0]) %}
  | "[" "]" {% (d) => ({ kind: 'List', items: [], loc: span(L(d[0]), L(d[1])) }) %}
  | "[" Items "]" {% (d) => ({ kind: 'List', items: toArray(d[1]), loc: span(L(d[0]), L(d[2])) }) %}
  | "(" Expr ")" {% (d) => ({ ...d[1], loc: span(L(d[0]), L(d[2])) }) %}
  | %name {% (d) => ({ kind: 'Ident', name: nameOf(d[0]), loc: L(d[0]) }) %}
  | %name "(" ")" {% (d) => ({ kind: 'Call', callee: nameOf(d[0]), args: [], loc: span(L(d[0]), L(d[2])) }) %}
  | %name "(" Items ")" {% (d) => ({ kind: 'Call', callee: nameOf(d[0]), args: toArray(d[2]), loc: span(L(d[0]), L(d[3])) }) %}

Items -> Expr {% (d) => push(null, d[0]) %}
  | Items "," Expr {% (d) => push(d[0], d[2]) %}
