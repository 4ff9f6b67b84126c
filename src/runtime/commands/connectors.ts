/**
 * The live connectors of `cep run` and `cep serve` (DSL.md sections 9 and 10): the sinks and sources
 * a run opens from its options, one entry each, in help order. An entry gives its options
 * (`option-spec.ts`: the command line's flags and the config file's keys are both made from them),
 * checks their combinations, and opens what they ask for; `openLive` (`live-options.ts`) loops over
 * the table. Each entry loads its client library (ws, kafkajs) only when it opens something, so that
 * a run without it starts without loading it (bench/README.md, start-up).
 *
 * To add a sink: write `src/alerts/NAME-sink.ts` and add its entry here (src/alerts/README.md).
 */
import type { logCreator } from 'kafkajs';
import { SASL_MECHANISMS } from '../../alerts/kafka-options.js';
import type { AlertSink } from '../../alerts/sink.js';
import { parseHostPort } from '../../alerts/ws-options.js';
import type { Source } from '../source.js';
import type { OptionSpec, OptionValues } from './option-spec.js';

/** What a connector's `open` is given. */
export interface ConnectorContext {
  /** The run's stderr, a line at a time (`--log-format`). */
  readonly log: (line: string) => void;
  /** Where a Kafka client's log lines go (the run's logger); kafkajs's default when absent. */
  readonly kafkaLog?: logCreator;
  /** Hands an opened sink to the run; it is closed again when a later connector fails to open. */
  addSink(sink: AlertSink): void;
  /** Hands an opened source to the run; closed again likewise. */
  addSource(source: Source): void;
}

/** One entry of {@link CONNECTORS}. `O` is the parsed form of its options. */
export interface Connector<O = Readonly<Record<string, unknown>>> {
  /** What it connects to, for people reading the table: `WebSocket feed`. */
  readonly name: string;
  /** Its options, in help order; their keys are unique over the whole command. */
  readonly options: readonly OptionSpec[];
  /**
   * Checks the combinations of its options before any connector opens (values of a single option
   * were checked as they were parsed).
   * @throws TypeError naming the options and what to write (bad usage, exit 2).
   */
  check?(options: O): void;
  /**
   * Opens the sinks and sources its options ask for, handing each to `context`; opens nothing when
   * its options are absent.
   * @throws TypeError/RangeError for a bad value (bad usage); a LiveError (`CEP_*`) when it cannot connect.
   */
  open(options: O, context: ConnectorContext): Promise<void>;
}

/** A connector whose `check` and `open` see its options typed as its specs declare them. */
export function connector<const S extends readonly OptionSpec[]>(entry: Connector<OptionValues<S>> & { readonly options: S }): Connector {
  return entry;
}

/** `--ws`: the alert feed and the live dashboard (`alerts/ws-sink.ts`). */
const webSocket = connector({
  name: 'WebSocket feed and dashboard',
  options: [
    { flag: '--ws <[host:]port>', key: 'ws', kind: 'host-port', description: 'serve the alert feed (WebSocket /ws) and the live dashboard (/) here; host defaults to 127.0.0.1' },
    { flag: '--ws-token <token>', key: 'wsToken', kind: 'string', description: 'token clients must present (default: $CEP_WS_TOKEN, which other users cannot read as they can a command line; else a random one, printed only when stderr is a terminal)' },
    { flag: '--ws-origin <origin...>', key: 'wsOrigin', kind: 'list', description: "web pages of these origins (scheme://host[:port], or * for any) may open the feed too; by default only the dashboard's own origin and clients that send no Origin (403 otherwise)" },
  ],
  check(o) {
    if (o.ws === undefined && (o.wsToken !== undefined || o.wsOrigin !== undefined)) throw new TypeError('--ws-token and --ws-origin need --ws [HOST:]PORT');
  },
  async open(o, context) {
    if (o.ws === undefined) return;
    const { host, port } = parseHostPort(o.ws);
    const { dashboardNotice, startAlertServer } = await import('../../alerts/ws-sink.js');
    const server = await startAlertServer({ host, port, token: o.wsToken, origins: o.wsOrigin });
    context.addSink(server);
    context.log(dashboardNotice(server, process.stderr.isTTY === true)); // never a token given by the user; a generated one only to a person
  },
});

/**
 * Kafka: the alert sink (`--kafka-topic`, `alerts/kafka-sink.ts`) and the event source
 * (`--kafka-topics`, `sources/kafka.ts`), one entry because they share the brokers and TLS/SASL
 * options, and because with `--exactly-once` the source writes the alerts, in each task's transaction.
 */
