/**
 * Helpers for tests on the real broker started by global-setup.ts: unique topic names, topic
 * creation, producing NDJSON events, and reading a topic to its end with a plain kafkajs consumer.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { createTopic } from './eos/harness.js';

export const brokers = (): string[] => [inject('kafkaBrokers')];

export function kafka(): Kafka {
  return new Kafka({ brokers: brokers(), clientId: 'cep-test', logLevel: logLevel.NOTHING });
}

/** A topic name no other test uses. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Creates topics with `partitions` partitions, each waited for as the exactly-once harness does ({@link createTopic}). */
export async function createTopics(names: readonly string[], partitions = 1): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    for (const topic of names) await createTopic(admin, topic, partitions);
  } finally {
    await admin.disconnect();
  }
}

/** Produces messages to `topic` (explicit partitions when given) and waits for the acks. */
export async function produce(topic: string, messages: Message[]): Promise<void> {
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  } finally {
    await producer.disconnect();
  }
}

/** One consumed record. */
export interface Consumed {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Reads every record of `topic` up to its current end offsets (a fresh group, from the beginning). */
export async function readTopic(topic: string): Promise<Consumed[]> {
  const k = kafka();
  const admin = k.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const out: Consumed[] = [];
  if (remaining.size === 0) return out;
  const consumer = k.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`reading ${topic} timed out with ${out.length} records`)), 25_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, v] of Object.entries(message.headers ?? {})) headers[name] = String(v);
        out.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
        if (Number(message.offset) + 1 >= (remaining.get(partition) ?? Infinity)) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          ok();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

/** The committed offsets of `groupId` on `topic`, by partition (-1 when none). */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** Polls `probe` every 500 ms until it gives a value (at most a minute). @throws Error naming `what` on timeout. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 120; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}
