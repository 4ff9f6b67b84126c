/**
 * Text → AST (`FileNode`) with the nearley parser over the generated grammar (and the moo lexer of
 * lexer.ts). Parsing a rule stops at its
 * first syntax error (the next rule is parsed on its own), which becomes a `RuleError` saying in words what was expected
 * ("expected a duration such as 10s after 'within', found '10'"); nearley's state dump is kept
 * only as the error's `cause` (graphql-js `syntaxError`).
 */
import nearley from './nearley-runtime.js';
import { span, type FileNode, type Loc, type RuleNode } from './ast.js';
import { RuleError, RuleErrors, shorten } from './errors.js';
import grammar from './grammar.generated.js';
import { describeBadText, OVERFLOWED, RuleLexer, type Token } from './lexer.js';
import { MAX_ERRORS } from './checks/reporter.js';
import { MAX_RULE_TOKENS, nestingLimitBroken, tokenLimitBroken, TOO_DEEP, TOO_MANY_TOKENS } from './limits.js';
import { finishRule, type RawRule } from './list.js';
import { closest } from './suggest.js';

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

/** How token types read in an error message. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  ident: 'a name',
  string: 'a "string"',
  quoted: 'a `quoted name`',
  number: 'a number',
  duration: 'a duration such as 10s',
  cmp: 'a comparison',
};

/** Symbols that can start an expression; when most are expected they read as "an expression". */
const EXPRESSION_START = ['%number', '%duration', '%string', 'true', 'false', 'null', '[', '(', '-', 'not', '%ident', '%quoted'];
/** Symbols that can follow an operand; when most are expected they read as "an operator". */
const OPERATORS = ['+', '-', '*', '/', '%', '%cmp', 'in', 'not', 'and', 'or', '.', '['];

interface ParserInternals {
  table: { states: { rule: { symbols: unknown[] }; dot: number }[] }[];
}

/** The terminal symbols the parser could accept in `column` (`'%type'` or the literal text; a token class of the grammar lists its members in `expected`). */
function expectedSymbols(parser: nearley.Parser, column: number): string[] {
  const states = (parser as unknown as ParserInternals).table[column]?.states ?? [];
  const out = new Set<string>();
  for (const state of states) {
    const symbol = state.rule.symbols[state.dot] as { literal?: string; type?: string; expected?: string[] } | string | undefined;
    if (symbol === undefined || typeof symbol === 'string') continue;
    if (symbol.expected !== undefined) for (const e of symbol.expected) out.add(e);
    else if (symbol.literal !== undefined) out.add(symbol.literal);
    else if (symbol.type !== undefined && symbol.type !== 'keyword') out.add(`%${symbol.type}`);
  }
  return [...out];
}

