/**
 * The grammar alone: every construct of DSL.md sections 2-4 parses to the expected AST shape, and
 * no input parses ambiguously (more than one nearley result is a bug of ours).
 */
import { describe, expect, it } from 'vitest';
import type { BinaryNode, ElementNode, ExprNode, RuleNode } from '../../src/dsl/ast.js';
import { parseFileWithCount } from '../../src/dsl/parse.js';
import { DSL_MD_EXAMPLES } from './helpers.js';


/** Inputs covering every construct; each must have exactly one parse. */
const INPUTS: string[] = [
  DSL_MD_EXAMPLES,
  '',
  '# only a comment\n// and another',
  'rule a key by x pattern a',
  'rule a severity low key by x, y.z, `key`.`next` pattern a next b ->> c -> d',
  'rule a key by x pattern a -> not b within 1h30m skip none',
  'rule a key by x pattern a next not b skip to next',
  'rule a key by x pattern a+ as s -> b skip to first s',
  'rule a key by x pattern a* as s -> b? -> c{2} -> d{2,} -> e{2,5} optional greedy consecutive -> f skip to last s',
  'rule a key by x pattern a{2,} combinations until [v > 1] as s -> b skip past last',
  'rule a key by x pattern (a -> b){2,3} as g -> (c next d)+ optional -> e',
  'rule a key by x pattern any[v == 1] -> any as z',
  'rule a key by x pattern "order-placed"[`not` == 1] -> `weird type` as w',
  'rule a key by x pattern a[-1 - -2 * 3 % 4 / 5 + 6 > 7 and not b or c in [1, 2] and d not in []]',
  'rule a key by x pattern a+ as s -> b[s[-1].v < s[0].v and time(last(s)) - time(first(s)) < 5m]',
  'rule a key by x pattern a[matches(lower(u), "^r.*") and exists(p.q) and x == null and y != true and z == false]',
  'rule a key by x pattern a[(1 + 2) * 3 == 9 and \'single\' == "double" and 1.5e3 >= 1500ms]',
  'rule a key by x pattern a as o emit { } on timeout emit { o: o.ts, key: o.key, n: count(o) }',
  'rule a key by x pattern a as o emit { x: [o.a, o.b][0], y: round(o.v, 2), z: contains(o.s, "x") }',
  'rule a key by x pattern a rule b key by x pattern b // two rules\n',
  'rule a key by x pattern not a -> b', // checker error, but syntactically fine
  'rule a key by x pattern a[not not x]',
  'rule a key by x pattern a[x.y.z[0][1].w]',
];

