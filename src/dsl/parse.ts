/**
 * Text → AST (`FileNode`) with the nearley parser over the generated grammar. Parsing stops at the
 * first syntax error, which becomes a `RuleError` saying in words what was expected
 * ("expected a duration such as 10s after 'within', found '10'"); nearley's state dump is kept
 * only as the error's `cause` (graphql-js `syntaxError`).
 */
import nearley from 'nearley';
import type { FileNode, Loc } from './ast.js';
import { RuleError, RuleErrors } from './errors.js';
import grammar from './grammar.generated.js';
import { describeBadText, type Token } from './lexer.js';
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

/** The terminal symbols the parser could accept in `column` (`'%type'` or the literal text). */
function expectedSymbols(parser: nearley.Parser, column: number): string[] {
  const states = (parser as unknown as ParserInternals).table[column]?.states ?? [];
  const out = new Set<string>();
  for (const state of states) {
    const symbol = state.rule.symbols[state.dot] as { literal?: string; type?: string } | string | undefined;
    if (symbol === undefined || typeof symbol === 'string') continue;
    if (symbol.literal !== undefined) out.add(symbol.literal);
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
  const found = token === undefined ? 'the end of the file' : token.type === 'string' ? `the string ${token.text}` : `'${token.text}'`;
  const after = previous === undefined ? '' : ` after '${previous.text}'`;
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

/**
 * Parses a whole rule file.
 * @returns the file's AST and the number of parses nearley found (1 for an unambiguous grammar;
 *   the grammar tests assert it, callers use the first).
 * @throws RuleErrors holding exactly one syntax error.
 */
export function parseFileWithCount(source: string, file: string): { ast: FileNode; parses: number } {
  const parser = new nearley.Parser(compiled);
  try {
    parser.feed(source);
  } catch (error) {
    const token = (error as { token?: Token }).token;
    const column = (parser as unknown as ParserInternals).table.length - 2;
    if (token !== undefined && token.type === 'error') {
      const bad = describeBadText(token.text);
      throw syntaxError(bad.message, { ...tokenLocation(token), length: bad.length }, source, file, error);
    }
    const previous = previousToken(source, token);
    const message = unexpectedToken(parser, column, token, previous);
    throw syntaxError(message, token ? tokenLocation(token) : endLocation(source), source, file, error);
  }
  const results = parser.results as FileNode[];
  if (results.length === 0) {
    const column = (parser as unknown as ParserInternals).table.length - 1;
    const previous = previousToken(source, undefined);
    throw syntaxError(`${unexpectedToken(parser, column, undefined, previous)}`, endLocation(source), source, file);
  }
  return { ast: results[0], parses: results.length };
}

/** Parses a rule file to its AST. @throws RuleErrors with one syntax error. */
export function parseFile(source: string, file: string): FileNode {
  return parseFileWithCount(source, file).ast;
}

function syntaxError(message: string, loc: Loc, source: string, file: string, cause?: unknown): RuleErrors {
  return new RuleErrors([new RuleError(message, { file, source, loc, cause })]);
}

/** The last meaningful token before `token` (or before the end), by re-lexing (only on errors). */
function previousToken(source: string, token: Token | undefined): Token | undefined {
  const lexer = (compiled as unknown as { lexer: { reset(s: string): void; next(): Token | undefined } }).lexer;
  lexer.reset(source);
  let previous: Token | undefined;
  try {
    for (let t = lexer.next(); t !== undefined; t = lexer.next()) {
      if (token !== undefined && t.offset >= token.offset) break;
      previous = t;
    }
  } catch {
    // the bad text is reported by the caller
  }
  return previous;
}
