/**
 * ISO-8601 UTC text of an epoch-ms time, as `Date.prototype.toISOString` writes it
 * (`2024-01-01T00:00:00.028Z`), for alert `start`/`end`. Alerts come in event-time order, so
 * consecutive ones mostly share their second: the text up to the second (`2024-01-01T00:00:00.`)
 * is cached, and the rest is one of 1,000 prebuilt `sssZ` texts, so that a call in the cached
 * second makes one string (a concatenation of two) instead of the dozen pieces a template builds;
 * the date part is cached per day. `toISOString` costs more than the rest of an alert's fields together.
 */

const DAY_MS = 86_400_000;
/** Year 10000: from here `toISOString` writes a six-digit year. */
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;

/** `000Z` to `999Z`, by millisecond. */
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

let cachedDay = NaN;
let cachedDate = '';
/** The second (epoch ms / 1000) whose text up to the second is {@link cachedPrefix}. */
let cachedSecond = NaN;
let cachedPrefix = '';

/** `ms` (epoch milliseconds) as `YYYY-MM-DDTHH:mm:ss.sssZ`. @throws RangeError when `ms` is not a valid time (as `toISOString`). */
export function isoUtc(ms: number): string {
  if (!(Number.isInteger(ms) && ms >= 0 && ms < MAX_FOUR_DIGIT_YEAR_MS)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = secondPrefix(second * 1000);
  }
  return cachedPrefix + MILLIS[ms - second * 1000];
}

/** `YYYY-MM-DDTHH:mm:ss.` of a whole second `ms` (epoch ms, in range). */
function secondPrefix(ms: number): string {
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
  return `${cachedDate}${two(hours)}:${two(minutes)}:${two(rest / 1000)}.`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
