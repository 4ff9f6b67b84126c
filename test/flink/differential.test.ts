/**
 * The engine against the real Flink CEP library (flink-cep 1.20.5, driven by test/flink/driver as
 * CepOperator drives it in event time), issue 13: seeded random cases, then each class of what the
 * issue found as a named case, then the acceptance table (item 3 and Flink's own failures of
 * item 4). One JVM runs every case of the file. `npm run test:flink -- --cases 20000` is the big
 * run by hand (run.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRules, RuleErrors } from '../../src/dsl/index.js';
import { el, events, generateCases, group, pattern, q, ruleText, type Case, type CasePattern } from './cases.js';
import { compareCase, DEADLINES, describeCase, SKIP_TIE, type Outcome } from './compare.js';
import { expectedDifference } from './expected.js';
import { runFlink, runOurs, typeFilterChanges, type SideResult } from './sides.js';

const RANDOM = 300;
const SEED = 13;

/** Hand-written cases, by name; ids from 100,000 so they never meet the random ones. */
const named = new Map<string, Case>();
function named_(name: string, p: CasePattern, text = ''): Case {
  const c: Case = { id: 100_000 + named.size, pattern: p, events: events(text) };
  named.set(name, c);
  return c;
}

/** Item 3 and item 4: each construct, whether both sides accept it, and why. */
interface Row {
  readonly construct: string;
  readonly pattern: CasePattern;
  readonly accepted: boolean;
  readonly reason: string;
  /** What Flink does with it when that is not simply the same verdict: it fails at run time. */
  readonly flink?: 'crash' | 'hang';
  /** For a rejected row: our message names this (the Flink rule, quoted). */
  readonly message?: RegExp;
}

const a = (name = 'x'): ReturnType<typeof el> => el(name, 'a');
const b = (name = 'y', options = {}): ReturnType<typeof el> => el(name, 'b', options);
const c_ = (name = 'z', options = {}): ReturnType<typeof el> => el(name, 'c', options);
/** An `until` condition that every table event (v 0) meets. */
const UNTIL = { op: '<=', a: { op: 'v' }, b: { op: 'num', n: 7 } } as const;

