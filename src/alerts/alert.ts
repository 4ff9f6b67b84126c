/**
 * The alert record of DSL.md section 6: one JSON object per match, NDJSON in files.
 */
import { hash } from 'node:crypto';
import type { CepEvent } from '../nfa/event.js';
import type { Match } from '../nfa/nfa.js';
import type { Bindings, Pattern, Rule, Severity } from '../nfa/rule.js';
import { eventText, eventTextsPay } from './event-text.js';
import { isoUtc } from './iso-time.js';

/**
 * One alert record (DSL.md section 6), as every sink writes it: `JSON.stringify` of this object
 * gives the line, with the fields in this order (`alertJson` makes the same bytes without
 * serialising the events twice).
 */
export interface Alert {
  readonly rule: string;
  readonly severity: Severity;
  /** `match`, or `timeout` for `on timeout emit`. A pattern ending in `not X` gives `match`. */
  readonly kind: 'match' | 'timeout';
  /** The key value; an array when `key by` names several paths. */
  readonly key: unknown;
  /** ISO-8601 UTC with milliseconds: time of the first matched event. */
  readonly start: string;
  /** ISO-8601 UTC with milliseconds: time of the last matched event, or the deadline of an absence. */
  readonly end: string;
  /** The `emit` (or `on timeout emit`) expressions; `{}` without. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Every alias with its event as read (a list for loops). */
  readonly events: Readonly<Record<string, unknown>>;
  /**
   * A digest of rule, kind, key and matched events (DSL.md section 9): the same for the same match
   * in every run and from every source, so that a consumer of an at-least-once feed can drop
   * duplicates. 32 hex digits (the first 128 bits of a SHA-256).
   */
  readonly id: string;
}

/**
 * The `id` of an alert: SHA-256 over the JSON of `[rule, kind, key, events]` (UTF-8), the first
 * 128 bits in hex. `events` as in the alert (event objects as read), so the digest does not depend
 * on where the events came from (a file or Kafka) nor on the time the alert was made. One-shot
 * `crypto.hash` (Node 20.12 and later): no `Hash` object per alert.
 */
export function alertId(rule: string, kind: string, key: unknown, events: Readonly<Record<string, unknown>>): string {
  return idOf(JSON.stringify([rule, kind, key, events]));
}

/** The first 128 bits of the SHA-256 of `text` (UTF-8), in hex. */
function idOf(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 32);
}

/**
 * Builds the alert of one match (DSL.md section 6): `fields` from `rule.emit` (or
 * `rule.onTimeout` for a `timeout`), evaluated with {@link Bindings} over `match.events`; `events`
 * maps every bound alias, in pattern order, to its event's data — a list for a loop alias (an
 * element quantified to take more than one event, or any element inside such a group; `?` and
 * `{1}` take one), a single object otherwise;
 * `start`/`end` as ISO-8601 UTC with ms. An `emit` expression that throws gives `null` (DSL.md
 * section 4: evaluation failures are never a crash).
 *
 * The alert also carries its JSON text ({@link alertJson}), made with the id: the events are
 * serialised once, for the digest's input and for the line, from each event's text shared with
 * the other alerts it is in ({@link eventText}). An alert is read-only: its text is the alert as
 * made.
 */
