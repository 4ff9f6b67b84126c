/**
 * The programmatic builder gives the same plain rule as the DSL text, runs the same checks, and
 * puts function conditions and emit values in place.
 */
import { describe, expect, it } from 'vitest';
import { begin, parseRules, rule, RuleErrors } from '../../src/dsl/index.js';
import type { Rule } from '../../src/nfa/rule.js';
import { bindingsOf, loadEvents } from './helpers.js';

/** The rule's data without closures (JSON drops functions), for structural comparison. */
const shape = (r: Rule): unknown => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v)));

describe('builder', () => {
  it('builds the DSL.md card_testing rule exactly as the text does', () => {
    const built = rule('card_testing').severity('high').keyBy('card_id')
      .pattern(begin('txn', { where: 'amount < 2', times: [3, Infinity], as: 'probes' }).followedBy('txn', { where: 'amount > 500', as: 'big' }))
      .within('10m')
      .emit({ card: 'big.card_id', probes: 'count(probes)', amount: 'big.amount' })
      .build();
    const [parsed] = parseRules(`rule card_testing severity high
  key by card_id
  pattern txn[amount < 2]{3,} as probes -> txn[amount > 500] as big
  within 10m
  emit { card: big.card_id, probes: count(probes), amount: big.amount }`);
    expect(shape(built)).toEqual(shape(parsed));
  });

  it('covers every element form: groups, any, negation, modifiers, skip, timeout emit', () => {
    const built = rule('all').keyBy('a.b', 'c')
      .pattern(begin(begin('x').next('y'), { times: [1, 3], as: 'g' })
        .followedByAny(null, { where: 'v > 1', times: [2, Infinity], consecutive: true, until: 'v > 9', as: 'loop' })
        .notNext('z')
        .followedBy('w', { optional: true })
        .followedBy('v')
        .notFollowedBy('q'))
      .within(60_000)
      .skip({ toLast: 'loop' })
      .onTimeout({ n: 'count(loop)' })
      .build();
    const [parsed] = parseRules(`rule all key by a.b, c
      pattern (x next y){1,3} as g ->> any[v > 1]{2,} consecutive until [v > 9] as loop next not z -> w optional -> v -> not q
      within 1m skip to last loop on timeout emit { n: count(loop) }`);
    expect(shape(built)).toEqual(shape(parsed));
    expect(built.keyBy).toEqual([['a', 'b'], ['c']]);
  });

  it('takes functions as conditions and emit values', () => {
    const ssh = loadEvents('ssh-auth.ndjson');
    const bigPort = Object.assign((e: { data: Readonly<Record<string, unknown>> }) => Number(e.data.port) > 50_000, { reads: [] as string[] });
    const built = rule('f').keyBy('ip')
      .pattern(begin('auth_failure', { where: bigPort, as: 'f' }).followedBy('auth_failure', { where: 'port < 1000 or port == null', as: 'g' }))
      .emit({ sum: (b) => Number(b.events('f')[0]?.data.port) + 1, ip: 'f.ip' })
      .build();
    const [first, second] = built.pattern.elements.map((e) => (e.atom.kind === 'event' ? e.atom.condition! : undefined));
    expect(first?.source).toBe('<function>');
    expect(second?.source).toBe('port < 1000 or port == null');
    const failures = ssh.filter((e) => e.type === 'auth_failure');
    expect(failures.filter((e) => first!.test(e, bindingsOf({})))).toEqual(failures.filter((e) => Number(e.data.port) > 50_000));
    const sample = failures.find((e) => Number(e.data.port) > 50_000)!;
    const values = built.emit.map((f) => f.value(bindingsOf({ f: [sample] })));
    expect(values).toEqual([Number(sample.data.port) + 1, sample.data.ip]);
  });

  it('reports rule errors as RuleErrors located in the rendered rule', () => {
    const attempt = () => rule('bad').keyBy('k').pattern(begin('a', { where: 'cuont(x) > 1' }).notFollowedBy('b')).build();
    expect(attempt).toThrow(RuleErrors);
    try {
      attempt();
    } catch (error) {
      const messages = (error as RuleErrors).errors.map((e) => e.message);
      expect(messages).toEqual([
        expect.stringMatching(/needs `within D`/),
        "unknown function 'cuont'; did you mean 'count'?",
      ]);
      expect((error as RuleErrors).errors[0].file).toBe('<builder:bad>');
    }
  });

  it('rejects API misuse at once', () => {
    expect(() => rule('x`y').keyBy('k').pattern(begin('a')).build()).toThrow(TypeError);
    expect(() => rule('x').within(Number.NaN)).toThrow(TypeError);
  });
});
