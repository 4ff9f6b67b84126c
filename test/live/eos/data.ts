/**
 * Test data of the exactly-once harness: keyed bank-account events for test/live/eos/rules.cep,
 * made from a seed (the same seed gives the same events), and the end-of-stream sentinels.
 *
 * Shape: accounts live through short "sessions" (a few failed logins and maybe a login, card probes
 * and maybe a big purchase, a password reset and maybe a login, a withdrawal and maybe its
 * confirmation, a login and maybe a transfer, plain noise). Each session starts at a random time in
 * `[base, base + spanMs)`; its events follow at random gaps chosen so that some fall inside a rule's
 * `within` and some outside. All events are then sorted by time (stable), which is the order they
 * are produced in and the order of the reference file: every partition, and so every key, is then
 * in event-time order (no late events whatever the partitioning).
 *
 * Sentinels: one event per input partition, of a type no rule reads, far after the last event, with
 * an `account` that the default partitioner (kafkajs DefaultPartitioner = Java's murmur2) maps to
 * that partition, so its record key is aligned with its partition too. It moves that partition's
 * watermark past every deadline: a live (endless) stream then fires what a finite file fires at its end.
 */
import { prng } from '../../support/prng.js';
import { writeFileSync } from 'node:fs';
import { Partitioners } from 'kafkajs';

/** One event: `type`, `ts` (epoch ms), `account` (the key), a unique `seq`, and the type's fields. */
export interface BankEvent {
  readonly type: string;
  readonly ts: number;
  readonly account: string;
  readonly seq: number;
  readonly [field: string]: unknown;
}

export interface DataOptions {
  /** How many events (before sentinels); the last session may stop early to hit it exactly. */
  readonly events: number;
  /** Distinct accounts (keys). Default events / 25. */
  readonly accounts?: number;
  /** PRNG seed. Default 1. */
  readonly seed?: number;
  /** Event time of the first session's start, epoch ms. Default 2024-05-01T00:00:00Z. */
  readonly base?: number;
  /** Sessions start within this span, ms. Default 8 h. */
  readonly spanMs?: number;
}

/** Type of the sentinels; no rule names it. */
export const SENTINEL_TYPE = 'end_of_stream';
/** How far after the last event the sentinels lie: 30 days, beyond every `within`. */
export const SENTINEL_GAP_MS = 30 * 24 * 3600_000;


/** An event before it has its account and `seq`. */
interface Draft {
  readonly type: string;
  readonly ts: number;
  readonly [field: string]: unknown;
}

/**
 * The events of one session starting at `t0`: `[offset ms, type, fields]` turned into drafts.
 * Gaps straddle the rules' windows (2m, 10m, 5m, 1m, 30s) on purpose.
 */
function session(rand: () => number, t0: number): Draft[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const between = (lo: number, hi: number): number => Math.floor(lo + rand() * (hi - lo));
  const ip = `10.${between(0, 4)}.${between(0, 256)}.${between(1, 255)}`;
  const out: Draft[] = [];
  let t = t0;
  const add = (gap: number, type: string, fields: Record<string, unknown> = {}): void => {
    t += gap;
    out.push({ type, ts: t, ...fields });
  };
  const r = rand();
  if (r < 0.2) {
    // failed logins, maybe a login: guessed_password (within 2m)
    const fails = between(1, 6);
    for (let i = 0; i < fails; i++) add(between(1_000, 40_000), 'login_failed', { ip });
    if (rand() < 0.7) add(between(1_000, 90_000), 'login', { ip: rand() < 0.8 ? ip : `10.9.9.${between(1, 255)}` });
  } else if (r < 0.38) {
    // card probes, maybe a big purchase: card_testing (within 10m)
    const probes = between(1, 6);
    for (let i = 0; i < probes; i++) add(between(5_000, 120_000), 'txn', { amount: Math.round(rand() * 190) / 100, merchant: `m${between(0, 50)}` });
    if (rand() < 0.6) add(between(10_000, 400_000), 'txn', { amount: between(300, 3_000), merchant: `m${between(0, 50)}` });
  } else if (r < 0.52) {
    // password reset, maybe a login: abandoned_reset (within 5m, trailing not)
    add(0, 'password_reset', { channel: pick(['email', 'sms', 'app']) });
    if (rand() < 0.6) add(between(10_000, 600_000), 'login', { ip });
  } else if (r < 0.68) {
    // withdrawal, maybe confirmed (same or other amount): withdrawal (within 1m, on timeout emit)
    const amount = between(20, 2_000);
    add(0, 'withdraw_request', { amount });
    if (rand() < 0.7) add(between(2_000, 90_000), 'withdraw_confirm', { amount: rand() < 0.9 ? amount : amount + 1 });
  } else if (r < 0.84) {
    // login then maybe straight to a transfer: login_then_transfer (next, within 30s)
    add(0, 'login', { ip });
    if (rand() < 0.3) add(between(1_000, 20_000), 'txn', { amount: between(5, 80), merchant: `m${between(0, 50)}` });
    add(between(1_000, 45_000), 'transfer', { amount: between(100, 5_000), to: `acct-${between(0, 99_999)}` });
  } else {
    // noise: everyday purchases and a logout
    const n = between(1, 4);
    for (let i = 0; i < n; i++) add(between(1_000, 600_000), 'txn', { amount: between(3, 250), merchant: `m${between(0, 50)}` });
    add(between(1_000, 60_000), 'logout');
  }
  return out;
}

/**
 * Generates `options.events` events, sorted by time (ties in generation order), each with a
 * distinct `seq` in that order.
 */
export function generateEvents(options: DataOptions): BankEvent[] {
  const rand = prng(options.seed ?? 1);
  const accounts = Math.max(1, options.accounts ?? Math.ceil(options.events / 25));
  const base = options.base ?? Date.UTC(2024, 4, 1);
  const span = options.spanMs ?? 8 * 3600_000;
  const drafts: { draft: Draft; account: string }[] = [];
  while (drafts.length < options.events) {
    const account = `acct-${Math.floor(rand() * accounts)}`;
    for (const draft of session(rand, base + Math.floor(rand() * span))) {
      if (drafts.length >= options.events) break;
      drafts.push({ draft, account });
    }
  }
  // Array.prototype.sort is stable: equal times keep generation order.
  drafts.sort((a, b) => a.draft.ts - b.draft.ts);
  return drafts.map(({ draft, account }, seq) => ({ ...draft, type: draft.type, ts: draft.ts, account, seq }));
}

/** The partition the producer's default partitioner gives `key` on a topic of `partitions` partitions. */
export function partitionOf(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

/** A sentinel per partition `0..partitions-1`, at `after + SENTINEL_GAP_MS`, each with an account that hashes to its partition. */
export function sentinels(partitions: number, after: number, firstSeq: number): { partition: number; event: BankEvent }[] {
  const out: { partition: number; event: BankEvent }[] = [];
  for (let p = 0; p < partitions; p++) {
    let i = 0;
    while (partitionOf(`sentinel-${p}-${i}`, partitions) !== p) i++;
    out.push({ partition: p, event: { type: SENTINEL_TYPE, ts: after + SENTINEL_GAP_MS, account: `sentinel-${p}-${i}`, seq: firstSeq + p } });
  }
  return out;
}

/** Writes events as NDJSON (the reference input of `cep run --input`). */
export function writeNdjson(path: string, events: readonly BankEvent[]): void {
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}
