import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import type { Nfa } from '../../src/nfa/nfa.js';
import { CepOperator } from '../../src/runtime/cep-operator.js';
import { mapKeyOf } from '../../src/runtime/keyed-state.js';
import { prng } from '../support/prng.js';

const T0 = Date.UTC(2024, 0, 1);

/** Rules `ab` and `ac` share `key by k`; `ab_user` has its own `key by user`; `ab` and `ac` time out with an alert. */
const RULES = `
rule ab
  key by k
  pattern a as x -> b as y
  within 10s
  on timeout emit { k: x.k }

rule ac
  key by k
  pattern a as x -> c as y
  within 10s
  on timeout emit { k: x.k }

rule ab_user
  key by user
  pattern a as x -> b as y
  within 10s
`;

function nfas(): Nfa[] {
  return parseRules(RULES, 'test.cep').map((rule) => compile(rule));
}

/** An operator over one input, and the matches it gave as `rule kind key`, in order. */
function operator(rules: readonly Nfa[], maxKeys = 100, checkpoints = false) {
  const out: string[] = [];
  const op = new CepOperator(rules, ['in'], { maxDelay: 0, maxKeys, checkpoints }, {
    match: (nfa, key, match) => out.push(`${nfa.rule.name} ${match.kind} ${String(key)}`),
    fed: () => {},
  });
  // Each event is followed by one of a type no rule reads, 1 ms later: the watermark (max − 1 ms) then passes the event.
  const offer = (type: string, k: string, sec: number, user = 'u') => {
    op.offer('in', type, T0 + sec * 1000, { type, k, user, ts: T0 + sec * 1000 }, undefined);
    op.offer('in', 'tick', T0 + sec * 1000 + 1, { type: 'tick', ts: T0 + sec * 1000 + 1 }, undefined);
  };
  return { op, out, offer };
}

const counts = (op: CepOperator) => Object.fromEntries(op.rules.map((r) => [r.nfa.rule.name, { keys: r.keys, partial: r.partialMatches, evicted: r.evictedWithPending }]));

