/**
 * The tokenizer of the rule language (DSL.md section 2), built with moo. Whitespace, newlines and
 * comments (`#` and `//` to the end of the line) are dropped before the parser sees them; every
 * token keeps its `line`, `col` (1-based) and `offset` (0-based, UTF-16 code units) so that AST
 * nodes and errors can point back into the source.
 *
 * Keywords are reserved words (moo `keywords` on the identifier rule); a field named like one is
 * written with backticks (`` `next` ``). A few words are keywords only where the grammar expects them
 * and stay ordinary names elsewhere (severities, the `skip` words `past last to none first`,
 * `timeout`), so that `first(a)` and a field called `last` keep working.
 *
 * Token `text` is the source text as written (quotes included): nearley matches grammar literals
 * against `text`, so the string `"rule"` can never be mistaken for the keyword `rule`.
 */
import moo from 'moo';
import { shorten } from './errors.js';

/** Reserved words: never an identifier (quote a field with backticks to use one). */
export const KEYWORDS: readonly string[] = [
  'rule', 'severity', 'key', 'by', 'pattern', 'within', 'skip', 'emit', 'on', 'not', 'as', 'any', 'next',
  'and', 'or', 'in', 'true', 'false', 'null', 'optional', 'greedy', 'consecutive', 'combinations', 'until',
];

/** A token as the parser sees it (moo's token, comments and whitespace already removed). */
export type Token = moo.Token;

const rules: moo.Rules = {
  ws: /[ \t\r\f\v\u00a0\ufeff]+/,
  nl: { match: /\n/, lineBreaks: true },
  comment: /(?:#|\/\/)[^\n]*/,
  // `1h30m`, `10s`, `1.5s`, `250ms`: one token; a unit glued to more letters is not a duration.
  duration: /(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+(?![\dA-Za-z_])(?!\.\d)/,
  number: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\dA-Za-z_])(?!\.\d)/,
  string: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/,
  quoted: /`[^`\n]+`/,
  ident: { match: /[A-Za-z_][A-Za-z0-9_]*/, type: moo.keywords({ keyword: KEYWORDS as string[] }) },
  arrowAny: '->>',
  arrow: '->',
  cmp: ['==', '!=', '<=', '>=', '<', '>'],
  punct: ['+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', ',', ':', '.', '?'],
  error: moo.error,
};

/** The `value` of the error token for a token too long for the lexer to read ({@link RuleLexer.next}). */
export const OVERFLOWED = 'overflowed';

/** Token types that carry no meaning for the parser. */
const SKIPPED = new Set(['ws', 'nl', 'comment']);

/**
 * Describes a run of text that no token rule accepts, and how much of it to underline.
 * `text` is the rest of the input from the bad character on; `overflowed` when the lexer could not
 * finish reading a token there (see {@link RuleLexer.next}).
 */
export function describeBadText(text: string, overflowed = false): { message: string; length: number } {
  const c = text[0];
  const line = text.split('\n')[0];
  if (overflowed) {
    return { message: 'too long to read: a string, number or duration of millions of characters overflows the lexer', length: line.length };
  }
  if (c === '"' || c === "'") {
    return { message: `unterminated string: a ${c} string must end with ${c} on the same line`, length: line.length };
  }
  if (c === '`') return { message: 'unterminated quoted name: a name in backticks must end with ` on the same line', length: line.length };
  const word = line.match(/^\d[0-9A-Za-z_.]*/)?.[0];
  if (word !== undefined) {
    return {
      message: `malformed number or duration '${shorten(word)}' (a duration is a number with a unit ms, s, m, h or d, such as 10s or 1h30m)`,
      length: word.length,
    };
  }
  return { message: `unexpected character '${c}'`, length: 1 };
}

/**
 * A nearley-compatible lexer (reset / next / save / formatError / has) over moo that drops
 * whitespace and comments and throws on text that is no token
 * (an Error with the moo `error` token as `.token`, which nearley passes on).
 */
export class RuleLexer {
  private readonly moo = moo.compile(rules);

  reset(chunk: string, info?: moo.LexerState): void {
    this.moo.reset(chunk, info);
  }

  /**
   * The next token the parser sees. A token of millions of characters (a string of 9 MB, a
   * duration `1s1s...` of 10 MB) overflows the stack of V8's regular expression engine inside moo:
   * that RangeError becomes an error token at the token's start, marked {@link OVERFLOWED}, instead
   * of passing as the end of the input (which reported "found the end of the file" past the last line).
   */
  next(): Token | undefined {
    for (;;) {
      const token = this.nextToken();
      if (token === undefined) return undefined;
      // moo's error token holds the rest of the input; the parser reports it (parse.ts).
      if (token.type === 'error') throw Object.assign(new Error('lexer error'), { token });
      if (!SKIPPED.has(token.type ?? '')) return token;
    }
  }

  private nextToken(): Token | undefined {
    try {
      return this.moo.next();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const at = this.moo as unknown as { buffer: string; index: number; line: number; col: number };
      const text = at.buffer.slice(at.index);
      return { type: 'error', value: OVERFLOWED, text, toString: () => text, offset: at.index, lineBreaks: 0, line: at.line, col: at.col };
    }
  }

  save(): moo.LexerState {
    return this.moo.save();
  }

  formatError(token: Token, message?: string): string {
    return this.moo.formatError(token, message);
  }

  has(tokenType: string): boolean {
    return tokenType in rules || tokenType === 'keyword';
  }
}

/** The lexer instance the generated grammar uses (`@lexer lexer`); nearley resets it per parse. */
export const lexer = new RuleLexer();
