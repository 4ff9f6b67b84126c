/**
 * Conditions and emit expressions compiled to closures (DSL.md section 4), run on recorded events
 * (examples/data) and compared with the same question asked in plain TypeScript.
 */
import { describe, expect, it } from 'vitest';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Condition, Rule } from '../../src/nfa/rule.js';
import { parseRules } from '../../src/dsl/index.js';
import { bindingsOf, loadEvents, withPattern } from './helpers.js';

const ssh = loadEvents('ssh-auth.ndjson');
const orders = loadEvents('olist-orders.ndjson', 4000);
const none = bindingsOf({});

/** The condition of the first element of a one-element rule `t[cond]`. */
function condition(cond: string, pattern = 't[%] as it'): Condition {
  const rule = parseRules(withPattern(pattern.replace('%', cond)))[0];
  const atom = rule.pattern.elements[0].atom;
  if (atom.kind !== 'event' || atom.condition === undefined) throw new Error('no condition');
  return atom.condition;
}

/** The value of one emit expression over the given bindings. */
function emitted(rule: Rule, name: string, table: Record<string, readonly CepEvent[]>): unknown {
  return rule.emit.find((f) => f.name === name)!.value(bindingsOf(table));
}

const event = (data: Record<string, unknown>, time = 0): CepEvent => ({ type: 't', time, data });

describe('conditions on recorded SSH events', () => {
  it('field comparisons, string functions and in-lists agree with plain TypeScript', () => {
    const c = condition('user != null and (starts_with(lower(user), "a") or user in ["root", "test"])');
    const expected = ssh.filter((e) => typeof e.data.user === 'string' && (e.data.user.toLowerCase().startsWith('a') || ['root', 'test'].includes(e.data.user)));
    expect(expected.length).toBeGreaterThan(10);
    expect(ssh.filter((e) => c.test(e, none))).toEqual(expected);
  });

  it('matches() with a literal regex and not in', () => {
    const c = condition('matches(ip, "^(173|5)\\\\.") and type not in ["other", "disconnect"]');
    const expected = ssh.filter((e) => typeof e.data.ip === 'string' && /^(173|5)\./u.test(e.data.ip) && !['other', 'disconnect'].includes(String(e.data.type)));
    expect(expected.length).toBeGreaterThan(0);
    expect(ssh.filter((e) => c.test(e, none))).toEqual(expected);
  });

  it('a missing field is null: == null holds, other comparisons are false', () => {
    const missing = condition('port == null');
    const greater = condition('port > 0');
    const notGreater = condition('not (port > 0)');
    for (const e of ssh) {
      const port = e.data.port;
      expect(missing.test(e, none)).toBe(port === undefined || port === null);
      expect(greater.test(e, none)).toBe(typeof port === 'number' && port > 0);
      expect(notGreater.test(e, none)).toBe(!(typeof port === 'number' && port > 0));
    }
  });

  it('time(e), durations in ms and x[-1] over a loop alias', () => {
    const failures = ssh.filter((e) => e.type === 'auth_failure').slice(0, 5);
    const c = condition('time(last(s)) - time(first(s)) <= 10m and s[-1].user == s[0].user', 't[%]+ as s');
    const span = failures[failures.length - 1].time - failures[0].time;
    const sameUser = failures[failures.length - 1].data.user === failures[0].data.user;
    expect(c.test(failures[0], bindingsOf({ s: failures }))).toBe(span <= 600_000 && sameUser);
    expect(c.reads).toEqual(['s']);
  });
});

