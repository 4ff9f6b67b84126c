/**
 * The alert record of DSL.md section 6: one JSON object per match, NDJSON in files.
 */
import { hash } from 'node:crypto';
import type { CepEvent } from '../nfa/event.js';
import type { Match } from '../nfa/nfa.js';
import type { Bindings, Pattern, Rule, Severity } from '../nfa/rule.js';
import { isoUtc } from './iso-time.js';

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
  return hash('sha256', JSON.stringify([rule, kind, key, events]), 'hex').slice(0, 32);
}

/**
 * Builds the alert of one match (DSL.md section 6): `fields` from `rule.emit` (or
 * `rule.onTimeout` for a `timeout`), evaluated with {@link Bindings} over `match.events`; `events`
 * maps every bound alias, in pattern order, to its event's data — a list for a loop alias (a
 * quantified element, or any element inside a quantified group), a single object otherwise;
 * `start`/`end` as ISO-8601 UTC with ms. An `emit` expression that throws gives `null` (DSL.md
 * section 4: evaluation failures are never a crash).
 */
export function toAlert(rule: Rule, key: unknown, match: Match): Alert {
  const bindings = new MatchBindings(match);
  const exprs = match.kind === 'timeout' ? (rule.onTimeout ?? rule.emit) : rule.emit;
  const fields: Record<string, unknown> = {};
  for (const field of exprs) {
    let value: unknown;
    try {
      value = field.value(bindings);
    } catch {
      value = null;
    }
    fields[field.name] = value === undefined ? null : value;
  }
  const loops = loopAliases(rule);
  const events: Record<string, unknown> = {};
  for (const [alias, bound] of match.events) {
    events[alias] = loops.has(alias) ? bound.map((e) => e.data) : (bound[0]?.data ?? null);
  }
  return {
    rule: rule.name,
    severity: rule.severity,
    kind: match.kind,
    key,
    start: isoUtc(match.start),
    end: isoUtc(match.end),
    fields,
    events,
    id: alertId(rule.name, match.kind, key, events),
  };
}

const NO_EVENTS: readonly CepEvent[] = [];

/** The events of a complete match, by alias (no closure per alert: this runs once per match). */
class MatchBindings implements Bindings {
  constructor(private readonly match: Match) {}
  events(alias: string): readonly CepEvent[] {
    return this.match.events.get(alias) ?? NO_EVENTS;
  }
}
const loopAliasCache = new WeakMap<Rule, ReadonlySet<string>>();

/** Aliases that stand for lists: quantified elements and every element inside a quantified group. */
function loopAliases(rule: Rule): ReadonlySet<string> {
  let found = loopAliasCache.get(rule);
  if (found === undefined) {
    const set = new Set<string>();
    const walk = (pattern: Pattern, inLoop: boolean): void => {
      for (const element of pattern.elements) {
        const loop = inLoop || element.quantifier !== undefined;
        if (loop) set.add(element.alias);
        if (element.atom.kind === 'group') walk(element.atom.pattern, loop);
      }
    };
    walk(rule.pattern, false);
    found = set;
    loopAliasCache.set(rule, found);
  }
  return found;
}
