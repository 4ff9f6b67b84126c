/**
 * AST → checked `Rule` (src/nfa/rule.ts). Runs every check, collecting all errors of the file
 * (capped, see `Reporter`), and compiles conditions and `emit` expressions to closures once.
 * The structure produced is exactly what the builder (builder.ts) produces.
 *
 * A rule without other errors is also built into its automaton (src/nfa/compiler.ts) with a size
 * budget, `MAX_AUTOMATON_SIZE` states, transitions and element copies: the size is only known by
 * building it (counts multiply inside groups, and each optional element after a `not` copies what
 * follows it, as in Flink), and a rule that would need millions of them is a rule error at
 * `cep check`, not a run that never starts.
 */
import { AutomatonTooLargeError, buildAutomaton } from '../nfa/compiler.js';
import type { Bindings, Condition, Contiguity, Element, EmitField, Pattern, Quantifier, Rule, Severity, SkipStrategy } from '../nfa/rule.js';
import type { ContiguityOp, ElementNode, EmitNode, ExprNode, FileNode, PatternNode, RuleNode } from './ast.js';
import { isOptional } from './checks/check.js';
import { RULE_CHECKS } from './checks/index.js';
import { MAX_AUTOMATON_SIZE } from './limits.js';
import { Reporter } from './checks/reporter.js';
import { shorten } from './errors.js';
import { article, asData, compileExpr } from './expr/compile.js';
import { buildScope, type Scope } from './scope.js';
import { attachUsage, ruleUsage, type RuleUsage } from './usage.js';
import { didYouMean } from './suggest.js';

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

const CONTIGUITY: Readonly<Record<ContiguityOp, Contiguity>> = { '->': 'relaxed', '->>': 'nondeterministic', next: 'strict' };

/** Per rule: the reporter, the scope and the rule's source text (for `Condition.source`). */
interface RuleContext {
  readonly report: Reporter;
  readonly scope: Scope;
  readonly source: string;
  /** What the rule names and reads, for the warnings from the data (usage.ts). */
  readonly usage: RuleUsage;
}

function sourceOf(node: ExprNode, source: string): string {
  return source.slice(node.loc.offset, node.loc.offset + node.loc.length);
}

/** Compiles a condition of `element` (its `[...]` or its `until [...]`). */
function compileCondition(node: ExprNode, element: ElementNode, ctx: RuleContext): Condition {
  const info = ctx.scope.infos.get(element)!;
  const own = ctx.scope.visible.get(info.name) === info ? info : undefined;
  const reads = new Set<string>();
  const compiled = compileExpr(node, {
    aliases: ctx.scope.visible,
    element: { start: info.start, alias: own, type: info.type },
    reads,
    usage: ctx.usage,
    report: (m, l) => ctx.report.error(m, l),
  });
  if (compiled.type !== 'boolean' && compiled.type !== 'unknown') {
    ctx.report.error(`a condition must be true or false, but this is ${article(compiled.type)}`, node.loc);
  }
  const run = compiled.run;
  return { test: (event, bindings) => run(event, bindings) === true, source: sourceOf(node, ctx.source), reads: [...reads] };
}

function compileEmit(node: EmitNode, ctx: RuleContext): EmitField[] {
  const seen = new Map<string, EmitNode['fields'][number]>();
  return node.fields.map((field) => {
    const first = seen.get(field.name.value);
    if (first) ctx.report.error(`duplicate emit field '${shorten(field.name.value)}'`, field.name.loc, [{ loc: first.name.loc, message: 'first written here' }]);
    seen.set(field.name.value, field);
    const compiled = compileExpr(field.value, { aliases: ctx.scope.visible, reads: new Set(), usage: ctx.usage, report: (m, l) => ctx.report.error(m, l) });
    const run = asData(compiled);
    return { name: field.name.value, value: (bindings: Bindings) => run(null, bindings), source: sourceOf(field.value, ctx.source) };
  });
}

function quantifierOf(element: ElementNode, ctx: RuleContext): Quantifier | undefined {
  const has = (name: string) => element.modifiers.some((m) => m.name === name);
  const q = element.quantifier;
  if (q === null && element.modifiers.length === 0) return undefined;
  const until = element.modifiers.find((m) => m.name === 'until')?.condition;
  return {
    // `{0,m}` is `{1,m} optional` (DSL.md section 3); `isOptional` counts the 0.
    min: Math.max(1, q?.min ?? 1),
    max: q?.max ?? 1,
    optional: isOptional(element),
    greedy: has('greedy'),
    contiguity: has('consecutive') ? 'strict' : has('combinations') ? 'nondeterministic' : 'relaxed',
    ...(until ? { until: compileCondition(until, element, ctx) } : {}),
  };
}

