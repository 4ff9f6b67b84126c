/**
 * The function table (src/dsl/expr/functions.ts): `time()` of the event under test (DSL.md section
 * 4), and the "To add a function" recipe of src/dsl/README.md done once: a test-only function
 * registered through the table alone, then used, checked and suggested like a built-in one.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { FUNCTIONS, type FunctionSpec } from '../../src/dsl/expr/functions.js';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Condition } from '../../src/nfa/rule.js';
import { bindingsOf, errorsOf, loadEvents, withPattern } from './helpers.js';

const orders = loadEvents('olist-orders.ndjson', 6000);

/** The condition of the element aliased `p` in a rule with `pattern`. */
function conditionOf(pattern: string): Condition {
  const rule = parseRules(withPattern(pattern))[0];
  const element = rule.pattern.elements.find((e) => e.alias === 'p')!;
  if (element.atom.kind !== 'event' || element.atom.condition === undefined) throw new Error('no condition');
  return element.atom.condition;
}

/** Each order's placement and approval among the recorded events (both present). */
function placedAndPaid(): { placed: CepEvent; paid: CepEvent }[] {
  const placed = new Map(orders.filter((e) => e.type === 'order_placed').map((e) => [e.data.order_id, e]));
  return orders.filter((e) => e.type === 'payment_approved' && placed.has(e.data.order_id)).map((paid) => ({ placed: placed.get(paid.data.order_id)!, paid }));
}

describe('time() without an argument', () => {
  it('is the time of the event under test: paid more than 24 h after the order', () => {
    const late = conditionOf('order_placed as o -> payment_approved[time() - time(o) > 24h] as p');
    const pairs = placedAndPaid();
    const expected = pairs.filter(({ placed, paid }) => Date.parse(String(paid.data.ts)) - Date.parse(String(placed.data.ts)) > 86_400_000);
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(pairs.length);
    expect(pairs.filter(({ placed, paid }) => late.test(paid, bindingsOf({ o: [placed] })))).toEqual(expected);
    expect(late.reads).toEqual(['o']);
  });

  it('works in a loop\'s own condition and in until', () => {
    const c = conditionOf('x[time() >= 0]+ until [time() < 0] as p');
    expect(c.test(orders[0], bindingsOf({}))).toBe(true);
  });

  it('is a rule error in emit (no event under test), and time takes at most one argument', () => {
    expect(errorsOf(withPattern('a as o', 'emit { t: time() }')).format()).toContain(
      'test.cep:1:42: time() without an argument is the time of the event under test, and emit has none; write time(alias)',
    );
    expect(errorsOf(withPattern('a as o -> b[time(o, o) > 0]')).errors[0].message).toBe('time() takes 0 or 1 argument (time() or time(e)), not 2');
  });
});

describe('adding a function through the table (src/dsl/README.md)', () => {
  // The recipe's example: `since(o)`, the ms from an earlier event to the event under test.
  const since: FunctionSpec = {
    min: 1,
    max: 1,
    usage: 'since(alias)',
    aliasArgument: true,
    compile: ({ args, argLocs, inCondition, report }) => {
      if (!inCondition) report('since() needs an event under test: use it in a condition', argLocs[0]);
      if (args[0].shape !== 'event') report('since() takes one event alias', argLocs[0]);
      const from = args[0].run;
      return {
        run: (e, b) => {
          const earlier = from(e, b) as CepEvent | null;
          return e === null || earlier === null ? null : e.time - earlier.time;
        },
        type: 'number',
        shape: 'value',
      };
    },
  };
  FUNCTIONS.set('since', since);
  afterAll(() => FUNCTIONS.delete('since'));

  it('the README names the table and every member of the spec and of the call site the recipe uses', () => {
    const readme = readFileSync(new URL('../../src/dsl/README.md', import.meta.url), 'utf8');
    const recipe = readme.slice(readme.indexOf('To add a function'));
    expect(recipe).toContain('`FUNCTIONS` in `expr/functions.ts`');
    for (const member of Object.keys(since)) expect(recipe).toMatch(new RegExp(`\`${member}[\`(/]`));
    for (const member of ['report', 'argLocs', 'paths', 'literals', 'inCondition']) expect(recipe).toContain(`site.${member}`);
  });

  it('is compiled like a built-in: its argument names an alias, and it runs on real events', () => {
    const late = conditionOf('order_placed as o -> payment_approved[since(o) > 24h] as p');
    const builtIn = conditionOf('order_placed as o -> payment_approved[time() - time(o) > 24h] as p');
    const pairs = placedAndPaid();
    const verdicts = pairs.map(({ placed, paid }) => late.test(paid, bindingsOf({ o: [placed] })));
    expect(verdicts).toEqual(pairs.map(({ placed, paid }) => builtIn.test(paid, bindingsOf({ o: [placed] }))));
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(50);
  });

  it('is checked like a built-in: arity, its own checks, and "did you mean" for a typo', () => {
    expect(errorsOf(withPattern('a as o -> b[since(o, o) > 0]')).errors[0].message).toBe('since() takes 1 argument (since(alias)), not 2');
    expect(errorsOf(withPattern('a as o', 'emit { t: since(o) }')).errors[0].message).toBe('since() needs an event under test: use it in a condition');
    expect(errorsOf(withPattern('a as o -> b[sinse(o) > 0]')).errors[0].message).toBe("unknown function 'sinse'; did you mean 'since'?");
  });
});
