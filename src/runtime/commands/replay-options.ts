/**
 * The options shared by `cep run` and `cep test` (DSL.md section 7), and the single mapping from
 * parsed options to the engine's options: recorded inputs (one source per `--input`, in a format of
 * `sources/formats.ts`), the given sinks, the late and dead-letter outputs. Live inputs and sinks
 * (Kafka, WebSocket) are the connectors of `connectors.ts`.
 */
import { closeSync, createWriteStream, openSync, statSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { AlertSink } from '../../alerts/sink.js';
import type { Nfa } from '../../nfa/nfa.js';
import type { EngineOptions } from '../engine.js';
import type { Source } from '../source.js';
import { DEFAULT_INPUT_FORMAT, INPUT_FORMATS, openInputSource } from '../sources/formats.js';
import { addOptions } from './cli-options.js';
import type { OptionSpec, OptionValues } from './option-spec.js';

/**
 * The replay options, in help order. Called when a command is declared, so that the `--format`
 * choices and the `--input` help hold every format of `INPUT_FORMATS` registered by then.
 */
export function replayOptionSpecs() {
  return [
    { flag: '--input <file...>', key: 'input', kind: 'files', description: `event files (${formatDescriptions()}; .gz gunzipped; - is stdin)` },
    { flag: '--format <format>', key: 'format', kind: 'enum', choices: [...INPUT_FORMATS.keys()], description: `input format (default: by extension, ${DEFAULT_INPUT_FORMAT} otherwise)` },
    { flag: '--time-field <path>', key: 'timeField', kind: 'string', default: 'ts', description: 'event time field (epoch ms or ISO-8601; @timestamp: that field, else the Kafka record timestamp)' },
    { flag: '--time-format <format>', key: 'timeFormat', kind: 'string', description: "read event times in this format instead (luxon tokens, e.g. 'M/d/yyyy H:mm'; UTC unless it has an offset token)" },
    { flag: '--type-field <path>', key: 'typeField', kind: 'string', default: 'type', description: 'event type field' },
    { flag: '--max-delay <duration>', key: 'maxDelay', kind: 'duration', default: 0, description: 'allowed out-of-orderness of event time, e.g. 5s' },
    { flag: '--max-future <duration>', key: 'maxFuture', kind: 'positive-duration', description: 'set aside, as a bad record, an event more than this after the largest event time seen (Kafka: after the wall clock)' },
    { flag: '--idle <duration>', key: 'idle', kind: 'positive-duration', description: 'leave inputs silent this long (processing time) out of the watermark' },
    { flag: '--late <file>', key: 'late', kind: 'file', description: 'write late events here (NDJSON)' },
    { flag: '--dead-letter <file>', key: 'deadLetter', kind: 'file', description: 'write bad records here (NDJSON: position, reason, raw)' },
    { flag: '--max-keys <n>', key: 'maxKeys', kind: 'positive-integer', default: 1_000_000, description: 'most keys holding state per distinct key by (least recently used evicted, counted)' },
    { flag: '--max-partial-matches <n>', key: 'maxPartialMatches', kind: 'positive-integer', default: 10_000, description: 'most partial matches per key and rule (oldest dropped, counted)' },
    { flag: '--speed <factor>', key: 'speed', kind: 'positive-number', description: 'pace the replay at factor × event time (default: as fast as possible)' },
    { flag: '--linger', key: 'linger', kind: 'boolean', description: 'after the input ends keep running until SIGINT/SIGTERM (for live sinks)' },
    { flag: '--no-progress', key: 'progress', kind: 'boolean', default: true, description: 'no progress bar or progress lines on stderr' },
  ] as const satisfies readonly OptionSpec[];
}

/** Parsed replay options (durations in ms). */
export type ReplayOptions = OptionValues<ReturnType<typeof replayOptionSpecs>>;

/** Declares the replay options on `command`; values are checked as they are parsed (bad usage → exit 2). */
export function addReplayOptions(command: Command): Command {
  return addOptions(command, replayOptionSpecs());
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

/**
 * Checks that the output files (`--out`, `--late`, `--dead-letter`; `-` for `--out` is stdout) can be
 * written, creating each that is missing (a FIFO or a device is left to the stream that opens it), so that one that cannot be is bad usage before any input
 * is read (DSL.md section 7: exit 2), not a failure at the first write after the whole replay.
 * @throws InvalidArgumentError naming the option, the file and why.
 */
export function checkOutputs(opts: { readonly out?: unknown; readonly late?: string; readonly deadLetter?: string }): void {
  const outputs: [string, unknown][] = [['--out', opts.out === '-' ? undefined : opts.out], ['--late', opts.late], ['--dead-letter', opts.deadLetter]];
  for (const [option, path] of outputs) {
    if (typeof path !== 'string' || isSpecialFile(path)) continue;
    try {
      closeSync(openSync(path, 'a'));
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
      throw new InvalidArgumentError(`${option} ${path} cannot be written: ${why}`);
    }
  }
}

/** Whether `path` exists and is not a regular file (a FIFO, which opening would block on until a reader comes; a device). */
function isSpecialFile(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
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
