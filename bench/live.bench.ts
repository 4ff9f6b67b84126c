/**
 * Live benchmark: the Kafka path end to end and the WebSocket fan-out.
 *
 *   node --import tsx --expose-gc bench/live.bench.ts
 *
 * (a) Kafka end to end: a real single-node broker (scripts/kafka/broker.ts); the Olist order events
 *     (examples/data/olist-orders.ndjson, 39,534 events) three times over with distinct order ids
 *     (118,602 events) are produced to a 3-partition topic beforehand; then the engine runs
 *     examples/rules/orders.cep from the topic (consumer group, `stopAtEnd`) to an output topic
 *     through the idempotent Kafka sink. Events/s = events / wall time from `runEngine` start to its
 *     end (the sink flushed and acknowledged); the group join is timed apart.
 * (b) WebSocket fan-out: 100 `ws` clients in a child process (this file run with `--clients`, so
 *     the server has its own core) subscribed to everything; 20,000 alerts (the SSH log's, built by
 *     hand) written in bursts of 100 per turn of the event loop, the way the engine emits them;
 *     alerts/s = alerts / wall time until every client has all of them.
 * (c) Memory with a stalled client: the same 100 clients, one of which stops reading (its socket
 *     paused); 40,000 alerts written at 1,000/s; the server's heap (after GC) before and after, its peak, and
 *     whether the stalled client was dropped at the 4 MiB `maxBufferedBytes` bound.
 * Prints a table, writes bench/results/live.json.
 */
import '../src/alerts/kafkajs-read-committed.js';
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { WebSocket } from 'ws';
import { startBroker } from '../scripts/kafka/broker.js';
import { createKafkaSink } from '../src/alerts/kafka-sink.js';
import { startAlertServer, type AlertServer } from '../src/alerts/ws-sink.js';
import { runEngine } from '../src/runtime/engine.js';
import { createKafkaSource } from '../src/runtime/sources/kafka.js';
import { loadRules } from '../src/runtime/load-rules.js';
import { readEvents, sshAlerts } from '../test/live/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined && process.argv[2] !== '--clients') throw new Error('run with --expose-gc: node --import tsx --expose-gc bench/live.bench.ts');
const heapMb = (): number => {
  gc!();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
};
const rows: Record<string, string | number>[] = [];

async function kafkaEndToEnd(): Promise<void> {
  const broker = await startBroker();
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'alerts', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const orders = readEvents('olist-orders.ndjson');
    const events = [0, 1, 2].flatMap((copy) => orders.map((e) => ({ ...e, order_id: `${e.order_id as string}-${copy}` })));
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < events.length; i += 5000) {
      await producer.send({ topic: 'orders', messages: events.slice(i, i + 5000).map((e) => ({ key: e.order_id, value: JSON.stringify(e) })) });
    }
    await producer.disconnect();

    const joinStart = performance.now();
    const source = await createKafkaSource({ brokers: [broker.bootstrap], topics: ['orders'], groupId: 'bench', stopAtEnd: true });
    const joinMs = performance.now() - joinStart;
    const sink = await createKafkaSink({ brokers: [broker.bootstrap], topic: 'alerts' });
    const start = performance.now();
    const summary = await runEngine({ rules: loadRules([join(here, '..', 'examples', 'rules', 'orders.cep')]), sources: [source], sinks: [sink] });
    const ms = performance.now() - start;
    rows.push({
      scenario: '(a) Kafka → engine → Kafka, orders.cep, 3 partitions',
      events: summary.events,
      alerts: summary.alerts,
      'group join ms': Math.round(joinMs),
      'wall ms': Math.round(ms),
      'events/s': Math.round((summary.events * 1000) / ms),
      'alerts/s': Math.round((summary.alerts * 1000) / ms),
    });
  } finally {
    await broker.stop();
  }
}

/**
 * Child-process mode (`--clients URL N STALLED`): connects N clients, the first STALLED of which
 * pause their socket; reports `open`, then `done` once every other client counted `total` alerts
 * (the `total` comes in a message from the parent), then the stalled clients' counts.
 */
