/**
 * Time values of the runtime (DSL.md sections 1 and 5): durations given on the command line
 * (`--max-delay 5s`, `--idle 1m30s`) and event times read from events (epoch ms or ISO-8601, or
 * with `--time-format` any format luxon reads). All results are epoch milliseconds or millisecond
 * counts.
 */

/** Durations of the command line are read by the DSL's own parser: one unit table (DSL.md section 2). */
export { parseDuration } from '../dsl/literals.js';

// YYYY-MM-DD, then optional THH:MM[:SS[.fraction]], then optional Z or ±HH[:]MM.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO-8601 date-time into epoch ms. Without a zone designator the time is UTC
 * (DSL.md section 1; unlike `Date.parse`, which would read it as local time). Fractions beyond
 * milliseconds are truncated. Returns `NaN` when the text is not ISO-8601 or names an
 * impossible date, time of day or offset.
 */
export function parseIsoTime(text: string): number {
  const m = ISO.exec(text);
  if (m === null) return NaN;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  // 24:00 ends a day, and only as 24:00:00 (24:30 was read as the next day's 00:30). Second 60 is a
  // leap second, which ends a minute (23:59:60Z, or 01:59:60+02:00): read as the second after :59
  // (23:59:60Z was a bad record, 12:30:60 read as 12:31:00).
  if (hour === 24 && (minute !== 0 || second !== 0 || ms !== 0)) return NaN;
  if (second === 60 && minute !== 59) return NaN;
  const year = Number(y);
  // Date.UTC reads the years 0 to 99 as 1900 to 1999: those are computed 400 years (146,097 days,
  // a whole Gregorian cycle) later and moved back.
  const date = year < 100 ? Date.UTC(year + 400, month - 1, day) - 146_097 * 86_400_000 : Date.UTC(year, month - 1, day);
  if (new Date(date).getUTCDate() !== day) return NaN; // 2015-02-30, with 24:00 too
  let time = date + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) return NaN; // +99:99
    time -= sign * (hours * 60 + minutes) * 60_000;
  }
  return time;
}

/**
 * Reads an event time: a finite number is epoch ms (fractions truncated), a string is ISO-8601
 * (see {@link parseIsoTime}). Anything else, or an unparseable string, gives `NaN` (the caller
 * sets the record aside as bad).
 */
export function toEventTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : NaN;
  if (typeof value === 'string') return parseIsoTime(value);
  return NaN;
}

/**
 * The event times the engine takes: years 0000 to 9999, what ISO-8601 writes with four digits
 * (epoch ms -62,167,219,200,000 to 253,402,300,799,999). A time outside it, however it was written
 * (`1e300`, `8.64e15`, a `--time-format` year 275760), is a bad record: alerts write their times
 * with `Date.prototype.toISOString`, which throws past ±8.64e15 ms (year ±275760), and a partial
 * match's deadline (its first event's time + `within`, at most `MAX_WITHIN_MS`, 10,000 years, of
 * `src/dsl/limits.ts`) must stay inside that range too; past 2^53 ms adding `within` to a time
 * would not even change it.
 */
export const MIN_EVENT_TIME = -62_167_219_200_000;
/** See {@link MIN_EVENT_TIME}. */
export const MAX_EVENT_TIME = 253_402_300_799_999;

/** How event times are read from the time field, and how a value that cannot be read is described. */
export interface TimeReader {
  /** The event time in epoch ms, or `NaN` (a bad record). */
  readonly read: (value: unknown) => number;
  /** Completes `event time "…" ___` in a bad record's reason. */
  readonly mismatch: string;
}

/** DSL.md section 1: epoch ms or ISO-8601. */
export const DEFAULT_TIME_READER: TimeReader = { read: toEventTime, mismatch: 'is neither epoch ms nor ISO-8601' };

/** Instants a `--time-format` must write and read back to within a day (so it names a whole date). */
const FORMAT_SAMPLES = [Date.UTC(2017, 9, 2, 10, 56, 7, 123), Date.UTC(1999, 2, 15, 4, 7, 0, 0)];

/**
 * A reader of event times written in `format`, luxon's format tokens (`M/d/yyyy H:mm`,
 * `dd.MM.yyyy HH:mm:ss`, `yyyy-MM-dd HH:mm:ss ZZ`; https://moment.github.io/luxon/#/parsing?id=table-of-tokens):
 * a time without an offset is UTC (DSL.md section 1), one with an offset token (`Z`, `ZZ`) is read at
 * its offset. A number is read by its digits. The format is compiled once (luxon
 * `buildFormatParser`), and luxon is loaded only when a format is given.
 * Its cost per event, against ISO-8601 and date-fns: bench/time-format.bench.ts, figures in
 * bench/README.md (the engine reads a time text equal to the previous one only once).
 * @throws Error when the format cannot write and read back a whole date (time of day alone, unknown tokens).
 */
export async function timeFormatReader(format: string): Promise<TimeReader> {
  const { DateTime } = await import('luxon');
  const options = { zone: 'utc' } as const;
  const parser = DateTime.buildFormatParser(format);
  const read = (value: unknown): number => {
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (text === undefined) return NaN;
    const time = DateTime.fromFormatParser(text, parser, options);
    return time.isValid ? time.toMillis() : NaN;
  };
  for (const sample of FORMAT_SAMPLES) {
    const text = DateTime.fromMillis(sample, options).toFormat(format);
    if (!(Math.abs(read(text) - sample) < 86_400_000)) {
      throw new Error(`--time-format '${format}' does not read back a whole date (it wrote ${JSON.stringify(text)} for ${new Date(sample).toISOString()}); name year, month and day, e.g. M/d/yyyy H:mm`);
    }
  }
  return { read, mismatch: `does not match --time-format '${format}'` };
}
