/**
 * The pieces of the exactly-once harness that tie producer, processes and reader together:
 * topic creation, consumer-group lag, the reference run (`cep run --input`), phase timing, and
 * "settled": the moment the run is over and the alert topic can be compared.
 *
 * Settled means all of these at once:
 * 1. every input partition's committed offset of the engine's group equals its end offset
 *    (`admin.fetchOffsets` vs `admin.fetchTopicOffsets`): lag 0;
 * 2. the read_committed reader is at the last stable offset of every alert partition;
 * 3. the reader got no new alert for `quietMs`;
 * 4. every engine process is alive (one that crashed is not "idle").
 * Waiting gives up after `timeoutMs`, or earlier when lag and alert count have not moved for
 * `stallMs` (at-least-once never reaches lag 0: its last events stay held by the watermark).
 *
 * Independent of vitest (the soak script uses it too).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import type { AlertReader, AlertRecord } from './alert-reader.js';
import { CLI, REPO_ROOT, type CepProcess } from './cep-process.js';
import { canonical, type AlertJson, type Comparison } from './compare.js';

/**
 * Creates `topic` with `partitions` partitions and waits until every partition has a leader that
 * answers a list-offsets request. Right after a broker starts, kafkajs's own wait for leaders can
 * fail with "This server does not host this topic-partition" (its metadata is not there yet);
 * that is waited out here, up to 30 s.
 * @throws the last error when the topic is still not usable after 30 s.
 */
export async function createTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } catch {
    // waited out below
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      if (offsets.length === partitions) return;
      throw new Error(`topic ${topic} has ${offsets.length} partitions, not ${partitions}`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((ok) => setTimeout(ok, 250));
    }
  }
}

export interface PartitionLag {
  readonly partition: number;
  /** The group's committed offset (-1: none). */
  readonly committed: number;
  readonly end: number;
  readonly lag: number;
}

