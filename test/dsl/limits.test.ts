/**
 * The limits of src/dsl/limits.ts, each a located rule error, and what stays allowed: nesting
 * (brackets and `not`/`-` chains), tokens per rule, quantifier counts and `{0,m}`, the automaton's
 * size; and that flat chains of any length parse, check and evaluate like their short forms.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { MAX_COUNT, MAX_NESTING, MAX_RULE_TOKENS, MAX_WITHIN_MS } from '../../src/dsl/limits.js';
import { compile } from '../../src/nfa/compiler.js';
import type { Rule } from '../../src/nfa/rule.js';
import { bindingsOf, errorsOf, withPattern } from './helpers.js';

/** The single error of `source` as [message, line, col]. */
function only(source: string): [string, number, number] {
  const { errors } = errorsOf(source);
  expect(errors.map((e) => e.message)).toHaveLength(1);
  return [errors[0].message, errors[0].line, errors[0].col];
}

const TOO_DEEP = /^nested too deeply: more than 200 levels/;

/** The test of the condition of the rule's first element. */
function conditionOf(rule: Rule): (data: Record<string, unknown>) => boolean {
  const atom = rule.pattern.elements[0].atom;
  if (atom.kind !== 'event' || atom.condition === undefined) throw new Error('no condition');
  const test = atom.condition.test;
  return (data) => test({ type: 'a', time: 0, data }, bindingsOf({}));
}

