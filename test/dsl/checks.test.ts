/**
 * The checker: every check of the issue, each with its message and location; all errors of a file
 * are collected (capped); a duplicate shows both places.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { MAX_ERRORS } from '../../src/dsl/checks/reporter.js';
import { DSL_MD_EXAMPLES, errorsOf, messagesOf, withPattern } from './helpers.js';

/** The single error of `source`, as [message, line, col]. */
function only(source: string): [string, number, number] {
  const { errors } = errorsOf(source);
  expect(errors.map((e) => e.message)).toHaveLength(1);
  return [errors[0].message, errors[0].line, errors[0].col];
}

describe('checks', () => {
  it('accepts the DSL.md section 2 examples verbatim', () => {
    const rules = parseRules(DSL_MD_EXAMPLES);
    expect(rules.map((r) => r.name)).toEqual(['card_testing', 'unpaid_order']);
  });

  it('duplicate rule names: both places, rendered with a note', () => {
    const errors = errorsOf('rule a key by x pattern a\nrule a key by x pattern b', 'f.cep');
    expect(errors.format()).toBe(
      [
        "f.cep:2:6: duplicate rule name 'a'",
        '2 | rule a key by x pattern b',
        '  |      ^',
        "f.cep:1:6: note: 'a' is first defined here",
        '1 | rule a key by x pattern a',
        '  |      ^',
      ].join('\n'),
    );
    expect(errors.errors[0].related[0].loc).toMatchObject({ line: 1, col: 6 });
  });

  it('duplicate aliases', () => {
    expect(only(withPattern('a as x -> b as x'))).toEqual(["duplicate alias 'x'", 1, 40]);
  });

  it('unknown aliases, with did you mean', () => {
    expect(only(withPattern('a+ as probes -> b', 'emit { n: count(probs) }'))[0]).toBe(
      "unknown alias 'probs': emit expressions read matched events by alias; did you mean 'probes'?",
    );
    expect(only(withPattern('a as first_try -> b', 'skip to first first_tyr'))[0]).toBe(
      "unknown alias 'first_tyr' in skip; did you mean 'first_try'?",
    );
    expect(only(withPattern('a -> b', 'skip to last c'))[0]).toBe("unknown alias 'c' in skip");
  });

  it('an alias used before it is bound', () => {
    const [message, , col] = only(withPattern('a[b.v > 1] -> b'));
    expect(message).toMatch(/^alias 'b' is used before it is bound/);
    expect(col).toBe(27);
    expect(only(withPattern('(a[g.v > 1] -> b) as g -> c'))[0]).toMatch(/'g' is used before it is bound/);
    // An element's own non-loop alias is not bound yet in its condition.
    expect(only(withPattern('a[a.v > 1] -> b'))[0]).toMatch(/own alias/);
    // Its own loop alias is: the events taken so far.
    expect(() => parseRules(withPattern('a[v > avg(a.v)]+ -> b'))).not.toThrow();
  });

  it("an alias of a 'not' element cannot be read", () => {
    expect(only(withPattern('a -> not b as n -> c[n.v == 1]', 'within 1m'))[0]).toMatch(/'n' is a 'not' element/);
  });

  it('a single-event alias used as a list', () => {
    expect(only(withPattern('a as x -> b', 'emit { n: count(x) }'))[0]).toMatch(/^count\(\) needs a list, but this is a single event/);
    expect(only(withPattern('a as x -> b', 'emit { n: x[0] }'))[0]).toMatch(/^an index needs a list, but this is a single event/);
    expect(only(withPattern('a as x -> b', 'emit { n: sum(x.v) }'))[0]).toMatch(/^sum\(\) needs a list, but this reads a single event's field/);
    expect(() => parseRules(withPattern('a{2} as x -> b', 'emit { n: count(x), s: sum(x.v), f: x[0].v, l: x[-1] }'))).not.toThrow();
  });

  it('unknown functions, with did you mean', () => {
    expect(only(withPattern('a[cuont(x) > 1]'))).toEqual(["unknown function 'cuont'; did you mean 'count'?", 1, 27]);
    expect(only(withPattern('a[startswith(x, "a")]'))[0]).toBe("unknown function 'startswith'; did you mean 'starts_with'?");
    expect(only(withPattern('a[frobnicate(x)]'))[0]).toBe("unknown function 'frobnicate'");
  });

  it('wrong arity', () => {
    expect(only(withPattern('a[contains(x)]'))[0]).toBe('contains() takes 2 arguments (contains(s, sub)), not 1');
    expect(only(withPattern('a[abs(x, y) > 1]'))[0]).toBe('abs() takes 1 argument (abs(x)), not 2');
    expect(only(withPattern('a[round() > 1]'))[0]).toBe('round() takes 1 or 2 arguments (round(x) or round(x, digits)), not 0');
  });

  it('a condition that is known not to be boolean', () => {
    expect(only(withPattern('a[x + 1]'))).toEqual(['a condition must be true or false, but this is a number', 1, 27]);
    expect(only(withPattern('a["yes"]'))[0]).toBe('a condition must be true or false, but this is a string');
    expect(only(withPattern('a[x > 1 and 5]'))[0]).toBe("'and' needs a boolean, but this is a number");
    expect(only(withPattern('a{2,} until [count(a)] as a'))[0]).toBe('a condition must be true or false, but this is a number');
    // A field may hold a boolean: unknown types pass.
    expect(() => parseRules(withPattern('a[flag] -> b[not flag or x.y]'))).not.toThrow();
  });

  it('a pattern beginning with not, also inside a group', () => {
    expect(only(withPattern('not a -> b'))).toEqual(['a pattern cannot begin with `not`: there is nothing for the absence to follow', 1, 25]);
    expect(only(withPattern('a -> (not b -> c)'))[0]).toBe('a group cannot begin with `not`');
  });

  it('trailing -> not without within; next not needs none', () => {
    expect(only(withPattern('a -> not b'))[0]).toMatch(/^a pattern that ends with `-> not X` needs `within D`/);
    expect(() => parseRules(withPattern('a next not b'))).not.toThrow();
    expect(() => parseRules(withPattern('a -> not b', 'within 1h'))).not.toThrow();
  });

  it('not after an optional element', () => {
    expect(only(withPattern('a -> b? -> not c -> d'))[0]).toMatch(/^a 'not' element cannot follow an optional element/);
    expect(only(withPattern('a -> b* next not c -> d'))[0]).toMatch(/cannot follow an optional element/);
    // Before an optional element it is fine (DSL.md section 3).
    expect(() => parseRules(withPattern('a -> not c -> b? -> d'))).not.toThrow();
  });

  it('a not group', () => {
    expect(only(withPattern('a -> not (b -> c) -> d'))[0]).toBe("a 'not' element is the absence of one event, not of a group (Flink's notFollowedBy and notNext take one event's condition)");
  });

  it('a greedy optional loop with until after -> not, through optional elements only (Flink fails on it)', () => {
    const [message, , col] = only(withPattern('a -> not b -> c? -> d* until [v > 1] greedy -> e'));
    expect(message).toMatch(/^a greedy optional loop with `until` cannot follow `-> not X` with only optional elements between them/);
    expect(col).toBe(withPattern('a -> not b -> c? -> d* until [v > 1] greedy -> e').indexOf('greedy') + 1);
    expect(only(withPattern('a -> (x -> not b -> d{2,} until [v > 1] greedy optional)'))[0]).toMatch(/cannot follow `-> not X`/);
    for (const accepted of ['a next not b -> d* until [v > 1] greedy', 'a -> not b -> d* until [v > 1] -> e', 'a -> not b -> d+ until [v > 1] greedy -> e', 'a -> not b -> c -> d* until [v > 1] greedy', 'a -> (x -> not b) -> d* until [v > 1] greedy']) {
      expect(() => parseRules(withPattern(accepted)), accepted).not.toThrow();
    }
  });

  it('->> not: no such absence', () => {
    expect(only(withPattern('a ->> not b -> c'))).toEqual(["`->> not` has no meaning: an absence skips nothing (Flink has notFollowedBy, `-> not`, and notNext, `next not`); write `-> not`", 1, 27]);
  });

  it('a quantified not', () => {
    expect(only(withPattern('a -> not b+ -> c'))).toEqual(["a 'not' element cannot be quantified ('+'); write the absence of one event (Flink: \"Option not applicable to NOT pattern\")", 1, 35]);
  });

  it('modifiers as Flink takes them: greedy/consecutive/combinations need a quantifier, until a loop; greedy not on a group', () => {
    expect(only(withPattern('a until [x] -> b'))[0]).toBe("'until' needs a quantifier such as +, *, ? or {2} on this element");
    expect(only(withPattern('a? until [x] -> b'))[0]).toBe("'until' needs a looping quantifier (+, * or {n,}), not '?' (Flink: \"The until condition is only applicable to looping states\")");
    expect(only(withPattern('a{2,3} until [x] -> b'))[0]).toMatch(/^'until' needs a looping quantifier/);
    expect(only(withPattern('a consecutive -> b'))[0]).toMatch(/^'consecutive' needs a quantifier/);
    expect(only(withPattern('(a -> b)+ greedy -> c'))[0]).toBe('\'greedy\' applies to single-event elements, not to a group (Flink: "Option not applicable to group pattern")');
    expect(only(withPattern('a+ consecutive combinations -> b'))[0]).toMatch(/^'consecutive' and 'combinations' exclude each other/);
    expect(only(withPattern('a+ greedy greedy -> b'))[0]).toBe("'greedy' is written twice");
    expect(only(withPattern('a+ combinations greedy -> b'))[0]).toMatch(/^'greedy' cannot follow 'combinations'/);
    expect(only(withPattern('a* optional -> b'))[0]).toBe('\'*\' is optional already (Flink: "Optional already applied!")');
    expect(only(withPattern('a+ greedy -> b optional'))[0]).toMatch(/^an optional element cannot follow a greedy one/);
    for (const ok of ['a+ greedy until [x > 1] -> b', 'a -> b+ greedy', 'a{1} consecutive -> b', 'a? greedy -> b', 'a+ greedy combinations -> b', 'a+ greedy -> b{0,2}']) {
      expect(() => parseRules(withPattern(ok)), ok).not.toThrow();
    }
  });

  it('zero or negative durations and counts, and {n,m} with m < n', () => {
    expect(only(withPattern('a -> b', 'within 0s'))).toEqual(['`within` must be a positive duration', 1, 39]);
    expect(only(withPattern('a{0} -> b'))[0]).toBe("quantifier '{0}' matches no event; for an optional element write '?'");
    expect(only(withPattern('a{0,0} -> b'))[0]).toBe("quantifier '{0,0}' matches no event; for an optional element write '?'");
    expect(only(withPattern('a{0,} -> b'))[0]).toBe("quantifier '{0,}': for zero or more write '*'");
    expect(only(withPattern('a{5,2} -> b'))[0]).toBe("quantifier '{5,2}': the upper bound 2 is below the lower bound 5");
    expect(only(withPattern('a{1.5} -> b'))[0]).toBe("quantifier counts must be whole numbers, not '{1.5}'");
  });

  it('unknown severity, with did you mean', () => {
    expect(only('rule a severity hihg key by x pattern a')).toEqual(["unknown severity 'hihg': use low, medium, high or critical; did you mean 'high'?", 1, 17]);
  });

  it('an invalid literal regex and a non-path in exists()', () => {
    expect(only(withPattern('a[matches(x, "(")]'))[0]).toBe('regular expression not accepted (RE2 syntax, linear time): missing closing )');
    expect(only(withPattern('a[exists(1 + 2)]'))[0]).toBe('exists() takes a field path such as exists(payload.card) or exists(a.f)');
  });

  it('duplicate emit fields show both places', () => {
    const errors = errorsOf(withPattern('a as x', 'emit { v: x.v, v: x.w }'));
    expect(errors.errors[0].message).toBe("duplicate emit field 'v'");
    expect(errors.errors[0].related).toHaveLength(1);
  });

  it('collects every error of a file, in one pass, and caps them', () => {
    const messages = messagesOf(
      'rule a key by x pattern not a[cuont(x) > 1] -> b\nrule a key by x pattern a{0} -> b emit { n: nope.v }',
    );
    expect(messages).toEqual([
      'a pattern cannot begin with `not`: there is nothing for the absence to follow',
      "unknown function 'cuont'; did you mean 'count'?",
      "duplicate rule name 'a'",
      "quantifier '{0}' matches no event; for an optional element write '?'",
      "unknown alias 'nope': emit expressions read matched events by alias",
    ]);
    const many = Array.from({ length: 80 }, (_, i) => `rule r${i} key by x pattern a[x + ${i}]`).join('\n');
    const capped = messagesOf(many);
    expect(capped).toHaveLength(MAX_ERRORS + 1);
    expect(capped[MAX_ERRORS]).toBe('too many errors: 30 more not shown');
  });
});
