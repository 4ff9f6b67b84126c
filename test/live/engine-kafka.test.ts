/**
 * End to end on the real broker, through the engine's programmatic API (`runEngine`): events
 * produced to a topic are matched and the alerts read back from the output topic; a consumer
 * restart resumes from the committed offsets; several partitions with out-of-order data give the
 * alerts of the sorted file replay. The reference in each case is the same rules replayed from the
 * recorded file (`NdjsonSource`), compared as a multiset.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { createKafkaSink } from '../../src/alerts/kafka-sink.js';
import type { AlertSink } from '../../src/alerts/sink.js';
import { runEngine, type Summary } from '../../src/runtime/engine.js';
import { createKafkaSource } from '../../src/runtime/sources/kafka.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { DATA_DIR, readEvents } from './fixtures.js';
import { brokers, createTopics, produce, readTopic, uniqueName } from './kafka-helpers.js';

const SSH_RULES = 'examples/rules/ssh.cep';
const ORDER_RULES = 'examples/rules/orders.cep';

/** A sink that keeps the alerts in memory. */
function collector(): AlertSink & { alerts: Alert[] } {
  const alerts: Alert[] = [];
  return { alerts, write: (a) => void alerts.push(a), close: async () => undefined };
}

/** The alerts of replaying a recorded file through the rules: the reference. */
async function fileReplay(rules: string, file: string): Promise<Alert[]> {
  const sink = collector();
  await runEngine({ rules: loadRules([rules]), sources: [new NdjsonSource(`${DATA_DIR}/${file}`)], sinks: [sink] });
  return sink.alerts;
}

/** Alerts as a sorted list of their JSON texts (a multiset). */
const multiset = (alerts: readonly unknown[]): string[] => alerts.map((a) => JSON.stringify(a)).sort();

/** Runs the rules from `topic` (group `group`) to the output topic `out`. */
async function kafkaRun(rules: string, topic: string, group: string, out: string, extra: { stopAtEnd?: boolean; maxDelay?: number; signal?: AbortSignal; also?: AlertSink } = {}): Promise<Summary> {
  const source = await createKafkaSource({ brokers: brokers(), topics: [topic], groupId: group, stopAtEnd: extra.stopAtEnd ?? true, commitIntervalMs: 100 });
  const sink = await createKafkaSink({ brokers: brokers(), topic: out });
  return runEngine({ rules: loadRules([rules]), sources: [source], sinks: extra.also ? [sink, extra.also] : [sink], maxDelay: extra.maxDelay, signal: extra.signal });
}

const alertsOf = async (topic: string): Promise<Alert[]> => (await readTopic(topic)).map((r) => JSON.parse(r.value) as Alert);

