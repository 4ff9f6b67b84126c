/**
 * Counts in messages (DSL.md section 7: messages are sentences, with correct plurals): `1 alert`,
 * `0 alerts`, `2,000 bad records`, digits grouped as in en-US.
 */
const digits = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `n` and its noun, singular for exactly 1: `counted(1, 'alert')` is `1 alert`; `plural` defaults to `singular + 's'`. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${digits.format(n)} ${n === 1 ? singular : plural}`;
}
