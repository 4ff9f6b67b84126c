/** Shared helpers of the DSL tests: parse expecting errors, and events/bindings built from real records. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Bindings } from '../../src/nfa/rule.js';
import { parseRules, RuleErrors } from '../../src/dsl/index.js';

/** The RuleErrors thrown by parsing `source` (fails the test when nothing is thrown). */
export function errorsOf(source: string, file = 'test.cep'): RuleErrors {
  try {
    parseRules(source, file);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleErrors);
    return error as RuleErrors;
  }
  throw new Error(`expected rule errors for:\n${source}`);
}

/** The messages of the errors of `source`. */
export function messagesOf(source: string): string[] {
  return errorsOf(source).errors.map((e) => e.message);
}

/** The two example rules of DSL.md section 2, verbatim. */
export const DSL_MD_EXAMPLES = `rule card_testing severity high
  key by card_id
  pattern txn[amount < 2]{3,} as probes -> txn[amount > 500] as big
  within 10m
  emit { card: big.card_id, probes: count(probes), amount: big.amount }

rule unpaid_order
  key by order_id
  pattern order_placed as o -> not payment_approved within 24h
  emit { order: o.order_id, placed: o.ts }
`;

/** A rule around a pattern, for tests that only vary the pattern. */
export function withPattern(pattern: string, rest = ''): string {
  return `rule r key by k pattern ${pattern} ${rest}`;
}

/** Events of a recorded NDJSON file in examples/data, with type and time extracted as the runtime does. */
export function loadEvents(name: string, limit = Infinity): CepEvent[] {
  const lines = readFileSync(new URL(`../../examples/data/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, limit).map((line) => {
    const data = JSON.parse(line) as Record<string, unknown>;
    return { type: String(data.type), time: Date.parse(String(data.ts)), data };
  });
}

/** Bindings over a fixed alias → events table. */
export function bindingsOf(table: Record<string, readonly CepEvent[]>): Bindings {
  return { events: (alias) => table[alias] ?? [] };
}
