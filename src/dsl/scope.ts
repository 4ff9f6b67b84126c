/**
 * Element names of one rule (rule.ts `Element.alias`): an explicit alias; else the type name when
 * that type appears once in the rule's pattern (groups included); else a generated `_N` that no
 * expression can name. Groups get a generated name unless aliased; a group's alias stands for the
 * events of its elements (`members`). Also numbers every element in
 * pattern order (`start`, `end`) so expressions can tell what is bound before them.
 */
import type { ElementNode, PatternNode, RuleNode } from './ast.js';
import type { AliasInfo } from './expr/compile.js';
import type { Reporter } from './checks/reporter.js';
import { shorten } from './errors.js';

/** The names of one rule's elements. */
export interface Scope {
  /** The element's name in the checked rule, for every element node. */
  readonly names: ReadonlyMap<ElementNode, string>;
  /** Per element, its position and list-ness. */
  readonly infos: ReadonlyMap<ElementNode, AliasInfo>;
  /** Names expressions may use: explicit aliases and unique type names. */
  readonly visible: ReadonlyMap<string, AliasInfo>;
}

/** True when the element binds several events by its own quantifier. */
export function loops(element: ElementNode): boolean {
  return element.quantifier !== null && element.quantifier.max > 1;
}

function countTypes(pattern: PatternNode, counts: Map<string, number>): void {
  for (const element of pattern.elements) {
    if (element.atom.kind === 'GroupAtom') countTypes(element.atom.pattern, counts);
    else if (element.atom.type !== null) counts.set(element.atom.type.value, (counts.get(element.atom.type.value) ?? 0) + 1);
  }
}

/**
 * Builds the scope of a rule, reporting duplicate aliases (both places).
 */
export function buildScope(rule: RuleNode, report: Reporter): Scope {
  const typeCounts = new Map<string, number>();
  countTypes(rule.pattern, typeCounts);
  const explicit = new Map<string, ElementNode>();
  const collectExplicit = (pattern: PatternNode): void => {
    for (const element of pattern.elements) {
      if (element.alias !== null) {
        const first = explicit.get(element.alias.value);
        if (first?.alias) {
          report.error(`duplicate alias '${shorten(element.alias.value)}'`, element.alias.loc, [{ loc: first.alias.loc, message: `'${shorten(element.alias.value)}' is first used here` }]);
        } else explicit.set(element.alias.value, element);
      }
      if (element.atom.kind === 'GroupAtom') collectExplicit(element.atom.pattern);
    }
  };
  collectExplicit(rule.pattern);

  const names = new Map<ElementNode, string>();
  const infos = new Map<ElementNode, AliasInfo>();
  const visible = new Map<string, AliasInfo>();
  const taken = new Set(explicit.keys());
  let counter = 0;
  let generated = 0;
  const fresh = (): string => {
    let name: string;
    do name = `_${++generated}`;
    while (taken.has(name));
    taken.add(name);
    return name;
  };
  const walk = (pattern: PatternNode, inLoop: boolean): void => {
    for (const element of pattern.elements) {
      const start = counter++;
      const list = inLoop || loops(element) || element.atom.kind === 'GroupAtom';
      if (element.atom.kind === 'GroupAtom') walk(element.atom.pattern, inLoop || loops(element));
      let name: string;
      let userVisible = true;
      if (element.alias !== null) name = explicit.get(element.alias.value) === element ? element.alias.value : fresh();
      else if (element.atom.kind === 'EventAtom' && element.atom.type !== null && typeCounts.get(element.atom.type.value) === 1 && !taken.has(element.atom.type.value)) {
        name = element.atom.type.value;
        taken.add(name);
      } else {
        name = fresh();
        userVisible = false;
      }
      const type = element.atom.kind === 'EventAtom' ? (element.atom.type?.value ?? null) : null;
      const members = element.atom.kind === 'GroupAtom' ? memberNames(element.atom.pattern, names) : undefined;
      const info: AliasInfo = { name, list, negated: element.not !== null, start, end: counter, loc: (element.alias ?? element.atom).loc, type, members };
      names.set(element, name);
      infos.set(element, info);
      if (userVisible) visible.set(name, info);
    }
  };
  walk(rule.pattern, false);
  return { names, infos, visible };
}

/** The names of the event elements of a group, nested groups included, `not` elements left out (they bind no event). */
function memberNames(pattern: PatternNode, names: ReadonlyMap<ElementNode, string>): string[] {
  const out: string[] = [];
  for (const element of pattern.elements) {
    if (element.atom.kind === 'GroupAtom') out.push(...memberNames(element.atom.pattern, names));
    else if (element.not === null) out.push(names.get(element)!);
  }
  return out;
}
