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

/** A field of `value` (`null` when absent); on a list, the list of that field of each item. */
export function readField(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((item) => readField(item, key));
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

/** `==`: same primitive value (no coercion between types), lists element by element; missing is null. */
export function equals(a: unknown, b: unknown): boolean {
  const x = a ?? null;
  const y = b ?? null;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => equals(v, y[i]));
  return x === y;
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