describe('grammar', () => {
  it.each(INPUTS.map((s) => [s]))('parses exactly once: %s', (source) => {
    expect(parseFileWithCount(source, 't.cep').parses).toBe(1);
  });

  it('builds the DSL.md examples with locations on every node', () => {
    const { ast } = parseFileWithCount(DSL_MD_EXAMPLES, 't.cep');
    expect(ast.rules.map((r) => r.name.value)).toEqual(['card_testing', 'unpaid_order']);
    const [card, unpaid] = ast.rules;
    expect(card.severity?.value).toBe('high');
    expect(unpaid.severity).toBeNull();
    expect(card.within).toMatchObject({ kind: 'Duration', ms: 600_000, loc: { line: 4, col: 10, length: 3 } });
    const [probes, big] = card.pattern.elements;
    expect(probes).toMatchObject({ op: null, alias: { value: 'probes' }, quantifier: { min: 3, max: Infinity, optional: false } });
    expect(big).toMatchObject({ op: '->', alias: { value: 'big' }, atom: { kind: 'EventAtom', type: { value: 'txn' } } });
    expect(probes.loc).toEqual({ line: 3, col: 11, offset: 59, length: 'txn[amount < 2]{3,} as probes'.length });
    const negated = unpaid.pattern.elements[1];
    expect(negated.not).not.toBeNull();
    expect(negated.atom).toMatchObject({ type: { value: 'payment_approved' } });
    expect(card.emit?.fields.map((f) => f.name.value)).toEqual(['card', 'probes', 'amount']);
    expect(card.emit?.fields[1].value).toMatchObject({ kind: 'Call', callee: { value: 'count' }, args: [{ kind: 'Ident', name: { value: 'probes' } }] });
  });

  const conditionOf = (source: string): ExprNode => {
    const rule: RuleNode = parseFileWithCount(`rule a key by x pattern a[${source}]`, 't.cep').ast.rules[0];
    const atom = rule.pattern.elements[0].atom;
    if (atom.kind !== 'EventAtom' || atom.condition === null) throw new Error('no condition');
    return atom.condition;
  };
  /** The expression with explicit parentheses, to read precedence. */
  const show = (e: ExprNode): string => {
    switch (e.kind) {
      case 'Binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
      case 'Unary': return `(${e.op} ${show(e.operand)})`;
      case 'Literal': return e.duration ? `${e.value}ms` : JSON.stringify(e.value);
      case 'Ident': return e.name.value;
      case 'Member': return `${show(e.object)}.${e.property.value}`;
      case 'Index': return `${show(e.object)}[${show(e.index)}]`;
      case 'Call': return `${e.callee.value}(${e.args.map(show).join(', ')})`;
      case 'List': return `[${e.items.map(show).join(', ')}]`;
    }
  };

  it.each([
    ['a or b and c', '(a or (b and c))'],
    ['not a == 1 and b', '((not (a == 1)) and b)'],
    ['a + b * c - d', '((a + (b * c)) - d)'],
    ['-a * b', '((- a) * b)'],
    ['a - -1', '(a - (- 1))'],
    ['x[-1].v', 'x[(- 1)].v'],
    ['a not in [1, 2]', '(a not in [1, 2])'],
    ['not a in b', '(not (a in b))'],
    ['1h30m == 5400000', '(5400000ms == 5400000)'],
    ['a.b.c >= 2.5', '(a.b.c >= 2.5)'],
    ['`and` == "x"', '(and == "x")'],
    ['o.key == 1', '(o.key == 1)'],
    ['a or b or c', '((a or b) or c)'],
    ['a / b % c', '((a / b) % c)'],
  ])('precedence: %s', (source, expected) => {
    expect(show(conditionOf(source))).toBe(expected);
  });

  it('reads quoted names, strings with escapes and durations', () => {
    const e = conditionOf(`"a\\"b" == 'it\\'s' and t == 1.5s`) as BinaryNode;
    expect(show(e)).toBe(`(("a\\"b" == "it's") and (t == 1500ms))`);
    const quoted = parseFileWithCount('rule `my rule` key by `a-b`.c pattern "order-placed" as `o-p`', 't.cep').ast.rules[0];
    expect(quoted.name).toMatchObject({ value: 'my rule', quoted: true });
    expect(quoted.keyBy[0].parts.map((p) => p.value)).toEqual(['a-b', 'c']);
    const element: ElementNode = quoted.pattern.elements[0];
    expect(element.atom).toMatchObject({ type: { value: 'order-placed', quoted: true } });
    expect(element.alias?.value).toBe('o-p');
  });

  it('takes any word, rule included, after a dot and as an emit name (src/dsl/README.md): only `rule` followed by a name starts a rule', () => {
    const { ast } = parseFileWithCount('rule r key by k pattern a as x -> b[x.rule == 1] emit { rule: x.rule, within: 2 }\nrule s key by k pattern a', 't.cep');
    expect(ast.rules.map((r) => r.name.value)).toEqual(['r', 's']);
    expect(ast.rules[0].emit?.fields.map((f) => f.name.value)).toEqual(['rule', 'within']);
  });

  it('reads every quantifier and modifier', () => {
    const rule = parseFileWithCount(
      'rule a key by x pattern a{3} -> b{2,} -> c{2,4} -> d+ -> e* -> f? -> g+ optional greedy consecutive combinations until [z]',
      't.cep',
    ).ast.rules[0];
    const q = rule.pattern.elements.map((e) => e.quantifier && [e.quantifier.min, e.quantifier.max, e.quantifier.optional]);
    expect(q).toEqual([[3, 3, false], [2, Infinity, false], [2, 4, false], [1, Infinity, false], [1, Infinity, true], [1, 1, true], [1, Infinity, false]]);
    expect(rule.pattern.elements[6].modifiers.map((m) => m.name)).toEqual(['optional', 'greedy', 'consecutive', 'combinations', 'until']);
  });

  it('reads every skip strategy', () => {
    const skips = ['past last', 'to next', 'none', 'to first s', 'to last s'].map(
      (s) => parseFileWithCount(`rule a key by x pattern a as s skip ${s}`, 't.cep').ast.rules[0].skip,
    );
    expect(skips.map((s) => [s?.strategy, s?.alias?.value ?? null])).toEqual([
      ['pastLast', null], ['toNext', null], ['none', null], ['toFirst', 's'], ['toLast', 's'],
    ]);
  });
});
