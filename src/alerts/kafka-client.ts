/**
 * What the Kafka sink and the Kafka source share: checking the connection options (brokers,
 * client id, topic names) and building a kafkajs client whose log goes to stderr (stdout carries
 * only alerts, DSL.md section 7).
 */
import { Kafka, logLevel, type logCreator } from 'kafkajs';

/** Connection options common to the sink and the source. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers as `host:port`, at least one. */
  readonly brokers: readonly string[];
  /** Client id shown in broker logs and metrics. Default `cep`. */
  readonly clientId?: string;
  /** kafkajs log level written to stderr: `nothing`, `error`, `warn`, `info`. Default `nothing` (failures surface as LiveErrors). */
  readonly logLevel?: 'nothing' | 'error' | 'warn' | 'info';
  /** How long to wait for a TCP connection to a broker, ms. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Retries of a failed request (connect, send, commit), with kafkajs's exponential backoff from
   * 300 ms up to 30 s; after the last, the failure is reported (CEP_KAFKA_*). Default 5.
   */
  readonly retries?: number;
}

const LEVELS = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO } as const;

/** kafkajs log lines as one JSON object per line on stderr. */
const stderrLog: logCreator = () => ({ namespace, level, log }) => {
  const { message, ...extra } = log;
  process.stderr.write(`${JSON.stringify({ level: logLevel[level], namespace, message, ...extra })}\n`);
};

/**
 * Checks a `host:port` list.
 * @throws TypeError naming `what` (e.g. `Kafka sink option 'brokers'`) and the bad entry.
 */
export function checkBrokers(what: string, brokers: unknown): readonly string[] {
  if (!Array.isArray(brokers) || brokers.length === 0) throw new TypeError(`${what} must be a non-empty list of host:port, e.g. ['127.0.0.1:9092']`);
  for (const b of brokers) {
    const m = typeof b === 'string' ? /^(\[[^\]]+\]|[^:\s/]+):(\d{1,5})$/.exec(b) : null;
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new TypeError(`${what}: ${JSON.stringify(b)} is not host:port (e.g. 127.0.0.1:9092; no scheme, port 1-65535)`);
    }
  }
  return brokers as string[];
}

/**
 * Checks a topic name the way the broker does (`[A-Za-z0-9._-]`, 1-249 characters, not `.` or `..`).
 * @throws TypeError naming `what` and the bad name.
 */
export function checkTopic(what: string, topic: unknown): string {
  if (typeof topic !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw new TypeError(`${what}: ${JSON.stringify(topic)} is not a valid topic name (letters, digits, '.', '_', '-'; 1-249 characters)`);
  }
  return topic;
}

/**
 * Checks the common options and builds the client.
 * @throws TypeError for a bad option (see {@link checkBrokers}).
 */
export function createKafkaClient(what: string, options: KafkaConnectionOptions): Kafka {
  const brokers = checkBrokers(`${what} option 'brokers'`, options.brokers);
  const clientId = options.clientId ?? 'cep';
  if (typeof clientId !== 'string' || clientId.length === 0) throw new TypeError(`${what} option 'clientId' must be a non-empty string`);
  const level = options.logLevel ?? 'nothing';
  if (!(level in LEVELS)) throw new TypeError(`${what} option 'logLevel' must be one of ${Object.keys(LEVELS).join(', ')}, got ${JSON.stringify(level)}`);
  const connectionTimeout = options.connectionTimeoutMs ?? 3000;
  if (!Number.isInteger(connectionTimeout) || connectionTimeout < 1) throw new RangeError(`${what} option 'connectionTimeoutMs' must be a positive integer (ms), got ${connectionTimeout}`);
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 1 || retries > 100) throw new RangeError(`${what} option 'retries' must be an integer from 1 to 100, got ${retries}`);
  return new Kafka({ brokers: [...brokers], clientId, logLevel: LEVELS[level], logCreator: stderrLog, connectionTimeout, retry: { retries } });
}
