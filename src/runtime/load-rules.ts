/**
 * Reads rule files and compiles their rules for the engine: the one place where the runtime
 * touches the DSL (through `parseRules`, which hands over plain `Rule` data, never an AST) and
 * the compiler.
 */
import { readFileSync } from 'node:fs';
import { parseRules, RuleError, RuleErrors } from '../dsl/index.js';
import { compile } from '../nfa/compiler.js';
import type { Nfa } from '../nfa/nfa.js';
import { decodeUtf8Strict } from './sources/utf8.js';

/** Options of {@link loadRules}. */
export interface LoadRulesOptions {
  /** Per-key limit on live partial matches (`--max-partial-matches`). */
  readonly maxPartialMatches?: number;
}

/** Names of event files (NDJSON, JSON, CSV, gzipped or not): never rule files. */
const EVENT_FILE = /\.(ndjson|jsonl|json|csv)(\.gz)?$|\.gz$/i;

/**
 * Why `path` cannot be a rule file, or `null`: a file named like an event file (`cep run rules.cep
 * events.ndjson`, the `--input` forgotten) is refused at once instead of read as rule text.
 */
export function notARuleFile(path: string): string | null {
  return EVENT_FILE.test(path) ? 'looks like an event file, not a rule file (*.cep)' : null;
}

/** A file system error's cause in words (no errno codes), or `undefined` when it is not one of those. */
export function fileErrorWords(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : undefined;
}

/** Why `file` could not be read, in words (no errno codes): `cannot read the rule file x.cep: no such file`. */
export function unreadable(file: string, error: unknown): string {
  return `cannot read the rule file ${file}: ${fileErrorWords(error) ?? (error as Error).message}`;
}

/** The rule error of a file that holds no rule (empty, or comments only), at its first line. */
export function noRules(file: string, source: string): RuleErrors {
  const loc = { line: 1, col: 1, offset: 0, length: Math.min(1, source.length) };
  return new RuleErrors([new RuleError('no rules in this file: a rule file holds one or more rules (rule NAME key by FIELD pattern ...)', { file, source, loc })]);
}

/**
 * Reads a rule file, strictly as UTF-8 (as events are: `sources/utf8.ts`): a byte that is not UTF-8
 * was read as U+FFFD, so `x == "<bad bytes>"` silently compared with replacement characters.
 * @throws Error with {@link unreadable}'s message; RuleErrors at the first byte that is not UTF-8.
 */
export function readRuleFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(unreadable(file, error), { cause: error });
  }
  const text = decodeUtf8Strict(bytes);
  if (text === null) throw notUtf8(file, bytes);
  return text;
}

/** The rule error of a file that is not UTF-8, at its first invalid byte (line and column of the text read with U+FFFD). */
function notUtf8(file: string, bytes: Buffer): RuleErrors {
  const source = bytes.toString('utf8');
  let line = 1;
  let lineStart = 0;
  let at = 0; // byte offset of source[i]
  for (let i = 0; i < source.length; i++) {
    const c = source.codePointAt(i) as number;
    // U+FFFD stands for invalid bytes, unless the file holds it (EF BF BD).
    if (c === 0xfffd && !(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) {
      const loc = { line, col: i - lineStart + 1, offset: i, length: 1 };
      return new RuleErrors([new RuleError('invalid UTF-8: a rule file is UTF-8 text', { file, source, loc })]);
    }
    if (c === 10) {
      line++;
      lineStart = i + 1;
    }
    at += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (c >= 0x10000) i++;
  }
  throw new Error(`internal: ${file} is not UTF-8 but holds no invalid byte`);
}

/**
 * A rule file's text for a command that reports a bad file and goes on with the next (`cep check`,
 * `cep explain`): `{ text }`, or `{ problem }`, the line to print when the file is named like an
 * event file ({@link notARuleFile}) or cannot be read ({@link unreadable}).
 */
export function readRuleFileOrProblem(file: string): { readonly text: string; readonly problem?: undefined } | { readonly problem: string } {
  const refused = notARuleFile(file);
  if (refused !== null) return { problem: `${file}: ${refused}` };
  try {
    return { text: readRuleFile(file) };
  } catch (error) {
    return { problem: error instanceof RuleErrors ? error.format() : `cep: error: ${(error as Error).message}` };
  }
}

/**
 * Parses every file in order and compiles each rule.
 * @throws RuleErrors (from `parseRules`, or {@link noRules}) for the first file with rule errors or
 * without a rule; Error when a file cannot be read ({@link readRuleFile}), when two files define the
 * same rule name, or when a file is named like an event file ({@link notARuleFile}).
 */
export function loadRules(files: readonly string[], options: LoadRulesOptions = {}): Nfa[] {
  const nfas: Nfa[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const refused = notARuleFile(file);
    if (refused !== null) throw new Error(`${file} ${refused}: give event files with --input`);
    const source = readRuleFile(file);
    const rules = parseRules(source, file);
    if (rules.length === 0) throw noRules(file, source);
    for (const rule of rules) {
      const other = seen.get(rule.name);
      if (other !== undefined) throw new Error(`rule ${rule.name} is defined in ${other} and in ${file}: rule names must be unique`);
      seen.set(rule.name, file);
      nfas.push(compile(rule, { maxPartialMatches: options.maxPartialMatches }));
    }
  }
  return nfas;
}
