/**
 * Reads rule files and compiles their rules for the engine: the one place where the runtime
 * touches the DSL (through `parseRules`, which hands over plain `Rule` data, never an AST) and
 * the compiler.
 */
import { readFileSync } from 'node:fs';
import { parseRules } from '../dsl/index.js';
import { compile } from '../nfa/compiler.js';
import type { Nfa } from '../nfa/nfa.js';

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

/**
 * Parses every file in order and compiles each rule.
 * @throws RuleErrors (from `parseRules`) for the first file with rule errors; Error with code
 * `ENOENT`/`EISDIR` when a file cannot be read; Error when two files define the same rule name,
 * or when a file is named like an event file ({@link notARuleFile}).
 */
export function loadRules(files: readonly string[], options: LoadRulesOptions = {}): Nfa[] {
  const nfas: Nfa[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const refused = notARuleFile(file);
    if (refused !== null) throw new Error(`${file} ${refused}: give event files with --input`);
    const source = readFileSync(file, 'utf8');
    for (const rule of parseRules(source, file)) {
      const other = seen.get(rule.name);
      if (other !== undefined) throw new Error(`rule ${rule.name} is defined in ${other} and in ${file}: rule names must be unique`);
      seen.set(rule.name, file);
      nfas.push(compile(rule, { maxPartialMatches: options.maxPartialMatches }));
    }
  }
  return nfas;
}
