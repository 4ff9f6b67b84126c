/**
 * End-to-end replay of an NDJSON file: read + parse + match + write alerts (to /dev/null through
 * the NDJSON sink), as `cep run` does it. Each case runs in its own Node process so that its peak
 * RSS (`process.resourceUsage().maxRSS`) is its own.
 *
 * Cases:
 * - `olist`: examples/rules/orders.cep over the Olist orders (39,534 events, three rules);
 * - `ab-generated`: `a -> b within 10s` over 100,000 keys on a seeded generated file
 *   (bench/lib/generate.ts; 10 million events by default, `REPLAY_EVENTS=N` to change), written
 *   to a temp dir and removed afterwards. Goal: ≥ 1 million events/s on one core.
 * - `ab-generated, source only`: the same file read and parsed by the NDJSON source with no
 *   engine behind it: the ceiling that reading plus `JSON.parse` puts on any replay on this
 *   machine, so that the engine's own cost can be told apart from the machine's speed.
 *
 * Prints a table and writes bench/results/replay.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSink } from '../src/alerts/file-sink.js';
import { runEngine } from '../src/runtime/engine.js';
import { loadRules } from '../src/runtime/load-rules.js';
import { NdjsonSource } from '../src/runtime/sources/ndjson.js';
import { writeStream } from './lib/generate.js';

const here = dirname(fileURLToPath(import.meta.url));

interface CaseResult {
  readonly case: string;
  readonly events: number;
  readonly alerts: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
}

/** Child: replays one file (or only reads it, for `rules` = `-`) and prints its figures as JSON. */
async function child(name: string, rules: string, input: string): Promise<void> {
  const nfas = rules === '-' ? [] : loadRules([rules]);
  const started = performance.now();
  let events = 0;
  let alerts = 0;
  if (rules === '-') {
    for await (const batch of new NdjsonSource(input).batches()) events += batch.length;
  } else {
    const summary = await runEngine({ rules: nfas, sources: [new NdjsonSource(input)], sinks: [new FileSink({ stream: createWriteStream('/dev/null') })], log: () => {} });
    events = summary.events;
    alerts = summary.alerts;
  }
  const seconds = (performance.now() - started) / 1000;
  const result: CaseResult = {
    case: name,
    events,
    alerts,
    seconds,
    eventsPerSecond: events / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runCase(name: string, rules: string, input: string): CaseResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name, rules, input], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`case ${name} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CaseResult;
}

async function main(): Promise<void> {
  const events = Number(process.env.REPLAY_EVENTS ?? 10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cep-replay-bench-'));
  try {
    const rules = join(dir, 'ab.cep');
    writeFileSync(rules, 'rule ab\n  key by id\n  pattern a -> b\n  within 10s\n');
    const input = join(dir, 'ab.ndjson');
    process.stdout.write(`generating ${events.toLocaleString('en-US')} events...\n`);
    await writeStream({ events, keys: 100_000, rate: 10_000, maxDelay: 0, matchFraction: 0.2, sequence: ['a', 'b'], span: 5_000, noiseTypes: ['a', 'b', 'c'], seed: 42 }, input);
    const results = [
      runCase('olist', join(here, '..', 'examples', 'rules', 'orders.cep'), join(here, '..', 'examples', 'data', 'olist-orders.ndjson')),
      runCase('ab-generated', rules, input),
      runCase('ab-generated, source only', '-', input),
    ];
    const rows = results.map((r) => ({
      case: r.case,
      events: r.events.toLocaleString('en-US'),
      alerts: r.alerts.toLocaleString('en-US'),
      seconds: r.seconds.toFixed(2),
      'events/s': Math.round(r.eventsPerSecond).toLocaleString('en-US'),
      'peak RSS MB': r.peakRssMb.toFixed(0),
    }));
    console.table(rows);
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'replay.json'), JSON.stringify({ suite: 'replay', node: process.version, date: new Date().toISOString(), results }, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
