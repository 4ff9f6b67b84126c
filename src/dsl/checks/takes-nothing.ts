/**
 * Whether an element may complete without taking an event: it is optional (`?`, `*`, `{0,m}`,
 * `optional`), a `not` (an absence takes none), or a group without an optional quantifier whose
 * every element may take none. Used by the checks of two patterns that flink-cep cannot run
 * (empty-group-loop.ts, absence-at-start.ts).
 */
import type { ElementNode } from '../ast.js';
import { isOptional } from './check.js';

export function takesNothing(element: ElementNode): boolean {
  if (element.not !== null || isOptional(element)) return true;
  return element.atom.kind === 'GroupAtom' && element.atom.pattern.elements.every(takesNothing);
}
