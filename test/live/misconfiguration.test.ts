/**
 * Misconfiguration of the live components (after kafkajs `misconfiguration.spec.js`): every bad
 * option is refused at construction, before any socket is opened, with a message that names the
 * option and says what to write instead.
 */
import { describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSinkOptions } from '../../src/alerts/kafka-sink.js';
import { parseHostPort, resolveAlertServerOptions } from '../../src/alerts/ws-options.js';
import { createKafkaSource, type KafkaSourceOptions } from '../../src/runtime/sources/kafka.js';

describe('alert server options', () => {
  const resolve = (o: object, env: NodeJS.ProcessEnv = {}): unknown => resolveAlertServerOptions(o as never, env);

  it('fills in the defaults', () => {
    expect(resolveAlertServerOptions({ token: 'abcdefgh' }, {})).toEqual({
      host: '127.0.0.1', port: 0, token: 'abcdefgh', tokenGenerated: false, replay: 100,
      maxBufferedBytes: 4 * 1024 * 1024, heartbeatMs: 30_000, maxPayload: 4096, maxClients: 1000,
    });
    expect(resolveAlertServerOptions({}, { CEP_WS_TOKEN: 'from-env-123' }).token).toBe('from-env-123');
    expect(resolveAlertServerOptions({ token: 'given-token' }, { CEP_WS_TOKEN: 'from-env-123' }).token).toBe('given-token');
  });

  it.each([
    [{ prot: 1 }, /unknown alert server option 'prot'/],
    [{ port: 70000 }, /'port' must be between 0 and 65535, got 70000/],
    [{ port: '8080' }, /'port' must be an integer, got "8080"/],
    [{ host: '' }, /'host' must be a host name or IP address/],
    [{ host: 'http://x' }, /'host' must be a host name/],
    [{ token: 'short' }, /at least 8 characters/],
    [{ token: 'has space in it' }, /may only hold letters, digits/],
    [{ replay: -1 }, /'replay' must be between 0 and 100000/],
    [{ maxBufferedBytes: 10 }, /'maxBufferedBytes' must be between 1024/],
    [{ heartbeatMs: 1.5 }, /'heartbeatMs' must be an integer/],
    [{ maxPayload: 0 }, /'maxPayload' must be between 64/],
  ])('refuses %j', (options, message) => {
    expect(() => resolve(options)).toThrow(message);
  });

  it('refuses a bad CEP_WS_TOKEN as well', () => {
    expect(() => resolve({}, { CEP_WS_TOKEN: 'abc' })).toThrow(/--ws-token or CEP_WS_TOKEN/);
  });

  it('parses --ws HOST:PORT forms', () => {
    expect(parseHostPort('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseHostPort(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    for (const bad of ['localhost', 'host:99999', 'a:b', '']) expect(() => parseHostPort(bad)).toThrow(/--ws expects HOST:PORT/);
  });
});

describe('Kafka sink options', () => {
  const sink = (o: Record<string, unknown>): Promise<unknown> => createKafkaSink({ brokers: ['127.0.0.1:9092'], topic: 'alerts', ...o } as unknown as KafkaSinkOptions);

  it.each([
    [{ brokers: [] }, /'brokers' must be a non-empty list of host:port/],
    [{ brokers: 'localhost:9092' }, /'brokers' must be a non-empty list/],
    [{ brokers: ['kafka://localhost:9092'] }, /"kafka:\/\/localhost:9092" is not host:port/],
    [{ brokers: ['localhost'] }, /"localhost" is not host:port/],
    [{ topic: 'bad topic' }, /'topic': "bad topic" is not a valid topic name/],
    [{ topic: '' }, /is not a valid topic name/],
    [{ maxBatch: 0 }, /'maxBatch' must be an integer from 1/],
    [{ retries: 0 }, /'retries' must be an integer from 1 to 100/],
    [{ logLevel: 'debug' }, /'logLevel' must be one of nothing, error, warn, info/],
    [{ acks: 1 }, /unknown Kafka sink option 'acks'/],
  ])('refuses %j before connecting', async (options, message) => {
    await expect(sink(options)).rejects.toThrow(message);
  });
});

describe('Kafka source options', () => {
  const source = (o: Record<string, unknown>): Promise<unknown> =>
    createKafkaSource({ brokers: ['127.0.0.1:9092'], topics: ['events'], groupId: 'cep', ...o } as unknown as KafkaSourceOptions);

  it.each([
    [{ topics: [] }, /'topics' must be a non-empty list/],
    [{ topics: ['ok', 'not/ok'] }, /"not\/ok" is not a valid topic name/],
    [{ groupId: '' }, /'groupId' must be a non-empty string/],
    [{ groupId: undefined }, /'groupId' must be a non-empty string/],
    [{ typeFromTopic: 'yes' }, /'typeFromTopic' must be true or false/],
    [{ sessionTimeoutMs: 1000 }, /'sessionTimeoutMs' must be an integer from 6000/],
    [{ commitIntervalMs: 60_000, sessionTimeoutMs: 30_000 }, /'commitIntervalMs' \(60000\) must be below 'sessionTimeoutMs' \(30000\)/],
    [{ maxBuffered: 0 }, /'maxBuffered' must be an integer from 1/],
    [{ closeGraceMs: -5 }, /'closeGraceMs' must be an integer from 0 to 60000/],
    [{ brokers: ['127.0.0.1:0'] }, /"127.0.0.1:0" is not host:port/],
    [{ topic: 'events' }, /unknown Kafka source option 'topic'/],
  ])('refuses %j before connecting', async (options, message) => {
    await expect(source(options)).rejects.toThrow(message);
  });
});
