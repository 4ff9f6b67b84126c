/**
 * The rule files of `cep serve` (`rules:` in its config, DSL.md section 10): files or globs, read
 * again on every reload so that a file added to a globbed folder is picked up, and the identity
 * of a compiled rule across reloads ({@link ruleFingerprint}).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { RuleLexer } from '../../dsl/lexer.js';
import type { Nfa } from '../../nfa/nfa.js';

/**
 * The files named by `patterns` (files or globs, relative to `baseDir`), sorted, each once.
 * @throws Error naming the pattern when a file does not exist or a glob matches no file.
 */
export function resolveRuleFiles(patterns: readonly string[], baseDir: string): string[] {
  const files = new Set<string>();
  for (const pattern of patterns) {
    if (!isDynamicPattern(pattern)) {
      const path = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
      if (!existsSync(path)) throw new Error(`rules: ${pattern} does not exist`);
      files.add(path);
      continue;
    }
    const matched = globSync(pattern, { cwd: baseDir, absolute: true, onlyFiles: true });
    if (matched.length === 0) throw new Error(`rules: ${pattern} matches no file`);
    for (const file of matched) files.add(file);
  }
  return [...files].sort();
}

const lexer = new RuleLexer();

/** An expression's text as its tokens, one space apart: whitespace and comments do not count. */
function normalise(text: string): string {
  const tokens: string[] = [];
  try {
    lexer.reset(text);
    for (let token = lexer.next(); token !== undefined; token = lexer.next()) tokens.push(token.text);
  } catch {
    return text;
  }
  return tokens.join(' ');
}

/**
 * A rule's identity across reloads: a SHA-256 over its compiled form (name, severity, keys,
 * pattern with contiguity, quantifiers and conditions, `within`, skip strategy, `emit` and
 * `on timeout emit`), with each condition and expression as its tokens, so that a change of
 * whitespace or comments keeps the rule (and its partial matches), and any other change makes it
 * a new rule. Conditions given as functions (the TypeScript builder's `<function>`) cannot be told
 * apart: such rules are compared by everything else.
 */
export function ruleFingerprint(nfa: Nfa): string {
  const json = JSON.stringify(nfa.rule, (key, value: unknown) => {
    if (typeof value === 'function') return undefined;
    if (value === Infinity) return 'Infinity';
    if (key === 'source' && typeof value === 'string') return normalise(value);
    return value;
  });
  return createHash('sha256').update(json).digest('hex');
}
