/**
 * The live options of `cep run` (DSL.md sections 9 and 10): a WebSocket feed with its dashboard
 * (`--ws`), a Kafka alert sink (`--kafka-topic`) and a Kafka event source (`--kafka-topics`); and
 * those of a run as a service: `--metrics` and `--log-format`. Declared once here and opened once
 * per run by {@link openLive}; `replay-options.ts` stays about files.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { logCreator } from 'kafkajs';
import { SASL_MECHANISMS, type KafkaSecurityCliOptions } from '../../alerts/kafka-options.js';
import type { AlertSink } from '../../alerts/sink.js';
import { parseHostPort } from '../../alerts/ws-options.js';
import type { Source } from '../source.js';
import { LOG_FORMATS, type LogFormat } from '../service/logger.js';
import { duration } from './replay-options.js';

/** Parsed live options (commander's camel-cased names). */
export interface LiveOptions extends KafkaSecurityCliOptions {
  ws?: string;
  wsToken?: string;
  wsOrigin?: string[];
  kafkaBrokers?: string[];
  kafkaTopic?: string;
  kafkaTopics?: string[];
  kafkaGroup?: string;
  typeFromTopic?: boolean;
  kafkaSessionTimeout?: number;
  exactlyOnce?: boolean;
  commitInterval?: number;
  stateTopic?: string;
  /** `--metrics [host:]port`: `/metrics`, `/healthz`, `/readyz` (DSL.md section 10). */
  metrics?: string;
  /** `--log-format`: stderr as text lines (default) or one JSON object a line. */
  logFormat?: LogFormat;
}

/** Declares the live options on `command`. */
export function addLiveOptions(command: Command): Command {
  return command
    .option('--ws <[host:]port>', 'serve the alert feed (WebSocket /ws) and the live dashboard (/) here; host defaults to 127.0.0.1')
    .option('--ws-token <token>', 'token clients must present (default: $CEP_WS_TOKEN, which other users cannot read as they can a command line; else a random one, printed only when stderr is a terminal)')
    .option('--ws-origin <origin...>', 'web pages of these origins (scheme://host[:port], or * for any) may open the feed too; by default only the dashboard\'s own origin and clients that send no Origin (403 otherwise)')
    .option('--kafka-brokers <host:port...>', 'Kafka bootstrap brokers')
    .option('--kafka-topic <topic>', 'write alerts to this Kafka topic (key: the alert key; value: the alert JSON)')
    .option('--kafka-topics <topic...>', 'read events from these Kafka topics (partition p of every topic is one task, with its own watermark and state)')
    .option('--kafka-group <group>', 'consumer group of --kafka-topics (committed offsets are where a restart resumes)')
    .option('--type-from-topic', 'take the event type from the Kafka topic name instead of the type field')
    .addOption(new Option('--kafka-session-timeout <duration>', 'how soon a crashed member\'s partitions move to another member (6s to 5m)').argParser(kafkaDuration).default(10_000, '10s'))
    .option('--exactly-once', 'keep state in Kafka; commit alerts, state and offsets in one transaction (needs --kafka-topics, --kafka-group, --kafka-topic)')
    .addOption(new Option('--commit-interval <duration>', 'how often offsets (with --exactly-once, the transaction) are committed').argParser(kafkaDuration).default(1000, '1s'))
    .option('--state-topic <topic>', 'the state changelog topic of --exactly-once (default <group>.state; created compacted when missing)')
    .option('--kafka-ssl', 'connect to the Kafka brokers with TLS (trusting the system CAs unless --kafka-ca)')
    .option('--kafka-ca <file>', 'TLS: trust this CA certificate (PEM) for the brokers; implies --kafka-ssl')
    .option('--kafka-cert <file>', 'TLS: client certificate (PEM) for brokers that require one; needs --kafka-key; implies --kafka-ssl')
    .option('--kafka-key <file>', 'TLS: the unencrypted private key (PEM) of --kafka-cert')
    .option('--kafka-sasl <mechanism>', `SASL authentication: ${SASL_MECHANISMS.join(', ')}; needs --kafka-user and the password in $CEP_KAFKA_PASSWORD`)
    .option('--kafka-user <user>', 'SASL user name (the password only from the environment variable CEP_KAFKA_PASSWORD)')
    .option('--metrics <[host:]port>', 'serve Prometheus /metrics, /healthz and /readyz here; host defaults to 127.0.0.1')
    .addOption(new Option('--log-format <format>', 'stderr as text lines or one JSON object a line (level, time, msg, context)').choices(LOG_FORMATS).default('text'));
}

