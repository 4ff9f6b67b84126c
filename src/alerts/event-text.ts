/**
 * The JSON text of a matched event's data, shared by the alerts the event is in. Under skip till
 * any (and skip till next with loops) one event is in several alerts made shortly one after the
 * other (on the `any` peers workload, ~3.5 each): each alert used to serialise it again. The texts
 * of the events of recent alerts are kept in two generations of identity maps (a generation is
 * retired when it holds {@link GENERATION_EVENTS} events or {@link GENERATION_CHARS} characters;
 * the older one is then dropped), so the cache is bounded by the alert rate, never by the number
 * of keys or partial matches: a partial match that never completes never puts anything in it.
 *
 * Where events are each in one alert (a plain `a -> b` replay) the cache only costs: lookups that
 * miss, and events kept past the young generation of the garbage collector. So it watches its hit
 * share over every {@link WINDOW_REFS} lookups; below {@link MIN_HITS_PER_WINDOW} it is emptied
 * and {@link eventTextsPay} answers `false` for the next {@link PAUSE_ALERTS} alerts (which then
 * serialise their events whole, as before the cache), after which it is tried again.
 *
 * Event data is read-only (`CepEvent.data`), so a kept text stays the event's text.
 */

/** Events per generation: the `any` workload's hit share is 80% at 256, 83% (all repeats) at 1,024. */
const GENERATION_EVENTS = 256;
/** Characters per generation, so that large events do not keep megabytes. */
const GENERATION_CHARS = 1 << 16;
/** Lookups per measuring window. */
const WINDOW_REFS = 4096;
/** Hits per window below which the cache pauses: splicing texts pays from about half the lookups hitting. */
const MIN_HITS_PER_WINDOW = WINDOW_REFS / 2;
/** Alerts made without the cache after a window with too few hits. */
const PAUSE_ALERTS = 1 << 16;

let young = new Map<object, string>();
let old = new Map<object, string>();
let youngChars = 0;
let windowRefs = 0;
let windowHits = 0;
let pauseLeft = 0;

/**
 * Whether the next alert should splice its events from {@link eventText}: `false` while the cache
 * is paused (too few hits lately); counts one alert of the pause.
 */
export function eventTextsPay(): boolean {
  if (pauseLeft === 0) return true;
  pauseLeft--;
  return false;
}

/**
 * `JSON.stringify(data)` of one event's data, to be written inside the alert's `events` object or
 * a loop alias's list; `undefined` when that would not be the same text as inside the enclosing
 * JSON (not an object, or an object with a `toJSON` method, which is given its property key):
 * the caller then serialises the enclosing value whole.
 */
export function eventText(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  if (++windowRefs === WINDOW_REFS) endWindow();
  let text = young.get(data);
  if (text !== undefined) {
    windowHits++;
    return text;
  }
  text = old.get(data);
  if (text !== undefined) {
    windowHits++;
  } else {
    if (typeof (data as { toJSON?: unknown }).toJSON === 'function') return undefined;
    text = JSON.stringify(data);
  }
  if (young.size >= GENERATION_EVENTS || youngChars >= GENERATION_CHARS) {
    old = young;
    young = new Map();
    youngChars = 0;
  }
  young.set(data, text);
  youngChars += text.length;
  return text;
}

/** Closes a measuring window: pauses (and empties) the cache when it hit too rarely. */
function endWindow(): void {
  if (windowHits < MIN_HITS_PER_WINDOW) {
    pauseLeft = PAUSE_ALERTS;
    young = new Map();
    old = new Map();
    youngChars = 0;
  }
  windowRefs = 0;
  windowHits = 0;
}