// Each test moves up to 40,000 events through the broker and back: beside the exactly-once files on
// two cores the first one took more than the default 30 s (twice in four runs of seven live files).
describe('engine over Kafka', { timeout: 120_000 }, () => {
  it('matches events produced to a topic and writes exactly the expected alerts to the output topic', async () => {
    const [input, out] = [uniqueName('orders'), uniqueName('order-alerts')];
    await createTopics([input, out]);
    const events = readEvents('olist-orders.ndjson');
    await produce(input, events.map((e) => ({ key: String(e.order_id), value: JSON.stringify(e) })));
    const summary = await kafkaRun(ORDER_RULES, input, uniqueName('cep'), out);
    expect(summary).toMatchObject({ events: events.length, badRecords: 0, lateEvents: 0 });
    const expected = await fileReplay(ORDER_RULES, 'olist-orders.ndjson');
    expect(new Set(expected.map((a) => a.rule))).toEqual(new Set(['unpaid_order', 'slow_shipping', 'late_delivery']));
    const got = await readTopic(out);
    expect(multiset(got.map((r) => JSON.parse(r.value)))).toEqual(multiset(expected));
    for (const r of got) expect(r.key).toBe((JSON.parse(r.value) as Alert).key);
  });

  it('gives the alerts of the sorted file replay from several partitions with out-of-order data', async () => {
    const [input, out] = [uniqueName('ssh'), uniqueName('ssh-alerts')];
    await createTopics([input], 3);
    await createTopics([out]);
    const maxDelay = 30_000;
    // Arrival order = event time plus a jitter of up to maxDelay (deterministic), keyed by IP over 3 partitions.
    // Events of equal time get the same jitter, so they keep their file order (ties go in arrival order).
    let seed = 42;
    const jitters = new Map<number, number>();
    const jitter = (t: number): number => {
      if (!jitters.has(t)) jitters.set(t, ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * maxDelay);
      return jitters.get(t)!;
    };
    const events = readEvents('ssh-auth.ndjson');
    const arrival = events.map((e) => ({ e, at: Date.parse(e.ts as string) + jitter(Date.parse(e.ts as string)) })).sort((a, b) => a.at - b.at).map((x) => x.e);
    expect(arrival.map((e) => e.line)).not.toEqual(events.map((e) => e.line));
    await produce(input, arrival.map((e) => ({ key: String(e.ip), value: JSON.stringify(e) })));
    const summary = await kafkaRun(SSH_RULES, input, uniqueName('cep'), out, { maxDelay });
    expect(summary).toMatchObject({ events: events.length, lateEvents: 0 });
    const expected = await fileReplay(SSH_RULES, 'ssh-auth.ndjson');
    expect(expected.length).toBeGreaterThan(0);
    expect(multiset(await alertsOf(out))).toEqual(multiset(expected));
  });

  it('resumes after a consumer restart from the committed offsets, without losing or repeating alerts', async () => {
    const [input, out] = [uniqueName('ssh'), uniqueName('ssh-alerts')];
    await createTopics([input, out]);
    const events = readEvents('ssh-auth.ndjson');
    const expected = await fileReplay(SSH_RULES, 'ssh-auth.ndjson');
    // Restart at a quiet point: a gap in event time longer than every rule's `within` (10 min), near
    // the middle, so that no partial match spans the restart (partial matches are not checkpointed).
    const times = events.map((e) => Date.parse(e.ts as string));
    const gaps = times.map((t, i) => i).filter((i) => i + 1 < times.length && times[i + 1] - times[i] > 10 * 60_000);
    const cut = gaps.reduce((best, i) => (Math.abs(i - events.length / 2) < Math.abs(best - events.length / 2) ? i : best));
    // Phase 1 ends with the first event after the gap: its watermark releases everything before the gap.
    const phase1 = events.slice(0, cut + 2);
    const beforeGap = expected.filter((a) => Date.parse(a.end) <= times[cut]);
    expect(beforeGap.length).toBeGreaterThan(0);
    expect(beforeGap.length).toBeLessThan(expected.length);

    const group = uniqueName('cep');
    await produce(input, phase1.map((e) => ({ key: String(e.ip), value: JSON.stringify(e) })));
    const stop = new AbortController();
    const seen = collector();
    const first = kafkaRun(SSH_RULES, input, group, out, { stopAtEnd: false, signal: stop.signal, also: seen });
    const deadline = Date.now() + 20_000;
    while (seen.alerts.length < beforeGap.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    const firstSummary = await first;
    expect(firstSummary.interrupted).toBe(true);
    expect(multiset(seen.alerts)).toEqual(multiset(beforeGap));

    await produce(input, events.slice(cut + 2).map((e) => ({ key: String(e.ip), value: JSON.stringify(e) })));
    const second = await kafkaRun(SSH_RULES, input, group, out);
    // The event after the gap was still held by the watermark at the stop, so it was not committed: read again.
    expect(second.events).toBe(events.length - cut - 1);
    expect(multiset(await alertsOf(out))).toEqual(multiset(expected));
  });

  it('counts and reports events whose rule key is not their record key (misaligned)', async () => {
    const [input, out] = [uniqueName('ssh'), uniqueName('ssh-alerts')];
    await createTopics([input], 2);
    await createTopics([out]);
    const events = readEvents('ssh-auth.ndjson').slice(0, 300);
    // Every 10th record is keyed by its user instead of its IP (the rules' `key by ip`).
    const wrong = events.filter((_, i) => i % 10 === 0);
    await produce(input, events.map((e, i) => ({ key: i % 10 === 0 ? `user-${String(e.user)}` : String(e.ip), value: JSON.stringify(e) })));
    const logged: string[] = [];
    const source = await createKafkaSource({ brokers: brokers(), topics: [input], groupId: uniqueName('cep'), stopAtEnd: true });
    const summary = await runEngine({ rules: loadRules([SSH_RULES]), sources: [source], sinks: [collector()], log: (line) => logged.push(line) });
    // An event counts when a rule that reads its type keys it (by IP) differently.
    const read = new Set(loadRules([SSH_RULES]).flatMap((n) => [...(n.relevantTypes ?? [])]));
    expect(summary.misaligned).toBe(wrong.filter((e) => read.has(String(e.type)) && e.ip !== undefined).length);
    expect(summary.misaligned).toBeGreaterThan(0);
    expect(logged.filter((l) => l.includes('record key'))).toHaveLength(1);
  });
});