export function toAlert(rule: Rule, key: unknown, match: Match): Alert {
  const texts = ruleTextsOf(rule);
  const kind = match.kind;
  const exprs = kind === 'timeout' ? (rule.onTimeout ?? rule.emit) : rule.emit;
  const fields: Record<string, unknown> = {};
  if (exprs.length > 0) {
    const bindings = new MatchBindings(match);
    for (const field of exprs) {
      let value: unknown;
      try {
        value = field.value(bindings);
      } catch {
        value = null;
      }
      setOwn(fields, field.name, value === undefined ? null : value);
    }
  }
  const loops = texts.loops;
  const events: Record<string, unknown> = {};
  for (const [alias, bound] of match.events) {
    setOwn(events, alias, loops.has(alias) ? bound.map((e) => e.data) : (bound[0]?.data ?? null));
  }
  const start = isoUtc(match.start);
  const end = isoUtc(match.end);
  const heads = kind === 'timeout' ? texts.timeout : texts.match;
  if (heads === null || !serialisesAlone(key)) {
    return new AlertRecord(rule.name, rule.severity, kind, key, start, end, fields, events, alertId(rule.name, kind, key, events), undefined);
  }
  const keyJson = JSON.stringify(key);
  const eventsJson = (eventTextsPay() ? eventsText(match, texts) : undefined) ?? JSON.stringify(events);
  const idInput = `${heads.id}${keyJson},${eventsJson}]`;
  const id = idOf(idInput);
  // The same text as `eventsJson`, taken from the id's input, which hashing flattened: spliced from
  // the events' texts, `eventsJson` is a rope that the line would otherwise flatten a second time.
  const flatEvents = idInput.slice(heads.id.length + keyJson.length + 1, -1);
  const fieldsJson = exprs.length > 0 ? JSON.stringify(fields) : '{}';
  const json = `${heads.alert}${keyJson},"start":"${start}","end":"${end}","fields":${fieldsJson},"events":${flatEvents},"id":"${id}"}`;
  return new AlertRecord(rule.name, rule.severity, kind, key, start, end, fields, events, id, json);
}

/**
 * The alert's JSON text, the same as `JSON.stringify(alert)`: for an alert made by
 * {@link toAlert}, the text it carries (made once, shared by every sink); for any other object
 * that stands for an alert, `JSON.stringify` of it.
 */
export function alertJson(alert: Alert): string {
  return AlertRecord.jsonOf(alert);
}

/** An alert made by {@link toAlert}: the fields of {@link Alert} in its order (`JSON.stringify` writes them so), and its JSON text. */
class AlertRecord implements Alert {
  readonly #json: string | undefined;

  constructor(
    readonly rule: string,
    readonly severity: Severity,
    readonly kind: 'match' | 'timeout',
    readonly key: unknown,
    readonly start: string,
    readonly end: string,
    readonly fields: Readonly<Record<string, unknown>>,
    readonly events: Readonly<Record<string, unknown>>,
    readonly id: string,
    json: string | undefined,
  ) {
    this.#json = json;
  }

