/**
 * Seeded random cases of the differential test against Flink CEP (issue 13): a pattern in a
 * neutral form, read by both sides, and a sequence of events over a few keys.
 *
 * The pattern is rendered as a rule of our language (`ruleText`) for the engine, and sent as JSON
 * to the Java driver (test/flink/driver), which builds the same pattern with flink-cep's Pattern
 * API (`Pattern.begin/next/followedBy/followedByAny/notNext/notFollowedBy`, `times`,
 * `timesOrMore`, `oneOrMore`, `optional`, `greedy`, `consecutive`, `allowCombinations`, `until`,
 * `within`, the five `AfterMatchSkipStrategy`s) and conditions (`Cond.java`) that mean what the
 * rendered condition means in our language.
 */
import { prng } from '../support/prng.js';

/** A condition's tree: comparisons and arithmetic over the event's `v`, numbers and aggregates of earlier aliases. */
export type Expr =
  | { readonly op: 'v' }
  | { readonly op: 'num'; readonly n: number }
  | { readonly op: 'sum' | 'count'; readonly alias: string }
  | { readonly op: 'field'; readonly alias: string }
  | { readonly op: '+' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or'; readonly a: Expr; readonly b: Expr };

/** A quantifier as written: its form, bounds, and modifiers in the order written (`until` carries its condition). */
export interface CaseQuantifier {
  readonly form: '+' | '*' | '?' | '{n}' | '{n,}' | '{n,m}';
  readonly min?: number;
  readonly max?: number;
  readonly modifiers: readonly ('optional' | 'greedy' | 'consecutive' | 'combinations' | { readonly until: Expr })[];
}

export type CaseContiguity = 'strict' | 'relaxed' | 'nondeterministic';

/** One element: an event of `type` (`null`: any) with an optional `where`, or a group of elements. */
export interface CaseElement {
  readonly name?: string;
  readonly contiguity: CaseContiguity;
  readonly negated?: boolean;
  readonly type?: string | null;
  readonly where?: Expr;
  readonly group?: readonly CaseElement[];
  readonly quantifier?: CaseQuantifier;
}

export type CaseSkip =
  | { readonly kind: 'noSkip' | 'skipPastLastEvent' | 'skipToNext' }
  | { readonly kind: 'skipToFirst' | 'skipToLast'; readonly alias: string };

export interface CasePattern {
  readonly elements: readonly CaseElement[];
  /** ms, or null for none. */
  readonly within: number | null;
  readonly skip: CaseSkip;
  /** `on timeout emit`: timed-out partial matches are reported (Flink `compileFactory(pattern, true)`). */
  readonly timeout: boolean;
}

/** An event of a case: `i` is its index, `ts` its event time (ms), `k` its key. */
export interface CaseEvent {
  readonly i: number;
  readonly type: string;
  readonly ts: number;
  readonly k: string;
  readonly v: number;
}

export interface Case {
  readonly id: number;
  readonly pattern: CasePattern;
  readonly events: readonly CaseEvent[];
}

const TYPES = ['a', 'b', 'c'];

/** `count` cases from `seed` (the same seed gives the same cases). */
export function generateCases(seed: number, count: number): Case[] {
  const cases: Case[] = [];
  for (let id = 0; id < count; id++) cases.push(generateCase(seed, id));
  return cases;
}

/** Case `id` of the run seeded `seed`: each case has its own stream, so one can be replayed alone. */
export function generateCase(seed: number, id: number): Case {
  const random = prng((seed * 1_000_003 + id) >>> 0);
  const chance = (p: number): boolean => random() < p;
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

  let names = 0;
  /** Earlier elements that a condition may read (not negated; a group's once the group is done), and whether each binds a list. */
  const readable: { readonly name: string; readonly loops: boolean }[] = [];
  const allNames: string[] = [];

  const condition = (self: string | null): Expr => {
    const choice = random();
    if (choice < 0.45) return { op: pick(['<', '>', '<=', '>='] as const), a: { op: 'v' }, b: { op: 'num', n: int(1, 8) } };
    if (choice < 0.55) return { op: '==', a: { op: '%', a: { op: 'v' }, b: { op: 'num', n: 2 } }, b: { op: 'num', n: int(0, 1) } };
    if (choice < 0.8 && readable.length > 0) {
      const { name: alias, loops } = pick(readable);
      if (!loops) return { op: pick(['<', '>', '>='] as const), a: { op: 'v' }, b: { op: 'field', alias } };
      return chance(0.6)
        ? { op: pick(['<', '>', '>='] as const), a: { op: 'v' }, b: { op: 'sum', alias } }
        : { op: '>=', a: { op: 'v' }, b: { op: 'count', alias } };
    }
    if (self !== null) {
      return chance(0.5)
        ? { op: '<', a: { op: '+', a: { op: 'sum', alias: self }, b: { op: 'v' } }, b: { op: 'num', n: int(6, 20) } }
        : { op: '<', a: { op: 'count', alias: self }, b: { op: 'num', n: int(1, 3) } };
    }
    return { op: 'or', a: { op: '<', a: { op: 'v' }, b: { op: 'num', n: int(1, 4) } }, b: { op: '>', a: { op: 'v' }, b: { op: 'num', n: int(5, 8) } } };
  };

  /** `self`: the element's name, for an `until` that reads its own events (used only if it loops). */
  const quantifier = (self: string | null, group: boolean): CaseQuantifier => {
    const form = pick(['+', '*', '?', '{n}', '{n,}', '{n,m}', '{n,m}'] as const);
    const low = int(0, 2);
    const bounds: { min?: number; max?: number } =
      form === '{n}' || form === '{n,}' ? { min: int(1, 3) } : form === '{n,m}' ? { min: low, max: Math.max(1, int(low, 3)) } : {};
    const modifiers: CaseQuantifier['modifiers'][number][] = [];
    const pool: CaseQuantifier['modifiers'][number][] = ['optional', 'greedy', 'consecutive', 'combinations'];
    for (const m of pool) if (chance(group ? 0.12 : 0.16)) modifiers.push(m);
    if (chance(0.12)) modifiers.push({ until: condition(loopsOf({ form, ...bounds, modifiers }) ? self : null) });
    for (let i = modifiers.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [modifiers[i], modifiers[j]] = [modifiers[j], modifiers[i]];
    }
    return { form, ...bounds, modifiers };
  };

  const element = (index: number, inGroup: boolean): CaseElement => {
    const contiguity: CaseContiguity = index === 0 ? 'relaxed' : pick(['strict', 'relaxed', 'relaxed', 'nondeterministic'] as const);
    if (!inGroup && index > 0 && chance(0.12)) {
      const size = int(1, 2);
      const group: CaseElement[] = [];
      for (let j = 0; j < size; j++) group.push(element(j, true));
      const gq = chance(0.6) ? quantifier(null, true) : undefined;
      // Later elements may read the group's elements: lists when the group or the element loops.
      for (const inner of group) {
        if (inner.name !== undefined && inner.negated !== true) readable.push({ name: inner.name, loops: (gq !== undefined && loopsOf(gq)) || (inner.quantifier !== undefined && loopsOf(inner.quantifier)) });
      }
      return { contiguity, group, ...(gq !== undefined ? { quantifier: gq } : {}) };
    }
    const name = `e${names++}`;
    allNames.push(name);
    const negated = index > 0 && chance(inGroup ? 0.06 : 0.16);
    const type = chance(0.12) ? null : pick(TYPES);
    const q = (!negated ? chance(0.45) : chance(0.04)) ? quantifier(name, false) : undefined;
    const loops = q !== undefined && loopsOf(q);
    const where = chance(0.35) ? condition(loops ? name : null) : undefined;
    const e: CaseElement = {
      name,
      contiguity: negated ? pick(['strict', 'relaxed', 'relaxed', 'relaxed', 'relaxed', 'nondeterministic'] as const) : contiguity,
      ...(negated ? { negated } : {}),
      type,
      ...(where !== undefined ? { where } : {}),
      ...(q !== undefined ? { quantifier: q } : {}),
    };
    if (!inGroup && !negated) readable.push({ name, loops });
    return e;
  };

  const elements: CaseElement[] = [];
  const length = int(1, 4);
  for (let i = 0; i < length; i++) elements.push(element(i, false));
  const last = elements[elements.length - 1];
  const trailingAbsence = last.negated === true && last.contiguity === 'relaxed';
  const within = trailingAbsence || chance(0.55) ? int(3, 12) : null;
  const skipKind = pick(['noSkip', 'noSkip', 'skipPastLastEvent', 'skipPastLastEvent', 'skipToNext', 'skipToFirst', 'skipToLast'] as const);
  const skip: CaseSkip = skipKind === 'skipToFirst' || skipKind === 'skipToLast' ? { kind: skipKind, alias: pick(allNames) } : { kind: skipKind };
  const timeout = within !== null && chance(0.35);

  const events: CaseEvent[] = [];
  const keys = int(1, 2);
  let ts = 0;
  const n = int(3, 11);
  for (let i = 0; i < n; i++) {
    ts += chance(0.2) ? 0 : int(1, 3);
    events.push({ i, type: chance(0.1) ? 'd' : pick(TYPES), ts, k: String(int(1, keys)), v: int(0, 9) });
  }
  return { id, pattern: { elements, within, skip, timeout }, events };
}

/** Whether a quantifier binds a list (its upper bound is above 1): our language lets only such an alias be aggregated or read in its own condition. */
export function loopsOf(q: CaseQuantifier): boolean {
  return q.form === '+' || q.form === '*' || q.form === '{n,}' || ((q.form === '{n}' || q.form === '{n,m}') && (q.max ?? q.min ?? 1) > 1);
}

/** The case's pattern as a rule of our language (DSL.md sections 2-3), keyed by `k`. */
export function ruleText(pattern: CasePattern): string {
  const skip = {
    noSkip: 'none',
    skipPastLastEvent: 'past last',
    skipToNext: 'to next',
    skipToFirst: `to first ${'alias' in pattern.skip ? pattern.skip.alias : ''}`,
    skipToLast: `to last ${'alias' in pattern.skip ? pattern.skip.alias : ''}`,
  }[pattern.skip.kind];
  return [
    'rule r',
    '  key by k',
    `  pattern ${elementsText(pattern.elements)}`,
    ...(pattern.within !== null ? [`  within ${pattern.within}ms`] : []),
    `  skip ${skip}`,
    ...(pattern.timeout ? ['  on timeout emit { timedOut: true }'] : []),
    '',
  ].join('\n');
}

function elementsText(elements: readonly CaseElement[]): string {
  return elements
    .map((e, i) => {
      const op = i === 0 ? '' : e.contiguity === 'strict' ? 'next ' : e.contiguity === 'relaxed' ? '-> ' : '->> ';
      const atom = e.group !== undefined ? `(${elementsText(e.group)})` : `${e.type ?? 'any'}${e.where !== undefined ? `[${exprText(e.where)}]` : ''}`;
      const q = e.quantifier === undefined ? '' : quantifierText(e.quantifier);
      const alias = e.name !== undefined ? ` as ${e.name}` : '';
      return `${op}${e.negated === true ? 'not ' : ''}${atom}${q}${alias}`;
    })
    .join(' ');
}

function quantifierText(q: CaseQuantifier): string {
  const base = q.form === '{n}' ? `{${q.min}}` : q.form === '{n,}' ? `{${q.min},}` : q.form === '{n,m}' ? `{${q.min},${q.max}}` : q.form;
  return base + q.modifiers.map((m) => (typeof m === 'string' ? ` ${m}` : ` until [${exprText(m.until)}]`)).join('');
}

/** A condition in our language. */
export function exprText(e: Expr): string {
  switch (e.op) {
    case 'v':
      return 'v';
    case 'num':
      return String(e.n);
    case 'sum':
      return `sum(${e.alias}.v)`;
    case 'count':
      return `count(${e.alias})`;
    case 'field':
      return `${e.alias}.v`;
    default:
      return `(${exprText(e.a)} ${e.op} ${exprText(e.b)})`;
  }
}

/** A pattern for a hand-written case: elements in order, `within` (ms) and the skip strategy (default `noSkip`). */
export function pattern(elements: readonly CaseElement[], options: { within?: number; skip?: CaseSkip; timeout?: boolean } = {}): CasePattern {
  return { elements, within: options.within ?? null, skip: options.skip ?? { kind: 'noSkip' }, timeout: options.timeout ?? false };
}

/** An event element `name` of `type` (`null`: any); its contiguity to the one before is relaxed unless given. */
export function el(name: string, type: string | null, options: Partial<Omit<CaseElement, 'name' | 'type' | 'group'>> = {}): CaseElement {
  return { name, type, ...options, contiguity: options.contiguity ?? 'relaxed' };
}

/** A group of elements, optionally quantified. */
export function group(elements: readonly CaseElement[], options: { contiguity?: CaseContiguity; quantifier?: CaseQuantifier } = {}): CaseElement {
  return { group: elements, contiguity: options.contiguity ?? 'relaxed', ...(options.quantifier ? { quantifier: options.quantifier } : {}) };
}

/** A quantifier: `q('+')`, `q('{n,m}', 0, 2, 'greedy')`, modifiers after the bounds. */
export function q(form: CaseQuantifier['form'], ...rest: (number | CaseQuantifier['modifiers'][number])[]): CaseQuantifier {
  const numbers = rest.filter((x): x is number => typeof x === 'number');
  const modifiers = rest.filter((x): x is CaseQuantifier['modifiers'][number] => typeof x !== 'number');
  return { form, ...(numbers.length > 0 ? { min: numbers[0] } : {}), ...(numbers.length > 1 ? { max: numbers[1] } : {}), modifiers };
}

/** Events from `type@time` words, optionally `/kKEY` and `=V` (`b@2`, `a@5/k2=7`); key `1` and `v` 0 by default. */
export function events(text: string): CaseEvent[] {
  return text.split(/\s+/).filter((w) => w !== '').map((word, i) => {
    const m = /^(\w+)@(\d+)(?:\/k(\w+))?(?:=(\d+))?$/.exec(word);
    if (m === null) throw new Error(`not an event: ${word}`);
    return { i, type: m[1], ts: Number(m[2]), k: m[3] ?? '1', v: Number(m[4] ?? 0) };
  });
}