const TABLE: readonly Row[] = [
  { construct: '{0,m}', pattern: pattern([a(), b('y', { quantifier: q('{n,m}', 0, 2) }), c_()]), accepted: true, reason: 'Flink times(0, m) is {1,m} optional (issue 17 too)' },
  { construct: '{1} consecutive', pattern: pattern([el('x', 'a', { quantifier: q('{n}', 1, 'consecutive') }), b()]), accepted: true, reason: 'times(1) is a TIMES quantifier: consecutive() applies' },
  { construct: '{1,1} combinations', pattern: pattern([el('x', 'a', { quantifier: q('{n,m}', 1, 1, 'combinations') }), b()]), accepted: true, reason: 'not a singleton quantifier: allowCombinations() applies' },
  { construct: '{1} greedy', pattern: pattern([el('x', 'a', { quantifier: q('{n}', 1, 'greedy') }), b()]), accepted: true, reason: 'not a singleton quantifier: greedy() applies' },
  { construct: '? greedy', pattern: pattern([el('x', 'a', { quantifier: q('?', 'greedy') }), b()]), accepted: true, reason: '? is {1} optional (DSL.md section 3), times(1).optional().greedy()' },
  { construct: 'greedy on the last element', pattern: pattern([a(), b('y', { quantifier: q('+', 'greedy') })]), accepted: true, reason: 'the CEP library accepts it (only Flink SQL MATCH_RECOGNIZE refuses it)' },
  { construct: 'skip to first x, x a not element', pattern: pattern([a(), b('n', { negated: true }), c_()], { skip: { kind: 'skipToFirst', alias: 'n' } }), accepted: true, reason: 'the name is an element of the pattern; it binds no event, so the skip prunes nothing' },
  { construct: 'skip to last x, x a not element', pattern: pattern([a(), b('n', { negated: true, contiguity: 'strict' }), c_()], { skip: { kind: 'skipToLast', alias: 'n' } }), accepted: true, reason: 'as skip to first' },
  { construct: 'optional on a plain element', pattern: pattern([el('x', 'a', { quantifier: { form: '?', modifiers: [] } }), b()]), accepted: true, reason: 'Pattern.optional() on a singleton' },
  { construct: 'greedy combinations', pattern: pattern([el('x', 'a', { quantifier: q('+', 'greedy', 'combinations') }), b()]), accepted: true, reason: 'greedy() first, then allowCombinations(): Flink checks only the other order' },
  { construct: 'a bounded group of optional elements', pattern: pattern([a(), group([b('y', { quantifier: q('?') })], { quantifier: q('{n,m}', 1, 2) }), c_()]), accepted: true, reason: 'times states are unrolled: no empty loop' },
  { construct: '* optional', pattern: pattern([el('x', 'a', { quantifier: q('*', 'optional') }), b()]), accepted: false, reason: 'Flink: "Optional already applied!"', message: /Optional already applied!/ },
  { construct: '{0,m} optional', pattern: pattern([el('x', 'a', { quantifier: q('{n,m}', 0, 2, 'optional') }), b()]), accepted: false, reason: 'times(0, m) is optional already', message: /Optional already applied!/ },
  { construct: 'an optional element right after a greedy one', pattern: pattern([el('x', 'a', { quantifier: q('+', 'greedy') }), b('y', { quantifier: q('?') }), c_()]), accepted: false, reason: 'Flink: "Optional pattern cannot be preceded by greedy pattern"', message: /Optional pattern cannot be preceded by greedy pattern/ },
  { construct: '{0,m} right after a greedy element', pattern: pattern([el('x', 'a', { quantifier: q('+', 'greedy') }), b('y', { quantifier: q('{n,m}', 0, 2) }), c_()]), accepted: true, reason: 'times(0, m) makes it optional without Pattern.optional()\'s check' },
  { construct: 'until on {n}', pattern: pattern([el('x', 'a', { quantifier: q('{n}', 2, { until: { op: '>', a: { op: 'v' }, b: { op: 'num', n: 1 } } }) }), b()]), accepted: false, reason: 'Flink: "The until condition is only applicable to looping states"', message: /only applicable to looping states/ },
  { construct: 'until on {n,m}', pattern: pattern([el('x', 'a', { quantifier: q('{n,m}', 1, 3, { until: { op: '>', a: { op: 'v' }, b: { op: 'num', n: 1 } } }) }), b()]), accepted: false, reason: 'as until on {n}', message: /only applicable to looping states/ },
  { construct: 'until on {n,}', pattern: pattern([el('x', 'a', { quantifier: q('{n,}', 2, { until: { op: '>', a: { op: 'v' }, b: { op: 'num', n: 1 } } }) }), b()]), accepted: true, reason: 'timesOrMore loops' },
  { construct: 'skip to a name inside a group', pattern: pattern([a(), group([b(), c_()])], { skip: { kind: 'skipToFirst', alias: 'y' } }), accepted: false, reason: 'Flink looks the name up among the pattern\'s own elements only', message: /can not be found in the given Pattern/ },
  { construct: 'combinations greedy', pattern: pattern([el('x', 'a', { quantifier: q('+', 'combinations', 'greedy') }), b()]), accepted: false, reason: 'Flink: "Option not applicable to FollowedByAny pattern"', message: /Option not applicable to FollowedByAny pattern/ },
  { construct: 'consecutive and combinations', pattern: pattern([el('x', 'a', { quantifier: q('+', 'consecutive', 'combinations') }), b()]), accepted: false, reason: 'Flink: "You can apply either combinations or consecutive, not both!"', message: /either combinations or consecutive/ },
  { construct: 'a not right after an optional element', pattern: pattern([a(), b('y', { quantifier: q('?') }), c_('n', { negated: true, contiguity: 'strict' }), el('w', 'a')]), accepted: false, reason: 'Flink: "Specifying a pattern with an optional path to NOT condition is not supported yet"', message: /optional path to NOT condition/ },
  { construct: 'a quantified not', pattern: pattern([a(), b('n', { negated: true, quantifier: q('+') }), c_()]), accepted: false, reason: 'Flink: "Option not applicable to NOT pattern"', message: /Option not applicable to NOT pattern/ },
  { construct: 'a pattern ending in -> not without within', pattern: pattern([a(), b('n', { negated: true })]), accepted: false, reason: 'Flink: "NotFollowedBy is not supported without windowTime as a last part of a Pattern!"' },
  { construct: 'a not group', pattern: pattern([a(), { group: [b(), c_()], contiguity: 'relaxed', negated: true }, el('w', 'a')]), accepted: false, reason: 'notFollowedBy and notNext take one event\'s condition, not a pattern', message: /not of a group/ },
  { construct: '->> not', pattern: pattern([a(), b('n', { negated: true, contiguity: 'nondeterministic' }), c_()]), accepted: false, reason: 'Flink has notFollowedBy and notNext, no absence after followedByAny', message: /`->> not` has no meaning/ },
  { construct: 'a pattern beginning with not', pattern: pattern([b('n', { negated: true }), a()]), accepted: false, reason: 'Flink\'s API cannot express it (Pattern.begin takes no NOT)' },
  {
    construct: 'a looping group whose elements may all take no event (item 4)',
    pattern: pattern([a(), group([b('y', { quantifier: q('?') })], { quantifier: q('+') }), c_()]),
    accepted: false,
    reason: 'Flink accepts it and its NFA loops forever on the first event that reaches the group: a rule error here (DSL.md section 8)',
    flink: 'hang',
    message: /a looping group must take an event in each iteration/,
  },
  {
    construct: 'an optional first group followed by next not (item 4)',
    pattern: pattern([group([b('y', { quantifier: q('?') })]), c_('n', { negated: true, contiguity: 'strict' }), a()]),
    accepted: false,
    reason: 'Flink accepts it and fails with a NullPointerException on the first event: a rule error here (DSL.md section 8)',
    flink: 'crash',
    message: /nothing for the absence to follow \(Flink fails on it with a NullPointerException\)/,
  },
  {
    construct: 'a greedy optional loop with until right after -> not (item 4)',
    pattern: pattern([a(), b('n', { negated: true }), c_('z', { quantifier: q('*', { until: UNTIL }, 'greedy') })], { within: 10 }),
    accepted: false,
    reason: 'Flink accepts it and fails with a NullPointerException on the first event that meets the until condition (NFA.findFinalStateAfterProceed): a rule error here (DSL.md section 8)',
    flink: 'crash',
    message: /cannot follow `-> not X` with only optional elements between them \(Flink accepts it, then fails on it/,
  },
  {
    construct: 'the same with an optional element between (item 4)',
    pattern: pattern([a(), b('n', { negated: true }), el('w', 'a', { quantifier: q('?') }), c_('z', { quantifier: q('*', { until: UNTIL }, 'greedy') })], { within: 10 }),
    accepted: false,
    reason: 'Flink\'s NFA compiler fails on it with a NullPointerException (copyWithoutTransitiveNots), which the driver reports as a rejection',
    message: /cannot follow `-> not X` with only optional elements between them/,
  },
  { construct: 'a greedy loop with until after next not', pattern: pattern([a(), b('n', { negated: true, contiguity: 'strict' }), c_('z', { quantifier: q('*', { until: UNTIL }, 'greedy') })]), accepted: true, reason: 'notNext: Flink runs it' },
  { construct: 'a required greedy loop with until after -> not', pattern: pattern([a(), b('n', { negated: true }), c_('z', { quantifier: q('+', { until: UNTIL }, 'greedy') })], { within: 10 }), accepted: true, reason: 'not optional: Flink runs it' },
];
// The item 4 rows need an event that reaches the group.
const TABLE_EVENTS = 'a@1 b@2 c@3 a@4';

const BUG_1 = named_('bug 1: a loop followed by a trailing absence', pattern([el('e1', 'b', { quantifier: q('+') }), el('e2', 'a', { negated: true })], { within: 8 }), 'b@2 c@5');
const REPEATS_GROUP = named_('item 2: a quantified group', pattern([group([el('e0', 'a')], { quantifier: q('{n,m}', 1, 2) }), el('e1', 'c')]), 'a@1 b@2 c@3');
const REPEATS_OURS = named_(
  'item 2: an optional quantified group under skip to first',
  pattern([el('e0', 'b'), group([el('e1', null, { quantifier: q('?') })], { quantifier: q('{n,m}', 1, 2) }), el('e2', null, { quantifier: q('?') })], { skip: { kind: 'skipToFirst', alias: 'e0' } }),
  'b@1 a@2 c@3 a@4',
);
const TIE = named_('item 5: a tie under skip to next', pattern([el('e0', null, { quantifier: q('+') }), el('e1', 'c', { negated: true })], { within: 5, skip: { kind: 'skipToNext' } }), 'b@0 a@1 d@4');
const DEADLINES_CASE = named_('deadlines one watermark passes', pattern([el('e0', 'a', { quantifier: q('{n}', 2) }), el('e1', 'c', { negated: true })], { within: 12, timeout: true, skip: { kind: 'skipPastLastEvent' } }), 'a@0 a@4 a@6 a@8');
const TIMEOUT = named_('on timeout emit against timed-out partial matches, two keys', pattern([el('e0', 'a'), el('e1', 'b', { quantifier: q('{n}', 2) })], { within: 5, timeout: true, skip: { kind: 'skipPastLastEvent' } }), 'a@1 a@2/k2 b@3 b@4/k2 b@5/k2 b@9');
// An event of a type no element names still moves these partial matches (the rule's type filter, `relevantTypes`, must let it through).
const GREEDY_TWIN = named_('filter: greedy, then an optional element', pattern([el('e0', 'a', { quantifier: q('{n,m}', 1, 2, 'greedy') }), el('e1', 'a', { quantifier: q('{n,m}', 0, 3) })], { within: 10 }), 'a@6 b@9 a@12');
const LOOP_TWO_NOTS = named_('filter: a loop, then two trailing absences', pattern([el('e0', 'b', { quantifier: q('{n,}', 1) }), el('e1', 'a', { negated: true }), el('e2', 'b', { negated: true })], { within: 3 }), 'b@1 d@1');
const tableCases = TABLE.map((row) => named_(`table: ${row.construct}`, row.pattern, TABLE_EVENTS));

const random = generateCases(SEED, RANDOM);
let flink: Map<number, SideResult>;
const ours = new Map<number, SideResult>();

beforeAll(async () => {
  const all = [...random, ...named.values()];
  const results = await runFlink(all);
  flink = new Map(all.map((c, i) => [c.id, results[i]]));
  for (const c of all) ours.set(c.id, await runOurs(c));
}, 120_000);

const outcome = (c: Case): Outcome => compareCase(c, ours.get(c.id)!, flink.get(c.id)!);
const matches = (r: SideResult | undefined): string[] => (r?.status === 'ok' ? r.matches.map((m) => `${m.kind} ${JSON.stringify(m.events)}`) : [`${r?.status}`]);

describe(`${RANDOM} random cases (seed ${SEED})`, () => {
  it('agree with Flink, or differ only as DSL.md section 8 lists', () => {
    const outcomes = random.map(outcome);
    const unexpected = outcomes.filter((o) => o.kind !== undefined && expectedDifference(o) === null);
    expect(unexpected.map((o) => `case ${o.c.id}: ${o.verdict}: ${o.kind}: ${o.detail}\n${describeCase(o.c)}`)).toEqual([]);
    // The cases exercise both sides: most are accepted by both and agree.
    expect(outcomes.filter((o) => o.verdict === 'agree').length).toBeGreaterThan(RANDOM / 2);
  });

  it('give the same matches with the rule\'s type filter as when every event reaches every key (Flink)', async () => {
    const changed: number[] = [];
    for (const c of [...random, ...named.values()]) if (await typeFilterChanges(c, ours.get(c.id)!)) changed.push(c.id);
    expect(changed).toEqual([]);
  });
});

describe('what issue 13 found, one case each', () => {
  it('bug 1: b+ -> not a within 8ms over b@2, c@5 gives {e1:[b]} at the deadline on both sides', () => {
    expect(outcome(BUG_1).verdict).toBe('agree');
    expect(matches(ours.get(BUG_1.id))).toEqual(['match {"e1":[0]}']);
  });

  it('item 2: (a){1,2} -> c over a b c: Flink emits the same match twice, we once (DSL.md section 8)', () => {
    expect(matches(flink.get(REPEATS_GROUP.id))).toEqual(['match {"e0":[0],"e1":[2]}', 'match {"e0":[0],"e1":[2]}']);
    expect(matches(ours.get(REPEATS_GROUP.id))).toEqual(['match {"e0":[0],"e1":[2]}']);
    expect(expectedDifference(outcome(REPEATS_GROUP))).toBe('the same match once');
  });

  it('item 2: b -> (any?){1,2} -> any? under skip to first: each match once on our side, several times on Flink\'s', () => {
    const list = matches(ours.get(REPEATS_OURS.id));
    expect(list).toHaveLength(6);
    expect(new Set(list).size).toBe(list.length);
    expect(matches(flink.get(REPEATS_OURS.id))).toHaveLength(10);
    expect(outcome(REPEATS_OURS).kind).toBe('Flink repeats a match');
  });

  it('item 5: any+ -> not c within 5ms under skip to next: of the two matches that start with b and complete at the deadline, ours keeps the lexicographically earlier, Flink the other (DSL.md section 8)', () => {
    expect(matches(ours.get(TIE.id))).toEqual(['match {"e0":[0]}', 'match {"e0":[1]}']);
    expect(matches(flink.get(TIE.id))).toEqual(['match {"e0":[0,1]}', 'match {"e0":[1]}']);
    expect(outcome(TIE).kind).toBe(SKIP_TIE);
  });

  it('deadlines: a{2} -> not c within 12ms: the match completed at 18 prunes the partial match of a@8 before its deadline at 20; at the final watermark Flink times it out first (DSL.md section 8)', () => {
    expect(matches(ours.get(DEADLINES_CASE.id))).toEqual(['match {"e0":[0,1]}', 'match {"e0":[2,3]}']);
    expect(matches(flink.get(DEADLINES_CASE.id)).sort()).toEqual(['match {"e0":[0,1]}', 'match {"e0":[2,3]}', 'timeout {"e0":[3]}']);
    expect(outcome(DEADLINES_CASE).kind).toBe(DEADLINES);
  });

  it('on timeout emit: timed-out partial matches agree with Flink, per key', () => {
    expect(outcome(TIMEOUT).verdict).toBe('agree');
    expect(matches(ours.get(TIMEOUT.id)).filter((m) => m.startsWith('timeout')).length).toBeGreaterThan(0);
  });
});

describe('events of types the pattern does not name (the type filter): Flink feeds them to every partial match', () => {
  it('a{1,2} greedy -> a{0,3} over a b a: the b moves the partial match into the optional element\'s ignore state, which greedy does not restrict, so the second a is e1', () => {
    expect(outcome(GREEDY_TWIN).verdict).toBe('agree');
    expect(matches(ours.get(GREEDY_TWIN.id))).toEqual(['match {"e0":[0],"e1":[2]}']);
  });

  it('b{1,} -> not a -> not b within 3ms over b d: the d moves the partial match on into the absences, which complete at the deadline', () => {
    expect(outcome(LOOP_TWO_NOTS).verdict).toBe('agree');
    expect(matches(ours.get(LOOP_TWO_NOTS.id))).toEqual(['match {"e0":[0]}']);
  });
});

describe('acceptance as in Flink (items 3 and 4)', () => {
  it.each(TABLE.map((row, i) => [row.construct, row, tableCases[i]] as const))('%s', (_construct, row, c) => {
    const text = ruleText(row.pattern);
    let error: string | null = null;
    try {
      parseRules(text, 'row.cep');
    } catch (e) {
      if (!(e instanceof RuleErrors)) throw e;
      error = e.errors.map((x) => x.message).join('; ');
    }
    expect(error === null, `${row.reason}\n${text}\nours: ${error ?? 'accepted'}`).toBe(row.accepted);
    if (row.message !== undefined) expect(error).toMatch(row.message);
    const theirs = flink.get(c.id)!;
    expect(theirs.status, `${row.reason}\nFlink: ${'error' in theirs ? theirs.error : 'accepted'}`).toBe(row.flink ?? (row.accepted ? 'ok' : 'reject'));
  });
});
