import { describe, expect, it } from 'vitest';
import { diffAlerts, formatDiff } from '../../src/runtime/alert-diff.js';

const a = (key: string, n: number, extra: Record<string, unknown> = {}) => ({ rule: 'r', severity: 'high', kind: 'match', key, start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:00:05.000Z', fields: { n, who: key }, events: { x: { id: n } }, ...extra });

describe('diffAlerts', () => {
  it('is equal as a multiset, whatever the order of alerts and members; severity is not compared', () => {
    const expected = [a('k1', 1), a('k2', 2), a('k2', 2)];
    const actual = [{ ...a('k2', 2), severity: 'low' }, { ...Object.fromEntries(Object.entries(a('k1', 1)).reverse()), fields: { who: 'k1', n: 1 } }, a('k2', 2)];
    const diff = diffAlerts(actual, expected);
    expect(diff.equal).toBe(true);
    expect(formatDiff(diff)).toBe('ok: 3 alerts as expected');
  });

  it('compares start and end as instants', () => {
    expect(diffAlerts([a('k', 1)], [a('k', 1, { start: '2024-01-01T00:00:00Z' })]).equal).toBe(true);
    expect(diffAlerts([a('k', 1)], [a('k', 1, { start: '2024-01-01T00:00:01Z' })]).equal).toBe(false);
  });

  it('compares a member named __proto__ like any other (the copy sorted for comparison set its prototype instead)', () => {
    const withProto = JSON.parse('{"type":"a","__proto__":{"evil":1}}') as Record<string, unknown>;
    const diff = diffAlerts([a('k', 1, { events: { x: withProto } })], [a('k', 1, { events: { x: { type: 'a' } } })]);
    expect(diff.equal).toBe(false);
    expect(diff.near[0].differences).toEqual(['events.x.__proto__: expected (absent), got {"evil":1}']);
    expect(diffAlerts([a('k', 1, { events: { x: withProto } })], [a('k', 1, { events: { x: JSON.parse('{"__proto__":{"evil":1},"type":"a"}') } })]).equal).toBe(true);
  });

  it('shows an expected alert whose members are not strings, even an object with its own toString', () => {
    const odd = JSON.parse('{"rule":{"toString":1},"kind":["match"],"key":"k","start":5}') as Record<string, unknown>;
    const text = formatDiff(diffAlerts([], [odd]));
    expect(text).toContain('  - {"toString":1} ["match"] key="k" 5 .. undefined');
  });

  it('counts duplicates: one alert twice is not the same as once', () => {
    const diff = diffAlerts([a('k', 1), a('k', 1)], [a('k', 1)]);
    expect(diff.equal).toBe(false);
    expect(diff.unexpected).toHaveLength(1);
  });

  it('lists missing and unexpected alerts and shows near pairs field by field', () => {
    const diff = diffAlerts([a('k1', 1), a('k2', 3), a('k4', 4)], [a('k1', 1), a('k2', 2), a('k3', 3)]);
    expect(diff.matched).toBe(1);
    expect(diff.near).toHaveLength(1);
    expect(diff.near[0].differences).toEqual(['events.x.id: expected 2, got 3', 'fields.n: expected 2, got 3']);
    expect(diff.missing).toEqual([a('k3', 3)]);
    expect(diff.unexpected).toEqual([a('k4', 4)]);
    const text = formatDiff(diff);
    expect(text).toContain('FAIL: 1 alert as expected, 1 missing, 1 unexpected, 1 different');
    expect(text).toContain('  - r match key="k3"');
    expect(text).toContain('  + r match key="k4"');
    expect(text).toContain('fields.n: expected 2, got 3');
  });
});