describe('nesting', () => {
  it(`accepts ${MAX_NESTING} levels and refuses one more, at the token that breaks the limit`, () => {
    const nested = (n: number) => withPattern(`a[${'('.repeat(n)}x > 1${')'.repeat(n)}]`);
    expect(conditionOf(parseRules(nested(MAX_NESTING - 1))[0])({ x: 2 })).toBe(true);
    const [message, line, col] = only(nested(MAX_NESTING));
    expect(message).toMatch(TOO_DEEP);
    // `[` is level 1, so the 200th `(` is level 201.
    expect([line, col]).toEqual([1, 'rule r key by k pattern a['.length + MAX_NESTING]);
  });

  it.each([
    ['parentheses in a condition', (n: number) => `a[${'('.repeat(n)}x${')'.repeat(n)}]`],
    ['groups in a pattern', (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`],
    ['list brackets', (n: number) => `a[x in ${'['.repeat(n)}1${']'.repeat(n)}]`],
    ['a chain of not', (n: number) => `a[${'not '.repeat(n)}x]`],
    ['a chain of unary minus', (n: number) => `a[${'- '.repeat(n)}x > 1]`],
    ['not and parentheses mixed', (n: number) => `a[${'not ('.repeat(n / 2)}x${')'.repeat(n / 2)}]`],
    ['calls', (n: number) => `a[${'abs('.repeat(n)}x${')'.repeat(n)} > 1]`],
  ])('%s: 10,000 levels are a located error, found at once', (_, make) => {
    const started = process.cpuUsage();
    const [message, line, col] = only(withPattern(make(10_000)));
    expect(message).toMatch(TOO_DEEP);
    expect(line).toBe(1);
    expect(col).toBeGreaterThan(20);
    expect(col).toBeLessThan(5 * MAX_NESTING + 40);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
  });

  it('reports a syntax error before the deep part first, and locates the deep part on its own line', () => {
    expect(only(`rule r key by k patern a[${'('.repeat(500)}x${')'.repeat(500)}]`)[0]).toMatch(/found 'patern'/);
    const [, line, col] = only(`rule r key by k\n  pattern a\n  emit { x: ${'['.repeat(300)}1${']'.repeat(300)} }`);
    expect([line, col]).toEqual([3, '  emit { x: '.length + MAX_NESTING]);
  });

  it('counts levels, not brackets: many shallow brackets in a row are fine', () => {
    const wide = withPattern(`a[${Array.from({ length: 2000 }, () => '(x > 1)').join(' and ')}]`);
    expect(conditionOf(parseRules(wide)[0])({ x: 2 })).toBe(true);
  });
});

describe('tokens per rule', () => {
  it(`refuses a rule of more than ${MAX_RULE_TOKENS.toLocaleString('en-US')} tokens without parsing it, at the first token too many`, () => {
    const items = Array.from({ length: MAX_RULE_TOKENS / 2 }, () => '1').join(', ');
    const source = withPattern(`a[x in [${items}]]`);
    const started = process.cpuUsage();
    const [message, line, col] = only(source);
    const used = process.cpuUsage(started);
    expect(message).toBe('rule too long: more than 50,000 tokens; split it into smaller rules');
    expect(line).toBe(1);
    expect(col).toBeGreaterThan(MAX_RULE_TOKENS);
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
  });

  it('stops reading at the rule that breaks it: a 1 MB rule is refused in a fraction of a second', () => {
    const source = `rule ok key by k pattern a\nrule r key by k pattern a[${'('.repeat(1 << 20)}`;
    const [[message, line, col], ms] = ((): [[string, number, number], number] => {
      const started = process.cpuUsage();
      const result = only(source);
      const used = process.cpuUsage(started);
      return [result, (used.user + used.system) / 1000];
    })();
    // 8 tokens before the first `(`: the token past the limit is `(` number MAX_RULE_TOKENS - 7.
    expect([message, line, col]).toEqual(['rule too long: more than 50,000 tokens; split it into smaller rules', 2, 'rule r key by k pattern a['.length + MAX_RULE_TOKENS - 7]);
    expect(ms).toBeLessThan(1000);
  });

  it('is per rule: a file may hold any number of rules', () => {
    const source = Array.from({ length: 3000 }, (_, i) => `rule r${i} key by k pattern a[x in [1, 2, 3, 4, 5]] -> b`).join('\n');
    expect(parseRules(source)).toHaveLength(3000);
  });
});

describe('quantifier counts', () => {
  it(`accepts ${MAX_COUNT.toLocaleString('en-US')} and refuses more, located at the quantifier`, () => {
    expect(parseRules(withPattern(`a{${MAX_COUNT}} -> b`))[0].pattern.elements[0].quantifier?.min).toBe(MAX_COUNT);
    for (const q of [`{${MAX_COUNT + 1}}`, `{1,${MAX_COUNT + 1}}`, `{${MAX_COUNT + 1},}`, '{10000000}', '{1,1e400}']) {
      expect(only(withPattern(`a${q} -> b`))).toEqual([`quantifier '${q}': counts above 10,000 are not allowed (an automaton that large is a mistake, not a rule)`, 1, 26]);
    }
  });

  it('{0,m} is {1,m} optional (DSL.md section 3, Flink times(0, m)); {0} and {0,0} are errors', () => {
    const quantifier = (q: string) => parseRules(withPattern(`x -> a${q} -> b`))[0].pattern.elements[1].quantifier;
    expect(quantifier('{0,3}')).toEqual(quantifier('{1,3} optional'));
    expect(quantifier('{0,1}')).toEqual(quantifier('?'));
    expect(quantifier('{0,3}')).toMatchObject({ min: 1, max: 3, optional: true });
    expect(only(withPattern('a{0} -> b'))[0]).toBe("quantifier '{0}' matches no event; for an optional element write '?'");
    expect(only(withPattern('a{0,0} -> b'))[0]).toBe("quantifier '{0,0}' matches no event; for an optional element write '?'");
    // {0,m} is optional for the checks too: a `not` may not follow it.
    expect(only(withPattern('x -> a{0,2} -> not c -> b'))[0]).toMatch(/^a 'not' element cannot follow an optional element/);
  });
});

describe('within', () => {
  it('accepts 10,000 years and refuses more, at the duration (a deadline past the year 275760 crashed the run when it fired)', () => {
    expect(MAX_WITHIN_MS).toBe(3_652_425 * 86_400_000);
    expect(parseRules(withPattern('a -> not b', 'within 3652425d'))[0].within).toBe(MAX_WITHIN_MS);
    for (const within of ['3652425d1ms', '99999999999999999999999999d']) {
      const [message, line, col] = only(withPattern('a -> not b', `within ${within}`));
      expect(message).toBe('`within` must be at most 10,000 years (3652425d): its deadlines must be times an alert can write');
      expect([line, col]).toEqual([1, 'rule r key by k pattern a -> not b within '.length + 1]);
    }
  });
});

describe("the automaton's size", () => {
  it('refuses counts that multiply past the limit, located at the pattern', () => {
    const [message, line, col] = only(withPattern('x -> (a{100}){1000} -> b'));
    expect(message).toMatch(/^pattern too large: building its automaton takes more than 100,000 states, transitions and element copies/);
    expect([line, col]).toEqual([1, 25]);
    expect(() => compile(parseRules(withPattern('x -> (a{100}){100} -> b'))[0])).not.toThrow();
  });

  it('refuses the copies Flink makes for optional elements after a not, before making them', () => {
    const chain = (n: number) => withPattern(`x -> not y${' -> c?'.repeat(n)} -> d`, 'within 1h');
    expect(() => compile(parseRules(chain(100))[0])).not.toThrow();
    const started = process.cpuUsage();
    expect(only(chain(2000))[0]).toMatch(/^pattern too large/);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
  });
});

describe('flat chains of any length', () => {
  it('x == 0 or x == 1 or ... with 5,000 terms checks and evaluates like the short form', () => {
    const rule = parseRules(withPattern(`a[${Array.from({ length: 5000 }, (_, i) => `x == ${i}`).join(' or ')}]`))[0];
    const test = conditionOf(rule);
    expect([test({ x: 0 }), test({ x: 4999 }), test({ x: 5000 }), test({})]).toEqual([true, true, false, false]);
  });

  it('and chains stop at the first operand that is not true; arithmetic chains fold left to right', () => {
    const and = conditionOf(parseRules(withPattern(`a[${Array.from({ length: 3000 }, (_, i) => `x > ${i - 1}`).join(' and ')}]`))[0]);
    expect([and({ x: 2999 }), and({ x: 2998 }), and({ x: null })]).toEqual([true, false, false]);
    const sum = conditionOf(parseRules(withPattern(`a[x${' - 1 + 2'.repeat(2000)} > x + 1999]`))[0]);
    expect([sum({ x: 5 }), sum({ x: null })]).toEqual([true, false]);
    const product = conditionOf(parseRules(withPattern(`a[100 ${'* 2 / 2 % 1000 '.repeat(2000)}== 100]`))[0]);
    expect(product({})).toBe(true);
    // A type error in the middle of a chain is still reported, at its operand.
    expect(only(withPattern(`a[x > 1${' and x > 1'.repeat(100)} and 5${' and x > 1'.repeat(100)}]`))[0]).toBe("'and' needs a boolean, but this is a number");
  });

  it('a.b.c... and x[0][0]... with 5,000 steps read like their short forms', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5000; i++) deep = { b: deep };
    const member = conditionOf(parseRules(withPattern(`a[x${'.b'.repeat(5000)} == "leaf"]`))[0]);
    expect(member({ x: deep })).toBe(true);
    let nested: unknown = 7;
    for (let i = 0; i < 5000; i++) nested = [nested];
    const index = conditionOf(parseRules(withPattern(`a[x${'[0]'.repeat(5000)} == 7]`))[0]);
    expect([index({ x: nested }), index({ x: [] })]).toEqual([true, false]);
  });

  it('a pattern a -> a -> ... of 5,000 elements, key by of 5,000 paths and emit of 5,000 fields compile', () => {
    const rule = parseRules(`rule r key by ${Array.from({ length: 5000 }, (_, i) => `k${i}`).join(', ')} pattern a${' -> a'.repeat(4999)} as last emit { ${Array.from({ length: 5000 }, (_, i) => `f${i}: ${i}`).join(', ')} }`)[0];
    expect([rule.pattern.elements.length, rule.keyBy.length, rule.emit.length]).toEqual([5000, 5000, 5000]);
    expect(() => compile(rule)).not.toThrow();
  });
});
