/**
 * Exactly-once on Kafka (issue 11): what the transactions and the state changelog cost.
 *
 *   npm run bench -- live        (with bench/live.bench.ts)
 *
 * One real single-node broker (scripts/kafka/broker.ts).
 * (d) Throughput, `--exactly-once` vs at-least-once, on the same broker and the same input: the
 *     Olist order events three times over with distinct order ids (118,602 events, keyed by
 *     order_id, 6 partitions), examples/rules/orders.cep, commit interval 1 s. Each run is a fresh
 *     consumer group and output topic; wall time runs from creating the source until the group's
 *     committed offsets reach the end of every partition (the last alerts delivered and
 *     committed); CPU time over the same span is this process's (engine, consumer, producers) and
 *     the broker's (its JVM: transactions cost it work too). Three runs of each, alternating
 *     A B A B A B; the table gives each run and the ratios of the medians (wall, and CPU time of
 *     both processes: on a shared machine wall times swing, CPU time much less).
 * (e) State: 100,000 keys each holding one partial match (`a -> b within 1h`, one `a` per key),
 *     run with `--exactly-once` until committed; state-topic bytes per pending key (keys and values
 *     of the latest record per key, as a compacted topic keeps them).
 * (f) Restore: the 6 tasks of (e) opened again by a new owner (fencing, restore marker, read back
 *     up to it): wall time, per 100,000 keys.
 * Prints a table, writes bench/results/live-exactly-once.json.
 */
import '../src/alerts/kafkajs-read-committed.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startBroker } from '../scripts/kafka/broker.js';
import { createKafkaSink } from '../src/alerts/kafka-sink.js';
import type { AlertSink } from '../src/alerts/sink.js';
import { runEngine } from '../src/runtime/engine.js';
import type { Source } from '../src/runtime/source.js';
import { createKafkaSource } from '../src/runtime/sources/kafka.js';
import { loadRules } from '../src/runtime/load-rules.js';
import { encodeValue, stateKey } from '../src/runtime/state-records.js';
import { StateRestorer } from '../src/runtime/state-restorer.js';
import { TaskTransactions } from '../src/runtime/task-transactions.js';
import { readEvents } from '../test/live/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const PARTITIONS = 6;
/** Runs of each mode in (d), alternating (three, so that each median is a middle run). */
const ROUNDS = 3;
const rows: Record<string, string | number>[] = [];
const none: AlertSink = { write: () => undefined, close: async () => undefined };

/** Polls until the group's committed offsets reach the end of every partition of `topic`. */
async function caughtUp(admin: Admin, group: string, topic: string): Promise<void> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  for (;;) {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    if (offsets.partitions.every((p) => Number(p.offset) >= (ends.get(p.partition) ?? 0))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `source` with a count of the event records it handed out (the engine handles each one as it is handed out). */
function counted(source: Source): { source: Source; events(): number } {
  let n = 0;
  const records = source.records.bind(source);
  const wrapped: Source = {
    inputs: source.inputs,
    close: () => source.close(),
    onCheckpoint: source.onCheckpoint?.bind(source),
    async *records() {
      for await (const r of records()) {
        if (r.kind === 'event') n++;
        yield r;
      }
    },
  };
  return { source: wrapped, events: () => n };
}

/**
 * Runs `rules` over the `events` records of `topic` and returns the wall time (ms) until they are
 * all done: handed to the engine and then, at-least-once, every alert so far acknowledged by the
 * Kafka sink; exactly-once, committed (the group's offsets at the end of every partition: the
 * transactions with their alerts and state are committed).
 */
async function timedRun(bootstrap: string, admin: Admin, rulesFile: string, topic: string, events: number, exactlyOnce: boolean, tag: string): Promise<{ ms: number; cpuMs: number; brokerCpuMs: number; alerts: number }> {
  const group = `bench-${tag}`;
  const out = `alerts-${tag}`;
  await admin.createTopics({ topics: [{ topic: out, numPartitions: 1 }], waitForLeaders: true });
  const stop = new AbortController();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const brokerCpuStart = broker.cpuMs();
  const kafkaSource = await createKafkaSource({
    brokers: [bootstrap],
    topics: [topic],
    groupId: group,
    commitIntervalMs: 1000,
    ...(exactlyOnce ? { exactlyOnce: { stateTopic: `${group}.state`, alertTopic: out } } : {}),
  });
  const { source, events: handed } = counted(kafkaSource);
  const sink = exactlyOnce ? null : await createKafkaSink({ brokers: [bootstrap], topic: out });
  const run = runEngine({ rules: loadRules([rulesFile]), sources: [source], sinks: [sink ?? none], signal: stop.signal, log: () => undefined });
  while (handed() < events) await new Promise((r) => setTimeout(r, 10));
  if (sink !== null) await sink.flush();
  else await caughtUp(admin, group, topic);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const brokerCpuMs = broker.cpuMs() - brokerCpuStart;
  stop.abort();
  const summary = await run;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, brokerCpuMs, alerts: summary.alerts };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throughput(bootstrap: string, kafka: Kafka, admin: Admin): Promise<void> {
  const orders = readEvents('olist-orders.ndjson');
  const events = [0, 1, 2].flatMap((copy) => orders.map((e) => ({ ...e, order_id: `${e.order_id as string}-${copy}` })));
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: PARTITIONS }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < events.length; i += 5000) {
    await producer.send({ topic: 'orders', messages: events.slice(i, i + 5000).map((e) => ({ key: e.order_id, value: JSON.stringify(e) })) });
  }
  await producer.disconnect();
  const rules = join(here, '..', 'examples', 'rules', 'orders.cep');
  const wall: Record<'at-least-once' | 'exactly-once', number[]> = { 'at-least-once': [], 'exactly-once': [] };
  const cpu: Record<'at-least-once' | 'exactly-once', number[]> = { 'at-least-once': [], 'exactly-once': [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['at-least-once', 'exactly-once'] as const) {
      process.stderr.write(`(d) ${mode} run ${round + 1}...\n`);
      const r = await timedRun(bootstrap, admin, rules, 'orders', events.length, mode === 'exactly-once', `${mode}-${round}`);
      wall[mode].push(r.ms);
      cpu[mode].push(r.cpuMs + r.brokerCpuMs);
      rows.push({
        scenario: `(d) orders.cep, 6 partitions, ${mode}, run ${round + 1}`,
        events: events.length,
        alerts: r.alerts,
        'wall ms': Math.round(r.ms),
        'cpu ms': Math.round(r.cpuMs),
        'broker cpu ms': Math.round(r.brokerCpuMs),
        'events/s': Math.round((events.length * 1000) / r.ms),
      });
    }
  }
  const ratio = median(wall['at-least-once']) / median(wall['exactly-once']);
  rows.push({ scenario: '(d) exactly-once / at-least-once throughput (ratio of median walls; goal ≥ 0.5)', ratio: Math.round(ratio * 100) / 100 });
  const cpuRatio = median(cpu['at-least-once']) / median(cpu['exactly-once']);
  rows.push({ scenario: '(d) exactly-once / at-least-once events per CPU second of this process and the broker (ratio of median CPU times)', ratio: Math.round(cpuRatio * 100) / 100 });
}