async function clientProcess(url: string, n: number, stalled: number): Promise<void> {
  const counts = new Array<number>(n).fill(0);
  let target = Infinity;
  const check = (): void => {
    if (counts.slice(stalled).every((c) => c >= target)) process.send!({ done: true, stalledGot: counts.slice(0, stalled) });
  };
  const sockets = await Promise.all(
    Array.from({ length: n }, (_, i) => new Promise<WebSocket>((ok, fail) => {
      const ws = new WebSocket(url);
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as { type: string; alerts?: unknown[] };
        counts[i] += msg.type === 'alert' ? 1 : msg.type === 'alerts' ? msg.alerts!.length : 0;
        if (counts[i] === target) check();
      });
      ws.once('open', () => ok(ws));
      ws.once('error', fail);
    })),
  );
  for (let i = 0; i < stalled; i++) (sockets[i] as unknown as { _socket: { pause(): void } })._socket.pause();
  process.on('message', (m: { total: number }) => {
    target = m.total;
    check();
  });
  process.send!({ open: true });
}

/** Resolves when `delivered` does; rejects if the server dropped more than `stalled` clients (they would never finish). */
async function unlessDropped<T>(server: AlertServer, stalled: number, delivered: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const dropped = new Promise<never>((_, fail) => {
    timer = setInterval(() => {
      if (server.counters().droppedClients > stalled) fail(new Error(`the server dropped ${server.counters().droppedClients} clients: they could not keep up`));
    }, 100);
  });
  try {
    return await Promise.race([delivered, dropped]);
  } finally {
    clearInterval(timer);
  }
}

/** Runs `n` clients in a child process; resolves once they are connected. */
async function childClients(url: string, n: number, stalled: number): Promise<{ expect(total: number): Promise<{ stalledGot: number[] }>; stop(): void }> {
  const child = fork(fileURLToPath(import.meta.url), ['--clients', url, String(n), String(stalled)], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((ok) => child.once('message', () => ok()));
  return {
    expect: (total) => new Promise((ok) => {
      child.once('message', (m: { stalledGot: number[] }) => ok(m));
      child.send({ total });
    }),
    stop: () => child.kill(),
  };
}

/**
 * Writes `total` alerts in bursts of 100 per turn of the event loop, `pauseMs` apart (0: as fast as
 * the server takes them); returns the peak heap seen (MB, no GC).
 */
async function writeAlerts(server: AlertServer, total: number, pauseMs = 0): Promise<number> {
  const alerts = sshAlerts();
  let peak = 0;
  for (let i = 0; i < total; i++) {
    server.write(alerts[i % alerts.length]);
    if (i % 100 === 99) {
      await new Promise((r) => (pauseMs > 0 ? setTimeout(r, pauseMs) : setImmediate(r)));
      if (i % 5000 === 4999) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  return Math.round((peak / 1024 / 1024) * 10) / 10;
}

async function fanOut(): Promise<void> {
  const server = await startAlertServer({ token: 'bench-token-123', replay: 0 });
  const clients = await childClients(server.feedUrl, 100, 0);
  const total = 20_000;
  const start = performance.now();
  const delivered = clients.expect(total);
  await writeAlerts(server, total);
  await unlessDropped(server, 0, delivered);
  const ms = performance.now() - start;
  rows.push({
    scenario: '(b) WebSocket fan-out, 100 clients',
    alerts: total,
    'wall ms': Math.round(ms),
    'alerts/s (to every client)': Math.round((total * 1000) / ms),
    'alert deliveries/s': Math.round((total * 100 * 1000) / ms),
    'dropped clients': server.counters().droppedClients,
  });
  clients.stop();
  await server.close();
}

async function stalledClient(): Promise<void> {
  const server = await startAlertServer({ token: 'bench-token-123', replay: 0 });
  const clients = await childClients(server.feedUrl, 100, 1);
  const before = heapMb();
  // Paced at 1,000 alerts/s (below what the 99 readers take), so only the stalled client lags; 40,000
  // alerts (~20 MB) are more than the kernel's socket buffers (several MB on loopback) plus the 4 MiB bound.
  const total = 40_000;
  const delivered = clients.expect(total);
  const peak = await writeAlerts(server, total, 100);
  const { stalledGot } = await unlessDropped(server, 1, delivered);
  const after = heapMb();
  rows.push({
    scenario: '(c) 100 clients, one stalled',
    alerts: total,
    'heap before MB': before,
    'heap peak MB (no GC)': peak,
    'heap after MB': after,
    'dropped clients': server.counters().droppedClients,
    'stalled client got': stalledGot[0],
    'others complete': 'yes',
  });
  clients.stop();
  await server.close();
}

if (process.argv[2] === '--clients') {
  await clientProcess(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
} else {
  await kafkaEndToEnd();
  await fanOut();
  await stalledClient();
  for (const row of rows) console.table([row]);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'live.json'), `${JSON.stringify({ suite: 'live', node: process.version, date: new Date().toISOString(), results: rows }, null, 2)}\n`);
}
