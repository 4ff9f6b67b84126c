import { describe, expect, it } from 'vitest';
import { alertJson, toAlert } from '../../src/alerts/alert.js';
import { parseRules } from '../../src/dsl/index.js';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Element, Rule } from '../../src/nfa/rule.js';

const T = Date.UTC(2024, 4, 1, 10);
const txn = (amount: number, sec: number): CepEvent => ({ type: 'txn', time: T + sec * 1000, data: { type: 'txn', card: 'c1', amount, ts: T + sec * 1000 } });
const el = (alias: string, extra: Partial<Element> = {}): Element => ({ contiguity: 'relaxed', negated: false, atom: { kind: 'event', type: 'txn' }, alias, ...extra });
const loop = { min: 3, max: Infinity, optional: false, greedy: false, contiguity: 'relaxed' } as const;

const rule: Rule = {
  name: 'card_testing',
  severity: 'high',
  keyBy: [['card']],
  pattern: {
    elements: [
      el('probes', { quantifier: loop }),
      el('g', { atom: { kind: 'group', pattern: { elements: [el('inner')] } }, quantifier: { ...loop, min: 1 } }),
      el('big'),
    ],
  },
  within: 600_000,
  skip: { kind: 'skipPastLastEvent' },
  emit: [
    { name: 'probes', source: 'count(probes)', value: (b) => b.events('probes').length },
    { name: 'amount', source: 'big.amount', value: (b) => b.events('big')[0]?.data.amount },
    { name: 'missing', source: 'nope.x', value: (b) => b.events('nope')[0]?.data.x },
    { name: 'broken', source: 'boom()', value: () => { throw new Error('boom'); } },
  ],
  onTimeout: [{ name: 'taken', source: 'count(probes)', value: (b) => b.events('probes').length }],
};

describe('toAlert', () => {
  const probes = [txn(1, 0), txn(0.5, 10), txn(1.5, 20)];
  const inner = [txn(3, 25)];
  const big = txn(900, 30);

  it('builds the DSL.md section 6 record: lists for loop aliases (and inside quantified groups), single events otherwise', () => {
    const alert = toAlert(rule, 'c1', { kind: 'match', start: T, end: T + 30_000, events: new Map([['probes', probes], ['inner', inner], ['big', [big]]]) });
    expect(alert).toEqual({
      rule: 'card_testing',
      severity: 'high',
      kind: 'match',
      key: 'c1',
      start: '2024-05-01T10:00:00.000Z',
      end: '2024-05-01T10:00:30.000Z',
      fields: { probes: 3, amount: 900, missing: null, broken: null },
      events: { probes: probes.map((e) => e.data), inner: [inner[0].data], big: big.data },
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(Object.keys(alert.events)).toEqual(['probes', 'inner', 'big']);
  });

  it('an element that takes at most one event (b?, b{1}, b{0,1}, or inside such a group) is a single event, as its alias is in expressions (DSL.md sections 3 and 6)', () => {
    const once = { min: 1, max: 1, optional: true, greedy: false, contiguity: 'relaxed' } as const;
    const single: Rule = {
      ...rule,
      pattern: { elements: [el('opt', { quantifier: once }), el('g', { atom: { kind: 'group', pattern: { elements: [el('inner')] } }, quantifier: once }), el('big')] },
      emit: [],
    };
    const alert = toAlert(single, 'c1', { kind: 'match', start: T, end: T + 30_000, events: new Map([['opt', [probes[0]]], ['inner', inner], ['big', [big]]]) });
    expect(alert.events).toEqual({ opt: probes[0].data, inner: inner[0].data, big: big.data });
    expect(JSON.parse(JSON.stringify(alert)).events).toEqual(alert.events);
  });

  it('gives the same match the same id, and another match (other events, kind or key) another one', () => {
    const match = { kind: 'match' as const, start: T, end: T + 30_000, events: new Map([['probes', probes], ['inner', inner], ['big', [big]]]) };
    const id = toAlert(rule, 'c1', match).id;
    expect(toAlert(rule, 'c1', { ...match, events: new Map(match.events) }).id).toBe(id);
    expect(toAlert(rule, 'c2', match).id).not.toBe(id);
    expect(toAlert(rule, 'c1', { ...match, kind: 'timeout' }).id).not.toBe(id);
    expect(toAlert(rule, 'c1', { ...match, events: new Map([['probes', probes], ['inner', inner], ['big', [txn(901, 30)]]]) }).id).not.toBe(id);
  });

  it('uses on timeout emit for timeouts', () => {
    const alert = toAlert(rule, ['c1', 2], { kind: 'timeout', start: T, end: T + 600_000, events: new Map([['probes', probes.slice(0, 2)]]) });
    expect(alert).toMatchObject({ kind: 'timeout', key: ['c1', 2], end: '2024-05-01T10:10:00.000Z', fields: { taken: 2 }, events: { probes: [probes[0].data, probes[1].data] } });
  });

  it('keeps an emit name or an alias __proto__ as a member (assigned, it set the object prototype: the member was missing from the alert and its id)', () => {
    const [named] = parseRules('rule p key by card pattern txn as __proto__ -> txn as y emit { __proto__: __proto__.amount, n: 1 }', 'p.cep');
    const first = txn(5, 0);
    const alert = toAlert(named, 'c1', { kind: 'match', start: T, end: T + 1000, events: new Map([['__proto__', [first]], ['y', [txn(6, 1)]]]) });
    expect(Object.keys(alert.fields)).toEqual(['__proto__', 'n']);
    expect(Object.keys(alert.events)).toEqual(['__proto__', 'y']);
    const json = JSON.parse(alertJson(alert)) as { fields: Record<string, unknown>; events: Record<string, unknown> };
    expect(Object.getOwnPropertyDescriptor(json.fields, '__proto__')?.value).toBe(5);
    expect(Object.getOwnPropertyDescriptor(json.events, '__proto__')?.value).toEqual(first.data);
    const other = toAlert(named, 'c1', { kind: 'match', start: T, end: T + 1000, events: new Map([['__proto__', [txn(7, 0)]], ['y', [txn(6, 1)]]]) });
    expect(other.id).not.toBe(alert.id);
  });
});