describe('keyed state shared per key by', () => {
  it('keeps each rule of a key by its own state in the shared entry, and fires each rule its own deadline', () => {
    const { op, out, offer } = operator(nfas());
    offer('a', 'k1', 0);
    offer('a', 'k1', 3); // a second partial match for each rule of k1
    offer('b', 'k1', 4); // ab completes; ac keeps waiting
    expect(counts(op)).toEqual({ ab: { keys: 0, partial: 0, evicted: 0 }, ac: { keys: 1, partial: 2, evicted: 0 }, ab_user: { keys: 0, partial: 0, evicted: 0 } });
    offer('c', 'k1', 11); // watermark 11 s - 1 ms: ac's first a (deadline 10 s) times out before c
    op.end();
    expect(out).toEqual(['ab match k1', 'ab_user match u', 'ac timeout k1', 'ac match k1']);
    expect(counts(op).ac).toEqual({ keys: 0, partial: 0, evicted: 0 });
  });

  it('evicts at maxKeys per key by: every rule of the evicted key loses its state (counted per rule), other key bys are not affected', () => {
    const { op, out, offer } = operator(nfas(), 1);
    offer('a', 'k1', 0, 'u1');
    offer('a', 'k2', 1, 'u1'); // k1 evicted for ab and ac; u1 stays (one key under key by user)
    expect(counts(op)).toEqual({ ab: { keys: 1, partial: 1, evicted: 1 }, ac: { keys: 1, partial: 1, evicted: 1 }, ab_user: { keys: 1, partial: 2, evicted: 0 } });
    offer('b', 'k1', 2, 'u1'); // k1 holds nothing any more: no match for ab; ab_user matches
    offer('c', 'k2', 3, 'u2');
    op.end(); // no timeout for the evicted k1; k2's ab times out
    expect(out).toEqual(['ab_user match u1', 'ac match k2', 'ab timeout k2']);
  });

  it('evicts the least recently used key, its order kept from before the first eviction on', () => {
    const ab = nfas().filter((n) => n.rule.name === 'ab');
    const { op, out, offer } = operator(ab, 3);
    offer('a', 'k1', 0);
    offer('a', 'k2', 1);
    offer('a', 'k3', 2);
    offer('a', 'k1', 3); // k1 used again: k2 is now the least recently used
    offer('a', 'k4', 4); // evicts k2
    offer('a', 'k3', 5); // k3 used again: k1 is now the least recently used
    offer('a', 'k5', 6); // evicts k1 (two partial matches)
    for (const [i, k] of ['k1', 'k2', 'k3', 'k4', 'k5'].entries()) offer('b', k, 7 + i);
    expect(out).toEqual(['ab match k3', 'ab match k4', 'ab match k5']);
    expect(op.rules[0].evictedWithPending).toBe(2);
    expect(op.rules[0].evictedPartialMatches).toBe(3);
  });

  it('replaceRules keeps a kept rule state, drops a removed rule state from every key, starts a new rule empty', () => {
    const [ab, ac] = nfas();
    const { op, out, offer } = operator([ab, ac]);
    offer('a', 'k1', 0);
    const [newAc] = nfas().filter((n) => n.rule.name === 'ac');
    const dropped = op.replaceRules([ab, newAc]);
    expect(dropped.map((r) => r.nfa)).toEqual([ac]);
    expect(counts(op)).toEqual({ ab: { keys: 1, partial: 1, evicted: 0 }, ac: { keys: 0, partial: 0, evicted: 0 } });
    offer('b', 'k1', 1);
    offer('c', 'k1', 2); // the new ac has no a for k1
    op.end();
    expect(out).toEqual(['ab match k1']);
  });

  it('a checkpoint of two rules sharing a key restores both rules states', () => {
    const { op, offer } = operator(nfas(), 100, true);
    offer('a', 'k1', 0);
    offer('a', 'k2', 1);
    offer('b', 'k2', 2);
    const { meta, rules } = op.checkpoint();
    expect(rules.map((r) => [r.rule, r.keys.map((k) => [k.key, k.state === null])])).toEqual([
      ['ab', [['k1', false], ['k2', true]]],
      ['ac', [['k1', false], ['k2', false]]],
      ['ab_user', [['u', true]]],
    ]);
    const restored = operator(nfas(), 100, true);
    // As the state topic gives them back after compaction: a tombstone deletes its key.
    restored.op.restore(meta, rules.flatMap((r) => r.keys.filter((k) => k.state !== null).map((k) => ({ rule: r.rule, key: k.key, state: k.state }))));
    expect(counts(restored.op)).toEqual(counts(op));
    restored.offer('b', 'k1', 3);
    restored.offer('c', 'k1', 4);
    restored.op.end();
    expect(restored.out).toEqual(['ab match k1', 'ac match k1', 'ac timeout k2']);
  });

  it('a restored state whose events have another key is refused', () => {
    const { op, offer } = operator(nfas(), 100, true);
    offer('a', 'k1', 0);
    const { meta, rules } = op.checkpoint();
    const ab = rules.find((r) => r.rule === 'ab')!.keys[0];
    const restored = operator(nfas(), 100, true);
    expect(() => restored.op.restore(meta, [{ rule: 'ab', key: 'k2', state: ab.state }])).toThrow(/key "k2" holds events of key "k1"/);
  });

  it('a composite key is read back from the held events when a deadline fires and when a key is evicted', () => {
    const [rule] = parseRules('rule abk\n  key by k, user\n  pattern a as x -> b as y\n  within 10s\n  on timeout emit { k: x.k }\n', 'test.cep');
    const { op, out, offer } = operator([compile(rule)], 2);
    offer('a', 'k1', 0);
    offer('a', 'k2', 1);
    offer('a', 'k3', 2); // past maxKeys 2: k1, the least recently used, is evicted
    offer('b', 'k2', 3);
    op.end();
    expect(out).toEqual(['abk match k2,u', 'abk timeout k3,u']);
    expect(counts(op)).toEqual({ abk: { keys: 0, partial: 0, evicted: 1 } });
  });

  it('a key over 4,096 characters, or starting with U+0000, is a Map key by its SHA-256 (V8 hashes a string over 16,383 characters by its length: 4,000 such keys took 90 s instead of 0.6 s)', () => {
    const long = (i: number) => `${'x'.repeat(16_994)}${String(i).padStart(6, '0')}`;
    expect(mapKeyOf(long(1))).toBe(`\u0000${createHash('sha256').update(long(1)).digest('hex')}`);
    expect(mapKeyOf(['u', long(1)])).toBe(`\u0000${createHash('sha256').update(JSON.stringify(['u', long(1)])).digest('hex')}`);
    expect(mapKeyOf('x'.repeat(4096))).toBe('x'.repeat(4096));
    expect(mapKeyOf(true)).toBe(true);
    // No key can pose as the hash of another: a key starting with U+0000 is hashed too.
    expect(mapKeyOf(mapKeyOf(long(1)))).not.toBe(mapKeyOf(long(1)));
    // Long keys keep apart, and are read back whole when their deadline fires.
    const { op, out, offer } = operator(nfas());
    for (let i = 0; i < 3; i++) offer('a', long(i), i);
    offer('b', long(1), 4);
    op.end();
    const short = (line: string) => line.replace(/x{16994}/, 'x…');
    expect(out.map(short)).toEqual(['ab match x…000001', 'ab_user match u', 'ab timeout x…000000', 'ac timeout x…000000', 'ac timeout x…000001', 'ab timeout x…000002', 'ac timeout x…000002']);
  });

  it('a number key is a Map key by its text after U+0000 (V8 hashes numbers without a seed: 32,768 keys chosen to share a bucket took 4.1 s instead of 0.11 s)', () => {
    expect(mapKeyOf(7)).toBe('\u00007');
    expect(mapKeyOf(-0)).toBe(mapKeyOf(0));
    expect(mapKeyOf(1.5e300)).toBe('\u00001.5e+300');
    // Apart from the string of the same text, and from a string posing as the number's Map key.
    expect(new Set([mapKeyOf(7), mapKeyOf('7'), mapKeyOf('\u00007')]).size).toBe(3);
    // Number keys keep apart and come back as numbers.
    const [rule] = parseRules('rule n key by k pattern a as x -> b as y within 10s on timeout emit { k: x.k }', 'n.cep');
    const out: string[] = [];
    const op = new CepOperator([compile(rule)], ['in'], { maxDelay: 0, maxKeys: 100 }, {
      match: (nfa, key, match) => out.push(`${match.kind} ${JSON.stringify(key)}`),
      fed: () => {},
    });
    for (const [type, k, t] of [['a', 7, 0], ['a', '7', 1], ['b', 7, 2]] as const) op.offer('in', type, T0 + t, { type, k, ts: T0 + t }, undefined);
    op.end();
    expect(out).toEqual(['match 7', 'timeout "7"']);
  });

  /** Runs `rules` in one operator over `events` (`[type, key, time]`); the matches as `rule kind key start end`, in order. */
  const runAll = (rules: Nfa[], events: [string, string, number][]) => {
    const out: string[] = [];
    const op = new CepOperator(rules, ['in'], { maxDelay: 0, maxKeys: 100 }, {
      match: (nfa, key, match) => out.push(`${nfa.rule.name} ${match.kind} ${String(key)} ${match.start} ${match.end}`),
      fed: () => {},
    });
    for (const [type, k, t] of events) op.offer('in', type, t, { type, k, ts: t }, undefined);
    op.end();
    return out;
  };

  /** A random stream of `count` events over `types` and 8 keys. */
  const stream = (seed: number, count: number, types: readonly string[]) => {
    const random = prng(seed);
    const events: [string, string, number][] = [];
    let time = T0;
    for (let i = 0; i < count; i++) {
      time += Math.floor(random() * 400);
      events.push([types[Math.floor(random() * types.length)], `k${Math.floor(random() * 8)}`, time]);
    }
    return events;
  };

  it('gives each rule sharing a key by the matches it gives alone, while keys change hands between rules (vacant entries taken over, further states)', () => {
    const text = `
rule ab
  key by k
  pattern a as x -> b as y
  within 5s
  on timeout emit { k: x.k }

rule ac
  key by k
  pattern a as x -> c as y
  within 3s
  on timeout emit { k: x.k }

rule bc
  key by k
  pattern b as x -> c as y
  within 4s
`;
    const compiled = () => parseRules(text, 'test.cep').map((rule) => compile(rule));
    const events = stream(5, 3_000, ['a', 'b', 'c']);
    const together = runAll(compiled(), events);
    for (const nfa of compiled()) {
      const alone = runAll([nfa], events);
      expect(alone.length).toBeGreaterThan(50);
      expect(together.filter((line) => line.startsWith(`${nfa.rule.name} `))).toEqual(alone);
    }
  });

  it('gives each of 11 rules that start on the same event type the matches it gives alone (a key holding all of them at once)', () => {
    const text = Array.from({ length: 11 }, (_, i) => `rule r${i}\n  key by k\n  pattern a as x -> ${'bcd'[i % 3]} as y\n  within ${i + 2}s\n  on timeout emit { k: x.k }\n`).join('\n');
    const compiled = () => parseRules(text, 'test.cep').map((rule) => compile(rule));
    const events = stream(9, 2_000, ['a', 'b', 'c', 'd']);
    const together = runAll(compiled(), events);
    for (const nfa of compiled()) {
      const alone = runAll([nfa], events);
      expect(alone.length).toBeGreaterThan(50);
      expect(together.filter((line) => line.startsWith(`${nfa.rule.name} `))).toEqual(alone);
    }
  });
});
