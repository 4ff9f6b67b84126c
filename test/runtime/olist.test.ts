/**
 * The Olist orders of examples/data, with rules a new user would write (issue 17): "paid more than
 * 24 h after the order" with `time()`, the time of the event under test (DSL.md section 4). Each
 * count is checked against the same question asked in a few lines of plain JavaScript over the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import { runEngine } from '../../src/runtime/engine.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { MemorySink } from './support/memory.js';

const ORDERS = 'examples/data/olist-orders.ndjson';

const LATE_PAYMENT = `rule late_payment
  key by order_id
  pattern order_placed as o -> payment_approved[time() - time(o) > 24h] as paid
  emit { order: o.order_id, hours: (time(paid) - time(o)) / 1h }
`;

/** Orders whose payment was approved more than 24 h after they were placed, by plain JavaScript. */
function latePaymentsByHand(): Set<string> {
  const events = readFileSync(ORDERS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; ts: string; order_id: string });
  const placed = new Map(events.filter((e) => e.type === 'order_placed').map((e) => [e.order_id, Date.parse(e.ts)]));
  const late = events.filter((e) => e.type === 'payment_approved' && Date.parse(e.ts) - (placed.get(e.order_id) ?? Infinity) > 86_400_000);
  return new Set(late.map((e) => e.order_id));
}

describe('Olist orders', () => {
  it('time(): 1,729 orders paid more than 24 h after they were placed', async () => {
    const sink = new MemorySink();
    const summary = await runEngine({ rules: parseRules(LATE_PAYMENT).map((r) => compile(r)), sources: [new NdjsonSource(ORDERS)], sinks: [sink], log: () => {} });
    const byHand = latePaymentsByHand();
    expect(byHand.size).toBe(1729);
    expect(summary).toMatchObject({ events: 39_534, badRecords: 0, lateEvents: 0, alerts: 1729, conditionErrors: 0 });
    expect(new Set(sink.alerts.map((a) => a.key))).toEqual(byHand);
    expect(sink.alerts.every((a) => (a.fields as { hours: number }).hours > 24)).toBe(true);
  });
});
