/**
 * The kafkajs read_committed fix (src/alerts/kafkajs-read-committed.ts) on the real broker: two
 * transactional producers overlap on one partition, the later-starting transaction is aborted
 * first, then the earlier one: a read_committed consumer sees neither (kafkajs 2.2.4 alone
 * showed the earlier one's first record), and sees the committed one.
 */
import { describe, expect, it } from 'vitest';
import { filterAbortedMessages } from '../../src/alerts/kafkajs-read-committed.js';
import { createTopics, kafka, uniqueName } from './kafka-helpers.js';

/** The values a read_committed consumer reads from `topic` until `last` and one more second. */
async function readCommittedUntil(topic: string, last: string): Promise<string[]> {
  const consumer = kafka().consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((ok) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        if (seen.at(-1) === last) setTimeout(ok, 1000);
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

describe('kafkajs read_committed fix', () => {
  it('drops records of overlapping aborted transactions whatever order they were aborted in', async () => {
    const topic = uniqueName('overlap');
    await createTopics([topic]);
    const [a, b] = ['a', 'b'].map((n) => kafka().producer({ transactionalId: `${topic}-${n}`, maxInFlightRequests: 1 }));
    await Promise.all([a.connect(), b.connect()]);
    const ta = await a.transaction();
    await ta.send({ topic, messages: [{ value: 'A1 aborted' }] });
    const tb = await b.transaction();
    await tb.send({ topic, messages: [{ value: 'B1 aborted' }] });
    await tb.abort();
    await ta.send({ topic, messages: [{ value: 'A2 aborted' }] });
    await ta.abort();
    const tc = await b.transaction();
    await tc.send({ topic, messages: [{ value: 'B2 committed' }] });
    await tc.commit();
    await Promise.all([a.disconnect(), b.disconnect()]);
    expect(await readCommittedUntil(topic, 'B2 committed')).toEqual(['B2 committed']);
  });

  it('orders aborted transactions by first offset, as the Java consumer does', () => {
    const record = (offset: number, producerId: string, control = false, abort = false) => ({
      offset: String(offset),
      key: control ? Buffer.from([0, 0, 0, abort ? 0 : 1]) : null,
      isControlRecord: control,
      batchContext: { producerId, inTransaction: true },
    });
    const messages = [record(0, '7'), record(1, '8'), record(2, '8', true, true), record(3, '7'), record(4, '7', true, true), record(5, '9'), record(6, '9', true)];
    // As the broker lists them: by the offset of their abort marker.
    const abortedTransactions = [{ firstOffset: '1', producerId: '8' }, { firstOffset: '0', producerId: '7' }];
    const kept = filterAbortedMessages({ messages, abortedTransactions }).filter((m) => !m.isControlRecord);
    expect(kept.map((m) => m.offset)).toEqual(['5']);
  });
});
