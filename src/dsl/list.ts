/**
 * Lists as the grammar builds them, so that parsing stays linear in the length of the text.
 *
 * An Earley parser completes a list nonterminal after every item (`Paths`, `Items`, a pattern's
 * elements, ...), because the list could end there; a postprocessor that copies the list to append
 * one item (`[...d[0], d[2]]`) therefore costs O(n) per item and O(n²) per list: 10,000 elements
 * `a -> a -> ...` took 30 s. The grammar instead builds each list as an immutable cons list (one
 * object per item, shared by every partial parse that extends it) and turns it into the AST's array
 * once, where the list is closed: at its `)`, `]` or `}`, or for what ends with the rule itself
 * (`key by` paths, the rule's pattern), in `finishRule` once the rule has parsed.
 */
import type { ElementNode, ModifierNode, NameNode, PathNode, PatternNode, RuleNode } from './ast.js';

/** A list under construction, newest item first. */
export interface List<T> {
  readonly head: T;
  readonly tail: List<T> | null;
}

/** `list` with `item` appended (O(1), `list` itself unchanged). */
export function push<T>(list: List<T> | null, item: T): List<T> {
  return { head: item, tail: list };
}

/** The items of `list` in the order they were pushed (O(n), iterative). */
export function toArray<T>(list: List<T> | null): T[] {
  const out: T[] = [];
  for (let l = list; l !== null; l = l.tail) out.push(l.head);
  return out.reverse();
}

/** A pattern element as the grammar builds it: its modifiers still a list. */
export type RawElement = Omit<ElementNode, 'modifiers'> & { readonly modifiers: List<ModifierNode> | null };

/** A pattern as the grammar builds it. */
export interface RawPattern {
  readonly kind: 'Pattern';
  readonly elements: List<RawElement>;
  readonly loc: PatternNode['loc'];
}

/** A `key by` path as the grammar builds it. */
export interface RawPath {
  readonly kind: 'Path';
  readonly parts: List<NameNode>;
  readonly loc: PathNode['loc'];
}

/** A rule as the grammar builds it: its paths and its pattern still lists. */
export type RawRule = Omit<RuleNode, 'keyBy' | 'pattern'> & { readonly keyBy: List<RawPath>; readonly pattern: RawPattern };

/** The AST of a pattern whose elements (and their modifiers) are lists; groups inside were finished at their `)`. */
export function finishPattern(raw: RawPattern): PatternNode {
  const elements = toArray(raw.elements).map((e): ElementNode => ({ ...e, modifiers: toArray(e.modifiers) }));
  return { kind: 'Pattern', elements, loc: raw.loc };
}

/** The AST of a parsed rule: its `key by` paths and its pattern made arrays. */
export function finishRule(raw: RawRule): RuleNode {
  const keyBy = toArray(raw.keyBy).map((p): PathNode => ({ kind: 'Path', parts: toArray(p.parts), loc: p.loc }));
  return { ...raw, keyBy, pattern: finishPattern(raw.pattern) };
}
