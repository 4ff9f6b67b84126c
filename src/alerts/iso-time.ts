/**
 * ISO-8601 UTC text of an epoch-ms time, as `Date.prototype.toISOString` writes it
 * (`2024-01-01T00:00:00.028Z`), for alert `start`/`end`. Built from arithmetic on the time of day
 * with the date part cached per day: alerts come in event-time order, so consecutive ones mostly
 * share their day, and `toISOString` costs more than the rest of an alert's fields together.
 */

const DAY_MS = 86_400_000;
/** Year 10000: from here `toISOString` writes a six-digit year. */
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;

let cachedDay = NaN;
let cachedDate = '';

/** `ms` (epoch milliseconds) as `YYYY-MM-DDTHH:mm:ss.sssZ`. @throws RangeError when `ms` is not a valid time (as `toISOString`). */
export function isoUtc(ms: number): string {
  if (!(Number.isInteger(ms) && ms >= 0 && ms < MAX_FOUR_DIGIT_YEAR_MS)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${cachedDate}${two(hours)}:${two(minutes)}:${two(seconds)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
