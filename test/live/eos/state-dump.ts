/**
 * Post-mortem of a failed exactly-once run: the history of every task's meta and restore-marker
 * records in the state changelog topic (`<group>.state`), as committed (`read_committed`), with
 * the writing producer (`producerId/epoch`) of each. Beside `duplicates.json` it shows, per task,
 * which owner (epoch) committed which input offsets, and so where a restore went back.
 *
 * Decoding uses the engine's own `decodeRecord` (src/runtime/state-records.ts), loaded only here
 * and only when a run failed, so the rest of the harness does not depend on the state format.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Admin, Kafka } from 'kafkajs';

interface Decoded {
  readonly kind: string;
  readonly task: string;
  readonly value?: { offsets?: Record<string, string> } | null;
  readonly nonce?: string | null;
}

/**
 * Reads `stateTopic` to its last stable offset (at most `timeoutMs`) and writes one line per meta or
 * marker record to `path`: partition, offset, producer, task, kind, and a meta record's input offsets.
 * @returns the number of lines written, or a reason why nothing was written (never throws).
 */
export async function dumpStateHistory(kafka: Kafka, admin: Admin, stateTopic: string, path: string, timeoutMs = 30_000): Promise<number | string> {
  let decode: (key: string, value: Buffer | null) => Decoded;
  try {
    const module = (await import('../../../src/runtime/state-records.js')) as { decodeRecord: (key: string, value: Buffer | null) => Decoded };
    decode = module.decodeRecord;
  } catch (error) {
    return `cannot load the state decoder: ${(error as Error).message}`;
  }
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(stateTopic)).map((p) => [p.partition, BigInt(p.high)]));
  } catch (error) {
    return `cannot read ${stateTopic}: ${(error as Error).message}`;
  }
  const positions = new Map<number, bigint>();
  const lines: string[] = [];
  const consumer = kafka.consumer({ groupId: `cep-eos-state-dump-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200, maxBytesPerPartition: 16 * 1024 * 1024 });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => positions.set(payload.partition, BigInt(payload.lastOffset) + 1n));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: stateTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith('["t"') && !key.startsWith('["r"')) return;
        const batch = (message as { batchContext?: { producerId?: string; producerEpoch?: number } }).batchContext;
        let record: Decoded;
        try {
          record = decode(key, message.value);
        } catch (error) {
          lines.push(JSON.stringify({ partition, offset: message.offset, key, error: (error as Error).message }));
          return;
        }
        lines.push(
          JSON.stringify({
            partition,
            offset: message.offset,
            producer: `${batch?.producerId ?? '?'}/${batch?.producerEpoch ?? '?'}`,
            task: record.task,
            kind: record.kind,
            ...(record.kind === 'meta' ? { offsets: record.value?.offsets ?? null } : { nonce: record.nonce ?? null }),
          }),
        );
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...ends].some(([p, end]) => end > 0n && (positions.get(p) ?? 0n) < end)) await new Promise((ok) => setTimeout(ok, 250));
  } catch (error) {
    return `reading ${stateTopic} failed: ${(error as Error).message}`;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return lines.length;
}
