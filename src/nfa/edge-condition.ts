/**
 * Edge conditions: the guards on the automaton's `take`, `ignore` and `proceed` transitions. They
 * are a small immutable tree (so that `cep explain` can print them and the compiler can reason
 * about which event types they accept) built from the rule's compiled `Condition`s, an event-type
 * test and the boolean connectives Flink's `NFACompiler` uses (`NotCondition`, `AndCondition`,
 * `OrCondition`, `BooleanConditions.trueFunction`). `toPredicate` turns one into a closure once, at
 * compile time, so the matcher never walks the tree per event.
 */
import type { CepEvent } from './event.js';
import type { Bindings, Condition } from './rule.js';
import type { NfaStats } from './nfa.js';

/** A guard of one transition. */
export type EdgeCondition =
  | { readonly kind: 'true' }
  | { readonly kind: 'type'; readonly type: string }
  | { readonly kind: 'user'; readonly condition: Condition }
  | { readonly kind: 'not'; readonly operand: EdgeCondition }
  | { readonly kind: 'and'; readonly left: EdgeCondition; readonly right: EdgeCondition }
  | { readonly kind: 'or'; readonly left: EdgeCondition; readonly right: EdgeCondition };

/** A compiled guard: true when the transition may fire for `event` in the partial match `bindings`. */
export type Predicate = (event: CepEvent, bindings: Bindings) => boolean;

/** The condition that always holds (an `any` element without a condition). */
export const TRUE: EdgeCondition = { kind: 'true' };

/** `left and right`, simplifying `true`. */
export function and(left: EdgeCondition, right: EdgeCondition): EdgeCondition {
  if (left.kind === 'true') return right;
  if (right.kind === 'true') return left;
  return { kind: 'and', left, right };
}

/** `left or right`. */
export function or(left: EdgeCondition, right: EdgeCondition): EdgeCondition {
  return { kind: 'or', left, right };
}

/** `not operand`, removing a double negation. */
export function not(operand: EdgeCondition): EdgeCondition {
  return operand.kind === 'not' ? operand.operand : { kind: 'not', operand };
}

/** The condition of one event element: its type (none for `any`) and its `[...]` condition. */
export function elementCondition(type: string | null, condition: Condition | undefined): EdgeCondition {
  const typeTest: EdgeCondition = type === null ? TRUE : { kind: 'type', type };
  return condition === undefined ? typeTest : and(typeTest, { kind: 'user', condition });
}

/**
 * Event types for which `condition` can be true, or `null` when events of any type can satisfy it
 * (conservative: a user condition is assumed to be satisfiable).
 */
export function acceptedTypes(condition: EdgeCondition): ReadonlySet<string> | null {
  switch (condition.kind) {
    case 'type':
      return new Set([condition.type]);
    case 'and': {
      const left = acceptedTypes(condition.left);
      const right = acceptedTypes(condition.right);
      if (left === null) return right;
      if (right === null) return left;
      return new Set([...left].filter((t) => right.has(t)));
    }
    case 'or': {
      const left = acceptedTypes(condition.left);
      const right = acceptedTypes(condition.right);
      return left === null || right === null ? null : new Set([...left, ...right]);
    }
    case 'true':
    case 'user':
    case 'not':
      return null;
  }
}

/**
 * Compiles a guard into a closure. A user condition that throws counts `stats.conditionErrors`
 * and is false (DSL.md section 4: a condition that fails to evaluate is false, never a crash).
 */
export function toPredicate(condition: EdgeCondition, stats: NfaStats): Predicate {
  switch (condition.kind) {
    case 'true':
      return () => true;
    case 'type': {
      const type = condition.type;
      return (event) => event.type === type;
    }
    case 'user': {
      const test = condition.condition.test;
      return (event, bindings) => {
        try {
          return test(event, bindings) === true;
        } catch {
          stats.conditionErrors++;
          return false;
        }
      };
    }
    case 'not': {
      const operand = toPredicate(condition.operand, stats);
      return (event, bindings) => !operand(event, bindings);
    }
    case 'and': {
      // The usual element guard `type == T and <condition>`: the type test inlined saves a call per edge.
      if (condition.left.kind === 'type') {
        const type = condition.left.type;
        const right = toPredicate(condition.right, stats);
        return (event, bindings) => event.type === type && right(event, bindings);
      }
      const left = toPredicate(condition.left, stats);
      const right = toPredicate(condition.right, stats);
      return (event, bindings) => left(event, bindings) && right(event, bindings);
    }
    case 'or': {
      const left = toPredicate(condition.left, stats);
      const right = toPredicate(condition.right, stats);
      return (event, bindings) => left(event, bindings) || right(event, bindings);
    }
  }
}

/** Structural equality of two guards (user conditions by identity). */
export function sameCondition(a: EdgeCondition, b: EdgeCondition): boolean {
  switch (a.kind) {
    case 'true':
      return b.kind === 'true';
    case 'type':
      return b.kind === 'type' && a.type === b.type;
    case 'user':
      return b.kind === 'user' && a.condition === b.condition;
    case 'not':
      return b.kind === 'not' && sameCondition(a.operand, b.operand);
    case 'and':
    case 'or':
      return b.kind === a.kind && sameCondition(a.left, b.left) && sameCondition(a.right, b.right);
  }
}

/** The guard as text, for `cep explain`: `type == "a" and amount < 2`, `not (...)`, `true`. */
export function describe(condition: EdgeCondition): string {
  switch (condition.kind) {
    case 'true':
      return 'true';
    case 'type':
      return `type == ${JSON.stringify(condition.type)}`;
    case 'user':
      return condition.condition.source;
    case 'not':
      return `not (${describe(condition.operand)})`;
    case 'and':
      return `${wrap(condition.left, 'and')} and ${wrap(condition.right, 'and')}`;
    case 'or':
      return `${wrap(condition.left, 'or')} or ${wrap(condition.right, 'or')}`;
  }
}

function wrap(condition: EdgeCondition, parent: 'and' | 'or'): string {
  const text = describe(condition);
  const bare = condition.kind === parent || condition.kind === 'type' || condition.kind === 'true' || condition.kind === 'not';
  return bare ? text : `(${text})`;
}
