/**
 * The alert record of DSL.md section 6: one JSON object per match, NDJSON in files.
 */
import type { Severity } from '../nfa/rule.js';

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
}
