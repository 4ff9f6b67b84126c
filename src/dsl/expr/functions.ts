/**
 * The built-in functions of DSL.md section 4: one table, {@link FUNCTIONS}, where each function's
 * {@link FunctionSpec} holds everything about it: arity, whether its arguments name aliases, the
 * static checks and how it is compiled (compile.ts only applies the spec). Adding a function is one
 * entry (src/dsl/README.md, "To add a function").
 *
 * Aggregates (`count sum avg min max first last`) take a list: a loop alias (its events) or a field
 * of one (`sum(probes.amount)`, the list of that field); over no events `count` and `sum` give 0 and
 * the others `null`. Non-numbers in `sum avg min max` are skipped. String functions give `null` (or
 * false for predicates) on non-strings. `matches` compiles its literal regex once, at rule load
 * (regex.ts). `time()` without an argument is the time of the event under test (Flink's
 * `ctx.timestamp()` in an `IterativeCondition`).
 */
import type { Loc } from '../ast.js';
import type { Compiled, Evaluator, Shape, StaticType } from './types.js';
import { compileRegex } from './regex.js';
import { numbers } from './values.js';

/** What a function's compile step gets: its compiled arguments, where they are, a way to report. */
export interface CallSite {
  readonly args: readonly Compiled[];
  readonly argLocs: readonly Loc[];
  /** The literal value of each argument when it is a literal, else undefined. */
  readonly literals: readonly unknown[];
  /** Per argument: written as a field path (`f`, `a.f`, `x[0].g`), not computed. */
  readonly paths: readonly boolean[];
  /** The whole call. */
  readonly loc: Loc;
  /** True in a condition (there is an event under test), false in `emit` (there is none). */
  readonly inCondition: boolean;
  /** Reports a rule error; the call then gives null. */
  report(message: string, loc: Loc): void;
}

/** Everything about one function: the entry of {@link FUNCTIONS}. */
export interface FunctionSpec {
  /** Fewest and most arguments (a wrong count is a rule error naming `usage`). */
  readonly min: number;
  readonly max: number;
  /** Human form for errors, e.g. `sum(a.f)`. */
  readonly usage: string;
  /**
   * Its arguments are in alias position: a bare name that is an alias reads that alias (`count(probes)`),
   * not a field of the event under test.
   */
  readonly aliasArgument?: boolean;
  /** Argument 0 must be a list (a loop alias or its field): checked statically where known. */
  readonly needsList?: boolean;
  /** Checks what is particular to the function (through `site.report`) and builds its closure. */
  compile(site: CallSite): Compiled;
}

const value = (run: Evaluator, type: StaticType, shape: Shape = 'value'): Compiled => ({ run, type, shape });

/** Unary function on the first argument's value. */
function unary(f: (x: unknown) => unknown, type: StaticType): FunctionSpec['compile'] {
  return ({ args }) => {
    const a = args[0].run;
    return value((e, b) => f(a(e, b)), type);
  };
}

/** Two-argument string predicate; false unless both are strings. */
function stringPredicate(f: (s: string, t: string) => boolean): FunctionSpec['compile'] {
  return ({ args }) => {
    const [a, c] = [args[0].run, args[1].run];
    return value((e, b) => {
      const s = a(e, b);
      const t = c(e, b);
      return typeof s === 'string' && typeof t === 'string' ? f(s, t) : false;
    }, 'boolean');
  };
}

/** An aggregate over a list argument (events or values). */
function aggregate(f: (list: unknown[]) => unknown, type: StaticType, shapeOf: (arg: Shape) => Shape = () => 'value'): FunctionSpec['compile'] {
  return ({ args }) => {
    const a = args[0].run;
    return value((e, b) => {
      const list = a(e, b);
      return f(Array.isArray(list) ? list : []);
    }, type, shapeOf(args[0].shape));
  };
}

const elementShape = (arg: Shape): Shape => (arg === 'events' ? 'event' : 'value');

/**
 * `matches(s, "re")`: the pattern must be a string literal, compiled here, once, by the linear-time
 * engine of regex.ts; a pattern it refuses is a rule error under the literal. (A pattern read from
 * the event would be compiled per event and could not be checked before running.)
 */
function compileMatches({ args, argLocs, literals, report }: CallSite): Compiled {
  const pattern = literals[1];
  if (typeof pattern !== 'string') {
    report('matches() takes its regular expression as a string literal, as in matches(s, "^a+$"): it is compiled once, when the rule is loaded', argLocs[1]);
    return value(() => false, 'boolean');
  }
  const regex = compileRegex(pattern);
  if ('error' in regex) {
    report(regex.error, argLocs[1]);
    return value(() => false, 'boolean');
  }
  const subject = args[0].run;
  return value((e, b) => {
    const s = subject(e, b);
    return typeof s === 'string' && regex.test(s);
  }, 'boolean');
}

