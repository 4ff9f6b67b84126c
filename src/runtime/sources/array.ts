/**
 * The in-memory source: events from an array (or any iterable) of objects, for programs that embed
 * the engine and for tests. One watermark input, `array` unless named; an element's position is
 * `array[i]`. An element that is not a plain object is a bad record at its position (DSL.md
 * section 7: counted, reported and set aside, never fatal), like a bad line of a file.
 */
import type { Source, SourceRecord } from '../source.js';
import { isObject } from './ndjson.js';

/** Options of {@link fromArray}. */
export interface ArraySourceOptions {
  /** The watermark input's name, also the prefix of positions (`NAME[i]`). Default `array`. */
  readonly input?: string;
}

/**
 * A {@link Source} over `events`, read once, in order, when the engine starts. Event time and type
 * come from the elements' fields as for files (`ts`, `type` by default).
 * @throws TypeError when `events` is not iterable (at once, not at run time).
 */
export function fromArray(events: Iterable<unknown>, options: ArraySourceOptions = {}): Source {
  if (events === null || typeof (events as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`fromArray expects an array (or iterable) of event objects, got ${events === null ? 'null' : typeof events}`);
  }
  const input = options.input ?? 'array';
  let closed = false;
  return {
    inputs: [input],
    async *records(): AsyncGenerator<SourceRecord> {
      let i = 0;
      for (const value of events) {
        if (closed) return;
        const position = `${input}[${i++}]`;
        if (isObject(value)) yield { kind: 'event', input, position, value };
        else yield { kind: 'bad', input, position, raw: String(JSON.stringify(value)), reason: 'not an object' };
      }
    },
    close: async () => {
      closed = true;
    },
  };
}
