import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import type { Nfa } from '../../src/nfa/nfa.js';
import { CepOperator, type OperatorMeta, type RuleChanges } from '../../src/runtime/cep-operator.js';
import { decodeRecord, encodeValue, metaKey, stateKey } from '../../src/runtime/state-records.js';
import { generateCases, ruleText, type Case } from '../flink/cases.js';

const T0 = Date.UTC(2024, 0, 1);

const rules = (text: string): Nfa[] => parseRules(text, 'test.cep').map((rule) => compile(rule));

const BEFORE = `
rule kept
  key by k
  pattern a as x -> b as y
  within 10s

rule changed
  key by k
  pattern a as x -> b as y
  within 10s

rule removed
  key by k
  pattern a as x -> c as y
  within 10s
`;

// `changed` now waits for a c; `kept` differs only in layout and a comment.
const AFTER = `
rule kept   key by k   pattern a as x -> b as y   within 10s  // same automaton

rule changed
  key by k
  pattern a as x -> c as y
  within 10s
`;

function operator(nfas: readonly Nfa[]) {
  const out: string[] = [];
  const op = new CepOperator(nfas, ['in'], { maxDelay: 0, maxKeys: 100, checkpoints: true }, {
    match: (nfa, key, match) => out.push(`${nfa.rule.name} ${match.kind} ${String(key)}`),
    fed: () => {},
  });
  // A trailing event of a type no rule reads moves the watermark past the event.
  const offer = (type: string, k: string, sec: number) => {
    op.offer('in', type, T0 + sec * 1000, { type, k }, undefined);
    op.offer('in', 'tick', T0 + sec * 1000 + 1, { type: 'tick' }, undefined);
  };
  return { op, out, offer };
}

/** The keys as the compacted state topic gives them back (tombstones delete). */
const topicKeys = (changes: readonly RuleChanges[]) => {
  const live = new Map<string, { rule: string; key: unknown; state: unknown }>();
  for (const { rule, keys } of changes) {
    for (const { key, state } of keys) {
      const id = JSON.stringify([rule, key]);
      if (state === null) live.delete(id);
      else live.set(id, { rule, key, state });
    }
  }
  return [...live.values()];
};

describe('CepOperator feeding', () => {
  it('offers an event only to the rules of its type, also past the 10,000 indexed types (types are data an attacker may vary)', () => {
    const { op, out, offer } = operator(rules('rule ab\n  key by k\n  pattern a as x -> b as y\n  within 1h\n'));
    offer('a', 'k1', 0);
    for (let i = 0; i < 10_050; i++) offer(`junk${i}`, 'k1', 1 + i / 1000);
    offer('b', 'k1', 20); // b is first seen after the index is full
    op.end();
    expect(out).toEqual(['ab match k1']);
  });
});

describe('CepOperator at the end of a finite input (DSL.md sections 5 and 8: the watermark becomes +∞, partial matches time out)', () => {
  it('times out the partial matches of a rule without within: a timeout alert with on timeout emit', () => {
    const { op, out, offer } = operator(rules('rule r\n  key by k\n  pattern a as x -> b as y\n  on timeout emit { x: x.k }\n'));
    offer('a', 'k1', 0);
    offer('a', 'k2', 1);
    offer('b', 'k2', 2);
    op.end();
    expect(out).toEqual(['r match k2', 'r timeout k1']);
    expect(op.rules[0].keys).toBe(0);
    expect(op.rules[0].partialMatches).toBe(0);
  });

  it('releases the matches a skip strategy held back for an earlier partial match of a rule without within', () => {
    // After a1 a2 b, the partial match a1 a2 (waiting for more a or a b) is earlier than the
    // completed a2 b, which waits for it; at +∞ it ends and a2 b comes out (Flink's NFA, without a
    // window, keeps the partial match for ever and never emits a2 b: DSL.md section 8, end of input).
    const { op, out, offer } = operator(rules('rule r\n  key by k\n  pattern a+ as xs -> b\n  skip to first xs\n'));
    offer('a', 'k1', 0);
    offer('a', 'k1', 1);
    offer('b', 'k1', 2);
    op.end();
    expect(out).toEqual(['r match k1', 'r match k1', 'r match k1']);
  });

  it('emits the match that skip past last held back for an earlier partial match that never completes (a rule without within)', () => {
    const out: string[] = [];
    const op = new CepOperator(rules('rule r\n  key by k\n  pattern a as x -> b[x.v == v] as y\n'), ['in'], { maxDelay: 0, maxKeys: 100 }, {
      match: (nfa, key, match) => out.push(`${match.kind} ${String(key)} ${[...match.events.values()].flat().map((e) => e.data.v).join(',')}`),
      fed: () => {},
    });
    op.offer('in', 'a', T0, { type: 'a', k: 'k1', v: 1 }, undefined);
    op.offer('in', 'a', T0 + 1, { type: 'a', k: 'k1', v: 2 }, undefined);
    op.offer('in', 'b', T0 + 2, { type: 'b', k: 'k1', v: 2 }, undefined);
    op.end();
    expect(out).toEqual(['match k1 2,2']);
  });
});

