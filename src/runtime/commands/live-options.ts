/**
 * The live options of `cep run` (issue 5): a WebSocket feed with its dashboard (`--ws`), a Kafka
 * alert sink (`--kafka-topic`) and a Kafka event source (`--kafka-topics`). Declared once here and
 * opened once per run by {@link openLive}; `replay-options.ts` stays about files.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { createKafkaSink } from '../../alerts/kafka-sink.js';
import type { AlertSink } from '../../alerts/sink.js';
import { parseHostPort } from '../../alerts/ws-options.js';
import { startAlertServer } from '../../alerts/ws-sink.js';
import { createKafkaSource } from '../kafka-source.js';
import type { Source } from '../source.js';

/** Parsed live options (commander's camel-cased names). */
export interface LiveOptions {
  ws?: string;
  wsToken?: string;
  kafkaBrokers?: string[];
  kafkaTopic?: string;
  kafkaTopics?: string[];
  kafkaGroup?: string;
  typeFromTopic?: boolean;
}

/** Declares the live options on `command`. */
export function addLiveOptions(command: Command): Command {
  return command
    .option('--ws <[host:]port>', 'serve the alert feed (WebSocket /ws) and the live dashboard (/) here; host defaults to 127.0.0.1')
    .option('--ws-token <token>', 'token clients must present (default: $CEP_WS_TOKEN, else a random one printed on stderr)')
    .option('--kafka-brokers <host:port...>', 'Kafka bootstrap brokers')
    .option('--kafka-topic <topic>', 'write alerts to this Kafka topic (key: the alert key; value: the alert JSON)')
    .option('--kafka-topics <topic...>', 'read events from these Kafka topics (one watermark per partition)')
    .option('--kafka-group <group>', 'consumer group of --kafka-topics (committed offsets are where a restart resumes)')
    .option('--type-from-topic', 'take the event type from the Kafka topic name instead of the type field');
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
export async function openLive(opts: LiveOptions, log: (line: string) => void): Promise<{ sources: Source[]; sinks: AlertSink[] }> {
  const needsBrokers = opts.kafkaTopic !== undefined || opts.kafkaTopics !== undefined;
  if (needsBrokers && opts.kafkaBrokers === undefined) throw new InvalidArgumentError('--kafka-topic and --kafka-topics need --kafka-brokers HOST:PORT');
  if (!needsBrokers && opts.kafkaBrokers !== undefined) throw new InvalidArgumentError('--kafka-brokers needs --kafka-topic (alerts out) or --kafka-topics (events in)');
  if (opts.kafkaTopics !== undefined && opts.kafkaGroup === undefined) throw new InvalidArgumentError('--kafka-topics needs --kafka-group GROUP (where a restart resumes)');
  if (opts.typeFromTopic === true && opts.kafkaTopics === undefined) throw new InvalidArgumentError('--type-from-topic needs --kafka-topics');
  const sinks: AlertSink[] = [];
  const sources: Source[] = [];
  try {
    if (opts.ws !== undefined) {
      const { host, port } = hostPort(opts.ws);
      const server = await startAlertServer({ host, port, token: opts.wsToken });
      sinks.push(server);
      log(`cep: live dashboard at ${server.tokenGenerated ? server.dashboardUrl : `http://${server.host}:${server.port}/ (token required)`}`);
    }
    if (opts.kafkaTopic !== undefined) {
      sinks.push(await createKafkaSink({ brokers: opts.kafkaBrokers ?? [], topic: opts.kafkaTopic, logLevel: 'error' }));
    }
    if (opts.kafkaTopics !== undefined) {
      sources.push(
        await createKafkaSource({ brokers: opts.kafkaBrokers ?? [], topics: opts.kafkaTopics, groupId: opts.kafkaGroup ?? '', typeFromTopic: opts.typeFromTopic === true, logLevel: 'error' }),
      );
    }
  } catch (error) {
    await Promise.allSettled([...sinks.map((s) => s.close()), ...sources.map((s) => s.close())]);
    if (error instanceof TypeError || error instanceof RangeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return { sources, sinks };
}

/** `HOST:PORT`, `:PORT` or `PORT` (host 127.0.0.1); a bad form is bad usage. */
function hostPort(text: string): { host: string; port: number } {
  try {
    return parseHostPort(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
