/**
 * Hand-built rule structures for the matcher tests (the same plain data the DSL checker produces),
 * so that `src/nfa` is tested alone. Conditions are closures over the event's `data`.
 */
import type { Bindings, Condition, Contiguity, Element, EmitField, Quantifier, Rule, SkipStrategy } from '../../src/nfa/rule.js';
import type { CepEvent } from '../../src/nfa/event.js';

/** A condition from a closure; `reads` lists the aliases it reads (iterative condition). */
export function cond(source: string, test: (event: CepEvent, bindings: Bindings) => boolean, reads: string[] = []): Condition {
  return { source, test, reads };
}

/** `data.name == value`. */
export function nameIs(value: string): Condition {
  return cond(`name == "${value}"`, (e) => e.data.name === value);
}

export interface ElementOptions {
  readonly contiguity?: Contiguity;
  readonly condition?: Condition;
  readonly quantifier?: Partial<Quantifier> & { min: number; max: number };
  readonly negated?: boolean;
}

/** One event element; `type` null is `any`. */
export function el(alias: string, type: string | null, options: ElementOptions = {}): Element {
  return {
    alias,
    contiguity: options.contiguity ?? 'relaxed',
    negated: options.negated ?? false,
    atom: { kind: 'event', type, condition: options.condition },
    quantifier: options.quantifier === undefined ? undefined : quantifier(options.quantifier),
  };
}

/** A group element. */
export function group(alias: string, elements: Element[], options: Omit<ElementOptions, 'condition' | 'negated'> = {}): Element {
  return {
    alias,
    contiguity: options.contiguity ?? 'relaxed',
    negated: false,
    atom: { kind: 'group', pattern: { elements } },
    quantifier: options.quantifier === undefined ? undefined : quantifier(options.quantifier),
  };
}

function quantifier(q: Partial<Quantifier> & { min: number; max: number }): Quantifier {
  return { optional: false, greedy: false, contiguity: 'relaxed', ...q };
}

export interface RuleOptions {
  readonly within?: number;
  readonly skip?: SkipStrategy;
  readonly onTimeout?: readonly EmitField[];
}

/** A rule over `elements`, Flink's `noSkip` unless told otherwise. */
export function rule(elements: Element[], options: RuleOptions = {}): Rule {
  return {
    name: 'test',
    severity: 'medium',
    keyBy: [['k']],
    pattern: { elements },
    within: options.within,
    skip: options.skip ?? { kind: 'noSkip' },
    emit: [],
    onTimeout: options.onTimeout,
  };
}