/** The expected symbols in words, e.g. `an expression, ']' or ','`. */
function describeExpected(symbols: string[]): string {
  let rest = symbols;
  const words: string[] = [];
  for (const [group, word] of [[EXPRESSION_START, 'an expression'], [OPERATORS, 'an operator']] as const) {
    if (group.filter((s) => rest.includes(s)).length >= 6) {
      words.push(word);
      rest = rest.filter((s) => !group.includes(s));
    }
  }
  for (const s of rest) words.push(s.startsWith('%') ? (TYPE_WORDS[s.slice(1)] ?? s.slice(1)) : `'${s}'`);
  if (words.length <= 1) return words[0] ?? 'nothing';
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function tokenLocation(token: Token): Loc {
  return { line: token.line, col: token.col, offset: token.offset, length: Math.max(1, token.text.length) };
}

/** Where the input ends (for "unexpected end of input"): just after its last character. */
function endLocation(source: string): Loc {
  const lines = source.split('\n');
  const lastLine = lines[lines.length - 1];
  return { line: lines.length, col: lastLine.length + 1, offset: source.length, length: 1 };
}

/** The error for `token` not fitting in column `column`, after token `previous` (if any). */
function unexpectedToken(parser: nearley.Parser, column: number, token: Token | undefined, previous: Token | undefined): string {
  const symbols = expectedSymbols(parser, column);
  const found = token === undefined ? 'the end of the file' : token.type === 'string' ? `the string ${shorten(token.text)}` : `'${shorten(token.text)}'`;
  const after = previous === undefined ? '' : ` after '${shorten(previous.text)}'`;
  let message = `expected ${describeExpected(symbols)}${after}, found ${found}`;
  if (token !== undefined && (token.type === 'ident' || token.type === 'keyword')) {
    const words = symbols.filter((s) => /^[a-z]+$/.test(s));
    const guess = closest(token.text, words);
    if (guess !== undefined) message += `; did you mean '${guess}'?`;
    else if (token.type === 'keyword' && symbols.includes('%ident')) {
      message += ` ('${token.text}' is a keyword; write \`${token.text}\` to use it as a name)`;
    }
  }
  return message;
}

/** Whether `token` is the keyword `rule`, which starts a rule. */
function isRuleKeyword(token: Token | undefined): boolean {
  return token?.type === 'keyword' && token.text === 'rule';
}

/** Whether `tokens[i]` starts a rule: the keyword `rule`, except as a word after a dot (`x.rule`) or as an emit name (`rule: ...`). */
function isRuleStart(tokens: readonly Token[], i: number): boolean {
  return isRuleKeyword(tokens[i]) && tokens[i - 1]?.text !== '.' && tokens[i + 1]?.text !== ':';
}

/**
 * The tokens of a source, and the moo error token where lexing stopped early (if it did). Lexing
 * also stops one token past `MAX_RULE_TOKENS` in one rule: that rule is refused there, and nothing
 * after it is read (a 1 MB rule costs a bounded number of token objects).
 */
function lexAll(source: string): { tokens: Token[]; bad?: Token } {
  const lexer = new RuleLexer();
  lexer.reset(source);
  const tokens: Token[] = [];
  let sinceRule = 0;
  try {
    for (let t = lexer.next(); t !== undefined && sinceRule <= MAX_RULE_TOKENS; t = lexer.next()) {
      sinceRule = isRuleKeyword(t) && tokens[tokens.length - 1]?.text !== '.' ? 1 : sinceRule + 1;
      tokens.push(t);
    }
  } catch (error) {
    return { tokens, bad: (error as { token: Token }).token };
  }
  return { tokens };
}

/**
 * A nearley lexer that replays `tokens[start..end)` and then, if given, throws the lexer error
 * found at that point (so that an earlier syntax error is still reported first).
 */
class ReplayLexer {
  position: number;

  constructor(
    private readonly tokens: readonly Token[],
    start: number,
    private readonly end: number,
    private readonly bad: Token | undefined,
  ) {
    this.position = start;
  }

  reset(): void {}

  next(): Token | undefined {
    if (this.position < this.end) return this.tokens[this.position++];
    if (this.bad !== undefined) throw Object.assign(new Error('lexer error'), { token: this.bad });
    return undefined;
  }

  /** Nothing to save: a replay is never resumed. */
  save(): Record<string, never> {
    return {};
  }

  formatError(token: Token): string {
    return `line ${token.line} col ${token.col}`;
  }

  has(): boolean {
    return true;
  }
}

/**
 * Parses a whole rule file, one rule at a time: the tokens are cut before each `rule` keyword
 * (a reserved word, so it can start nothing else, except as a word after a dot or an emit name) and each piece gets its own nearley parser, which
 * keeps the Earley chart (and the garbage it leaves) the size of one rule. The limits of limits.ts
 * are checked on each piece's tokens first: a piece with too many tokens is refused unparsed, one
 * nested too deeply is parsed only up to the token that breaks the limit.
 * @returns the file's AST and the number of parses nearley found (the product over the rules: 1
 *   for an unambiguous grammar; the grammar tests assert it, callers use the first).
 * @throws RuleErrors holding the first syntax error of each rule that has one.
 */
export function parseFileWithCount(source: string, file: string): { ast: FileNode; parses: number } {
  const { ast, parses, errors } = parseFileCollecting(source, file);
  if (errors.length > 0) throw new RuleErrors(errors);
  return { ast, parses };
}

/**
 * Parses a whole rule file as {@link parseFileWithCount} does, but a syntax error ends only the
 * rule it is in: each rule's first syntax error is collected (at most `MAX_ERRORS`; lexing stops
 * at a bad character or a rule too long, so nothing after those is read) and the AST holds the
 * rules that parsed, so that their check errors can be reported too (DSL.md section 7: every rule
 * error).
 */
export function parseFileCollecting(source: string, file: string): { ast: FileNode; parses: number; errors: RuleError[] } {
  const { tokens, bad } = lexAll(source);
  const starts = tokens.flatMap((_, i) => (i === 0 || isRuleStart(tokens, i) ? [i] : []));
  const rules: RuleNode[] = [];
  const errors: RuleError[] = [];
  let parses = 1;
  for (let k = 0; (k < starts.length || (k === 0 && bad !== undefined)) && errors.length < MAX_ERRORS; k++) {
    try {
      parses *= parsePiece(k);
    } catch (error) {
      if (!(error instanceof RuleErrors)) throw error;
      errors.push(...error.errors);
    }
  }
  const loc = rules.length > 0 ? span(rules[0].loc, rules[rules.length - 1].loc) : { line: 1, col: 1, offset: 0, length: 0 };
  return { ast: { kind: 'File', rules, loc }, parses, errors };

  /** Parses the `k`th piece, adding its rule to `rules`; returns nearley's count of parses. @throws RuleErrors with its syntax error. */
  function parsePiece(k: number): number {
    const start = starts[k] ?? 0;
    const end = starts[k + 1] ?? tokens.length;
    const last = k + 1 >= starts.length;
    // A piece that does not start with `rule` fails at its first token: only a rule is refused unparsed.
    const tooLong = isRuleKeyword(tokens[start]) ? tokenLimitBroken(start, end) : null;
    if (tooLong !== null) throw syntaxError(TOO_MANY_TOKENS, tokenLocation(tokens[tooLong]), source, file);
    const tooDeep = nestingLimitBroken(tokens, start, end);
    const replay = new ReplayLexer(tokens, start, tooDeep ?? end, last && tooDeep === null ? bad : undefined);
    const parser = new nearley.Parser(compiled, { lexer: replay });
    try {
      parser.feed('');
    } catch (error) {
      const token = (error as { token?: Token }).token;
      if (token !== undefined && token.type === 'error') {
        const described = describeBadText(token.text, token.value === OVERFLOWED);
        throw syntaxError(described.message, { ...tokenLocation(token), length: described.length }, source, file, error);
      }
      const column = (parser as unknown as ParserInternals).table.length - 2;
      const message = unexpectedToken(parser, column, token, tokens[replay.position - 2]);
      throw syntaxError(message, token ? tokenLocation(token) : endLocation(source), source, file, error);
    }
    if (tooDeep !== null) throw syntaxError(TOO_DEEP, tokenLocation(tokens[tooDeep]), source, file);
    const results = parser.results as { rules: RawRule[] }[];
    if (results.length === 0) {
      // The piece ended early: the offending token is the next piece's `rule`, or the end of the file.
      const column = (parser as unknown as ParserInternals).table.length - 1;
      const next = tokens[end];
      const message = unexpectedToken(parser, column, next, tokens[end - 1]);
      throw syntaxError(message, next ? tokenLocation(next) : endLocation(source), source, file);
    }
    for (const rule of results[0].rules) rules.push(finishRule(rule));
    return results.length;
  }
}

/** Parses a rule file to its AST. @throws RuleErrors with the first syntax error of each rule that has one. */
export function parseFile(source: string, file: string): FileNode {
  return parseFileWithCount(source, file).ast;
}

function syntaxError(message: string, loc: Loc, source: string, file: string, cause?: unknown): RuleErrors {
  return new RuleErrors([new RuleError(message, { file, source, loc, cause })]);
}
