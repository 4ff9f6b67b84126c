/**
 * The Olist orders of examples/data, as a new user would use them (issue 17): "paid more than 24 h
 * after the order" with `time()`, the time of the event under test (DSL.md section 4); the raw CSV,
 * whose times are `M/d/yyyy H:mm`, with `--time-format`, by the command examples/README.md
 * documents. Each count is checked against the same question asked in a few lines of plain
 * JavaScript over the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import { runEngine } from '../../src/runtime/engine.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { cep } from './support/cli.js';
import { MemorySink } from './support/memory.js';

const ORDERS = 'examples/data/olist-orders.ndjson';
const RAW = 'examples/data/raw/olist_orders_dataset.csv';

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

/** Runs of three cancelled orders within 7 days, by plain JavaScript: the rule's matches under `skip past last`. */
function cancelBurstsByHand(): number {
  const rows = readFileSync(RAW, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const time = (text: string): number => {
    const [m, d, y, h, min] = text.split(/[/ :]/).map(Number);
    return Date.UTC(y, m - 1, d, h, min);
  };
  const cancelled = rows.filter((r) => r[2] === 'canceled').map((r) => time(r[3])).sort((a, b) => a - b);
  let bursts = 0;
  for (let i = 0; i + 2 < cancelled.length; i++) {
    if (cancelled[i + 2] - cancelled[i] < 7 * 86_400_000) {
      bursts++;
      i += 2;
    }
  }
  return bursts;
}

/** The `cep run` line of examples/README.md that reads the raw CSV, as argv. */
function documentedCommand(): string[] {
  const readme = readFileSync('examples/README.md', 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('npx cep run examples/rules/olist-raw.cep'));
  expect(line).toBeDefined();
  return line!.slice('npx cep '.length).match(/'[^']*'|\S+/g)!.map((word) => word.replace(/^'(.*)'$/, '$1'));
}

describe('the raw Olist CSV with --time-format (examples/README.md)', () => {
  it('the documented command runs: 9,999 events, no bad record, the bursts counted by hand', () => {
    const r = cep([...documentedCommand(), '--no-progress']);
    expect(r.stderr).toMatch(/^cep: 9,999 events, 0 bad records, 0 late events, 9 alerts /m);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; start: string; events: { c: { order_purchase_timestamp: string }[] } });
    expect(alerts).toHaveLength(cancelBurstsByHand());
    expect(alerts[0]).toMatchObject({ rule: 'cancel_burst', start: '2016-10-04T19:41:00.000Z' });
    expect(alerts[0].events.c[0].order_purchase_timestamp).toBe('10/4/2016 19:41');
    expect(r.status).toBe(0);
  }, 30_000);

  it('without --time-format each row is a bad record, with the reason; a format that names no date is bad usage', () => {
    const withoutFormat = documentedCommand().filter((w, i, all) => w !== '--time-format' && all[i - 1] !== '--time-format');
    const r = cep([...withoutFormat, '--no-progress']);
    expect(r.stderr).toContain(`cep: bad record at ${RAW}:2: event time "10/2/2017 10:56" is neither epoch ms nor ISO-8601\n`);
    const wrong = cep(['run', 'examples/rules/olist-raw.cep', '--input', RAW, '--time-field', 'order_purchase_timestamp', '--time-format', 'd/M/yyyy H:mm', '--no-progress']);
    expect(wrong.stderr).toContain(`cep: bad record at ${RAW}:3: event time "7/24/2018 20:41" does not match --time-format 'd/M/yyyy H:mm'\n`);
    const usage = cep(['run', 'examples/rules/olist-raw.cep', '--input', RAW, '--time-format', 'H:mm']);
    expect(usage.stderr).toContain("--time-format 'H:mm' does not read back a whole date");
    expect(usage.status).toBe(2);
  }, 30_000);
});
