/**
 * The options shared by `cep run` and `cep test` (DSL.md section 7), and the single mapping from
 * parsed options to the engine's options: recorded inputs (one source per `--input`, in a format of
 * `sources/formats.ts`), the given sinks, the late and dead-letter outputs. Live inputs and sinks
 * (Kafka, WebSocket) are declared and opened in `live-options.ts`.
 */
import { createWriteStream, statSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AlertSink } from '../../alerts/sink.js';
import type { Nfa } from '../../nfa/nfa.js';
import type { EngineOptions } from '../engine.js';
import type { Source } from '../source.js';
import { DEFAULT_INPUT_FORMAT, INPUT_FORMATS, openInputSource } from '../sources/formats.js';
import { parseDuration } from '../time.js';

/** Parsed options (commander's camel-cased names). */
export interface ReplayOptions {
  input?: string[];
  /** A name of `INPUT_FORMATS` (`sources/formats.ts`). */
  format?: string;
  timeField: string;
  timeFormat?: string;
  typeField: string;
  maxDelay: number;
  maxFuture?: number;
  idle?: number;
  late?: string;
  deadLetter?: string;
  maxKeys: number;
  maxPartialMatches: number;
  speed?: number;
  linger?: boolean;
  progress: boolean;
}

/** Declares the replay options on `command`; values are checked as they are parsed (bad usage → exit 2). */
export function addReplayOptions(command: Command): Command {
  return command
    .option('--input <file...>', `event files (${formatDescriptions()}; .gz gunzipped; - is stdin)`)
    .addOption(new Option('--format <format>', `input format (default: by extension, ${DEFAULT_INPUT_FORMAT} otherwise)`).choices([...INPUT_FORMATS.keys()]))
    .option('--time-field <path>', 'event time field (epoch ms or ISO-8601; @timestamp: the record timestamp)', 'ts')
    .option('--time-format <format>', "read event times in this format instead (luxon tokens, e.g. 'M/d/yyyy H:mm'; UTC unless it has an offset token)")
    .option('--type-field <path>', 'event type field', 'type')
    .option('--max-delay <duration>', 'allowed out-of-orderness of event time, e.g. 5s', duration, 0)
    .option('--max-future <duration>', 'set aside, as a bad record, an event more than this after the largest event time seen (Kafka: after the wall clock)', positiveDuration)
    .option('--idle <duration>', 'leave inputs silent this long (processing time) out of the watermark', positiveDuration)
    .option('--late <file>', 'write late events here (NDJSON)')
    .option('--dead-letter <file>', 'write bad records here (NDJSON: position, reason, raw)')
    .option('--max-keys <n>', 'most keys holding state per distinct key by (least recently used evicted, counted)', positiveInteger, 1_000_000)
    .option('--max-partial-matches <n>', 'most partial matches per key and rule (oldest dropped, counted)', positiveInteger, 10_000)
    .option('--speed <factor>', 'pace the replay at factor × event time (default: as fast as possible)', positiveNumber)
    .option('--linger', 'after the input ends keep running until SIGINT/SIGTERM (for live sinks)')
    .option('--no-progress', 'no progress bar or progress lines on stderr');
}

/**
 * Maps parsed options to the engine's options: one source per input file (after `liveSources`,
 * e.g. Kafka), the given sinks, and the late and dead-letter outputs.
 * @throws InvalidArgumentError when an input file cannot be read, or when there is no input at all (bad usage).
 */
export function engineOptionsFrom(opts: ReplayOptions, rules: readonly Nfa[], sinks: readonly AlertSink[], liveSources: readonly Source[], signal: AbortSignal): EngineOptions {
  if ((opts.input ?? []).length === 0 && liveSources.length === 0) throw new InvalidArgumentError('no events to read: give --input FILE... (or --kafka-topics)');
  const sources: Source[] = [...liveSources];
  for (const path of opts.input ?? []) {
    checkReadable(path);
    sources.push(openInputSource(path, opts.format));
  }
  return {
    rules,
    sources,
    sinks,
    timeField: opts.timeField,
    typeField: opts.typeField,
    maxDelay: opts.maxDelay,
    maxFuture: opts.maxFuture,
    idle: opts.idle,
    maxKeys: opts.maxKeys,
    speed: opts.speed,
    linger: opts.linger === true,
    signal,
    lateOutput: opts.late === undefined ? undefined : createWriteStream(opts.late),
    deadLetterOutput: opts.deadLetter === undefined ? undefined : createWriteStream(opts.deadLetter),
  };
}

/** `NDJSON, or CSV with a header`. */
function formatDescriptions(): string {
  const descriptions = [...INPUT_FORMATS.values()].map((f) => f.description);
  return descriptions.length === 1 ? descriptions[0] : `${descriptions.slice(0, -1).join(', ')}, or ${descriptions[descriptions.length - 1]}`;
}

function checkReadable(path: string): void {
  if (path === '-') return;
  let readable: boolean;
  try {
    const stat = statSync(path);
    readable = stat.isFile() || stat.isFIFO();
  } catch {
    throw new InvalidArgumentError(`input ${path} does not exist or cannot be read`);
  }
  if (!readable) throw new InvalidArgumentError(`input ${path} is not a file or a FIFO`);
}

/** A duration option (`5s`, `1m30s`) in ms. @throws InvalidArgumentError (bad usage) for a bad duration. */
export function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function positiveDuration(text: string): number {
  const ms = duration(text);
  if (ms <= 0) throw new InvalidArgumentError(`'${text}' must be a duration above 0`);
  return ms;
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${text}' is not a whole number ≥ 1`);
  return n;
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`'${text}' is not a number above 0`);
  return n;
}
