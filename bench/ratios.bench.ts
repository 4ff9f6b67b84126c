/**
 * The three figures of issue 14, each a ratio measured in one run, so that the machine's speed
 * (which swings 2× on this shared VM) cancels out:
 * - `replay / parse ceiling`: wall time of a single-threaded read (64 KiB chunks) + `JSON.parse`
 *   of each line of an NDJSON file, divided by the wall time of `runEngine` replaying the same file
 *   (`a -> b within 10s`, 100,000 keys, every event relevant, alerts to /dev/null). Goal ≥ 0.8.
 * - `100 disjoint rules / 1 rule`: wall time of 100 rules (`r<i>a -> r<i>b within 10s`, rule i
 *   reads only its two types) over one stream whose events spread evenly over the 100 rules'
 *   types, divided by that of rule 0 alone over the same stream. Goal ≤ 2. Rule 0 alone matches
 *   a hundredth of the events, so this ratio also counts the matching of the other 99 hundredths;
 *   the suite prints beside it (no goal) the 100 rules over one rule doing the same matching: `a ->
 *   b within 10s` over the same stream relabelled, each event's type made `a`/`b` and its key
 *   `r<i>/<key>`, so that every (rule, key) of the 100 rules is a key of the one rule with the same
 *   events, partial matches and alerts. That is what the rule count itself costs.
 * - `bytes per pending key`: 1,000,000 keys each holding one `a -> b within 1h` partial match
 *   (the real NDJSON source and engine; RSS after a full GC once every event was fed), minus the
 *   RSS of a rule that never starts on the same file, divided by the keys. Goal ≤ 250. Printed
 *   beside it (no goal): the same difference of the V8 heap used (`heapUsed` after the same GC),
 *   which leaves out what the C allocator keeps (for V8's GC threads, varying by ±10 bytes a key
 *   from run to run) and so shows a change in what the engine holds more steadily.
 *
 * Each case runs in its own Node process; the pair of each ratio runs back to back,
 * `RATIO_RUNS` times (default 3), and min/median/max of the ratio are printed.
 * `RATIO_EVENTS` (default 1,000,000) sets the replay and rules files' size, `RATIO_KEYS`
 * (default 1,000,000) the pending keys. `RATIO_DIR=dir` writes the inputs there and keeps them (to
 * time one case with farm-bench: `node --import tsx bench/ratios.bench.ts --child run dir/ab.cep dir/ab.ndjson`).
 *
 *   npm run bench -- ratios
 *
 * Prints a table and writes bench/results/ratios.json.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSink } from '../src/alerts/file-sink.js';
import { runEngine } from '../src/runtime/engine.js';
import { loadRules } from '../src/runtime/load-rules.js';
import type { Source } from '../src/runtime/source.js';
import { NdjsonSource } from '../src/runtime/sources/ndjson.js';
import { mulberry32, writeStream } from './lib/generate.js';

const here = dirname(fileURLToPath(import.meta.url));

/** What a child prints: wall seconds, and for the memory cases the RSS and V8 heap used after GC (bytes). */
interface ChildResult {
  readonly seconds: number;
  readonly events: number;
  readonly rss: number;
  readonly heap: number;
}

/**
 * The single-threaded ceiling: read the file in 64 KiB chunks, decode, `JSON.parse` each line.
 * 64 KiB as the file sources read: with 256 KiB, each chunk's text is a string of V8's large-object
 * space, which on Node 20 costs about 8 ns a byte in fresh pages, and the ceiling took 1.6 times the
 * CPU (see src/runtime/sources/open-input.ts).
 */
