/**
 * `cep explain RULES... [--format text|dot|mermaid]` (DSL.md section 7): prints each rule's compiled
 * automaton to stdout: its states (`name#id` and kind) and its labelled transitions (`take`,
 * `ignore`, `proceed` with their guards). `text` (the default) is a plain listing per rule; `dot` is
 * one Graphviz digraph with a cluster per rule and `mermaid` one Mermaid flowchart with a subgraph per
 * rule, over all the files, so that the output renders as one picture (`dot -Tsvg`). Rule errors go
 * to stderr as in `cep check` (exit 1; the rules of the other files are still explained); an unknown
 * format is bad usage (exit 2).
 */
import { Option, type Command } from 'commander';
import { RuleErrors, parseRules } from '../../dsl/index.js';
import { type Automaton, buildAutomaton, describeCondition, toDot, toMermaid } from '../../nfa/index.js';
import type { Rule } from '../../nfa/rule.js';
import { readRuleFileOrProblem } from '../load-rules.js';

/** Output formats of `cep explain`. */
export type ExplainFormat = 'text' | 'dot' | 'mermaid';

/** The plain listing of one rule's automaton. */
export function explainText(rule: Rule, automaton: Automaton): string {
  const lines = [`rule ${rule.name}${rule.within === undefined ? '' : ` (within ${rule.within} ms)`}`, '  states:'];
  for (const s of automaton.states) lines.push(`    ${s.name}#${s.id} ${s.kind}`);
  lines.push('  transitions:');
  for (const s of automaton.states) {
    for (const t of s.transitions) {
      const to = automaton.states[t.to];
      lines.push(`    ${s.name}#${s.id} --${t.action}--> ${to.name}#${to.id}  [${describeCondition(t.condition)}]`);
    }
  }
  return lines.join('\n');
}

/** Renders the rules in `format`: one graph for `dot` and `mermaid`, a listing per rule for `text`. */
export function explainRules(rules: readonly Rule[], format: ExplainFormat): string {
  const named = rules.map((rule) => ({ name: rule.name, automaton: buildAutomaton(rule) }));
  if (format === 'dot') return toDot(named);
  if (format === 'mermaid') return toMermaid(named);
  return named.map(({ automaton }, i) => explainText(rules[i], automaton)).join('\n\n');
}

/**
 * Explains every rule of the files; returns the exit code (0 ok, 1 rule errors or an unreadable
 * file). Automata go to `out` (stdout), errors to `err` (stderr).
 */
export function explainFiles(
  files: readonly string[],
  format: ExplainFormat,
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): number {
  let failed = false;
  const all: Rule[] = [];
  for (const file of files) {
    const read = readRuleFileOrProblem(file);
    if (read.problem !== undefined) {
      err(`${read.problem}\n`);
      failed = true;
      continue;
    }
    let rules: Rule[];
    try {
      rules = parseRules(read.text, file);
    } catch (error) {
      failed = true;
      if (error instanceof RuleErrors) err(`${error.format()}\n`);
      else err(`cep: error: ${(error as Error).message}\n`);
      continue;
    }
    all.push(...rules);
  }
  if (all.length > 0) out(`${explainRules(all, format)}\n`);
  return failed ? 1 : 0;
}

/** Registers `explain` on the `cep` program. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description("print each rule's compiled automaton: states and labelled transitions")
    .argument('<rules...>', 'rule files (*.cep)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'dot', 'mermaid']).default('text'))
    .action((files: string[], options: { format: ExplainFormat }) => {
      process.exitCode = explainFiles(files, options.format);
    });
}
