/**
 * The run's log on stderr (`--log-format json|text`, DSL.md section 10): warnings, bad-record
 * reports, reload reports, the summary, and kafkajs's own log lines (through
 * {@link kafkaLogCreator}) all go through one {@link Log}.
 *
 * - `json`: pino, one JSON object a line: `level` (name), `time` (ISO-8601), `msg`, then the context;
 *   Node's process warnings too (context `warning`).
 * - `text` (the default): the line as the engine has always written it (`cep: ...`; the context
 *   is in the words already), so what tests and people match on stays the same; a kafkajs line is
 *   followed by its fields as JSON. Written directly: pino would only turn each line into JSON and
 *   back, and loading it would slow every `cep run`'s start-up (bench/README.md, start-up).
 * Writes are synchronous, so that nothing logged before an exit is lost.
 */
import type { logCreator } from 'kafkajs';
import { KAFKA_LEVEL, kafkaLogLevel } from '../../alerts/kafka-log-level.js';

/** The formats of `--log-format`. */
export const LOG_FORMATS = ['text', 'json'] as const;
/** One of {@link LOG_FORMATS}: plain text lines, or one JSON object per line (pino's shape). */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** One level's writer: a message, or a context object and a message (pino's argument order). */
export interface LogFn {
  (msg: string): void;
  (context: object, msg: string): void;
}

/** The run's logger: pino's `Logger` in JSON, {@link TextLog} in text. */
export interface Log {
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
}

/** Text lines: the message, and for a kafkajs line (context `kafka`) its fields as JSON; no debug lines. */
class TextLog implements Log {
  constructor(private readonly out: NodeJS.WritableStream) {}

  private line(contextOrMsg: object | string, msg?: string): void {
    if (typeof contextOrMsg === 'string') {
      this.out.write(contextOrMsg + '\n');
      return;
    }
    const { kafka } = contextOrMsg as { kafka?: unknown };
    this.out.write(`${msg ?? ''}${kafka === undefined ? '' : ` ${JSON.stringify(kafka)}`}\n`);
  }

  readonly error: LogFn = (a: object | string, b?: string) => this.line(a, b);
  readonly warn: LogFn = (a: object | string, b?: string) => this.line(a, b);
  readonly info: LogFn = (a: object | string, b?: string) => this.line(a, b);
  readonly debug: LogFn = () => undefined;
}

/**
 * A logger writing to `out` (stderr) in `format`; pino is loaded for JSON only.
 * @throws TypeError for an unknown format.
 */
export async function createLogger(format: LogFormat, out: NodeJS.WritableStream = process.stderr): Promise<Log> {
  if (!LOG_FORMATS.includes(format)) throw new TypeError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  if (format === 'text') {
    if (out === process.stderr) {
      // Node prints the rest of its warnings itself, as it does with --trace-warnings or --no-warnings.
      const nodeListeners = process.listeners('warning');
      takeProcessWarnings((warning) => {
        for (const listener of nodeListeners) listener(warning);
      });
    }
    return new TextLog(out);
  }
  const { pino } = await import('pino');
  const destination = out === process.stderr ? pino.destination({ fd: 2, sync: true }) : (out as unknown as import('pino').DestinationStream);
  const logger: Log = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label: string) => ({ level: label }) } }, destination);
  if (out === process.stderr) {
    // Node's own warnings (deprecations, experimental features) become JSON lines too, in place of
    // Node's default printing, which would break one-object-a-line.
    takeProcessWarnings((warning) => logger.warn({ warning: { name: warning.name, code: warning.code } }, warning.message));
  }
  return logger;
}

/**
 * Replaces the listeners of Node's process warnings with `handle`, which gets every warning except
 * kafkajs's negative timeouts: its request queue schedules its throttle check `throttledUntil -
 * Date.now()` ms ahead when it was never throttled (`throttledUntil` is -1), a delay Node 23+ warns
 * of (`TimeoutNegativeWarning`, about -1.8e12 ms) and sets to 1 ms, as every earlier Node did
 * silently. One such warning came at the start of every Kafka run, in no way the operator's to act on.
 */
function takeProcessWarnings(handle: (warning: Error & { code?: string }) => void): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(warning.stack ?? '')) return;
    handle(warning);
  });
}

/**
 * The engine's log lines (`cep: warning: ...`, `cep: bad record at ...`) through `logger`: in text
 * mode as they are; in JSON mode at level warn for warnings and bad records, error for errors,
 * info otherwise, with the `cep: ` prefix left out of `msg`.
 */
export function lineLogger(logger: Log, format: LogFormat): (line: string) => void {
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
 * kafkajs's log lines through `logger`, at {@link kafkaLogLevel}'s level (a response error kafkajs
 * retries is a warning; those above the client's `logLevel` are left out), with their namespace and
 * fields as context (`kafka`).
 */
export function kafkaLogCreator(logger: Log): logCreator {
  return (configured) =>
    ({ namespace, level, log }) => {
      const shown = kafkaLogLevel(level, namespace, log);
      if (shown > configured) return;
      const { message, timestamp: _timestamp, logger: _logger, ...context } = log as { message: string; timestamp?: string; logger?: string; [key: string]: unknown };
      const child = { kafka: { namespace, ...context } };
      if (shown === KAFKA_LEVEL.ERROR) logger.error(child, `kafka: ${message}`);
      else if (shown === KAFKA_LEVEL.WARN) logger.warn(child, `kafka: ${message}`);
      else if (shown === KAFKA_LEVEL.INFO) logger.info(child, `kafka: ${message}`);
      else logger.debug(child, `kafka: ${message}`);
    };
}
