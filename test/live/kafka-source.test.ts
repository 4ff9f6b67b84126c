/**
 * The Kafka source against the real broker: one task per partition number (its topic-partitions as
 * watermark inputs) started before its records, record timestamps, type from topic, bad records, the end of a finite replay,
 * and offsets committed only up to the lowest offset whose event is not yet done.
 */
import { describe, expect, it } from 'vitest';
import { createKafkaSource, type KafkaSource } from '../../src/runtime/sources/kafka.js';
import type { SourceRecord } from '../../src/runtime/source.js';
import { readEvents } from './fixtures.js';
import { brokers, committedOffsets, createTopics, produce, uniqueName } from './kafka-helpers.js';

/** Reads every record of a `stopAtEnd` source, noting task starts and ends in order with the records. */
async function drain(source: KafkaSource, markDone: (r: SourceRecord) => boolean = () => true): Promise<{ records: SourceRecord[]; log: string[] }> {
  const records: SourceRecord[] = [];
  const log: string[] = [];
  const started = new Set<string>();
  for await (const r of source.records()) {
    if (r.kind === 'task-start') {
      started.add(r.task);
      log.push(`+${r.task}:${r.inputs.join(',')}`);
      continue;
    }
    if (r.kind === 'task-end') {
      log.push(`-${r.task}`);
      continue;
    }
    if (r.task === undefined || !started.has(r.task)) log.push(`record before its task: ${r.input}`);
    records.push(r);
    if (markDone(r)) r.done?.();
  }
  return { records, log };
}

const sshEvents = readEvents('ssh-auth.ndjson');

describe('Kafka source', () => {
  it('reads every record once, one input per partition, with record timestamps', async () => {
    const topic = uniqueName('ssh');
    await createTopics([topic], 3);
    await produce(topic, sshEvents.map((e) => ({ key: String(e.ip), value: JSON.stringify(e), timestamp: String(Date.parse(e.ts as string)) })));
    const source = await createKafkaSource({ brokers: brokers(), topics: [topic], groupId: uniqueName('g'), stopAtEnd: true });
    const { records, log } = await drain(source);
    await source.close();
    expect(log.sort()).toEqual([`+0:${topic}/0`, `+1:${topic}/1`, `+2:${topic}/2`]);
    expect(records).toHaveLength(sshEvents.length);
    const events = records.filter((r) => r.kind === 'event');
    expect(events).toHaveLength(sshEvents.length);
    // Same multiset of events; within a partition, in produce order.
    const lines = (rs: { value: Record<string, unknown> }[]): number[] => rs.map((r) => r.value.line as number);
    expect(lines(events).sort((a, b) => a - b)).toEqual(lines(sshEvents.map((value) => ({ value }))));
    for (const p of [0, 1, 2]) {
      const inPartition = events.filter((r) => r.input === `${topic}/${p}`);
      expect(inPartition.length).toBeGreaterThan(0);
      expect(lines(inPartition)).toEqual([...lines(inPartition)].sort((a, b) => a - b));
      expect(inPartition[0].position).toBe(`${topic}/${p}@0`);
    }
    for (const r of events) expect(r.timestamp).toBe(Date.parse(r.value.ts as string));
    expect(events.every((r) => r.type === undefined)).toBe(true);
  });

  it('takes the type from the topic, and sets aside values that are not JSON objects', async () => {
    const [placed, paid] = [uniqueName('order_placed'), uniqueName('payment_approved')];
    await createTopics([placed, paid]);
    await produce(placed, [{ value: '{"order_id":"a","ts":1}' }, { value: 'not json' }, { value: '[1,2]' }, { value: null }]);
    await produce(paid, [{ value: '{"order_id":"a","ts":2}' }]);
    const source = await createKafkaSource({ brokers: brokers(), topics: [placed, paid], groupId: uniqueName('g'), stopAtEnd: true, typeFromTopic: true });
    const { records } = await drain(source);
    await source.close();
    const events = records.filter((r) => r.kind === 'event');
    expect(events.map((e) => [e.type, e.value.order_id]).sort()).toEqual([[paid, 'a'], [placed, 'a']].sort());
    const bad = records.filter((r) => r.kind === 'bad');
    expect(bad.map((b) => [b.position, b.raw])).toEqual([[`${placed}/0@1`, 'not json'], [`${placed}/0@2`, '[1,2]'], [`${placed}/0@3`, '']]);
    expect(bad.map((b) => b.reason)).toEqual([expect.stringMatching(/not JSON/), expect.stringMatching(/not an object/), expect.stringMatching(/tombstone/)]);
  });

  it('commits per partition only up to the lowest offset not done, and a restart resumes there', async () => {
    const topic = uniqueName('ssh');
    await createTopics([topic], 2);
    const events = sshEvents.slice(0, 400);
    await produce(topic, events.map((e, i) => ({ partition: i % 2, value: JSON.stringify(e) })));
    const group = uniqueName('g');
    // Partition 0: offset 50 is never done (held by the engine); later ones are. Partition 1: all done.
    const held = `${topic}/0@50`;
    const first = await createKafkaSource({ brokers: brokers(), topics: [topic], groupId: group, stopAtEnd: true, commitIntervalMs: 20 });
    const { records } = await drain(first, (r) => r.position !== held);
    await first.close();
    expect(records).toHaveLength(400);
    expect(await committedOffsets(group, topic)).toEqual(new Map([[0, 50], [1, 200]]));

    const second = await createKafkaSource({ brokers: brokers(), topics: [topic], groupId: group, stopAtEnd: true });
    const again = await drain(second);
    await second.close();
    expect(again.records.map((r) => r.position)).toEqual(Array.from({ length: 150 }, (_, i) => `${topic}/0@${50 + i}`));
    expect(await committedOffsets(group, topic)).toEqual(new Map([[0, 200], [1, 200]]));
  });

  it('without stopAtEnd keeps reading records produced later, until closed', async () => {
    const topic = uniqueName('live');
    await createTopics([topic]);
    const source = await createKafkaSource({ brokers: brokers(), topics: [topic], groupId: uniqueName('g') });
    const seen: SourceRecord[] = [];
    const reading = (async () => {
      for await (const r of source.records()) {
        if (r.kind === 'task-start' || r.kind === 'task-end') continue;
        seen.push(r);
        r.done?.();
        if (seen.length === 3) break;
      }
    })();
    await produce(topic, sshEvents.slice(0, 3).map((e) => ({ value: JSON.stringify(e) })));
    await reading;
    await source.close();
    expect(seen.map((r) => (r.kind === 'event' ? r.value.line : null))).toEqual([1, 2, 3]);
  });

  it('fails with CEP_KAFKA_CONNECT for a topic that does not exist', async () => {
    await expect(createKafkaSource({ brokers: brokers(), topics: ['no-such-topic-here'], groupId: 'g' })).rejects.toMatchObject({
      code: 'CEP_KAFKA_CONNECT',
      retriable: false,
      topic: 'no-such-topic-here',
    });
  });
});
