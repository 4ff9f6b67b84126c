/**
 * What a checked rule names and reads, kept beside the rule for the warnings of DSL.md section 7
 * ("so that a typo never passes as 0 alerts"): the event types its pattern names, the field paths
 * its conditions and `emit` read (each with the event type it is read from and where it is
 * written), and the warnings `cep check` can give from the text alone (section 4: a dotted path
 * whose first name is close to an alias).
 *
 * The compiled conditions are not touched: the runtime checks each recorded path against the
 * events of its type (src/runtime/data-warnings.ts) until one has it, so a rule whose fields exist
 * costs nothing once each has been seen. While a path is missing, the events checked are counted
 * and, from the first {@link NEARBY_SAMPLES} of them, the names present where the path stopped are
 * kept (for "did you mean").
 *
 * The record is attached to the `Rule` object by the checker ({@link attachUsage}) and read by the
 * runtime ({@link usageOf}); a rule built without the DSL has none.
 */
import type { Rule } from '../nfa/rule.js';
import type { Loc, PatternNode, RuleNode } from './ast.js';
import { RuleError, shorten } from './errors.js';
import { closest, MAX_CANDIDATE_CHARS } from './suggest.js';

/** Events missing a path whose surroundings are sampled for suggestions. */
const NEARBY_SAMPLES = 100;
/** Most names kept per path for suggestions. */
const MAX_NEARBY = 1000;

/** One field path as a rule reads it: of the event under test (`amount`) or of an alias's event (`o.amount`). */
export class FieldRead {
  /** True once an event of {@link type} had a non-null value at {@link path}. */
  found = false;
  /** Events of {@link type} checked while the path was never found. */
  missed = 0;
  /** Names present where the path stopped, in the first events checked. */
  readonly nearby = new Set<string>();

  constructor(
    /** The path as written (`payload.amout`, `o.amout`). */
    readonly text: string,
    /** The part of `text` read from the event's data (without the alias). */
    readonly path: readonly string[],
    /** The event type it is read from (of the element under test, or of the alias); null: any type. */
    readonly type: string | null,
    readonly line: number,
  ) {}

  /** Checks the path in one event's data: found, or counted as missed (and its surroundings sampled). */
  check(data: unknown): void {
    let at = data;
    for (const key of this.path) {
      if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, key) || (at as Record<string, unknown>)[key] === null) {
        if (this.missed++ < NEARBY_SAMPLES && at !== null && typeof at === 'object' && !Array.isArray(at)) {
          // A longer name is never suggested (100 events with a 10 MB field name each kept 1 GB).
          for (const name of Object.keys(at)) if (this.nearby.size < MAX_NEARBY && name.length <= MAX_CANDIDATE_CHARS) this.nearby.add(name);
        }
        return;
      }
      at = (at as Record<string, unknown>)[key];
    }
    this.found = true;
  }

  /**
   * The path with its first missing name replaced by the closest name seen there (`amount` for
   * `amout`, `o.amount` for `o.amout`), or undefined.
   */
  suggestion(): string | undefined {
    for (let i = 0; i < this.path.length; i++) {
      const near = closest(this.path[i], this.nearby);
      if (near !== undefined) {
        const alias = this.text.slice(0, this.text.length - this.path.join('.').length);
        return alias + [...this.path.slice(0, i), near, ...this.path.slice(i + 1)].join('.');
      }
    }
    return undefined;
  }
}

/** What a value is, in words: `a string`, `a list`, `true or false`. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'boolean') return 'true or false';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * An arithmetic expression of the rule (`ts - time(o)`) whose operands were not numbers (nor two
 * strings for `+`): DSL.md section 4 makes it null, so the comparison around it is false; counted
 * here, in the branch where the operation already gave null, for the warnings from the data.
 */
export class Mismatch {
  /** Evaluations where an operand was neither null nor a number. */
  count = 0;
  /** The first one, in words (`'-' on a string and a number`). */
  first = '';

  constructor(
    readonly text: string,
    readonly line: number,
  ) {}

  /** Called when `left op right` gave null: counts it unless an operand was null or it divided by zero. */
  check(op: string, left: unknown, right: unknown): void {
    if (left === null || left === undefined || right === null || right === undefined || (typeof left === 'number' && typeof right === 'number')) return;
    if (this.count++ === 0) this.first = `'${op}' on ${kindOf(left)} and ${kindOf(right)}`;
  }
}

/** An event type named by a rule's pattern, and the line where it is written. */
export interface TypeUse {
  readonly name: string;
  readonly line: number;
}

/** What one rule names and reads (see the module comment). */
export class RuleUsage {
  readonly types: TypeUse[] = [];
  readonly fields: FieldRead[] = [];
  /** The texts of {@link fields} by the type they are read from: a path is looked up once, not compared with every path recorded (a rule may read thousands). */
  private readonly fieldTexts = new Map<string | null, Set<string>>();
  readonly mismatches: Mismatch[] = [];
  /** Warnings from the rule text alone, rendered like rule errors (`file:line:col: warning: ...`, source line, caret). */
  readonly warnings: RuleError[] = [];

  constructor(
    readonly file: string,
    /** The line of the rule's `rule` keyword. */
    readonly line: number,
    private readonly source: string,
  ) {}

  /** Records a field path read from events of `type` (null: any) at `loc`; a path read again from the same type is kept once (at its first place). */
  field(text: string, path: readonly string[], type: string | null, loc: Loc): void {
    let texts = this.fieldTexts.get(type);
    if (texts === undefined) this.fieldTexts.set(type, (texts = new Set()));
    if (texts.has(text)) return;
    texts.add(text);
    this.fields.push(new FieldRead(text, path, type, loc.line));
  }

  /** Records the arithmetic expression at `loc`, whose compiled run calls `check` when an operation gives null. */
  arithmetic(loc: Loc): Mismatch {
    const mismatch = new Mismatch(shorten(this.source.slice(loc.offset, loc.offset + loc.length)), loc.line);
    this.mismatches.push(mismatch);
    return mismatch;
  }

  /** Records a warning at `loc` (the message without `warning:`). */
  warn(message: string, loc: Loc): void {
    this.warnings.push(new RuleError(`warning: ${message}`, { file: this.file, source: this.source, loc }));
  }
}

/**
 * A new record for `rule` of `file`, with the event types its pattern names (groups included) and
 * its `key by` paths (read from events of any type: a key missing from every event means no match).
 */
export function ruleUsage(rule: RuleNode, file: string, source: string): RuleUsage {
  const usage = new RuleUsage(file, rule.loc.line, source);
  for (const path of rule.keyBy) usage.field(path.parts.map((p) => p.value).join('.'), path.parts.map((p) => p.value), null, path.loc);
  const walk = (pattern: PatternNode): void => {
    for (const element of pattern.elements) {
      if (element.atom.kind === 'GroupAtom') walk(element.atom.pattern);
      else if (element.atom.type !== null) usage.types.push({ name: element.atom.type.value, line: element.atom.type.loc.line });
    }
  };
  walk(rule.pattern);
  return usage;
}

const USAGE = new WeakMap<Rule, RuleUsage>();

/** Keeps `usage` with the checked `rule` (the checker does this once per rule). */
export function attachUsage(rule: Rule, usage: RuleUsage): void {
  USAGE.set(rule, usage);
}

/** What `rule` names and reads, or undefined for a rule not made by the DSL checker. */
export function usageOf(rule: Rule): RuleUsage | undefined {
  return USAGE.get(rule);
}
