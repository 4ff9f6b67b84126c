/**
 * Compares the two sides of the differential test case by case, and sorts the outcomes into
 * agree / differ / both reject / one rejects, with each difference's class.
 */
import { loopsOf, ruleText, type Case, type CaseElement } from './cases.js';
import type { SideMatch, SideResult } from './sides.js';

export type Verdict = 'agree' | 'differ' | 'both reject' | 'one rejects';

export interface Outcome {
  readonly c: Case;
  readonly verdict: Verdict;
  /** For `differ` and `one rejects`: what kind of difference (a short phrase, the same for alike cases). */
  readonly kind?: string;
  readonly detail?: string;
}

/** A match as a string that is equal for equal matches (key, kind, aliases with their events). */
function matchKey(m: SideMatch): string {
  return `${m.kind} k${m.key} ${Object.entries(m.events).map(([a, l]) => `${a}:${l.join(',')}`).join(' ')}`;
}

function counts(list: readonly SideMatch[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of list) m.set(matchKey(x), (m.get(matchKey(x)) ?? 0) + 1);
  return m;
}

/**
 * Whether match `m` completed through a trailing `-> not X`, so that it ends at the deadline
 * (DSL.md section 6): the pattern's last element is that absence, or the last of a last group that
 * `m` went through: a group without a quantifier, or with one of at most one iteration (`?`,
 * `{0,1}`) when `m` binds an event inside it. In a looping last group the absence only bounds the
 * next iteration.
 */
function endsWithAbsence(elements: readonly CaseElement[], m: SideMatch): boolean {
  const last = elements[elements.length - 1];
  if (last.group === undefined) return last.negated === true && last.contiguity === 'relaxed';
  if (last.quantifier !== undefined && (loopsOf(last.quantifier) || !bindsIn(last.group, m))) return false;
  return endsWithAbsence(last.group, m);
}

/** Whether `m` binds an event to an alias inside `elements` (nested groups included). */
function bindsIn(elements: readonly CaseElement[], m: SideMatch): boolean {
  return elements.some((e) => (e.group !== undefined ? bindsIn(e.group, m) : e.name !== undefined && (m.events[e.name]?.length ?? 0) > 0));
}

/** Start and end our alerts should carry for `m`: the first and last matched events' times, or the deadline for a trailing absence. */
function expectedTimes(c: Case, m: SideMatch): [number, number] {
  const times = Object.values(m.events).flat().map((i) => c.events[i].ts);
  const start = Math.min(...times);
  const end = m.kind === 'match' && endsWithAbsence(c.pattern.elements, m) && c.pattern.within !== null ? start + c.pattern.within : Math.max(...times);
  return [start, end];
}

/** The kind of difference where Flink times out or completes at one watermark what our clock handles deadline by deadline. */
export const DEADLINES = 'Flink handles the deadlines one watermark passes together';

/**
 * The kind of difference where, the input over, we end the partial matches of a rule without
 * `within` (the watermark at +∞), which Flink's NFA, without a window, never times out: what
 * comes out then (timeouts, matches a skip strategy held back for them) Flink does not emit.
 */
export const END_OF_INPUT = 'at the end of the input we end the partial matches of a rule without within';

/** The kind of difference where matches that complete together and start with the same event are kept in a different order under a skip strategy. */
export const SKIP_TIE = 'a tie under the skip strategy';

