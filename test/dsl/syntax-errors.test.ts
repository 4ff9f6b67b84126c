/**
 * Syntax errors: parsing a rule stops at its first one (the next rule is parsed on its own), which says in words what was expected, points at
 * the right place with a caret, and keeps nearley's state dump only as `cause`.
 */
import { describe, expect, it } from 'vitest';
import { RuleError } from '../../src/dsl/index.js';
import { errorsOf } from './helpers.js';

describe('syntax errors', () => {
  it('renders file:line:col, the source line and a caret, with the parser dump only as cause', () => {
    const errors = errorsOf('rule a\n  key by x\n  pattern a within 10\n', 'rules/a.cep');
    expect(errors.errors).toHaveLength(1);
    const [error] = errors.errors;
    expect(error).toBeInstanceOf(RuleError);
    expect([error.file, error.line, error.col]).toEqual(['rules/a.cep', 3, 20]);
    expect(errors.format()).toBe(
      [
        "rules/a.cep:3:20: expected a duration such as 10s after 'within', found '10'",
        '3 |   pattern a within 10',
        '  |                    ^^',
      ].join('\n'),
    );
    expect(error.message).not.toMatch(/state|based on|nearley/i);
    expect(String((error.cause as Error).message)).toMatch(/Unexpected/);
  });

  it.each([
    ['rule a key by x pattern a witin 10m', 1, 27, "found 'witin'; did you mean 'within'?"],
    ['rule a key by x patern a', 1, 17, "expected '.', ',' or 'pattern' after 'x', found 'patern'; did you mean 'pattern'?"],
    ['rul a key by x pattern a', 1, 1, "expected 'rule', found 'rul'; did you mean 'rule'?"],
    ['rule a key by x pattern a[x > ]', 1, 31, "expected an expression after '>', found ']'"],
    ['rule a key by x pattern a[next > 1]', 1, 27, "'next' is a keyword; write `next` to use it as a name"],
    ['rule a key by x pattern', 1, 24, "after 'pattern', found the end of the file"],
    ['rule a key by x pattern a emit { a: 1 + }', 1, 41, "expected an expression after '+', found '}'"],
    ['rule a key by x pattern a[x == "abc]', 1, 32, 'unterminated string'],
    ['rule a key by x pattern a[t < 10min]', 1, 31, "malformed number or duration '10min'"],
    ['rule a key by x pattern a[x @ 1]', 1, 29, "unexpected character '@'"],
    ['rule a key by x pattern a -> -> b', 1, 30, "after '->', found '->'"],
    ['rule a key by x pattern a[x < 1 < 2]', 1, 33, "found '<'"],
    ['rule a key by x pattern a{2,3,4}', 1, 30, "expected '}' after '3', found ','"],
    ['rule a key by x pattern a skip to somewhere', 1, 35, "expected 'last', 'first' or 'next' after 'to', found 'somewhere'"],
    ['rule a key by x pattern a[x]\n\n  emit { a 1 }', 3, 12, "expected ':' after 'a', found '1'"],
  ])('%s', (source, line, col, fragment) => {
    const [error] = errorsOf(source).errors;
    expect(error.message).toContain(fragment);
    expect([error.line, error.col]).toEqual([line, col]);
    const rendered = error.format().split('\n');
    expect(rendered[2].indexOf('^') - '  | '.length).toBe(col - 1 + (String(line).length - 1));
  });

  it('stops at the first syntax error of a rule, and goes on with the next rule (DSL.md section 7: every rule error)', () => {
    expect(errorsOf('rule a key by pattern a x y z\nrule b key by x pattern b[').errors.map((e) => [e.line, e.col])).toEqual([[1, 15], [2, 27]]);
  });

  it('writes control and bidi characters of the rule file as \\uXXXX in the message and the source line, the carets under what is printed', () => {
    expect(errorsOf('rule a key by x pattern a\0 -> b').format()).toBe(
      ["test.cep:1:26: unexpected character '\\u0000'", '1 | rule a key by x pattern a\\u0000 -> b', '  |                          ^^^^^^'].join('\n'),
    );
    // An ESC sequence and a right-to-left override in a string before the error, a tab kept: nothing reaches the terminal raw.
    const text = errorsOf('rule a key by x pattern a[x == "\x1b[2J\u202e"]\t-> \x1b[31m b').format();
    expect(text).toBe(
      [
        "test.cep:1:44: unexpected character '\\u001b'",
        '1 | rule a key by x pattern a[x == "\\u001b[2J\\u202e"]\t-> \\u001b[31m b',
        `  | ${' '.repeat('rule a key by x pattern a[x == "\\u001b[2J\\u202e"]'.length)}\t${' '.repeat(3)}^^^^^^`,
      ].join('\n'),
    );
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('underlines the whole offending token', () => {
    const text = errorsOf('rule a key by x pattern a as within').format();
    expect(text).toContain('1 | rule a key by x pattern a as within\n  |                              ^^^^^^');
  });
});
