/**
 * Compares the alerts read from the alert topic with the reference (`cep run --input` on the same
 * events) as multisets, the way `cep test` does (DSL.md section 7: rule, kind, key, start, end,
 * fields, events; severity too), ignoring `id`.
 *
 * - canonical form: the alert without `id`, as JSON with object keys sorted at every depth (so a
 *   sink that writes fields in another order still compares equal);
 * - lost: reference alerts missing from the topic (counted with multiplicity);
 * - duplicated: copies beyond the reference's count of an alert the reference has;
 * - unexpected: alerts the reference never produces;
 * - by id (when the alerts carry `id`, issue 11): records whose id was already seen, alerts without
 *   an id, and alerts whose id differs from the reference's id of the same match (the id must be
 *   the same in every run and from every source).
 */

export type AlertJson = Record<string, unknown>;

/** JSON with sorted object keys at every depth. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The alert as compared: without `id`, keys sorted. */
export function canonical(alert: AlertJson): string {
  const { id: _id, ...rest } = alert;
  return sortedJson(rest);
}

export interface Comparison {
  readonly expected: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unexpected: number;
  /** Records whose `id` was seen before (null when no received alert has an id). */
  readonly duplicateIds: number | null;
  /** Received alerts without an `id`. */
  readonly withoutId: number;
  /** Received alerts whose `id` differs from the reference's `id` of the same match (null when the reference has no ids). */
  readonly idMismatches: number | null;
  /** lost / duplicated / unexpected per rule. */
  readonly byRule: Record<string, { lost: number; duplicated: number; unexpected: number }>;
  /** A few examples of each (canonical text, cut). */
  readonly samples: { lost: string[]; duplicated: string[]; unexpected: string[] };
  /** The earliest and latest `end` (event time) of each kind of difference: where in the stream they lie. */
  readonly spans: { lost: [string, string] | null; duplicated: [string, string] | null; unexpected: [string, string] | null };
  /** Canonical texts of the duplicated alerts (for post-mortem files), with their extra copies. */
  readonly duplicatedAlerts: { canonical: string; extra: number }[];
}

const SAMPLES = 3;
const cut = (s: string): string => (s.length > 400 ? `${s.slice(0, 400)}…` : s);

/** Compares `received` with `expected` as multisets of canonical alerts. */
export function compareAlerts(expected: readonly AlertJson[], received: readonly AlertJson[]): Comparison {
  const want = new Map<string, { count: number; ids: Set<unknown>; rule: string }>();
  for (const a of expected) {
    const c = canonical(a);
    const entry = want.get(c) ?? { count: 0, ids: new Set<unknown>(), rule: String(a.rule) };
    entry.count++;
    if (a.id !== undefined) entry.ids.add(a.id);
    want.set(c, entry);
  }
  const got = new Map<string, { count: number; rule: string }>();
  const seenIds = new Set<unknown>();
  let duplicateIds = 0;
  let withId = 0;
  let withoutId = 0;
  let idMismatches = 0;
  const referenceHasIds = expected.some((a) => a.id !== undefined);
  for (const a of received) {
    const c = canonical(a);
    const entry = got.get(c) ?? { count: 0, rule: String(a.rule) };
    entry.count++;
    got.set(c, entry);
    if (a.id === undefined) withoutId++;
    else {
      withId++;
      if (seenIds.has(a.id)) duplicateIds++;
      seenIds.add(a.id);
      const ref = want.get(c);
      if (referenceHasIds && ref !== undefined && !ref.ids.has(a.id)) idMismatches++;
    }
  }
  const byRule: Record<string, { lost: number; duplicated: number; unexpected: number }> = {};
  const rule = (name: string): { lost: number; duplicated: number; unexpected: number } => (byRule[name] ??= { lost: 0, duplicated: 0, unexpected: 0 });
  const samples = { lost: [] as string[], duplicated: [] as string[], unexpected: [] as string[] };
  const ends = { lost: [] as string[], duplicated: [] as string[], unexpected: [] as string[] };
  const endOf = (c: string): string => String((JSON.parse(c) as AlertJson).end);
  const duplicatedAlerts: { canonical: string; extra: number }[] = [];
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  for (const [c, w] of want) {
    const g = got.get(c)?.count ?? 0;
    if (g < w.count) {
      lost += w.count - g;
      rule(w.rule).lost += w.count - g;
      if (samples.lost.length < SAMPLES) samples.lost.push(cut(c));
      ends.lost.push(endOf(c));
    } else if (g > w.count) {
      duplicated += g - w.count;
      rule(w.rule).duplicated += g - w.count;
      if (samples.duplicated.length < SAMPLES) samples.duplicated.push(cut(c));
      ends.duplicated.push(endOf(c));
      duplicatedAlerts.push({ canonical: c, extra: g - w.count });
    }
  }
  for (const [c, g] of got) {
    if (want.has(c)) continue;
    unexpected += g.count;
    rule(g.rule).unexpected += g.count;
    if (samples.unexpected.length < SAMPLES) samples.unexpected.push(cut(c));
    ends.unexpected.push(endOf(c));
  }
  // ISO-8601 UTC texts of one format sort as their times.
  const span = (xs: string[]): [string, string] | null => (xs.length === 0 ? null : [xs.reduce((a, b) => (b < a ? b : a)), xs.reduce((a, b) => (b > a ? b : a))]);
  return {
    expected: expected.length,
    received: received.length,
    lost,
    duplicated,
    unexpected,
    duplicateIds: withId === 0 ? null : duplicateIds,
    withoutId,
    idMismatches: referenceHasIds ? idMismatches : null,
    byRule,
    samples,
    spans: { lost: span(ends.lost), duplicated: span(ends.duplicated), unexpected: span(ends.unexpected) },
    duplicatedAlerts,
  };
}

/** One line of figures, for logs and the soak script. */
export function formatComparison(c: Comparison): string {
  const ids = c.duplicateIds === null ? 'no ids' : `${c.duplicateIds} duplicate ids, ${c.withoutId} without id${c.idMismatches === null ? '' : `, ${c.idMismatches} ids differing from the reference`}`;
  const where = (['lost', 'duplicated', 'unexpected'] as const)
    .filter((k) => c.spans[k] !== null)
    .map((k) => `${k} ends ${c.spans[k]![0]} … ${c.spans[k]![1]}`);
  return `expected ${c.expected}, received ${c.received}: ${c.lost} lost, ${c.duplicated} duplicated, ${c.unexpected} unexpected; ${ids}${where.length > 0 ? `; ${where.join('; ')}` : ''}`;
}
