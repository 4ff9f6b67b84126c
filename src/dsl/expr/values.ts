/**
 * The null rules of DSL.md section 4 as small total functions over run-time values (JSON values,
 * lists, and nothing else: events are turned into their `.data` or handled by the compiler, which
 * knows statically where an event can appear). None of these throws for any input.
 *
 * - a missing field is `null`;
 * - arithmetic with `null` (or a non-number) gives `null`; division or `%` by zero gives `null`;
 * - a comparison with `null` (other than `== null` / `!= null`) is false;
 * - `and`, `or`, `not` treat only `true` as true (`not null` is false, like any comparison with null).
 */

/**
 * A field of `value` (`null` when absent); on a list, the list of that field of each item (lists
 * in lists keep their nesting). Iterative: event data may nest lists deeper than the stack.
 */
export function readField(value: unknown, key: string): unknown {
  if (!Array.isArray(value)) return fieldOf(value, key);
  const out: unknown[] = [];
  const pending: [readonly unknown[], unknown[]][] = [[value, out]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next;
    for (const item of from) {
      if (Array.isArray(item)) {
        const inner: unknown[] = [];
        to.push(inner);
        pending.push([item, inner]);
      } else to.push(fieldOf(item, key));
    }
  }
  return out;
}

function fieldOf(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, key)) {
    return (value as Record<string, unknown>)[key] ?? null;
  }
  return null;
}

/** `list[i]` (negative from the end) or `object["key"]`; `null` when out of range or not applicable. */
export function readIndex(value: unknown, index: unknown): unknown {
  if (Array.isArray(value) && typeof index === 'number' && Number.isInteger(index)) {
    return value[index < 0 ? value.length + index : index] ?? null;
  }
  if (typeof index === 'string') return readField(value, index);
  return null;
}

/**
 * `==`: same primitive value (no coercion between types), lists element by element; missing is
 * null. Lists are compared with a stack of pairs, not recursion (event data may nest deeply).
 */
export function equals(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return (a ?? null) === (b ?? null);
  const pairs: unknown[] = [a, b];
  while (pairs.length > 0) {
    const y = pairs.pop() ?? null;
    const x = pairs.pop() ?? null;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = x.length - 1; i >= 0; i--) pairs.push(x[i], y[i]);
    } else if (x !== y) return false;
  }
  return true;
}

/** `<`, `<=`, `>`, `>=`: numbers with numbers, strings with strings; anything else is false. */
export function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

/** `in`: membership in a list, or substring of a string; false for anything else (null included). */
export function isIn(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return b.some((v) => equals(a, v));
  if (typeof a === 'string' && typeof b === 'string') return b.includes(a);
  return false;
}

/** `not in`: the negation of `in` when the right side is a list or string; false otherwise (null rule). */
export function isNotIn(a: unknown, b: unknown): boolean {
  if (!Array.isArray(b) && !(typeof a === 'string' && typeof b === 'string')) return false;
  return !isIn(a, b);
}

/** A finite number, or null (NaN and ±Infinity from arithmetic become null). */
function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** `+ - * / %` with the null rules; `+` also joins two strings. */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: unknown, b: unknown): number | string | null {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (typeof a !== 'number' || typeof b !== 'number') return null;
  switch (op) {
    case '+': return finite(a + b);
    case '-': return finite(a - b);
    case '*': return finite(a * b);
    case '/': return b === 0 ? null : finite(a / b);
    case '%': return b === 0 ? null : finite(a % b);
  }
}

/** The numbers of a list (other items are skipped), or [] for a non-list. */
export function numbers(list: unknown): number[] {
  return Array.isArray(list) ? list.filter((v): v is number => typeof v === 'number') : [];
}