/** How two lists of matches differ (as multisets), or `null` when they do not. */
function difference(c: Case, ours: readonly SideMatch[], flink: readonly SideMatch[]): { kind: string; detail: string } | null {
  const take = (list: readonly SideMatch[], other: readonly SideMatch[]): SideMatch[] => {
    const left = counts(other);
    return list.filter((m) => {
      const n = left.get(matchKey(m)) ?? 0;
      left.set(matchKey(m), n - 1);
      return n <= 0;
    });
  };
  const extra = take(ours, flink);
  const missing = take(flink, ours);
  if (extra.length === 0 && missing.length === 0) return null;
  const detail = `ours only: [${extra.map(matchKey).join(' | ')}] Flink only: [${missing.map(matchKey).join(' | ')}]`;
  const a = counts(ours);
  const b = counts(flink);
  const repeats = [...a.keys()].every((k) => b.has(k)) && [...b.keys()].every((k) => a.has(k));
  if (repeats) return { kind: missing.length === 0 ? 'we repeat a match' : extra.length === 0 ? 'Flink repeats a match' : 'both repeat matches', detail };
  // A match only one side has, that started with the same event as another match: the order of the two decided which one the skip strategy kept.
  const all = [...ours, ...flink];
  const inTie = (m: SideMatch): boolean => all.some((n) => matchKey(n) !== matchKey(m) && tied(m, n));
  // The earliest difference decides: what a tie pruned differently changes what comes after it.
  const first = (x: SideMatch): number => Math.min(...Object.values(x.events).flat());
  const earliest = [...extra, ...missing].sort((x, y) => first(x) - first(y))[0];
  if (c.pattern.skip.kind !== 'noSkip' && inTie(earliest)) return { kind: SKIP_TIE, detail };
  if (missing.length === 0 && c.pattern.within === null && extra.every((m) => m.afterInput === true)) return { kind: END_OF_INPUT, detail };
  return { kind: extra.length > 0 && missing.length > 0 ? 'different matches' : extra.length > 0 ? 'we emit more' : 'Flink emits more', detail };
}

/**
 * Whether two matches of a key start with the same event: under a skip strategy such matches,
 * when they complete together, come out in an order that decides which one prunes the other
 * (DSL.md sections 6 and 8). When they complete is not in the output, so this is looser than the
 * rule: it asks only for the same first event.
 */
function tied(m: SideMatch, n: SideMatch): boolean {
  const first = (x: SideMatch): number => Math.min(...Object.values(x.events).flat());
  return m.key === n.key && m.kind === n.kind && first(m) === first(n);
}

/** Compares our result with Flink's for one case. */
export function compareCase(c: Case, ours: SideResult, flink: SideResult): Outcome {
  if (ours.status === 'crash' || ours.status === 'hang') return { c, verdict: 'differ', kind: `we ${ours.status}`, detail: ours.error };
  if (flink.status === 'crash' || flink.status === 'hang') {
    const fails = flink.status === 'crash' ? 'Flink crashes' : 'Flink hangs';
    return ours.status === 'reject'
      ? { c, verdict: 'one rejects', kind: `${fails}, we reject`, detail: `${flink.error} | ours: ${ours.error}` }
      : { c, verdict: 'differ', kind: fails, detail: flink.error };
  }
  if (ours.status === 'reject' && flink.status === 'reject') return { c, verdict: 'both reject' };
  if (ours.status === 'reject') return { c, verdict: 'one rejects', kind: `we reject: ${normalise(ours.error)}`, detail: `${ours.error} | Flink accepts` };
  if (flink.status === 'reject') return { c, verdict: 'one rejects', kind: `Flink rejects: ${normalise(flink.error)}`, detail: `${flink.error} | we accept` };
  if (ours.status !== 'ok' || flink.status !== 'ok') throw new Error('unreachable');
  const clock = difference(c, ours.matches, flink.matches);
  if (clock !== null) {
    // Against Flink's NFA with each deadline at its own time, as our clock handles them.
    const own = difference(c, ours.matches, flink.deadlineMatches ?? flink.matches);
    if (own === null) return { c, verdict: 'differ', kind: DEADLINES, detail: clock.detail };
    return { c, verdict: 'differ', kind: own.kind, detail: own.detail };
  }
  for (const m of ours.matches) {
    const [start, end] = expectedTimes(c, m);
    if (m.start !== start || m.end !== end) return { c, verdict: 'differ', kind: 'alert start/end', detail: `${matchKey(m)}: start ${m.start} end ${m.end}, expected ${start} ${end}` };
  }
  return { c, verdict: 'agree' };
}

/** An error message without its names and numbers, so that alike errors share a class. */
function normalise(message: string): string {
  return message
    .replace(/\be\d+\b/g, 'X')
    .replace(/\d+/g, 'N')
    .replace(/Current quantifier is: .*/, 'Current quantifier is: …')
    .slice(0, 140);
}

/** A case as a few readable lines: the rule, the events (`i:type@ts/kKEY v=V`). */
export function describeCase(c: Case): string {
  const events = c.events.map((e) => `${e.i}:${e.type}@${e.ts}/k${e.k} v=${e.v}`).join(' ');
  return `${ruleText(c.pattern).trim()}\n  events: ${events}`;
}
