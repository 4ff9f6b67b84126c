/**
 * The operator's side of a hot reload (`CepOperator.replaceRules`): a kept rule keeps its partial
 * matches, a changed one starts empty, and with checkpoints (exactly-once) every key of a dropped
 * rule gets a tombstone in the next checkpoint, ahead of the new rule's keys of the same name, so
 * that a restore never hands the old automaton's state to the new one.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../src/dsl/index.js';
import type { Nfa } from '../../../src/nfa/nfa.js';
import { compile } from '../../../src/nfa/compiler.js';
import { CepOperator } from '../../../src/runtime/cep-operator.js';

const nfa = (text: string): Nfa => compile(parseRules(text, 'r.cep')[0]);

describe('CepOperator.replaceRules', () => {
  it('keeps the kept rule\'s partial matches, starts the changed one empty, and tombstones the dropped keys first', () => {
    const kept = nfa('rule kept key by k pattern a -> b within 1h');
    const old = nfa('rule changed key by k pattern a -> b within 1h');
    const alerts: string[] = [];
    const operator = new CepOperator([kept, old], ['in'], { maxDelay: 0, maxKeys: 100, checkpoints: true }, { match: (n, key) => alerts.push(`${n.rule.name}:${String(key)}`), fed: () => undefined });
    operator.offer('in', 'a', 1000, { k: 1 }, undefined);
    operator.offer('in', 'a', 1500, { k: 2 }, undefined);
    operator.offer('in', 'x', 2000, {}, undefined);
    expect(operator.checkpoint().rules.map((r) => [r.rule, r.keys.length])).toEqual([['kept', 2], ['changed', 2]]);

    const changed = nfa('rule changed key by k pattern a -> b within 2h');
    const dropped = operator.replaceRules([kept, changed]);
    expect(dropped.map((s) => s.nfa)).toEqual([old]);
    expect(operator.rules.map((s) => [s.nfa.rule.name, s.partialMatches])).toEqual([['kept', 2], ['changed', 0]]);

    operator.offer('in', 'a', 2500, { k: 3 }, undefined);
    operator.offer('in', 'b', 3000, { k: 1 }, undefined);
    operator.offer('in', 'x', 4000, {}, undefined);
    expect(alerts).toEqual(['kept:1']);
    const { rules } = operator.checkpoint();
    expect(rules[0]).toEqual({ rule: 'changed', keys: [{ key: 1, state: null }, { key: 2, state: null }] });
    expect(rules.slice(1).map((r) => [r.rule, r.keys.map((k) => [k.key, k.state === null])])).toEqual([
      ['kept', [[3, false], [1, true]]],
      ['changed', [[3, false]]],
    ]);
    expect(operator.checkpoint().rules.find((r) => r.keys.some((k) => k.key === 2))).toBeUndefined();
  });
});
