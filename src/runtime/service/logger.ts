/**
 * The run's log on stderr (`--log-format json|text`, DSL.md section 10), with pino: warnings,
 * bad-record reports, reload reports, the summary, and kafkajs's own log lines (through
 * {@link kafkaLogCreator}) all go through one logger.
 *
 * - `json`: one JSON object a line: `level` (name), `time` (ISO-8601), `msg`, then the context.
 * - `text` (the default): the line as the engine has always written it (`cep: ...`; the context
 *   is in the words already), so what tests and people match on stays the same; a kafkajs line is
 *   followed by its fields as JSON.
 * Writes are synchronous, so that nothing logged before an exit is lost.
 */
import type { logCreator } from 'kafkajs';
import { pino, type DestinationStream, type Logger } from 'pino';

/** The formats of `--log-format`. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A pino destination that writes each record as a text line: `msg`, and a kafkajs line's fields. */
function textDestination(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(json: string): void {
      const { msg, kafka } = JSON.parse(json) as { msg?: unknown; kafka?: unknown };
      out.write(`${String(msg ?? '')}${kafka === undefined ? '' : ` ${JSON.stringify(kafka)}`}\n`);
    },
  };
}

/**
 * A logger writing to `out` (stderr) in `format`. @throws TypeError for an unknown format.
 */
export function createLogger(format: LogFormat, out: NodeJS.WritableStream = process.stderr): Logger {
  if (!LOG_FORMATS.includes(format)) throw new TypeError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const options = { base: undefined, formatters: { level: (label: string) => ({ level: label }) } };
  if (format === 'text') return pino({ ...options, timestamp: false }, textDestination(out));
  const destination = out === process.stderr ? pino.destination({ fd: 2, sync: true }) : (out as unknown as DestinationStream);
  return pino({ ...options, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/**
 * The engine's log lines (`cep: warning: ...`, `cep: bad record at ...`) through `logger`: in text
 * mode as they are; in JSON mode at level warn for warnings and bad records, error for errors,
 * info otherwise, with the `cep: ` prefix left out of `msg`.
 */
export function lineLogger(logger: Logger, format: LogFormat): (line: string) => void {
  if (format === 'text') return (line) => logger.info(line);
  return (line) => {
    const text = line.replace(/^cep: /, '');
    if (text.startsWith('error: ')) logger.error(text.slice(7));
    else if (text.startsWith('warning: ')) logger.warn(text.slice(9));
    else if (text.startsWith('bad record')) logger.warn(text);
    else logger.info(text);
  };
}

/**
 * kafkajs's `logLevel` values (its enum is not imported: kafkajs must load after its
 * read_committed fix, `src/alerts/kafkajs-read-committed.ts`).
 */
const KAFKA_ERROR = 1;
const KAFKA_WARN = 2;
const KAFKA_INFO = 4;

/** kafkajs's log lines through `logger`, at their level, with their namespace and fields as context. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...context } = log as { message: string; timestamp?: string; logger?: string; [key: string]: unknown };
      const child = { kafka: { namespace, ...context } };
      if (level === KAFKA_ERROR) logger.error(child, `kafka: ${message}`);
      else if (level === KAFKA_WARN) logger.warn(child, `kafka: ${message}`);
      else if (level === KAFKA_INFO) logger.info(child, `kafka: ${message}`);
      else logger.debug(child, `kafka: ${message}`);
    };
}