describe('aggregates and emit over recorded orders', () => {
  const placed = orders.filter((e) => e.type === 'order_placed' && typeof e.data.total === 'number').slice(0, 7);
  const rule = parseRules(withPattern('order_placed{2,} as os -> payment_approved as p', `emit {
    n: count(os), total: sum(os.total), mean: avg(os.total), lo: min(os.total), hi: max(os.total),
    firstId: first(os).order_id, lastOrder: last(os), all: os, pay: p, ids: os.order_id, late: time(p) - time(os[-1]),
    ratio: p.value / 0, missing: p.nope + 1, both: [p, os[0]]
  }`))[0];

  it('aggregates agree with plain TypeScript', () => {
    expect(placed.length).toBe(7);
    const totals = placed.map((e) => e.data.total as number);
    const table = { os: placed };
    expect(emitted(rule, 'n', table)).toBe(7);
    expect(emitted(rule, 'total', table)).toBeCloseTo(totals.reduce((a, b) => a + b, 0), 6);
    expect(emitted(rule, 'mean', table)).toBeCloseTo(totals.reduce((a, b) => a + b, 0) / totals.length, 6);
    expect(emitted(rule, 'lo', table)).toBe(Math.min(...totals));
    expect(emitted(rule, 'hi', table)).toBe(Math.max(...totals));
    expect(emitted(rule, 'firstId', table)).toBe(placed[0].data.order_id);
    expect(emitted(rule, 'ids', table)).toEqual(placed.map((e) => e.data.order_id));
  });

  it('events are written as their data, lists likewise', () => {
    const pay = orders.find((e) => e.type === 'payment_approved')!;
    const table = { os: placed, p: [pay] };
    expect(emitted(rule, 'lastOrder', table)).toBe(placed[6].data);
    expect(emitted(rule, 'all', table)).toEqual(placed.map((e) => e.data));
    expect(emitted(rule, 'pay', table)).toBe(pay.data);
    expect(emitted(rule, 'both', table)).toEqual([pay.data, placed[0].data]);
    expect(emitted(rule, 'late', table)).toBe(pay.time - placed[6].time);
  });

  it('aggregates over no events: count and sum 0, the others null; division by zero and null arithmetic give null', () => {
    const table = { os: [], p: [] };
    expect(['n', 'total', 'mean', 'lo', 'hi', 'firstId', 'lastOrder'].map((n) => emitted(rule, n, table))).toEqual([0, 0, null, null, null, null, null]);
    expect(emitted(rule, 'all', table)).toEqual([]);
    expect(emitted(rule, 'pay', table)).toBeNull();
    const pay = orders.find((e) => e.type === 'payment_approved' && typeof e.data.value === 'number')!;
    expect(emitted(rule, 'ratio', { p: [pay] })).toBeNull();
    expect(emitted(rule, 'missing', { p: [pay] })).toBeNull();
  });
});

describe('the alias of a looping group (DSL.md section 3: an alias of a looping element stands for the list of its events)', () => {
  const rule = parseRules(withPattern('(a as x -> b as y)+ as g -> c', 'emit { n: count(g), all: g, last: last(g).v, s: sum(g.v) }'))[0];
  const ev = (v: number): CepEvent => ({ type: v % 2 === 1 ? 'a' : 'b', time: v * 1000, data: { v } });

  it('is the events its elements took, in event order', () => {
    const table = { x: [ev(1), ev(3)], y: [ev(2), ev(4)] };
    expect(emitted(rule, 'n', table)).toBe(4);
    expect(emitted(rule, 'all', table)).toEqual([1, 2, 3, 4].map((v) => ({ v })));
    expect(emitted(rule, 'last', table)).toBe(4);
    expect(emitted(rule, 's', table)).toBe(10);
  });
});