async function parseOnly(input: string): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let events = 0;
  let sink = 0;
  for await (const chunk of createReadStream(input, { highWaterMark: 64 * 1024 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const value = JSON.parse(text.slice(start, nl)) as { ts: number };
      sink += value.ts & 1;
      events++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (sink < 0) throw new Error('unreachable');
  return events;
}

/** Wraps a source: once it has handed out every record, a full GC, then the RSS and V8 heap used (what the engine holds then). */
function measuredAtEnd(source: NdjsonSource, out: { rss: number; heap: number }): Source {
  const measured: Source = {
    inputs: source.inputs,
    close: () => source.close(),
    records: () => source.records(),
    async *batches() {
      yield* source.batches();
      for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
      const usage = process.memoryUsage();
      out.rss = usage.rss;
      out.heap = usage.heapUsed;
    },
  };
  return measured;
}

/** Child: runs one case and prints a {@link ChildResult}. */
async function child(kind: string, rules: string, input: string): Promise<void> {
  const started = performance.now();
  let events = 0;
  const memory = { rss: 0, heap: 0 };
  if (kind === 'parse') {
    events = await parseOnly(input);
  } else {
    const source = kind === 'memory' ? measuredAtEnd(new NdjsonSource(input), memory) : new NdjsonSource(input);
    const summary = await runEngine({ rules: loadRules([rules]), sources: [source], sinks: [new FileSink({ stream: createWriteStream('/dev/null') })], log: () => {} });
    events = summary.events;
  }
  const result: ChildResult = { seconds: (performance.now() - started) / 1000, events, rss: memory.rss, heap: memory.heap };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(kind: string, rules: string, input: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--child', kind, rules, input], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`case ${kind} ${rules} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

/** Writes `count` lines, `line(i)` each, to `path`. */
async function writeLines(path: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  let lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(line(i));
    if (lines.length === 10_000) {
      if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
      lines = [];
    }
  }
  if (lines.length > 0) out.write(lines.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}

/** One event of the disjoint-rules stream: rule i's type `a` or `b`, its time, key and value. */
interface DisjointEvent {
  rule: number;
  type: 'a' | 'b';
  ts: number;
  key: string;
  v: number;
}

/** The disjoint-rules stream: each event is `r<i>a` or `r<i>b` of a uniformly drawn rule i < 100, 10,000 keys, 10,000 events/s. */
function* disjointEvents(events: number): Generator<DisjointEvent> {
  const random = mulberry32(7);
  let ts = Date.UTC(2024, 0, 1);
  for (let i = 0; i < events; i++) {
    ts += random() < 0.1 ? 1 : 0;
    const rule = Math.floor(random() * 100);
    const type = random() < 0.5 ? 'a' : 'b';
    yield { rule, type, ts, key: `k${Math.floor(random() * 10_000)}`, v: Math.floor(random() * 1000) / 1000 };
  }
}

/**
 * Writes the disjoint-rules stream to `path` (types `r<i>a`, `r<i>b`) and the same stream relabelled
 * for one `a -> b` rule to `relabelled` (types `a`, `b`, keys `r<i>/<key>`).
 */
async function writeDisjoint(path: string, relabelled: string, events: number): Promise<void> {
  const stream = disjointEvents(events);
  await writeLines(path, events, () => {
    const e = stream.next().value as DisjointEvent;
    return `{"type":"r${e.rule}${e.type}","ts":${e.ts},"id":"${e.key}","v":${e.v}}`;
  });
  const again = disjointEvents(events);
  await writeLines(relabelled, events, () => {
    const e = again.next().value as DisjointEvent;
    return `{"type":"${e.type}","ts":${e.ts},"id":"r${e.rule}/${e.key}","v":${e.v}}`;
  });
}

/** The pending-keys stream: one `a` per key, each at its own ms, so that every key holds one partial match. */
async function writePending(path: string, keys: number): Promise<void> {
  const base = Date.UTC(2024, 0, 1);
  await writeLines(path, keys, (i) => `{"type":"a","ts":${base + i},"id":"k${i}","v":${(i % 1000) / 1000}}`);
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

async function main(): Promise<void> {
  const runs = Number(process.env.RATIO_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`RATIO_RUNS must be a whole number ≥ 1, got ${process.env.RATIO_RUNS}`);
  const events = Number(process.env.RATIO_EVENTS ?? 1_000_000);
  const keys = Number(process.env.RATIO_KEYS ?? 1_000_000);
  const keep = process.env.RATIO_DIR;
  if (keep !== undefined) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'cep-ratios-bench-'));
  try {
    const ab = join(dir, 'ab.cep');
    writeFileSync(ab, 'rule ab\n  key by id\n  pattern a -> b\n  within 10s\n');
    const abInput = join(dir, 'ab.ndjson');
    await writeStream({ events, keys: 100_000, rate: 10_000, maxDelay: 0, matchFraction: 0.2, sequence: ['a', 'b'], span: 5_000, noiseTypes: ['a', 'b'], seed: 42 }, abInput);
    const hundred = join(dir, 'hundred.cep');
    writeFileSync(hundred, Array.from({ length: 100 }, (_, i) => `rule r${i}\n  key by id\n  pattern r${i}a -> r${i}b\n  within 10s\n`).join('\n'));
    const one = join(dir, 'one.cep');
    writeFileSync(one, 'rule r0\n  key by id\n  pattern r0a -> r0b\n  within 10s\n');
    const disjoint = join(dir, 'disjoint.ndjson');
    const relabelled = join(dir, 'relabelled.ndjson');
    await writeDisjoint(disjoint, relabelled, events);
    const oneAb = join(dir, 'one-ab.cep');
    writeFileSync(oneAb, 'rule r0\n  key by id\n  pattern a -> b\n  within 10s\n');
    const pendingRule = join(dir, 'pending.cep');
    writeFileSync(pendingRule, 'rule pending\n  key by id\n  pattern a -> b\n  within 1h\n');
    const neverRule = join(dir, 'never.cep');
    writeFileSync(neverRule, 'rule never\n  key by id\n  pattern x -> b\n  within 1h\n');
    const pending = join(dir, 'pending.ndjson');
    await writePending(pending, keys);

    const replay: number[] = [];
    const rules: number[] = [];
    const sameWork: number[] = [];
    const bytes: number[] = [];
    const heapBytes: number[] = [];
    for (let run = 0; run < runs; run++) {
      const ceiling = runChild('parse', '-', abInput);
      const engine = runChild('run', ab, abInput);
      if (engine.events !== ceiling.events) throw new Error(`replay read ${engine.events} events, the ceiling ${ceiling.events}`);
      replay.push(ceiling.seconds / engine.seconds);
      const single = runChild('run', one, disjoint);
      const all = runChild('run', hundred, disjoint);
      rules.push(all.seconds / single.seconds);
      const doingTheirWork = runChild('run', oneAb, relabelled);
      sameWork.push(all.seconds / doingTheirWork.seconds);
      const never = runChild('memory', neverRule, pending);
      const held = runChild('memory', pendingRule, pending);
      bytes.push((held.rss - never.rss) / keys);
      heapBytes.push((held.heap - never.heap) / keys);
      process.stdout.write(
        `run ${run + 1}: replay ${engine.seconds.toFixed(2)} s vs parse ${ceiling.seconds.toFixed(2)} s; 100 rules ${all.seconds.toFixed(2)} s vs 1 rule ${single.seconds.toFixed(2)} s, vs 1 rule doing their matching ${doingTheirWork.seconds.toFixed(2)} s; RSS ${(held.rss / 2 ** 20).toFixed(0)} MB vs ${(never.rss / 2 ** 20).toFixed(0)} MB\n`,
      );
    }
    const rows = [
      { ratio: 'replay / parse ceiling (goal ≥ 0.8)', ...round(stats(replay), 2) },
      { ratio: '100 disjoint rules / 1 rule (goal ≤ 2)', ...round(stats(rules), 2) },
      { ratio: '  the same / 1 rule doing their matching', ...round(stats(sameWork), 2) },
      { ratio: 'bytes per pending key (goal ≤ 250)', ...round(stats(bytes), 0) },
      { ratio: '  of them in the V8 heap', ...round(stats(heapBytes), 0) },
    ];
    console.table(rows);
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'ratios.json'), JSON.stringify({ suite: 'ratios', node: process.version, date: new Date().toISOString(), runs, events, keys, replay, rules, sameWork, bytes, heapBytes, rows }, null, 2) + '\n');
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function round(s: { min: number; median: number; max: number }, digits: number): { min: number; median: number; max: number } {
  const f = 10 ** digits;
  return { min: Math.round(s.min * f) / f, median: Math.round(s.median * f) / f, max: Math.round(s.max * f) / f };
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
