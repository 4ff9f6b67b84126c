/**
 * The Kafka alert sink against the real broker: records as specified (key, value, headers), the
 * exact set delivered and in order, graceful shutdown flushing pending alerts, and delivery and
 * connection failures reported with their codes.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { createKafkaSink } from '../../src/alerts/kafka-sink.js';
import { LiveError } from '../../src/alerts/live-error.js';
import { sshAlerts } from './fixtures.js';
import { brokers, createTopics, readTopic, uniqueName } from './kafka-helpers.js';

describe('Kafka sink', () => {
  it('writes each alert once, key = alert key, value = alert JSON, in order', async () => {
    const topic = uniqueName('alerts');
    await createTopics([topic]);
    const sink = await createKafkaSink({ brokers: brokers(), topic });
    const alerts = sshAlerts();
    await Promise.all(alerts.map((a) => sink.write(a)));
    expect(sink.delivered()).toBe(alerts.length);
    await sink.close();
    const records = await readTopic(topic);
    expect(records.map((r) => JSON.parse(r.value) as Alert)).toEqual(alerts);
    expect(records.map((r) => r.key)).toEqual(alerts.map((a) => a.key));
    expect(records[0].headers).toEqual({ rule: alerts[0].rule, severity: alerts[0].severity, kind: 'match' });
  });

  it('uses the JSON of a composite key, and flushes pending alerts on close', async () => {
    const topic = uniqueName('alerts');
    await createTopics([topic]);
    const sink = await createKafkaSink({ brokers: brokers(), topic, maxBatch: 50 });
    const alerts = sshAlerts().map((a) => ({ ...a, key: [a.key, a.rule] }));
    const promises = alerts.map((a) => sink.write(a)); // not awaited: close must flush them
    await sink.close();
    await Promise.all(promises);
    const records = await readTopic(topic);
    expect(records).toHaveLength(alerts.length);
    expect(records.map((r) => r.key)).toEqual(alerts.map((a) => JSON.stringify(a.key)));
    expect(() => sink.write(alerts[0])).toThrow(/CEP_SINK_CLOSED/);
  });

  it('reports an undeliverable alert as CEP_KAFKA_SEND with its context, then refuses writes', async () => {
    const topic = uniqueName('alerts');
    await createTopics([topic]);
    const sink = await createKafkaSink({ brokers: brokers(), topic, retries: 1 });
    const [first] = sshAlerts();
    // Larger than the broker's default max.message.bytes (1 MiB): MESSAGE_TOO_LARGE.
    const huge: Alert = { ...first, fields: { blob: 'x'.repeat(2 * 1024 * 1024) } };
    const error = await sink.write(huge).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(LiveError);
    expect(error).toMatchObject({ code: 'CEP_KAFKA_SEND', retriable: false, topic, count: 1 });
    expect((error as LiveError).cause).toBeDefined();
    expect(() => sink.write(first)).toThrow(error as LiveError);
    await expect(sink.close()).rejects.toBe(error);
  });

  it('fails with CEP_KAFKA_CONNECT when no broker answers', async () => {
    await expect(createKafkaSink({ brokers: ['127.0.0.1:1'], topic: 'alerts', retries: 1, connectionTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'CEP_KAFKA_CONNECT',
      retriable: true,
      brokers: ['127.0.0.1:1'],
    });
  });
});
