/**
 * The programmatic way to write rules (Flink's `Pattern.begin(...).followedBy(...)` style). It
 * produces exactly the `Rule` that `parseRules` produces for the same rule, because it *is* the same
 * path: the builder writes the rule as DSL text and runs it through the parser and checker, so every
 * check and error applies. Conditions and emit values may be DSL expressions (strings) or
 * TypeScript functions; a function is put in place of a placeholder after checking.
 *
 * ```ts
 * const r = rule('card_testing').severity('high').keyBy('card_id')
 *   .pattern(begin('txn', { where: 'amount < 2', times: [3, Infinity], as: 'probes' })
 *     .followedBy('txn', { where: (e) => Number(e.data.amount) > 500, as: 'big' }))
 *   .within('10m')
 *   .emit({ card: 'big.card_id', probes: 'count(probes)' })
 *   .build();
 * ```
 * @throws RuleErrors from `build()` for any rule error (file name `<builder:NAME>`), and `TypeError`
 *   at once for API misuse (a name with a backtick or newline, a non-finite duration).
 */
import type { Bindings, Condition, Element, EmitField, Pattern, Rule, Severity } from '../nfa/rule.js';
import type { CepEvent } from '../nfa/event.js';
import { checkFile } from './checker.js';
import { RuleErrors } from './errors.js';
import { parseFile } from './parse.js';
import { attachUsage, usageOf } from './usage.js';

/** A condition as a function; `reads` lists the aliases it reads through `bindings` (default none). */
export type ConditionFn = ((event: CepEvent, bindings: Bindings) => boolean) & { reads?: readonly string[] };

/** Options of one pattern element. Counts: `times: n` is `{n}`, `[n, m]` is `{n,m}` (m may be Infinity). */
export interface ElementOptions {
  /** The condition: a DSL expression (`'amount > 5'`) or a function. */
  readonly where?: string | ConditionFn;
  readonly as?: string;
  readonly times?: number | readonly [number, number];
  readonly optional?: boolean;
  readonly greedy?: boolean;
  readonly consecutive?: boolean;
  readonly combinations?: boolean;
  /** The loop's stop condition (Flink `until`). */
  readonly until?: string | ConditionFn;
}

/** What an element matches: an event type, `null` for any type, or a group. */
export type Target = string | null | PatternBuilder;