function patternOf(node: PatternNode, ctx: RuleContext): Pattern {
  return {
    elements: node.elements.map((element): Element => {
      const quantifier = quantifierOf(element, ctx);
      const atom = element.atom;
      return {
        contiguity: element.op === null ? 'relaxed' : CONTIGUITY[element.op],
        negated: element.not !== null,
        atom: atom.kind === 'GroupAtom'
          ? { kind: 'group', pattern: patternOf(atom.pattern, ctx) }
          : { kind: 'event', type: atom.type?.value ?? null, ...(atom.condition ? { condition: compileCondition(atom.condition, element, ctx) } : {}) },
        ...(quantifier ? { quantifier } : {}),
        alias: ctx.scope.names.get(element)!,
      };
    }),
  };
}

/** The skip strategy (its alias is checked by checks/skip-target.ts). */
function skipOf(rule: RuleNode): SkipStrategy {
  const skip = rule.skip;
  if (skip === null || skip.strategy === 'pastLast') return { kind: 'skipPastLastEvent' };
  if (skip.strategy === 'none') return { kind: 'noSkip' };
  if (skip.strategy === 'toNext') return { kind: 'skipToNext' };
  return { kind: skip.strategy === 'toFirst' ? 'skipToFirst' : 'skipToLast', alias: skip.alias!.value };
}

function severityOf(rule: RuleNode, report: Reporter): Severity {
  if (rule.severity === null) return 'medium';
  const word = rule.severity.value;
  if ((SEVERITIES as readonly string[]).includes(word)) return word as Severity;
  report.error(`unknown severity '${shorten(word)}': use low, medium, high or critical${didYouMean(word, SEVERITIES)}`, rule.severity.loc);
  return 'medium';
}

/** Checks one rule and builds its plain structure (errors go to `report`). */
function checkRule(rule: RuleNode, report: Reporter, source: string): Rule {
  const errorsBefore = report.count;
  const scope = buildScope(rule, report);
  const ctx: RuleContext = { report, scope, source, usage: ruleUsage(rule, report.file, source) };
  for (const check of RULE_CHECKS) check({ rule, scope, report });
  const pattern = patternOf(rule.pattern, ctx);
  const checked: Rule = {
    name: rule.name.value,
    severity: severityOf(rule, report),
    keyBy: rule.keyBy.map((path) => path.parts.map((p) => p.value)),
    pattern,
    ...(rule.within !== null ? { within: rule.within.ms } : {}),
    skip: skipOf(rule),
    emit: rule.emit ? compileEmit(rule.emit, ctx) : [],
    ...(rule.onTimeout ? { onTimeout: compileEmit(rule.onTimeout, ctx) } : {}),
  };
  if (report.count === errorsBefore) checkAutomatonSize(checked, rule, report);
  attachUsage(checked, ctx.usage);
  return checked;
}

/** Builds the rule's automaton with the size budget (see the module comment). */
function checkAutomatonSize(checked: Rule, rule: RuleNode, report: Reporter): void {
  try {
    buildAutomaton(checked, { maxSize: MAX_AUTOMATON_SIZE });
  } catch (error) {
    if (!(error instanceof AutomatonTooLargeError)) throw error;
    report.error(
      `pattern too large: building its automaton takes more than ${MAX_AUTOMATON_SIZE.toLocaleString('en-US')} states, transitions and element copies (counts multiply inside groups, and an optional element after 'not' copies what follows it)`,
      rule.pattern.loc,
    );
  }
}

/**
 * Checks every rule of a parsed file.
 * @returns the checked rules and every error found (at most `MAX_ERRORS` + 1); rules are only
 *   meaningful when there are no errors.
 */
export function checkFile(file: FileNode, fileName: string, source: string): { rules: Rule[]; errors: Reporter['errors'] } {
  const report = new Reporter(fileName, source);
  const byName = new Map<string, RuleNode>();
  const rules = file.rules.map((rule) => {
    const first = byName.get(rule.name.value);
    if (first) {
      report.error(`duplicate rule name '${shorten(rule.name.value)}'`, rule.name.loc, [{ loc: first.name.loc, message: `'${shorten(rule.name.value)}' is first defined here` }]);
    } else byName.set(rule.name.value, rule);
    return checkRule(rule, report, source);
  });
  return { rules, errors: report.finish() };
}
