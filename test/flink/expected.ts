/**
 * The differences from Flink CEP that docs/DSL.md section 8 lists, as predicates over the
 * differential test's outcomes: a difference that one of these explains is expected; any other
 * fails the test.
 */
import { DEADLINES, END_OF_INPUT, SKIP_TIE, type Outcome } from './compare.js';

/** The section 8 row that explains `o`, or `null` when none does. */
export function expectedDifference(o: Outcome): string | null {
  for (const [row, explains] of ROWS) if (explains(o)) return row;
  return null;
}

const ROWS: readonly (readonly [string, (o: Outcome) => boolean])[] = [
  ['ties under a skip strategy', (o) => o.kind === SKIP_TIE],
  ['deadlines', (o) => o.kind === DEADLINES],
  ['end of a finite input', (o) => o.kind === END_OF_INPUT],
  ['the same match once', (o) => o.kind === 'Flink repeats a match'],
  ['a looping group that may take no event', (o) => o.verdict === 'one rejects' && o.detail !== undefined && /a looping group must take an event in each iteration/.test(o.detail)],
  ['a `not` where a match may begin', (o) => o.verdict === 'one rejects' && o.detail !== undefined && /this `not` may be where a match begins/.test(o.detail)],
  ['a greedy optional loop with `until` after `-> not X`', (o) => o.verdict === 'one rejects' && o.detail !== undefined && /a greedy optional loop with `until` cannot follow `-> not X`/.test(o.detail)],
];
