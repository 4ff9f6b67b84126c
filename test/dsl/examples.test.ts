/**
 * Every examples/rules/*.cep passes the checker (whatever is there when the test runs), and so do
 * the two examples of DSL.md section 2, verbatim.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { DSL_MD_EXAMPLES } from './helpers.js';

const dir = new URL('../../examples/rules/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.cep')).sort();

describe('example rules', () => {
  it.each(files.map((f) => [f]))('%s passes the checker', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const rules = parseRules(source, `examples/rules/${file}`);
    expect(rules.length).toBeGreaterThan(0);
    // One rule per `rule` keyword at the start of a line.
    expect(rules.length).toBe(source.split('\n').filter((l) => /^\s*rule\s/.test(l)).length);
  });

  it('the DSL.md section 2 examples, verbatim', () => {
    const rules = parseRules(DSL_MD_EXAMPLES, 'DSL.md');
    expect(rules[0]).toMatchObject({
      name: 'card_testing', severity: 'high', keyBy: [['card_id']], within: 600_000, skip: { kind: 'skipPastLastEvent' },
      pattern: { elements: [
        { alias: 'probes', negated: false, atom: { kind: 'event', type: 'txn' }, quantifier: { min: 3, max: Infinity, optional: false, greedy: false, contiguity: 'relaxed' } },
        { alias: 'big', negated: false, contiguity: 'relaxed', atom: { kind: 'event', type: 'txn' } },
      ] },
    });
    expect(rules[1]).toMatchObject({
      name: 'unpaid_order', severity: 'medium', keyBy: [['order_id']], within: 86_400_000,
      pattern: { elements: [{ alias: 'o', negated: false }, { alias: 'payment_approved', negated: true, contiguity: 'relaxed' }] },
    });
    expect(rules[1].emit.map((f) => f.name)).toEqual(['order', 'placed']);
    expect(rules[1].onTimeout).toBeUndefined();
  });
});