const kafka = connector({
  name: 'Kafka',
  options: [
    { flag: '--kafka-brokers <host:port...>', key: 'kafkaBrokers', kind: 'list', description: 'Kafka bootstrap brokers' },
    { flag: '--kafka-topic <topic>', key: 'kafkaTopic', kind: 'string', description: 'write alerts to this Kafka topic (key: the alert key; value: the alert JSON)' },
    { flag: '--kafka-topics <topic...>', key: 'kafkaTopics', kind: 'list', description: 'read events from these Kafka topics (partition p of every topic is one task, with its own watermark and state)' },
    { flag: '--kafka-group <group>', key: 'kafkaGroup', kind: 'string', description: 'consumer group of --kafka-topics (committed offsets are where a restart resumes)' },
    { flag: '--type-from-topic', key: 'typeFromTopic', kind: 'boolean', description: 'take the event type from the Kafka topic name instead of the type field' },
    { flag: '--kafka-session-timeout <duration>', key: 'kafkaSessionTimeout', kind: 'whole-ms-duration', default: 10_000, defaultHelp: '10s', description: "how soon a crashed member's partitions move to another member (6s to 5m)" },
    { flag: '--exactly-once', key: 'exactlyOnce', kind: 'boolean', description: 'keep state in Kafka; commit alerts, state and offsets in one transaction (needs --kafka-topics, --kafka-group, --kafka-topic)' },
    { flag: '--commit-interval <duration>', key: 'commitInterval', kind: 'whole-ms-duration', default: 1000, defaultHelp: '1s', description: 'how often offsets (with --exactly-once, the transaction) are committed' },
    { flag: '--state-topic <topic>', key: 'stateTopic', kind: 'string', description: 'the state changelog topic of --exactly-once (default <group>.state; created compacted when missing)' },
    { flag: '--kafka-ssl', key: 'kafkaSsl', kind: 'boolean', description: 'connect to the Kafka brokers with TLS (trusting the system CAs unless --kafka-ca)' },
    { flag: '--kafka-ca <file>', key: 'kafkaCa', kind: 'file', description: 'TLS: trust this CA certificate (PEM) for the brokers; implies --kafka-ssl' },
    { flag: '--kafka-cert <file>', key: 'kafkaCert', kind: 'file', description: 'TLS: client certificate (PEM) for brokers that require one; needs --kafka-key; implies --kafka-ssl' },
    { flag: '--kafka-key <file>', key: 'kafkaKey', kind: 'file', description: 'TLS: the unencrypted private key (PEM) of --kafka-cert' },
    { flag: '--kafka-sasl <mechanism>', key: 'kafkaSasl', kind: 'enum', choices: SASL_MECHANISMS, ignoreCase: true, description: `SASL authentication: ${SASL_MECHANISMS.join(', ')}; needs --kafka-user and the password in $CEP_KAFKA_PASSWORD` },
    { flag: '--kafka-user <user>', key: 'kafkaUser', kind: 'string', description: 'SASL user name (the password only from the environment variable CEP_KAFKA_PASSWORD)' },
  ],
  check(o) {
    const needsBrokers = o.kafkaTopic !== undefined || o.kafkaTopics !== undefined;
    if (needsBrokers && o.kafkaBrokers === undefined) throw new TypeError('--kafka-topic and --kafka-topics need --kafka-brokers HOST:PORT');
    if (!needsBrokers && o.kafkaBrokers !== undefined) throw new TypeError('--kafka-brokers needs --kafka-topic (alerts out) or --kafka-topics (events in)');
    if (o.kafkaTopics !== undefined && o.kafkaGroup === undefined) throw new TypeError('--kafka-topics needs --kafka-group GROUP (where a restart resumes)');
    if (o.typeFromTopic === true && o.kafkaTopics === undefined) throw new TypeError('--type-from-topic needs --kafka-topics');
    if (o.exactlyOnce === true && (o.kafkaTopics === undefined || o.kafkaTopic === undefined)) {
      throw new TypeError('--exactly-once needs --kafka-topics, --kafka-group and --kafka-topic (events in, alerts out, in one transaction)');
    }
    if (o.stateTopic !== undefined && o.exactlyOnce !== true) throw new TypeError('--state-topic needs --exactly-once');
  },
  async open(o, context) {
    if (o.kafkaTopic === undefined && o.kafkaTopics === undefined) return;
    // kafka-client.ts first: it patches kafkajs as it loads. A bad TLS/SASL option is a TypeError (bad usage).
    const connection = { brokers: o.kafkaBrokers ?? [], ...(await import('../../alerts/kafka-client.js')).connectionOptionsFromCli(o), logLevel: 'error', logCreator: context.kafkaLog } as const;
    const exactlyOnce = o.exactlyOnce === true ? { stateTopic: o.stateTopic ?? `${o.kafkaGroup}.state`, alertTopic: o.kafkaTopic ?? '' } : undefined;
    if (o.kafkaTopic !== undefined && exactlyOnce === undefined) {
      const { createKafkaSink } = await import('../../alerts/kafka-sink.js');
      context.addSink(await createKafkaSink({ ...connection, topic: o.kafkaTopic }));
    }
    if (o.kafkaTopics !== undefined) {
      const { createKafkaSource } = await import('../sources/kafka.js');
      context.addSource(await createKafkaSource({ ...connection, topics: o.kafkaTopics, groupId: o.kafkaGroup ?? '', typeFromTopic: o.typeFromTopic === true, log: context.log,
        sessionTimeoutMs: o.kafkaSessionTimeout,
        commitIntervalMs: o.commitInterval,
        exactlyOnce,
      }));
    }
  },
});

/** The connectors, in help order. A test may register one more (test/alerts/sink-recipe.test.ts). */
export const CONNECTORS: Connector[] = [webSocket, kafka];
