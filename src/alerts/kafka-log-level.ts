/**
 * The level an operator should see a kafkajs log entry at. kafkajs's connection logs every broker
 * answer that carries an error at error level, then its retrier or transaction manager tries again:
 * in normal operation, `CONCURRENT_TRANSACTIONS` after each take-over of a task's transactional id
 * (exactly-once), a group coordinator still loading after a broker start, a leader that moved. Those
 * errors are the ones Kafka's protocol marks retriable (kafkajs's table of error codes, read here
 * so that it stays kafkajs's own list); their entries are warnings. A retry that gives up fails the
 * operation, which the engine reports as its own error.
 */
import { createRequire } from 'node:module';

/** kafkajs's `logLevel` values (its enum is not imported: kafkajs must load after its read_committed fix, `kafkajs-read-committed.ts`). */
export const KAFKA_LEVEL = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;

/** One entry of kafkajs's table of Kafka protocol errors (`kafkajs/src/protocol/error.js`). */
interface ProtocolError {
  readonly type: string;
  readonly message: string;
  readonly retriable: boolean;
}

/** Messages of the protocol errors kafkajs retries (what a failed response's `error` field holds), read at the first error entry: not at start-up. */
let retried: ReadonlySet<string> | null = null;

function retriedErrors(): ReadonlySet<string> {
  if (retried === null) {
    const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error') as { errorCodes: readonly ProtocolError[] };
    retried = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));
  }
  return retried;
}

/**
 * The level to log a kafkajs entry at: `WARN` for a broker's response with a retriable protocol
 * error (namespace `Connection`, message `Response <api>...`, field `error` the protocol error's
 * message), otherwise kafkajs's own `level` (1 error ... 5 debug).
 */
export function kafkaLogLevel(level: number, namespace: string, log: { readonly message?: unknown; readonly error?: unknown }): number {
  if (level !== KAFKA_LEVEL.ERROR || namespace !== 'Connection') return level;
  const isRetried = typeof log.message === 'string' && log.message.startsWith('Response ') && typeof log.error === 'string' && retriedErrors().has(log.error);
  return isRetried ? KAFKA_LEVEL.WARN : level;
}