/** The functions by name: the one table a new function is added to. */
export const FUNCTIONS: Map<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['time', {
    min: 0, max: 1, usage: 'time() or time(e)', aliasArgument: true,
    compile: ({ args, argLocs, loc, inCondition, report }) => {
      if (args.length === 0) {
        if (!inCondition) report('time() without an argument is the time of the event under test, and emit has none; write time(alias)', loc);
        return value((e) => e?.time ?? null, 'number');
      }
      if (args[0].shape !== 'event') report('time() takes one event: a single alias, first(a), last(a) or a[i] of a loop alias', argLocs[0]);
      const a = args[0].run;
      return value((e, b) => (a(e, b) as { time?: number } | null)?.time ?? null, 'number');
    },
  }],
  ['count', { min: 1, max: 1, aliasArgument: true, usage: 'count(a)', needsList: true, compile: aggregate((l) => l.length, 'number') }],
  ['sum', { min: 1, max: 1, aliasArgument: true, usage: 'sum(a.f)', needsList: true, compile: aggregate((l) => numbers(l).reduce((s, x) => s + x, 0), 'number') }],
  ['avg', {
    min: 1, max: 1, aliasArgument: true, usage: 'avg(a.f)', needsList: true,
    compile: aggregate((l) => {
      const n = numbers(l);
      return n.length === 0 ? null : n.reduce((s, x) => s + x, 0) / n.length;
    }, 'number'),
  }],
  ['min', { min: 1, max: 1, aliasArgument: true, usage: 'min(a.f)', needsList: true, compile: aggregate((l) => numbers(l).reduce<number | null>((m, x) => (m === null || x < m ? x : m), null), 'number') }],
  ['max', { min: 1, max: 1, aliasArgument: true, usage: 'max(a.f)', needsList: true, compile: aggregate((l) => numbers(l).reduce<number | null>((m, x) => (m === null || x > m ? x : m), null), 'number') }],
  ['first', { min: 1, max: 1, aliasArgument: true, usage: 'first(a)', needsList: true, compile: aggregate((l) => l[0] ?? null, 'unknown', elementShape) }],
  ['last', { min: 1, max: 1, aliasArgument: true, usage: 'last(a)', needsList: true, compile: aggregate((l) => l[l.length - 1] ?? null, 'unknown', elementShape) }],
  ['abs', { min: 1, max: 1, usage: 'abs(x)', compile: unary((x) => (typeof x === 'number' ? Math.abs(x) : null), 'number') }],
  ['lower', { min: 1, max: 1, usage: 'lower(s)', compile: unary((x) => (typeof x === 'string' ? x.toLowerCase() : null), 'string') }],
  ['upper', { min: 1, max: 1, usage: 'upper(s)', compile: unary((x) => (typeof x === 'string' ? x.toUpperCase() : null), 'string') }],
  ['len', { min: 1, max: 1, usage: 'len(s)', compile: unary((x) => (typeof x === 'string' || Array.isArray(x) ? x.length : null), 'number') }],
  ['round', {
    min: 1, max: 2, usage: 'round(x) or round(x, digits)',
    compile: ({ args }) => {
      const [a, d] = [args[0].run, args[1]?.run];
      return value((e, b) => {
        const x = a(e, b);
        const digits = d === undefined ? 0 : d(e, b);
        if (typeof x !== 'number' || typeof digits !== 'number' || !Number.isInteger(digits) || Math.abs(digits) > 15) return null;
        const scale = 10 ** digits;
        return Math.round(x * scale) / scale;
      }, 'number');
    },
  }],
  ['contains', {
    min: 2, max: 2, usage: 'contains(s, sub)',
    compile: ({ args }) => {
      const [a, c] = [args[0].run, args[1].run];
      return value((e, b) => {
        const s = a(e, b);
        const t = c(e, b);
        if (typeof s === 'string' && typeof t === 'string') return s.includes(t);
        return Array.isArray(s) ? s.includes(t) : false;
      }, 'boolean');
    },
  }],
  ['starts_with', { min: 2, max: 2, usage: 'starts_with(s, prefix)', compile: stringPredicate((s, t) => s.startsWith(t)) }],
  ['ends_with', { min: 2, max: 2, usage: 'ends_with(s, suffix)', compile: stringPredicate((s, t) => s.endsWith(t)) }],
  ['matches', { min: 2, max: 2, usage: 'matches(s, "regex")', compile: compileMatches }],
  ['exists', {
    min: 1, max: 1, usage: 'exists(path)',
    compile: ({ args, argLocs, paths, report }) => {
      if (!paths[0]) report('exists() takes a field path such as exists(payload.card) or exists(a.f)', argLocs[0]);
      const a = args[0].run;
      return value((e, b) => {
        const x = a(e, b);
        return x !== null && x !== undefined;
      }, 'boolean');
    },
  }],
]);
