import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../src/runtime/engine.js';
import { arraySource, MemorySink } from './support/memory.js';
import { standInNfa } from './support/stand-in-nfa.js';

const T0 = Date.UTC(2024, 0, 1);
const ev = (type: string, k: string, sec: number, extra: Record<string, unknown> = {}) => ({ type, k, ts: T0 + sec * 1000, ...extra });

async function run(values: Record<string, unknown>[], opts: { maxDelay?: number; timeout?: boolean; maxKeys?: number } = {}) {
  const sink = new MemorySink();
  const late = new PassThrough();
  const lateLines: string[] = [];
  late.on('data', (d: Buffer) => lateLines.push(...d.toString().split('\n').filter(Boolean)));
  const source = arraySource('in', values);
  const summary = await runEngine({
    rules: [standInNfa({ first: 'a', second: 'b', within: 10_000, timeout: opts.timeout })],
    sources: [source],
    sinks: [sink],
    maxDelay: opts.maxDelay,
    maxKeys: opts.maxKeys,
    lateOutput: late,
    log: () => {},
  });
  return { summary, alerts: sink.alerts, lateLines, sink, source };
}

describe('engine', () => {
  it('matches per key in event time and writes alert records', async () => {
    const { alerts, summary, sink, source } = await run([ev('a', 'k1', 0), ev('a', 'k2', 1), ev('b', 'k1', 5), ev('b', 'k2', 12)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'a_then_b', kind: 'match', key: 'k1', start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:00:05.000Z' });
    expect(alerts[0].events).toEqual({ x: ev('a', 'k1', 0), y: ev('b', 'k1', 5) });
    expect(summary).toMatchObject({ events: 4, alerts: 1, lateEvents: 0, badRecords: 0, interrupted: false });
    expect(sink.closed).toBe(true);
    expect(source.done).toBe(4);
    expect(sink.counters.at(-1)?.watermark).toBe(Infinity);
  });

  it('applies within as last − first < D: an event at exactly the deadline does not complete', async () => {
    const { alerts } = await run([ev('a', 'k', 0), ev('b', 'k', 10)]);
    expect(alerts).toHaveLength(0);
  });

  it('counts late events and writes them to the late output', async () => {
    const { alerts, summary, lateLines } = await run([ev('a', 'k', 5), ev('b', 'k', 7), ev('a', 'j', 2), ev('b', 'j', 8)]);
    // Watermark after t=7 is 7s − 1 ms: the event at 2s is late, so key j has no match.
    expect(summary.lateEvents).toBe(1);
    expect(lateLines.map((l) => JSON.parse(l))).toEqual([ev('a', 'j', 2)]);
    expect(alerts.map((a) => a.key)).toEqual(['k']);
  });

  it('an event with the same time as the latest one is on time', async () => {
    const { summary, alerts } = await run([ev('a', 'k', 5), ev('b', 'j', 5), ev('b', 'k', 5)]);
    expect(summary.lateEvents).toBe(0);
    expect(alerts).toHaveLength(1);
  });

  it('reorders events within --max-delay and feeds them in time order', async () => {
    const { alerts, summary } = await run([ev('b', 'k', 3), ev('a', 'k', 1), ev('b', 'k', 4)], { maxDelay: 5_000 });
    expect(summary.lateEvents).toBe(0);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ start: '2024-01-01T00:00:01.000Z', end: '2024-01-01T00:00:03.000Z' });
  });

  it('fires deadlines when the watermark passes them, and all of them at end of input', async () => {
    const { alerts } = await run([ev('a', 'k', 0), ev('x', 'other', 30), ev('a', 'j', 31)], { timeout: true });
    expect(alerts.map((a) => [a.kind, a.key, a.end])).toEqual([
      ['timeout', 'k', '2024-01-01T00:00:10.000Z'],
      ['timeout', 'j', '2024-01-01T00:00:41.000Z'],
    ]);
  });

  it('--time-field @timestamp reads the field of that name (DSL.md section 1; Logstash, ECS), else the record timestamp (Kafka)', async () => {
    const sink = new MemorySink();
    const values = [{ type: 'a', k: 'k', '@timestamp': '2024-01-01T00:00:00Z' }, { type: 'b', k: 'k' }];
    const summary = await runEngine({
      rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })],
      sources: [arraySource('in', values, [{}, { timestamp: T0 + 5000 }])],
      sinks: [sink],
      timeField: '@timestamp',
      log: () => {},
    });
    expect(summary.badRecords).toBe(0);
    expect(sink.alerts.map((a) => [a.start, a.end])).toEqual([['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:05.000Z']]);
  });

  it('skips events whose key is missing or null', async () => {
    const { alerts } = await run([ev('a', 'k', 0), { type: 'b', k: null, ts: T0 + 1000 }, { type: 'b', ts: T0 + 2000 }]);
    expect(alerts).toHaveLength(0);
  });

  it('counts keys evicted with partial matches at --max-keys', async () => {
    const { summary } = await run([ev('a', 'k1', 0), ev('a', 'k2', 1), ev('a', 'k3', 2)], { maxKeys: 2 });
    expect(summary.evictedKeys).toBe(1);
    expect(summary.evictedPartialMatches).toBe(1);
  });

  it('drops an evicted key like Flink state TTL: no timeout alert for it, the others time out', async () => {
    const { summary, alerts } = await run([ev('a', 'k1', 0), ev('a', 'k2', 1), ev('a', 'k3', 2)], { maxKeys: 2, timeout: true });
    expect(summary.evictedKeys).toBe(1);
    expect(alerts.map((a) => [a.kind, a.key]).sort()).toEqual([['timeout', 'k2'], ['timeout', 'k3']]);
  });

  it('takes the minimum watermark over inputs', async () => {
    const sink = new MemorySink();
    const late = new PassThrough();
    const fast = arraySource('fast', [ev('a', 'k', 0), ev('b', 'k', 20)]);
    const slow = arraySource('slow', [ev('a', 'j', 1), ev('b', 'j', 2)]);
    const summary = await runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [fast, slow], sinks: [sink], lateOutput: late, log: () => {} });
    expect(summary.lateEvents).toBe(0);
    expect(sink.alerts.map((a) => a.key).sort()).toEqual(['j']);
  });

  it('paces the replay at --speed × event time: 2 s of events at speed 10 take at least 200 ms', async () => {
    // A lower bound only (pacing can only slow a run down): no assertion on how fast anything runs.
    const sink = new MemorySink();
    const started = performance.now();
    await runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [arraySource('in', [ev('a', 'k', 0), ev('a', 'j', 1), ev('b', 'k', 2)])], sinks: [sink], speed: 10, log: () => {} });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(sink.alerts.map((a) => a.key)).toEqual(['k']);
  });

  it('paces each event before feeding it: an event 10 s after the first, at speed 20, is not matched before 500 ms', async () => {
    // Lower bounds only. Before, an event was fed first and the wait came after it, so the match
    // came at once and the watermark ran a whole gap ahead of the replay's clock (a negative lag).
    const started = performance.now();
    let matchedAfter = -1;
    const sink = { write: () => void (matchedAfter = performance.now() - started), close: async () => {} };
    const lags: (number | null)[] = [];
    const watcher = { write: () => {}, stats: (stats: { watermarkLag: number | null }) => void lags.push(stats.watermarkLag), close: async () => {} };
    await runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 60_000 })], sources: [arraySource('in', [ev('a', 'k', 0), ev('b', 'k', 10), ev('c', 'k', 30)])], sinks: [sink, watcher], speed: 20, log: () => {} });
    expect(matchedAfter).toBeGreaterThanOrEqual(490);
    expect(lags.filter((lag) => lag !== null).length).toBeGreaterThan(0); // the run lasts 1.5 s: at least one tick with a watermark
    for (const lag of lags) if (lag !== null) expect(lag).toBeGreaterThanOrEqual(0);
  });

  it('rejects bad options before reading', async () => {
    await expect(runEngine({ rules: [], sources: [arraySource('x', [])], sinks: [new MemorySink()] })).rejects.toThrow(/at least one rule/);
    await expect(runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 1 })], sources: [arraySource('x', [])], sinks: [new MemorySink()], speed: 0 })).rejects.toThrow(/speed/);
  });

  it('calls done() once an event is fed and its alerts are accepted by every sink', async () => {
    const order: string[] = [];
    let accept: (() => void) | null = null;
    const slowSink = {
      write: () => new Promise<void>((resolve) => (accept = () => (order.push('accepted'), resolve()))),
      close: async () => {},
    };
    const source = arraySource('in', [ev('a', 'k', 0), ev('b', 'k', 1), ev('x', 'k', 2)]);
    const originalRecords = source.records.bind(source);
    source.records = async function* () {
      for await (const r of originalRecords()) yield r.kind === 'event' ? { ...r, done: () => order.push(`done ${r.position}`) } : r;
    };
    const run = runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [source], sinks: [slowSink], log: () => {} });
    while (accept === null) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    // Event 2 caused the alert: not done while the sink holds it; events 1 and 3 caused none.
    expect(order).not.toContain('done in:2');
    expect(order).toContain('done in:1');
    (accept as () => void)();
    await run;
    expect(order.indexOf('done in:2')).toBeGreaterThan(order.indexOf('accepted'));
    expect([...order].sort()).toEqual(['accepted', 'done in:1', 'done in:2', 'done in:3']);
  });

  it('alerts written while a sink holds them back share its promise: their events are done once it settles', async () => {
    const order: string[] = [];
    let release: (() => void) | null = null;
    let held: Promise<void> | null = null;
    let writes = 0;
    const heldSink = {
      // Like the file sink under backpressure: one promise for every write until it drains, then none.
      write: (): Promise<void> | void => {
        writes++;
        if (release === null && held === null) held = new Promise<void>((resolve) => (release = () => (order.push('drained'), resolve())));
        return held ?? undefined;
      },
      close: async () => {},
    };
    const source = arraySource('in', [ev('a', 'k', 0), ev('a', 'j', 1), ev('b', 'k', 2), ev('b', 'j', 3), ev('x', 'k', 4)]);
    const originalRecords = source.records.bind(source);
    source.records = async function* () {
      for await (const r of originalRecords()) yield r.kind === 'event' ? { ...r, done: () => order.push(`done ${r.position}`) } : r;
    };
    const run = runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [source], sinks: [heldSink], log: () => {} });
    while (writes < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).not.toContain('done in:3');
    expect(order).not.toContain('done in:4');
    (release as unknown as () => void)();
    held = null;
    const summary = await run;
    expect(summary.alerts).toBe(2);
    expect(order.indexOf('done in:3')).toBeGreaterThan(order.indexOf('drained'));
    expect(order.indexOf('done in:4')).toBeGreaterThan(order.indexOf('drained'));
    expect([...order].sort()).toEqual(['done in:1', 'done in:2', 'done in:3', 'done in:4', 'done in:5', 'drained']);
  });

  it('ends when a sink answers every write with one promise that has already settled', async () => {
    const settled = Promise.resolve();
    let writes = 0;
    const sink = { write: () => (writes++, settled), close: async () => {} };
    const events = Array.from({ length: 3000 }, (_, i) => ev(i % 2 === 0 ? 'a' : 'b', `k${Math.floor(i / 2)}`, i));
    const summary = await runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [arraySource('in', events)], sinks: [sink], log: () => {} });
    expect(summary.alerts).toBe(1500);
    expect(writes).toBe(1500);
  });

  it('fails the run once when a shared write promise rejects', async () => {
    const failed = Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    failed.catch(() => undefined);
    const sink = { write: () => failed, close: async () => {} };
    const events = [ev('a', 'k', 0), ev('a', 'j', 1), ev('b', 'k', 2), ev('b', 'j', 3)];
    await expect(runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [arraySource('in', events)], sinks: [sink], log: () => {} })).rejects.toThrow('disk full');
  });

  it('with linger, keeps sinks open after the input ends until the signal aborts', async () => {
    const sink = new MemorySink();
    const controller = new AbortController();
    const run = runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [arraySource('in', [ev('a', 'k', 0), ev('b', 'k', 1)])], sinks: [sink], linger: true, signal: controller.signal, log: () => {} });
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.alerts).toHaveLength(1);
    expect(sink.closed).toBe(false);
    controller.abort();
    const summary = await run;
    expect(sink.closed).toBe(true);
    expect(summary.interrupted).toBe(false);
  });

  it('stops reading on abort and still closes the sinks', async () => {
    const sink = new MemorySink();
    const controller = new AbortController();
    const endless = {
      inputs: ['live'],
      async *records() {
        for (let i = 0; ; i++) {
          yield { kind: 'event' as const, input: 'live', position: `live:${i}`, value: ev('a', `k${i}`, i) };
          await new Promise((r) => setTimeout(r, 1));
        }
      },
      async close() {},
    };
    const run = runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [endless], sinks: [sink], signal: controller.signal, log: () => {} });
    setTimeout(() => controller.abort(), 50);
    const summary = await run;
    expect(summary.interrupted).toBe(true);
    expect(summary.events).toBeGreaterThan(0);
    expect(sink.closed).toBe(true);
  });

  it('with --idle, an input silent that long no longer holds the watermark back', async () => {
    const sink = new MemorySink();
    const controller = new AbortController();
    const silent = {
      inputs: ['silent'],
      async *records() {
        await new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
      },
      async close() {},
    };
    const live = arraySource('live', [ev('a', 'k', 0), ev('b', 'k', 1), ev('x', 'k', 2)]);
    const run = runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [live, silent], sinks: [sink], idle: 100, linger: true, signal: controller.signal, log: () => {} });
    const deadline = Date.now() + 5_000;
    while (sink.alerts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // The live input ended (its watermark is +∞) but the silent one stays open: only idleness released the match.
    expect(sink.alerts.map((a) => a.key)).toEqual(['k']);
    controller.abort();
    await run;
  });
});

describe('the misaligned-key warning (Kafka records whose key is not the rule key)', () => {
  it('quotes both keys with control and bidi characters as \\uXXXX and in at most 40 characters (they were printed raw and whole)', async () => {
    const key = `\x1b[2J\u009b31m${'k'.repeat(20_000)}`;
    const recordKey = `\u202e${'r'.repeat(20_000)}`;
    const logged: string[] = [];
    const source = arraySource('topic/0', [ev('a', key, 0), ev('b', key, 1)], [{ recordKey }, { recordKey }]);
    const summary = await runEngine({ rules: [standInNfa({ first: 'a', second: 'b', within: 10_000 })], sources: [source], sinks: [new MemorySink()], log: (line) => logged.push(line) });
    expect(summary.misaligned).toBe(2);
    const warnings = logged.filter((l) => l.includes('record key'));
    expect(warnings).toEqual([
      `cep: warning: the event at topic/0:1 has key "\\u001b[2J\\u009b31m${'k'.repeat(18)}…(20,015 characters) under rule a_then_b but record key "\\u202e${'r'.repeat(30)}…(20,003 characters): state is kept per partition, so producers must key records by the rules' key`,
    ]);
  });
});
