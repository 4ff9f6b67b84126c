/**
 * The run's log on stderr (`--log-format json|text`, DSL.md section 10), with pino: warnings,
 * bad-record reports, reload reports, the summary, and kafkajs's own log lines (through
 * {@link kafkaLogCreator}) all go through one logger.
 *
 * - `json`: one JSON object a line: `level` (name), `time` (ISO-8601), `msg`, then the context.
 * - `text` (the default): the line as the engine has always written it (`cep: ...`), then the
 *   context as ` key=value` pairs; what tests and people match on stays the same.
 * Writes are synchronous, so that nothing logged before an exit is lost.
 */
import type { logCreator } from 'kafkajs';
import { logLevel as kafkaLevel } from 'kafkajs';
import { pino, type DestinationStream, type Logger } from 'pino';

/** The formats of `--log-format`. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Pino's fields that text lines leave out (they are the line's shape, not its context). */
const FRAME = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A pino destination that writes each record as a text line: `msg`, then ` key=value` for the context. */
function textDestination(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(json: string): void {
      const record = JSON.parse(json) as Record<string, unknown>;
      let line = String(record.msg ?? '');
      for (const [key, value] of Object.entries(record)) {
        if (!FRAME.has(key)) line += ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
      }
      out.write(line + '\n');
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

/** kafkajs's log lines through `logger`, at their level, with their namespace and fields as context. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...context } = log as { message: string; timestamp?: string; logger?: string; [key: string]: unknown };
      const child = { kafka: namespace, ...context };
      if (level === kafkaLevel.ERROR) logger.error(child, `kafka: ${message}`);
      else if (level === kafkaLevel.WARN) logger.warn(child, `kafka: ${message}`);
      else if (level === kafkaLevel.INFO) logger.info(child, `kafka: ${message}`);
      else logger.debug(child, `kafka: ${message}`);
    };
}