async function stateAndRestore(bootstrap: string, kafka: Kafka, admin: Admin): Promise<void> {
  const keys = 100_000;
  const topic = 'pending';
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < keys; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, keys - i) }, (_, j) => {
      const id = `k${i + j}`;
      return { key: id, value: JSON.stringify({ type: 'a', ts: base + i + j, id, amount: 10 }) };
    });
    await producer.send({ topic, messages: batch });
  }
  await producer.disconnect();
  const rulesFile = join(mkdtempSync(join(tmpdir(), 'cep-bench-')), 'pending.cep');
  writeFileSync(rulesFile, 'rule pending\n  key by id\n  pattern a as first -> b as second\n  within 1h\n');
  process.stderr.write('(e) 100,000 pending keys...\n');
  const run = await timedRun(bootstrap, admin, rulesFile, topic, keys, true, 'state');
  const stateTopic = 'bench-state.state';

  // (f) a new owner opens every task: fence, marker, read back; (e) the bytes of what it read,
  // each key's record as written (key and value), which is what a compacted topic keeps.
  const restorer = await StateRestorer.start(kafka, stateTopic, 'bench-restore');
  const restored = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let p = 0; p < PARTITIONS; p++) {
    const task = new TaskTransactions({ kafka, groupId: 'bench-state', stateTopic, alertTopic: 'alerts-state', restorer, transactionTimeoutMs: 10_000 }, String(p), p);
    restored.push({ task: String(p), keys: (await task.open()).restored.keys });
    await task.close();
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  await restorer.close();
  const restoredKeys = restored.reduce((n, r) => n + r.keys.length, 0);
  const bytes = restored.reduce((n, r) => n + r.keys.reduce((m, k) => m + Buffer.byteLength(stateKey(r.task, k.rule, k.key)) + encodeValue(k.state).length, 0), 0);
  rows.push({ scenario: '(e) state topic, 100,000 keys with one partial match each', 'pending keys': restoredKeys, 'bytes/key': Math.round(bytes / restoredKeys), 'events/s': Math.round((keys * 1000) / run.ms) });
  rows.push({ scenario: '(f) restore of the 6 tasks of (e) by a new owner', 'restored keys': restoredKeys, 'wall ms': Math.round(ms), 'cpu ms': Math.round((cpu.user + cpu.system) / 1000), 'ms per 100k keys': Math.round((ms * 100_000) / Math.max(1, restoredKeys)) });
}

const broker = await startBroker();
try {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await throughput(broker.bootstrap, kafka, admin);
  await stateAndRestore(broker.bootstrap, kafka, admin);
  await admin.disconnect();
} finally {
  await broker.stop();
}
console.table(rows);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'live-exactly-once.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
