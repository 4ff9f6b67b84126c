/**
 * How deeply an event's JSON may nest: {@link MAX_JSON_DEPTH} levels, the record object being the
 * first. `JSON.parse` takes any depth without recursion, but what the engine does with an event
 * afterwards recurses once per level: `JSON.stringify` for an alert, a late event, a bad record's
 * raw text (about 4,100 levels from a shallow stack on Node 20) and msgpackr for the exactly-once
 * state (about 1,400). A record nested deeper crashed the run there; now it is a bad record at its
 * own position, checked by each JSON source (NDJSON, Kafka) after parsing. Jackson's default limit
 * is 1,000 levels, serde_json's 128.
 */

/** Deepest nesting of an event, in levels of objects and arrays (the event itself is level 1). */
export const MAX_JSON_DEPTH = 512;

/** The reason a record nested too deeply is set aside. */
export const TOO_DEEP_REASON = `nested deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * Whether `value`, parsed from the JSON `text`, nests deeper than `levels` ({@link MAX_JSON_DEPTH}). Each
 * level takes at least two characters of text (its brackets), so text shorter than twice the limit
 * is not walked: most records cost one length test. The walk recurses at most
 * `levels + 1` frames and stops at the first level too deep.
 */
export function nestsTooDeep(text: string, value: unknown, levels = MAX_JSON_DEPTH): boolean {
  return text.length > 2 * levels && deeperThan(value, levels);
}

/** Whether `value` has more than `levels` levels of objects and arrays. */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (deeperThan(item, levels - 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) if (deeperThan(object[key], levels - 1)) return true;
  return false;
}