  static jsonOf(alert: Alert): string {
    return (#json in alert ? alert.#json : undefined) ?? JSON.stringify(alert);
  }
}

/**
 * Sets `object[name]` as an own member: `__proto__` (an emit name or an alias may be any name) is
 * defined, as `JSON.parse` does, since assigning it set the object's prototype and the member was
 * missing from the alert (and from its id).
 */
function setOwn(object: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  else object[name] = value;
}

/**
 * A key whose JSON text is the same alone as inside the alert: what the engine's keys are (a
 * string, number or boolean, or an array of them). Anything else (`undefined`, which the alert's
 * JSON leaves out, an object with `toJSON`) `toAlert` leaves to `JSON.stringify` of the whole alert.
 */
function serialisesAlone(key: unknown): boolean {
  const t = typeof key;
  return t === 'string' || t === 'number' || t === 'boolean' || Array.isArray(key);
}

const NO_EVENTS: readonly CepEvent[] = [];

/** The events of a complete match, by alias (no closure per alert: this runs once per match). */
class MatchBindings implements Bindings {
  constructor(private readonly match: Match) {}
  events(alias: string): readonly CepEvent[] {
    return this.match.events.get(alias) ?? NO_EVENTS;
  }
}

/**
 * `JSON.stringify` of the alert's `events` object, spliced from each event's shared text:
 * `{"a":<text>,"b":[<text>,<text>]}` in the order of `match.events`. `undefined` when an alias has
 * no head (see {@link aliasesOf}) or an event's text cannot be spliced: the caller serialises the
 * object whole.
 */
function eventsText(match: Match, texts: RuleTexts): string | undefined {
  let json = '{';
  for (const [alias, bound] of match.events) {
    const head = texts.aliasHeads.get(alias);
    if (head === undefined) return undefined;
    let value: string | undefined;
    if (texts.loops.has(alias)) {
      value = '[';
      for (let i = 0; i < bound.length; i++) {
        const text = eventText(bound[i].data);
        if (text === undefined) return undefined;
        value += i === 0 ? text : `,${text}`;
      }
      value += ']';
    } else {
      value = bound.length === 0 ? 'null' : eventText(bound[0].data);
      if (value === undefined) return undefined;
    }
    json += json.length === 1 ? `${head}${value}` : `,${head}${value}`;
  }
  return `${json}}`;
}

/** The constant heads of one kind of a rule's alerts: of the id's input, and of the JSON line up to the key. */
interface KindHeads {
  /** `["<rule>","<kind>",` */
  readonly id: string;
  /** `{"rule":"<rule>","severity":"<severity>","kind":"<kind>","key":` */
  readonly alert: string;
}

/** What every alert of a rule shares. */
interface RuleTexts {
  /** Aliases that stand for lists: elements quantified to take more than one event, and every element inside such a group. */
  readonly loops: ReadonlySet<string>;
  /** `"<alias>":` of each alias whose property `JSON.stringify` writes in insertion order (see {@link aliasesOf}). */
  readonly aliasHeads: ReadonlyMap<string, string>;
  /** `null` when the rule's name or severity is not a string (a rule object not made by the checker): its alerts are serialised whole. */
  readonly match: KindHeads | null;
  readonly timeout: KindHeads | null;
}

const ruleTextsCache = new WeakMap<Rule, RuleTexts>();

function ruleTextsOf(rule: Rule): RuleTexts {
  let found = ruleTextsCache.get(rule);
  if (found === undefined) {
    const { loops, heads } = aliasesOf(rule);
    found = { loops, aliasHeads: heads, match: kindHeads(rule, 'match'), timeout: kindHeads(rule, 'timeout') };
    ruleTextsCache.set(rule, found);
  }
  return found;
}

function kindHeads(rule: Rule, kind: 'match' | 'timeout'): KindHeads | null {
  if (typeof rule.name !== 'string' || typeof rule.severity !== 'string') return null;
  const ruleJson = JSON.stringify(rule.name);
  return {
    id: `[${ruleJson},"${kind}",`,
    alert: `{"rule":${ruleJson},"severity":${JSON.stringify(rule.severity)},"kind":"${kind}","key":`,
  };
}

/**
 * The aliases of the rule, walked once: those that stand for lists (elements quantified to take
 * more than one event, and every element inside such a group), and `"<alias>":` for every alias except those an object does
 * not keep as an ordinary property in insertion order: array indexes (written first, in numeric
 * order) and `__proto__` (assigning it sets the prototype). Alerts binding those are serialised whole.
 */
function aliasesOf(rule: Rule): { loops: ReadonlySet<string>; heads: ReadonlyMap<string, string> } {
  const loops = new Set<string>();
  const heads = new Map<string, string>();
  const walk = (pattern: Pattern, inLoop: boolean): void => {
    for (const element of pattern.elements) {
      const alias = element.alias;
      // A loop takes more than one event (`{n}`, `+`, `*`, ...); `?` and `{1}` take one, as in expressions (dsl/scope.ts).
      const loop = inLoop || (element.quantifier !== undefined && element.quantifier.max > 1);
      if (loop) loops.add(alias);
      if (alias !== '__proto__' && !isArrayIndex(alias)) heads.set(alias, `${JSON.stringify(alias)}:`);
      if (element.atom.kind === 'group') walk(element.atom.pattern, loop);
    }
  };
  walk(rule.pattern, false);
  return { loops, heads };
}

function isArrayIndex(name: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(name) && Number(name) < 4_294_967_295;
}
