/**
 * The rule files of `cep serve` (`rules:` in its config, DSL.md section 10): files or globs, read
 * again on every reload so that a file added to a globbed folder is picked up.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

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
