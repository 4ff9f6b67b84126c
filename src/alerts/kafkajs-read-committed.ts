/**
 * A fix for kafkajs 2.2.4's `read_committed` consumer, installed before kafkajs loads.
 *
 * The bug: a fetch response lists the aborted transactions in its range, and the broker orders
 * them by where they end (the transaction index is appended when the abort marker is written),
 * not by where they start. kafkajs's `filterAbortedMessages` assumes the list is ordered by first
 * offset and only looks at its head, so when transactions of two producers overlap on a partition
 * and the later-starting one is aborted first, the earlier one's records reach the application as
 * if committed. Seen here: three `cep run --exactly-once` processes write the alert topic with a
 * transactional producer per task, a killed process's transaction is aborted seconds later, and a
 * kafkajs reader saw 278 of its aborted alerts (Kafka's Java consumer saw none). It also concerns
 * our Kafka source, whose input may come from transactional producers.
 *
 * The fix follows Kafka's Java consumer (`CompletedFetch`): aborted transactions are taken in
 * order of first offset (a priority queue there, a sorted copy here); a producer's records inside
 * a transaction are dropped from the first offset of its aborted transaction up to its abort marker.
 *
 * kafkajs reads the filter with `require('./filterAbortedMessages')` when its consumer module
 * loads, so this module must be imported before anything imports `kafkajs` (kafka-client.ts
 * imports it first; it throws if kafkajs came first).
 */
import Module, { createRequire } from 'node:module';

/** A record as kafkajs decodes it (the fields the filter reads). */
interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

interface AbortedTransaction {
  readonly firstOffset: string;
  readonly producerId: string;
}

/** An abort marker's key: control record version 0, type 0 (ABORT); a commit marker's type is 1. */
function isAbortMarker(message: FetchedMessage): boolean {
  const key = message.key;
  return key !== null && key.length === 4 && key[0] === 0 && key[1] === 0 && key[2] === 0 && key[3] === 0;
}

/** The records of a fetch that are not part of an aborted transaction (control records kept: kafkajs drops them next). */
export function filterAbortedMessages({ messages, abortedTransactions }: { messages: FetchedMessage[]; abortedTransactions?: AbortedTransaction[] }): FetchedMessage[] {
  if (abortedTransactions === undefined || abortedTransactions === null || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0));
  const aborted = new Set<string>();
  let next = 0;
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (next < pending.length && BigInt(pending[next].firstOffset) <= offset) aborted.add(String(pending[next++].producerId));
    const producerId = String(message.batchContext.producerId);
    if (message.isControlRecord === true) {
      if (isAbortMarker(message)) aborted.delete(producerId);
      return true;
    }
    return !(message.batchContext.inTransaction && aborted.has(producerId));
  });
}

const require = createRequire(import.meta.url);
const filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
const batchPath = require.resolve('kafkajs/src/consumer/batch.js');
if (require.cache[batchPath] !== undefined && require.cache[filterPath]?.exports !== filterAbortedMessages) {
  throw new Error('kafkajs was loaded before its read_committed fix (src/alerts/kafkajs-read-committed.ts): import the fix first');
}
const fixed = new Module(filterPath);
fixed.filename = filterPath;
fixed.loaded = true;
fixed.exports = filterAbortedMessages;
require.cache[filterPath] = fixed;
