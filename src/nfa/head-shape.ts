/**
 * Head shapes: the part of a single-event partial match that many keys share (the alias that took
 * the event, the automaton state the partial match is in, the event's type), interned process-wide
 * as a small integer, so that a key state keeps its unboxed oldest partial match (`MatcherState`)
 * as that integer, packed with the start time, instead of three fields. In the same spirit as V8's
 * hidden classes: a state is plain data plus a shape number; the table only ever grows, and is
 * capped, past which a state keeps its partial match as a node instead (correct, bigger).
 */

/** The shared part of an unboxed single-event partial match. */
export interface HeadShape {
  /** Its number, ≥ 1 (0 is no shape: the partial match is kept boxed). */
  readonly id: number;
  readonly alias: string;
  readonly state: number;
  readonly type: string;
}

/** Shape numbers are below this (they take 16 bits of the packed start time, `MatcherState`). */
export const SHAPE_LIMIT = 2 ** 16;

const shapes: HeadShape[] = [{ id: 0, alias: '', state: -1, type: '' }];
/** The shapes of each event type: few per type (one per element that can take it first). */
const byType = new Map<string, HeadShape[]>();
/** The last shape found: consecutive lookups are mostly of the same shape. */
let last: HeadShape = shapes[0];

/**
 * The number of the shape (`alias`, `state`, `type`), interned on first use; 0 when the table is
 * full (`SHAPE_LIMIT` shapes: only patterns taking events of tens of thousands of distinct types
 * reach it).
 */
export function shapeOf(alias: string, state: number, type: string): number {
  const l = last;
  if (l.type === type && l.alias === alias && l.state === state) return l.id;
  let list = byType.get(type);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.alias === alias && s.state === state) {
        last = s;
        return s.id;
      }
    }
  }
  if (shapes.length >= SHAPE_LIMIT) return 0;
  const shape: HeadShape = { id: shapes.length, alias, state, type };
  shapes.push(shape);
  if (list === undefined) byType.set(type, (list = []));
  list.push(shape);
  last = shape;
  return shape.id;
}

/** The shape numbered `id` (1 ≤ `id` < number of shapes made). */
export function shapeAt(id: number): HeadShape {
  return shapes[id];
}
