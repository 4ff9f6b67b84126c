/**
 * Precompiled field getters for dotted paths (DSL.md section 1: `payload.card.id`). A getter is
 * built once per option or `key by` path, so the per-event cost is a few property reads with no
 * allocation.
 */
import type { FieldPath } from '../nfa/rule.js';

/** Reads a field of a JSON object; `undefined` when any step is missing or not an object. */
export type FieldGetter = (value: Readonly<Record<string, unknown>>) => unknown;

/** Splits `a.b.c` into `['a', 'b', 'c']`. @throws Error on an empty path or an empty segment. */
export function splitPath(text: string): FieldPath {
  const parts = text.split('.');
  if (parts.some((p) => p.length === 0)) throw new Error(`'${text}' is not a field path (expected names separated by dots)`);
  return parts;
}

/** Builds the getter of `path` (one to any number of segments). */
export function fieldGetter(path: FieldPath): FieldGetter {
  if (path.length === 0) throw new Error('a field path needs at least one name');
  const [a, b] = path;
  if (path.length === 1) return (v) => v[a];
  if (path.length === 2) {
    return (v) => {
      const x = v[a];
      return typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[b] : undefined;
    };
  }
  return (v) => {
    let x: unknown = v;
    for (const p of path) {
      if (typeof x !== 'object' || x === null) return undefined;
      x = (x as Record<string, unknown>)[p];
    }
    return x;
  };
}