/** The group's lag on every partition of `topic` (no committed offset: lag from the low offset). */
export async function groupLag(admin: Admin, group: string, topic: string): Promise<PartitionLag[]> {
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
  const byPartition = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
  return ends
    .map((e) => {
      const c = byPartition.get(e.partition) ?? -1;
      const end = Number(e.high);
      return { partition: e.partition, committed: c, end, lag: end - (c >= 0 ? c : Number(e.low)) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export const totalLag = (lags: readonly PartitionLag[]): number => lags.reduce((s, p) => s + p.lag, 0);

/**
 * The reference: `cep run RULES --input FILE --out OUT` on exactly the events produced.
 * @returns the alerts and the run's summary line (stderr).
 * @throws Error when the run exits non-zero.
 */
export async function referenceAlerts(rules: string, inputFile: string, outFile: string): Promise<{ alerts: AlertJson[]; summary: string }> {
  const child = spawn(process.execPath, [CLI, 'run', rules, '--input', inputFile, '--out', outFile, '--no-progress'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  if (code !== 0) throw new Error(`reference run 'cep run --input ${inputFile}' exited with ${code}:\n${stderr}`);
  const alerts = readFileSync(outFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AlertJson);
  return { alerts, summary: stderr.trim() };
}

/** Named phases with their durations, for the report. */
export class Phases {
  private readonly t0 = Date.now();
  private last = this.t0;
  readonly list: { name: string; ms: number; atMs: number; note?: string }[] = [];

  /** Ends the current phase under `name`. */
  mark(name: string, note?: string): void {
    const now = Date.now();
    this.list.push({ name, ms: now - this.last, atMs: now - this.t0, ...(note === undefined ? {} : { note }) });
    this.last = now;
  }

  format(): string {
    return this.list.map((p) => `  ${(p.ms / 1000).toFixed(1).padStart(6)} s  (at ${(p.atMs / 1000).toFixed(1).padStart(6)} s)  ${p.name}${p.note ? `: ${p.note}` : ''}`).join('\n');
  }
}

/** Polls `probe` every `pollMs` until it returns a value; undefined after `timeoutMs`. */
export async function poll<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, pollMs = 200): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    await new Promise((ok) => setTimeout(ok, pollMs));
  }
}

export interface SettleOptions {
  readonly admin: Admin;
  readonly group: string;
  readonly inputTopic: string;
  readonly reader: AlertReader;
  readonly processes: readonly CepProcess[];
  /** No new alert for this long. Default 2000 ms (four commit intervals of 500 ms). */
  readonly quietMs?: number;
  /** Give up after this long. Default 90 s. */
  readonly timeoutMs?: number;
  /** Give up when neither lag nor alert count moved for this long. Default 20 s. */
  readonly stallMs?: number;
}

export interface Settled {
  readonly settled: boolean;
  readonly waitedMs: number;
  /** Why waiting ended without settling, else ''. */
  readonly reason: string;
  readonly lag: PartitionLag[];
  readonly readerBehind: { partition: number; position: bigint; end: bigint }[];
  readonly alerts: number;
}

/** Waits until the run is settled (see the file comment). */
export async function waitSettled(o: SettleOptions): Promise<Settled> {
  const started = Date.now();
  const quietMs = o.quietMs ?? 2000;
  const timeoutMs = o.timeoutMs ?? 90_000;
  const stallMs = o.stallMs ?? 20_000;
  let lastChange = Date.now();
  let lastLag = -1;
  let lastCount = -1;
  for (;;) {
    const lag = await groupLag(o.admin, o.group, o.inputTopic);
    const behind = await o.reader.behind(o.admin);
    const lagSum = totalLag(lag);
    const count = o.reader.count;
    if (lagSum !== lastLag || count !== lastCount) {
      lastChange = Date.now();
      lastLag = lagSum;
      lastCount = count;
    }
    const dead = o.processes.filter((p) => !p.alive).map((p) => p.name);
    const quiet = Date.now() - Math.max(o.reader.lastRecordAt, started) >= quietMs;
    const result = (settled: boolean, reason: string): Settled => ({ settled, waitedMs: Date.now() - started, reason, lag, readerBehind: behind, alerts: count });
    if (lagSum === 0 && behind.length === 0 && quiet && dead.length === 0) return result(true, '');
    const state = `lag ${lagSum}, reader behind on ${behind.length} partitions, ${count} alerts${dead.length > 0 ? `, not running: ${dead.join(', ')}` : ''}`;
    if (Date.now() - started >= timeoutMs) return result(false, `not settled after ${timeoutMs} ms: ${state}`);
    if (Date.now() - lastChange >= stallMs) return result(false, `stalled for ${stallMs} ms: ${state}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

/**
 * Writes what a failed run needs for a post-mortem into `dir`: `received.ndjson` (every record the
 * read_committed reader got: partition, offset, producer id/epoch, value) and `duplicates.json` (each
 * duplicated alert with `partition@offset by producerId/epoch at readTime` of all its copies).
 * @returns the paths written.
 */
export function writePostMortem(dir: string, records: readonly AlertRecord[], comparison: Comparison): string[] {
  const received = join(dir, 'received.ndjson');
  writeFileSync(received, records.map((r) => JSON.stringify({ partition: r.partition, offset: r.offset, producer: r.producer, readAt: r.readAt, headers: r.headers, value: JSON.parse(r.value) as unknown })).join('\n') + '\n');
  const wanted = new Set(comparison.duplicatedAlerts.map((d) => d.canonical));
  const positions = new Map<string, string[]>();
  for (const r of records) {
    const c = canonical(JSON.parse(r.value) as AlertJson);
    if (wanted.has(c)) positions.set(c, [...(positions.get(c) ?? []), `${r.partition}@${r.offset} by ${r.producer} at ${new Date(r.readAt).toISOString()}`]);
  }
  const duplicates = join(dir, 'duplicates.json');
  writeFileSync(duplicates, JSON.stringify(comparison.duplicatedAlerts.map((d) => ({ extra: d.extra, positions: positions.get(d.canonical) ?? [], alert: JSON.parse(d.canonical) as unknown })), null, 1));
  return [received, duplicates];
}