describe('CepOperator.restore', () => {
  it('restores a key only into a rule with the fingerprint the checkpoint gives it, and tombstones the others', () => {
    const before = operator(rules(BEFORE));
    before.offer('a', 'k1', 0);
    const first = before.op.checkpoint();
    expect(first.meta.rules.map(([name]) => name)).toEqual(['kept', 'changed', 'removed']);
    expect(topicKeys(first.rules).map((k) => k.rule)).toEqual(['kept', 'changed', 'removed']);

    // The process stops; it starts again with the rules changed.
    const after = operator(rules(AFTER));
    after.op.restore(first.meta, topicKeys(first.rules));
    expect(after.op.rules.map((r) => [r.nfa.rule.name, r.keys])).toEqual([['kept', 1], ['changed', 0]]);
    after.offer('b', 'k1', 1);
    after.offer('c', 'k1', 2);
    after.op.end();
    // The new `changed` would have matched a -> c had it been given the old automaton's a.
    expect(after.out).toEqual(['kept match k1']);

    const second = after.op.checkpoint();
    const tombstoned = second.rules.flatMap((r) => r.keys.filter((k) => k.state === null).map((k) => `${r.rule} ${String(k.key)}`));
    expect(tombstoned).toEqual(expect.arrayContaining(['changed k1', 'removed k1']));
    // After compaction, nothing of the old `changed` or of `removed` is left to restore.
    expect(topicKeys([...first.rules, ...second.rules]).filter((k) => k.rule !== 'kept')).toEqual([]);
  });

  it('refuses a checkpoint of another format version', () => {
    const { op } = operator(rules(BEFORE));
    const old = { version: 1, clocks: [], released: 0, buffered: [] } as unknown as OperatorMeta;
    expect(() => op.restore(old, [])).toThrow(/format version 2/);
  });
});

describe('CepOperator checkpoints over every kind of pattern', () => {
  /**
   * Runs `nfas` over the case's events (max delay 2 ms, so the reorder buffer holds some), and with
   * `restoreEvery`, after every that many events checkpoints the operator, keeps the checkpoint as
   * the state topic does (msgpack records, the latest per key, tombstones delete) and goes on in a
   * new operator restored from it: what a process that takes over the task does (exactly-once).
   */
  function runCase(c: Case, nfas: readonly Nfa[], restoreEvery: number | null): string[] {
    const out: string[] = [];
    const listener = {
      match: (nfa: Nfa, key: unknown, m: { kind: string; start: number; end: number; events: ReadonlyMap<string, readonly { data: Readonly<Record<string, unknown>> }[]> }) =>
        out.push(`${nfa.rule.name} ${m.kind} ${JSON.stringify(key)} ${m.start}-${m.end} ${[...m.events].map(([alias, list]) => `${alias}:${list.map((e) => e.data.i).join(',')}`).join(' ')}`),
      fed: () => {},
    };
    const make = (): CepOperator => new CepOperator(nfas, ['in'], { maxDelay: 2, maxKeys: 1_000_000, checkpoints: restoreEvery !== null }, listener);
    let op = make();
    // Every checkpoint's changed keys, each through its state record (`null`: a tombstone).
    const written: RuleChanges[] = [];
    const stored = (rule: string, key: unknown, state: unknown): { key: unknown; state: unknown } => {
      const record = decodeRecord(stateKey('0', rule, key), state === null ? null : encodeValue(state));
      if (record.kind !== 'key') throw new Error('not a key record');
      return { key: record.key, state: record.state };
    };
    c.events.forEach((e, n) => {
      op.offer('in', e.type, e.ts, { ...e }, undefined);
      if (restoreEvery === null || n % restoreEvery !== 0) return;
      const { meta, rules: changes } = op.checkpoint();
      const metaRecord = decodeRecord(metaKey('0'), encodeValue({ meta, offsets: {} }));
      for (const { rule, keys } of changes) written.push({ rule, keys: keys.map(({ key, state }) => stored(rule, key, state)) });
      if (metaRecord.kind !== 'meta' || metaRecord.value === null) throw new Error('not a meta record');
      op = make();
      op.restore(metaRecord.value.meta, topicKeys(written));
    });
    op.end();
    return out.sort();
  }

  it('restoring after every event, or every third, emits what one operator running straight through does (500 generated patterns, two rules sharing the keyed state)', () => {
    let withMatches = 0;
    for (const c of generateCases(3, 700)) {
      let nfas: Nfa[];
      try {
        nfas = ['r', 'r2'].map((name) => compile(parseRules(ruleText(c.pattern).replace(/^rule r\b/, `rule ${name}`), 'case.cep')[0]));
      } catch {
        continue; // a rule error (the generator writes some on purpose)
      }
      const straight = runCase(c, nfas, null);
      if (straight.length > 0) withMatches++;
      expect(runCase(c, nfas, 1), `case ${c.id}`).toEqual(straight);
      expect(runCase(c, nfas, 3), `case ${c.id}`).toEqual(straight);
    }
    expect(withMatches).toBeGreaterThan(250);
  });
});