/** Quotes a name for the DSL text (backticks). */
function name(value: string): string {
  if (value.length === 0 || /[`\n\r]/.test(value)) throw new TypeError(`rule builder: a name may not be empty or contain a backtick or newline: ${JSON.stringify(value)}`);
  return `\`${value}\``;
}

/** Placeholders for functions in the rendered text (recognised by their exact source text). */
const CONDITION_HOLE = '(((true)))';
const VALUE_HOLE = '(((null)))';

/** Function conditions and values to put in place after checking, in text order. */
interface Holes {
  readonly conditions: ConditionFn[];
}

/** A pattern: a sequence of elements (Flink `Pattern`). Immutable: each call returns a new builder. */
export class PatternBuilder {
  private constructor(private readonly parts: readonly { readonly op: string; readonly target: Target; readonly options: ElementOptions }[]) {}

  /** The first element of a pattern. */
  static begin(target: Target, options: ElementOptions = {}): PatternBuilder {
    return new PatternBuilder([{ op: '', target, options }]);
  }

  private then(op: string, target: Target, options: ElementOptions): PatternBuilder {
    return new PatternBuilder([...this.parts, { op, target, options }]);
  }

  /** Strict contiguity (`next`). */
  next(target: Target, options: ElementOptions = {}): PatternBuilder { return this.then('next', target, options); }
  /** Relaxed contiguity (`->`). */
  followedBy(target: Target, options: ElementOptions = {}): PatternBuilder { return this.then('->', target, options); }
  /** Non-deterministic relaxed contiguity (`->>`). */
  followedByAny(target: Target, options: ElementOptions = {}): PatternBuilder { return this.then('->>', target, options); }
  /** `next not X` (Flink notNext). */
  notNext(target: Target, options: ElementOptions = {}): PatternBuilder { return this.then('next not', target, options); }
  /** `-> not X` (Flink notFollowedBy). */
  notFollowedBy(target: Target, options: ElementOptions = {}): PatternBuilder { return this.then('-> not', target, options); }

  /** The DSL text of this pattern; function conditions become placeholders and are recorded in `holes`. */
  render(holes: Holes): string {
    return this.parts.map(({ op, target, options }) => {
      const condition = (c: string | ConditionFn): string => {
        if (typeof c === 'string') return `[${c}]`;
        holes.conditions.push(c);
        return `[${CONDITION_HOLE}]`;
      };
      let text = target === null ? 'any' : typeof target === 'string' ? name(target) : `(${target.render(holes)})`;
      if (options.where !== undefined) text += condition(options.where);
      if (options.times !== undefined) text += typeof options.times === 'number' ? `{${options.times}}` : `{${options.times[0]},${options.times[1] === Infinity ? '' : options.times[1]}}`;
      for (const flag of ['optional', 'greedy', 'consecutive', 'combinations'] as const) if (options[flag]) text += ` ${flag}`;
      if (options.until !== undefined) text += ` until ${condition(options.until)}`;
      if (options.as !== undefined) text += ` as ${name(options.as)}`;
      return op === '' ? text : `${op} ${text}`;
    }).join(' ');
  }
}

/** Starts a pattern (Flink `Pattern.begin`). */
export const begin = PatternBuilder.begin;

type EmitSpec = Readonly<Record<string, string | ((bindings: Bindings) => unknown)>>;
type SkipSpec = 'pastLast' | 'toNext' | 'none' | { readonly toFirst: string } | { readonly toLast: string };

/** Builds one rule; `build()` checks it. Each setter returns a new builder. */
export class RuleBuilder {
  constructor(private readonly spec: {
    readonly name: string;
    readonly severity?: Severity;
    readonly keyBy?: readonly string[];
    readonly pattern?: PatternBuilder;
    readonly within?: number | string;
    readonly skip?: SkipSpec;
    readonly emit?: EmitSpec;
    readonly onTimeout?: EmitSpec;
  }) {}

  private with(change: Partial<RuleBuilder['spec']>): RuleBuilder { return new RuleBuilder({ ...this.spec, ...change }); }

  severity(severity: Severity): RuleBuilder { return this.with({ severity }); }
  /** One or several dotted key paths (`'payload.card.id'`). */
  keyBy(...paths: string[]): RuleBuilder { return this.with({ keyBy: paths }); }
  pattern(pattern: PatternBuilder): RuleBuilder { return this.with({ pattern }); }
  /** In ms, or a DSL duration such as `'10m'`. */
  within(duration: number | string): RuleBuilder {
    if (typeof duration === 'number' && !Number.isFinite(duration)) throw new TypeError('rule builder: within() needs a finite number of ms');
    return this.with({ within: duration });
  }
  skip(skip: SkipSpec): RuleBuilder { return this.with({ skip }); }
  /** Emit fields: DSL expressions or functions of the bindings. */
  emit(fields: EmitSpec): RuleBuilder { return this.with({ emit: fields }); }
  onTimeout(fields: EmitSpec): RuleBuilder { return this.with({ onTimeout: fields }); }

  /** Checks the rule and returns its plain structure. @throws RuleErrors (see the module docs). */
  build(): Rule {
    const s = this.spec;
    const holes: Holes = { conditions: [] };
    const values: ((bindings: Bindings) => unknown)[] = [];
    const emit = (fields: EmitSpec) => `{ ${Object.entries(fields).map(([k, v]) => {
      if (typeof v === 'string') return `${name(k)}: ${v}`;
      values.push(v);
      return `${name(k)}: ${VALUE_HOLE}`;
    }).join(', ')} }`;
    const skip = s.skip === undefined ? '' : typeof s.skip === 'string'
      ? { pastLast: 'skip past last', toNext: 'skip to next', none: 'skip none' }[s.skip]
      : 'toFirst' in s.skip ? `skip to first ${name(s.skip.toFirst)}` : `skip to last ${name(s.skip.toLast)}`;
    const lines = [
      `rule ${name(s.name)}${s.severity ? ` severity ${s.severity}` : ''}`,
      `key by ${(s.keyBy ?? []).map((p) => p.split('.').map(name).join('.')).join(', ')}`,
      `pattern ${s.pattern?.render(holes) ?? ''}`,
      s.within === undefined ? '' : `within ${typeof s.within === 'number' ? `${s.within}ms` : s.within}`,
      skip,
      s.emit ? `emit ${emit(s.emit)}` : '',
      s.onTimeout ? `on timeout emit ${emit(s.onTimeout)}` : '',
    ];
    const source = lines.filter((l) => l !== '').join('\n');
    const file = `<builder:${s.name}>`;
    const { rules, errors } = checkFile(parseFile(source, file), file, source);
    if (errors.length > 0) throw new RuleErrors(errors);
    return fillHoles(rules[0], holes.conditions, values);
  }
}

/** Starts a rule builder. */
export function rule(ruleName: string): RuleBuilder {
  return new RuleBuilder({ name: ruleName });
}

/** Puts the function conditions and emit values in place of their placeholders, in text order. */
function fillHoles(built: Rule, conditions: ConditionFn[], values: ((bindings: Bindings) => unknown)[]): Rule {
  let c = 0;
  const fill = (cond: Condition | undefined, wasFunction: boolean): Condition | undefined => {
    if (cond === undefined || !wasFunction) return cond;
    const fn = conditions[c++];
    return { test: fn, source: '<function>', reads: fn.reads ?? [] };
  };
  const isHole = (cond: Condition | undefined) => cond !== undefined && cond.source === CONDITION_HOLE && c < conditions.length;
  const pattern = (p: Pattern): Pattern => ({
    elements: p.elements.map((e): Element => {
      const atom = e.atom.kind === 'group'
        ? { kind: 'group' as const, pattern: pattern(e.atom.pattern) }
        : { ...e.atom, ...(e.atom.condition ? { condition: fill(e.atom.condition, isHole(e.atom.condition)) } : {}) };
      const quantifier = e.quantifier?.until ? { ...e.quantifier, until: fill(e.quantifier.until, isHole(e.quantifier.until)) } : e.quantifier;
      return { ...e, atom, ...(quantifier ? { quantifier } : {}) };
    }),
  });
  let v = 0;
  const emit = (fields: readonly EmitField[]): EmitField[] =>
    fields.map((f) => (f.source === VALUE_HOLE && v < values.length ? { name: f.name, value: values[v++], source: '<function>' } : f));
  const filled: Rule = { ...built, pattern: pattern(built.pattern), emit: emit(built.emit), ...(built.onTimeout ? { onTimeout: emit(built.onTimeout) } : {}) };
  const usage = usageOf(built);
  if (usage !== undefined) attachUsage(filled, usage);
  return filled;
}