describe('operators and null rules', () => {
  it.each([
    ['7 % 3 == 1', {}, true],
    ['1 + 2 * 3 == 7', {}, true],
    ['-x == -4', { x: 4 }, true],
    ['x / 0 == null', { x: 4 }, true],
    ['x % 0 == null', { x: 4 }, true],
    ['x + 1 == null', {}, true],
    ['x + 1 > 0', {}, false],
    ['x < 1 or x >= 1', { x: 'a' }, false],
    ['s < "b"', { s: 'a' }, true],
    ['s + "!" == "a!"', { s: 'a' }, true],
    ['"1" == 1', {}, false],
    ['[1, 2] == [1, 2]', {}, true],
    ['n.deep.er == 3', { n: { deep: { er: 3 } } }, true],
    ['n.deep.er == null', { n: 5 }, true],
    ['xs[1] == 20 and xs[-1] == 30 and xs[5] == null', { xs: [10, 20, 30] }, true],
    ['xs.v == [1, 2]', { xs: [{ v: 1 }, { v: 2 }] }, true],
    ['"ell" in s and "z" not in s', { s: 'hello' }, true],
    ['x not in null', { x: 1 }, false],
    ['x in [1, null]', {}, true],
    ['len(s) == 5 and len(xs) == 3 and upper(s) == "HELLO"', { s: 'hello', xs: [1, 2, 3] }, true],
    ['abs(x) == 2.5 and round(x) == -2 and round(1.2345, 2) == 1.23', { x: -2.5 }, true],
    ['contains(s, "ll") and contains(xs, 2) and ends_with(s, "lo")', { s: 'hello', xs: [1, 2] }, true],
    ['exists(a.b) and not exists(a.c)', { a: { b: 0 } }, true],
    ['flag', { flag: 'yes' }, false],
    ['not flag', { flag: null }, false],
    ['`next` == 1 and `and`.x == 2', { next: 1, and: { x: 2 } }, true],
    ['1h30m == 5400000 and 1.5s == 1500 and 250ms < 1s', {}, true],
    ['constructor == null and __proto__ == null', {}, true],
  ])('%s on %j is %s', (source, data, expected) => {
    expect(condition(source).test(event(data), none)).toBe(expected);
  });

  it('never throws on odd data', () => {
    const c = condition('a.b.c[0] > 1 or len(a) > 0 or matches(a, "x") or a / b > 1 or time(first(s)) > 0 or sum(s.v) > 0', 't[%]* as s');
    const odd = [null, 0, 'x', [], [null], { b: null }, { b: [1] }, { b: { c: 'str' } }, true];
    for (const a of odd) {
      for (const b of odd) expect(() => c.test(event({ a, b }), bindingsOf({ s: [event({ v: a }), event({})] }))).not.toThrow();
    }
  });

  it('a backticked name is a field even when an alias has that name', () => {
    const rule = parseRules(withPattern('a as x -> b[`x` == x.v]'))[0];
    const atom = rule.pattern.elements[1].atom;
    if (atom.kind !== 'event') throw new Error('not an event');
    const x = event({ v: 3 });
    expect(atom.condition!.test(event({ x: 3 }), bindingsOf({ x: [x] }))).toBe(true);
    expect(atom.condition!.test(event({ x: 4 }), bindingsOf({ x: [x] }))).toBe(false);
    expect(atom.condition!.reads).toEqual(['x']);
  });

  it('a bare name is a field even when a type of the pattern has that name; before a dot it is the alias', () => {
    const rule = parseRules(withPattern('user -> login[user == user.name]'))[0];
    const atom = rule.pattern.elements[1].atom;
    if (atom.kind !== 'event') throw new Error('not an event');
    const user = { type: 'user', time: 0, data: { name: 'root' } };
    expect(atom.condition!.test(event({ user: 'root' }), bindingsOf({ user: [user] }))).toBe(true);
    expect(atom.condition!.test(event({ user: 'toor' }), bindingsOf({ user: [user] }))).toBe(false);
    const loopRule = parseRules(withPattern('user+ -> login[user == last(user).name and count(user) == 2]'))[0];
    const loopAtom = loopRule.pattern.elements[1].atom;
    if (loopAtom.kind !== 'event') throw new Error('not an event');
    expect(loopAtom.condition!.test(event({ user: 'root' }), bindingsOf({ user: [user, user] }))).toBe(true);
    expect(loopAtom.condition!.test(event({ user: 'admin' }), bindingsOf({ user: [user, user] }))).toBe(false);
  });
});
