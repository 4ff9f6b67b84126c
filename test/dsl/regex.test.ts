/**
 * `matches(s, re)` (DSL.md section 4): RE2 syntax in linear time. What RE2 accepts and how it
 * matches (unanchored, like `RegExp.test`); what it refuses, as a rule error with a caret under the
 * regex literal and RE2's reason, never the pattern twice; and the ReDoS case of issue 12.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { compileRegex, type Regex } from '../../src/dsl/expr/regex.js';
import { bindingsOf, errorsOf, withPattern } from './helpers.js';

function regex(pattern: string): Regex {
  const r = compileRegex(pattern);
  if ('error' in r) throw new Error(r.error);
  return r;
}

/** `matches(name, <literal>)` compiled through a rule, as a test on a value of `name`. */
function matchesIn(literal: string): (name: unknown) => boolean {
  const rule = parseRules(withPattern(`a[matches(name, ${literal})]`))[0];
  const atom = rule.pattern.elements[0].atom;
  if (atom.kind !== 'event' || atom.condition === undefined) throw new Error('no condition');
  const test = atom.condition.test;
  return (name) => test({ type: 'a', time: 0, data: { name } }, bindingsOf({}));
}

/** CPU time of `f` (user + system), ms: a hang guard that other work on the machine does not inflate. */
function cpuMs<T>(f: () => T): [T, number] {
  const started = process.cpuUsage();
  const result = f();
  const used = process.cpuUsage(started);
  return [result, (used.user + used.system) / 1000];
}

describe('RE2 syntax and matching', () => {
  it.each([
    ['^(173|5)\\.', '173.234.31.186', true],
    ['^(173|5)\\.', '1173.2', false],
    ['invalid user \\w+', 'Failed: invalid user admin from', true],
    ['\\d{1,3}(\\.\\d{1,3}){3}$', 'from 10.0.0.1', true],
    ['(?i)^ROOT$', 'root', true],
    ['^root$', 'ROOT', false],
    ['^\\p{Greek}+$', 'αβγ', true],
    ['[[:alpha:]]+', '123', false],
    ['^.$', '😀', true],
    ['^a.b$', 'a\nb', false],
    ['(?s)^a.b$', 'a\nb', true],
    ['^b$', 'a\nb', false],
    ['(?m)^b$', 'a\nb', true],
    ['\\x{41}', 'A', true],
  ])('%s on %j is %s (unanchored unless ^ or $)', (pattern, subject, expected) => {
    expect(regex(pattern).test(subject)).toBe(expected);
  });

  it('a non-string subject is false, never an error', () => {
    const test = matchesIn('"a"');
    expect([test('a'), test(null), test(1), test(['a']), test(undefined)]).toEqual([true, false, false, false, false]);
  });
});

describe('patterns RE2 refuses are rule errors under the literal', () => {
  it.each([
    ['(a)\\\\1', "backreferences such as '\\1' need backtracking"],
    ['(?P<x>a)(?P=x)', "backreferences such as '(?P=' need backtracking"],
    ['(?<x>a)\\\\k<x>', "backreferences such as '\\k' need backtracking"],
    ['a(?=b)', "lookahead and lookbehind such as '(?=' need backtracking"],
    ['a(?!b)', "lookahead and lookbehind such as '(?!' need backtracking"],
    ['(?<=a)b', "lookahead and lookbehind such as '(?<=' need backtracking"],
    ['(?<!a)b', "lookahead and lookbehind such as '(?<!' need backtracking"],
    ['(', 'missing closing )'],
    ['a**', "invalid nested repetition operator '**'"],
    ['x{2,1}', "invalid repeat count '{2,1}'"],
    ['a\\\\Z', "invalid escape sequence '\\Z'"],
    ['(a{1000}){1000}', "invalid repeat count '{1000}'"],
  ])('"%s": %s', (pattern, reason) => {
    const source = `rule r key by k\n  pattern a[matches(name, "${pattern}")]`;
    const { errors } = errorsOf(source, 'r.cep');
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error.message).toBe(`regular expression not accepted (RE2 syntax, linear time): ${reason}`);
    const literal = `"${pattern}"`;
    expect([error.line, error.col]).toEqual([2, '  pattern a[matches(name, '.length + 1]);
    expect(error.format()).toBe(
      [`r.cep:2:${error.col}: ${error.message}`, `2 |   pattern a[matches(name, ${literal})]`, `  | ${' '.repeat(error.col - 1)}${'^'.repeat(literal.length)}`].join('\n'),
    );
  });

  it('a regex longer than 20,000 characters is refused before compiling', () => {
    expect(compileRegex('a'.repeat(20_000))).not.toHaveProperty('error');
    const { errors } = errorsOf(withPattern(`a[matches(name, "${'(a|b)'.repeat(100_000)}")]`));
    expect(errors.map((e) => [e.message, e.col])).toEqual([['regular expression too long: more than 20,000 characters', 41]]);
  });

  it('the message does not repeat the pattern (the source line shows it)', () => {
    const long = `(${'x'.repeat(100)}`;
    const { errors } = errorsOf(withPattern(`a[matches(name, "${long}")]`));
    expect(errors[0].message).toBe('regular expression not accepted (RE2 syntax, linear time): missing closing )');
  });

  it('the regex must be a string literal: it is compiled once, when the rule is loaded', () => {
    const { errors } = errorsOf(withPattern('a[matches(name, re)]'));
    expect(errors.map((e) => [e.message, e.col])).toEqual([
      ['matches() takes its regular expression as a string literal, as in matches(s, "^a+$"): it is compiled once, when the rule is loaded', 41],
    ]);
    expect(errorsOf(withPattern('a[matches(name, 5)]')).errors[0].message).toMatch(/^matches\(\) takes its regular expression as a string literal/);
  });
});

describe('ReDoS (issue 12): (a+)+$ over a hostile field value', () => {
  const test = matchesIn('"(a+)+$"');

  it.each([20, 28, 40])('n = %i: the right answer in well under a millisecond per character', (n) => {
    const [hostile, ms] = cpuMs(() => test(`${'a'.repeat(n)}!`));
    expect(hostile).toBe(false);
    expect(ms).toBeLessThan(100);
    expect(test('a'.repeat(n))).toBe(true);
  });

  it('is linear: 1,000,000 characters take a fraction of a second', () => {
    test('a'.repeat(1000)); // warm-up
    const [hostile, ms] = cpuMs(() => test(`${'a'.repeat(1_000_000)}!`));
    expect(hostile).toBe(false);
    expect(ms).toBeLessThan(2000);
  });
});
