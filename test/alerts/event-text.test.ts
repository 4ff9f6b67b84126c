/**
 * An alert's `events` spliced from the texts its events share with other alerts
 * (`src/alerts/event-text.ts`) is `JSON.stringify` of the events object, byte for byte: when one
 * event is in many alerts, for loop aliases, for data the splice cannot take (a `toJSON` method,
 * aliases an object reorders or drops), and while the cache is paused for hitting too rarely.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { alertJson, toAlert } from '../../src/alerts/alert.js';
import { eventText } from '../../src/alerts/event-text.js';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Element, Rule } from '../../src/nfa/rule.js';

const definedId = (a: Alert): string => createHash('sha256').update(JSON.stringify([a.rule, a.kind, a.key, a.events])).digest('hex').slice(0, 32);

const event = (type: string, i: number, data: Record<string, unknown> = { type, ts: i, v: i / 7, note: `é\u2028"${i}` }): CepEvent => ({ type, time: i, data });
const el = (alias: string, extra: Partial<Element> = {}): Element => ({ contiguity: 'relaxed', negated: false, atom: { kind: 'event', type: alias }, alias, ...extra });
const loop = { min: 1, max: Infinity, optional: false, greedy: false, contiguity: 'relaxed' } as const;
const ruleOf = (elements: Element[]): Rule => ({ name: 'r', severity: 'low', keyBy: [['k']], pattern: { elements }, within: 60_000, skip: { kind: 'noSkip' }, emit: [] });

function expectDefined(alert: Alert): void {
  expect(alertJson(alert)).toBe(JSON.stringify(alert));
  expect(alert.id).toBe(definedId(alert));
}

describe('events spliced from shared event texts', () => {
  it('are JSON.stringify of the events when one event is in many alerts, loop aliases as lists', () => {
    const rule = ruleOf([el('a'), el('b', { quantifier: loop }), el('c')]);
    const a = event('a', 1);
    const bs = [event('b', 2), event('b', 3), event('b', 4)];
    for (let i = 0; i < 50; i++) {
      const alert = toAlert(rule, 'k', { kind: 'match', start: 1, end: 10 + i, events: new Map([['a', [a]], ['b', bs.slice(0, 1 + (i % 3))], ['c', [event('c', 10 + i)]]]) });
      expectDefined(alert);
    }
    expect(eventText(a.data)).toBe(JSON.stringify(a.data));
  });

  it('leave data with a toJSON method, array-index and __proto__ aliases to JSON.stringify of the whole', () => {
    const withToJson = event('a', 1, { type: 'a', toJSON: (key: string) => `as ${key}` });
    expect(eventText(withToJson.data)).toBeUndefined();
    const rule = ruleOf([el('a'), el('7'), el('__proto__'), el('b')]);
    const match = { kind: 'match' as const, start: 1, end: 4, events: new Map([['a', [withToJson]], ['7', [event('n', 2)]], ['__proto__', [event('p', 3)]], ['b', [event('b', 4)]]]) };
    const alert = toAlert(rule, 'k', match);
    expectDefined(alert);
    expect(alertJson(alert)).toContain('"a":"as a"');
    expect(alertJson(toAlert(ruleOf([el('7'), el('b')]), 'k', { ...match, events: new Map([['b', [event('b', 4)]], ['7', [event('n', 2)]]]) }))).toContain('"events":{"7":');
  });

  it('are JSON.stringify of the events while the cache is paused (each event in one alert) and after', () => {
    const rule = ruleOf([el('a'), el('b')]);
    for (let i = 0; i < 20_000; i++) {
      const alert = toAlert(rule, `k${i % 5}`, { kind: 'match', start: i, end: i + 1, events: new Map([['a', [event('a', i)]], ['b', [event('b', i + 1)]]]) });
      if (i % 997 === 0) expectDefined(alert);
    }
  });
});
