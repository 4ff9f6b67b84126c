/**
 * "Did you mean" suggestions for misspelled keywords, aliases and functions (graphql-js
 * `suggestionList`): candidates within an edit distance of about a third of the word's length.
 */

/**
 * Levenshtein distance with adjacent transpositions (optimal string alignment), in three rows of
 * O(|b|) memory. Stops as soon as a whole row exceeds `max` (the distance can only grow) and then
 * returns `max + 1`, so that ruling out an unrelated word costs a few rows, not |a|·|b|.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) current[j] = Math.min(current[j], before[j - 2] + 1);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}

/** Words longer than this get no suggestion (a 100,000-character name is no typo). */
const MAX_SUGGESTED = 64;

/**
 * Longest name worth keeping as a candidate of {@link closest}: no word it takes (at most
 * {@link MAX_SUGGESTED} characters) is near a longer one. What the input offers as candidates
 * (field names, event types) is bounded by it: 150 types of 10 MB were kept (2 GB), and a Set of
 * strings that long, all of one length, compares each insert with every one of them (V8 hashes a
 * string over 16,383 characters by its length: 84 s).
 */
export const MAX_CANDIDATE_CHARS = 128;

/** The closest candidate to `word` (case-insensitive), or undefined when none is close enough. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_SUGGESTED) return undefined;
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // The distance is at least the difference in length: skip the computation when that is too far.
    if (c === word || Math.abs(c.length - word.length) > limit) continue;
    const distance = editDistance(lower, c.toLowerCase(), limit);
    if (distance <= limit && distance < word.length && distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

/** `, did you mean 'x'?` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean '${match}'?`;
}
