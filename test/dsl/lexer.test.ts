/** The moo lexer alone, and the caret rendering of printSourceLocation. */
import { describe, expect, it } from 'vitest';
import { printSourceLocation } from '../../src/dsl/index.js';
import { RuleLexer } from '../../src/dsl/lexer.js';
import { parseDuration } from '../../src/dsl/literals.js';

function tokens(source: string): string[] {
  const lexer = new RuleLexer();
  lexer.reset(source);
  const out: string[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) out.push(`${t.type}:${t.text}`);
  return out;
}

describe('lexer', () => {
  it('keywords, identifiers, arrows, durations and comments', () => {
    expect(tokens('a ->> b -> next # comment\n// another\nnexty first 1h30m 1.5 250ms x[-1]')).toEqual([
      'ident:a', 'arrowAny:->>', 'ident:b', 'arrow:->', 'keyword:next',
      'ident:nexty', 'ident:first', 'duration:1h30m', 'number:1.5', 'duration:250ms',
      'ident:x', 'punct:[', 'punct:-', 'number:1', 'punct:]',
    ]);
  });

  it('strings and quoted names keep their quotes in the token text', () => {
    expect(tokens(`"rule" 'it\\'s' \`key\``)).toEqual(['string:"rule"', "string:'it\\'s'", 'quoted:`key`']);
  });

  it('throws on text that is no token, with the error token attached', () => {
    expect(() => tokens('a @ b')).toThrow(expect.objectContaining({ token: expect.objectContaining({ type: 'error', col: 3 }) }));
    expect(() => tokens('10min')).toThrow();
    expect(() => tokens('1h30')).toThrow();
  });

  it('durations sum their parts in ms', () => {
    expect([parseDuration('1h30m'), parseDuration('1.5s'), parseDuration('2d'), parseDuration('250ms'), parseDuration('1m1s1ms')]).toEqual([5_400_000, 1500, 172_800_000, 250, 61_001]);
  });
});

describe('printSourceLocation', () => {
  const source = 'first line\n\tpattern x[y > 1]\r\nlast';
  it('puts carets under the span, keeping tabs, on CRLF sources', () => {
    expect(printSourceLocation(source, { line: 2, col: 11, offset: 21, length: 5 })).toBe('2 | \tpattern x[y > 1]\n  | \t         ^^^^^');
  });
  it('clips a span to its line and shows at least one caret at the end of a line', () => {
    expect(printSourceLocation(source, { line: 3, col: 3, offset: 0, length: 50 })).toBe('3 | last\n  |   ^^');
    expect(printSourceLocation(source, { line: 3, col: 5, offset: 0, length: 1 })).toBe('3 | last\n  |     ^');
  });
  it('widens the gutter for long line numbers', () => {
    const many = `${'\n'.repeat(99)}x`;
    expect(printSourceLocation(many, { line: 100, col: 1, offset: 99, length: 1 })).toBe('100 | x\n    | ^');
  });
});
