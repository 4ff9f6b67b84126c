/**
 * The records of the state changelog topic (exactly-once on Kafka, DSL.md section 9), after Kafka
 * Streams' changelog: a compacted topic in which the latest record per key is the state, and a
 * record with no value (a tombstone) deletes it. Task `t` writes only to partition `t` of the
 * state topic, so that restoring a task reads one partition.
 *
 * Keys are JSON arrays, readable in `kafka-console-consumer`:
 * - `["t",task]`: the task's partition meta (`OperatorMeta`) and its next input offsets;
 * - `["k",task,rule,key]`: one rule's state for one key (`Nfa.serializeState`);
 * - `["r",task]`: the restore marker (see `state-restorer.ts`).
 *
 * Values are MessagePack (msgpackr) behind one format-version byte, so that a later format can be
 * told apart and an unknown one is refused rather than misread.
 */
import { Packr } from 'msgpackr';
import type { OperatorMeta } from './cep-operator.js';

/** The format version written as each value's first byte. */
const FORMAT = 1;

// Records as plain arrays and maps as objects; no structure sharing between records (each one
// must decode alone, after compaction removed the others).
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** The meta record's value: the operator's meta and, per input `topic/partition`, the next offset to read. */
export interface TaskMeta {
  readonly meta: OperatorMeta;
  readonly offsets: Readonly<Record<string, string>>;
}

/** A decoded state record. */
export type StateRecord =
  | { readonly kind: 'meta'; readonly task: string; readonly value: TaskMeta | null }
  | { readonly kind: 'key'; readonly task: string; readonly rule: string; readonly key: unknown; readonly state: unknown }
  | { readonly kind: 'marker'; readonly task: string; readonly nonce: string | null };

/** The record key of task `task`'s partition meta: `["t",task]` as JSON. */
export function metaKey(task: string): string {
  return JSON.stringify(['t', task]);
}

/** The record key of `rule`'s state for `key` in task `task`: `["k",task,rule,key]` as JSON. */
export function stateKey(task: string, rule: string, key: unknown): string {
  return JSON.stringify(['k', task, rule, key]);
}

/** The record key of task `task`'s restore marker: `["r",task]` as JSON. */
export function markerKey(task: string): string {
  return JSON.stringify(['r', task]);
}

/** A value with its format byte. */
export function encodeValue(value: unknown): Buffer {
  const body = packr.pack(value);
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = FORMAT;
  body.copy(out, 1);
  return out;
}

/**
 * Decodes one record of the state topic (`value` null: a tombstone).
 * @throws Error for a key that is not one of ours or a value of another format version.
 */
export function decodeRecord(key: string, value: Buffer | null): StateRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    throw new Error(`state topic: a record key that is not JSON: ${key.slice(0, 80)}`);
  }
  if (!Array.isArray(parsed) || typeof parsed[1] !== 'string') throw new Error(`state topic: an unknown record key ${key.slice(0, 80)}`);
  const task = parsed[1];
  const body = value === null ? null : decodeValue(value);
  switch (parsed[0]) {
    case 't':
      return { kind: 'meta', task, value: body as TaskMeta | null };
    case 'k':
      return { kind: 'key', task, rule: String(parsed[2]), key: parsed[3], state: body };
    case 'r':
      return { kind: 'marker', task, nonce: typeof body === 'string' ? body : null };
    default:
      throw new Error(`state topic: an unknown record key ${key.slice(0, 80)}`);
  }
}

function decodeValue(value: Buffer): unknown {
  if (value.length === 0 || value[0] !== FORMAT) throw new Error(`state topic: a value of format ${value[0]}, this engine reads format ${FORMAT}`);
  return packr.unpack(value.subarray(1));
}
