/**
 * `cep check RULES...` (DSL.md section 7): parses and checks each rule file. Every rule error is
 * printed to stderr as `file:line:col: message` with the source line and carets (stdout carries
 * alerts only); for a good file, its warnings likewise (`file:line:col: warning: ...`, DSL.md
 * section 4: a dotted path whose first name is close to an alias), then `ok: N rules in FILE`. Exit code 0 when every file is good, 1 when
 * any has rule errors or no rule, cannot be read (`cep: error: cannot read the rule file F: no such
 * file`) or is named like an event file (`.ndjson`, `.csv`, ...: not read).
 * A missing RULES argument is bad usage (exit 2, by commander).
 */
import type { Command } from 'commander';
import { parseRules, RuleErrors } from '../../dsl/index.js';
import { usageOf } from '../../dsl/usage.js';
import { noRules, readRuleFileOrProblem } from '../load-rules.js';

/** Checks the files; returns the exit code (0 ok, 1 rule errors). Output goes to `write` (stderr). */
export function checkFiles(files: readonly string[], write: (text: string) => void = (t) => process.stderr.write(t)): number {
  let failed = false;
  for (const file of files) {
    const read = readRuleFileOrProblem(file);
    if (read.problem !== undefined) {
      write(`${read.problem}\n`);
      failed = true;
      continue;
    }
    const source = read.text;
    try {
      const rules = parseRules(source, file);
      if (rules.length === 0) throw noRules(file, source);
      for (const rule of rules) for (const warning of usageOf(rule)?.warnings ?? []) write(`${warning.format()}\n`);
      write(`ok: ${rules.length} rule${rules.length === 1 ? '' : 's'} in ${file}\n`);
    } catch (error) {
      if (!(error instanceof RuleErrors)) throw error;
      write(`${error.format()}\n`);
      write(`${file}: ${error.errors.length} error${error.errors.length === 1 ? '' : 's'}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** Registers `check` on the `cep` program. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('parse and check rule files; print every rule error with its location')
    .argument('<rules...>', 'rule files (*.cep)')
    .action((files: string[]) => {
      process.exitCode = checkFiles(files);
    });
}
