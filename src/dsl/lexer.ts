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

/** Token types that carry no meaning for the parser. */
const SKIPPED = new Set(['ws', 'nl', 'comment']);

/**
 * Describes a run of text that no token rule accepts, and how much of it to underline.
 * `text` is the rest of the input from the bad character on.
 */
export function describeBadText(text: string): { message: string; length: number } {
  const c = text[0];
  const line = text.split('\n')[0];
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

  next(): Token | undefined {
    for (;;) {
      const token = this.moo.next();
      if (token === undefined) return undefined;
      // moo's error token holds the rest of the input; the parser reports it (parse.ts).
      if (token.type === 'error') throw Object.assign(new Error('lexer error'), { token });
      if (!SKIPPED.has(token.type ?? '')) return token;
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