/** Whether the options read events from Kafka (then `--input` is not required). */
export function readsKafka(opts: LiveOptions): boolean {
  return opts.kafkaTopics !== undefined;
}

/**
 * Checks the combinations, then starts the WebSocket server, connects the Kafka sink and the
 * Kafka source. What was opened before a failure is closed again.
 * @throws InvalidArgumentError for a bad combination or value (bad usage, exit 2); the factories'
 *   LiveError (`CEP_WS_LISTEN`, `CEP_KAFKA_CONNECT`, ...) when a server cannot listen or a broker cannot be reached.
 */
export async function openLive(opts: LiveOptions, log: (line: string) => void, kafkaLog?: logCreator): Promise<{ sources: Source[]; sinks: AlertSink[] }> {
  const needsBrokers = opts.kafkaTopic !== undefined || opts.kafkaTopics !== undefined;
  if (needsBrokers && opts.kafkaBrokers === undefined) throw new InvalidArgumentError('--kafka-topic and --kafka-topics need --kafka-brokers HOST:PORT');
  if (!needsBrokers && opts.kafkaBrokers !== undefined) throw new InvalidArgumentError('--kafka-brokers needs --kafka-topic (alerts out) or --kafka-topics (events in)');
  if (opts.kafkaTopics !== undefined && opts.kafkaGroup === undefined) throw new InvalidArgumentError('--kafka-topics needs --kafka-group GROUP (where a restart resumes)');
  if (opts.typeFromTopic === true && opts.kafkaTopics === undefined) throw new InvalidArgumentError('--type-from-topic needs --kafka-topics');
  if (opts.exactlyOnce === true && (opts.kafkaTopics === undefined || opts.kafkaTopic === undefined)) {
    throw new InvalidArgumentError('--exactly-once needs --kafka-topics, --kafka-group and --kafka-topic (events in, alerts out, in one transaction)');
  }
  if (opts.stateTopic !== undefined && opts.exactlyOnce !== true) throw new InvalidArgumentError('--state-topic needs --exactly-once');
  const exactlyOnce = opts.exactlyOnce === true ? { stateTopic: opts.stateTopic ?? `${opts.kafkaGroup}.state`, alertTopic: opts.kafkaTopic ?? '' } : undefined;
  const sinks: AlertSink[] = [];
  const sources: Source[] = [];
  try {
    // TLS/SASL of every Kafka client (a TypeError here is bad usage, below).
    // kafkajs and ws are loaded only when a run uses them (start-up; kafka-client.ts first: it patches kafkajs).
    const security = needsBrokers ? (await import('../../alerts/kafka-client.js')).connectionOptionsFromCli(opts) : {};
    if (opts.ws !== undefined) {
      const { host, port } = parseHostPort(opts.ws); // a bad form is a TypeError: bad usage, below
      const { dashboardNotice, startAlertServer } = await import('../../alerts/ws-sink.js');
      const server = await startAlertServer({ host, port, token: opts.wsToken, origins: opts.wsOrigin });
      sinks.push(server);
      log(dashboardNotice(server, process.stderr.isTTY === true)); // never a token given by the user; a generated one only to a person
    } else if (opts.wsToken !== undefined || opts.wsOrigin !== undefined) {
      throw new InvalidArgumentError('--ws-token and --ws-origin need --ws [HOST:]PORT');
    }
    // With --exactly-once the source writes the alerts, in each task's transaction.
    if (opts.kafkaTopic !== undefined && exactlyOnce === undefined) {
      const { createKafkaSink } = await import('../../alerts/kafka-sink.js');
      sinks.push(await createKafkaSink({ brokers: opts.kafkaBrokers ?? [], ...security, topic: opts.kafkaTopic, logLevel: 'error', logCreator: kafkaLog }));
    }
    if (opts.kafkaTopics !== undefined) {
      const { createKafkaSource } = await import('../sources/kafka.js');
      sources.push(
        await createKafkaSource({ brokers: opts.kafkaBrokers ?? [], ...security, topics: opts.kafkaTopics, groupId: opts.kafkaGroup ?? '', typeFromTopic: opts.typeFromTopic === true, logLevel: 'error', logCreator: kafkaLog, log,
          sessionTimeoutMs: opts.kafkaSessionTimeout,
          commitIntervalMs: opts.commitInterval,
          exactlyOnce,
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled([...sinks.map((s) => s.close()), ...sources.map((s) => s.close())]);
    if (error instanceof TypeError || error instanceof RangeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return { sources, sinks };
}

/** A duration option of the Kafka client (whole ms). @throws InvalidArgumentError (bad usage) for a bad duration. */
function kafkaDuration(text: string): number {
  return Math.round(duration(text));
}
