/**
 * A least-recently-used order over at most `capacity` entries, as a doubly linked list whose links
 * are slot numbers in two typed arrays instead of two pointer fields in each entry: an entry keeps
 * only its slot number (`lru`), in the one field that, before the keyed state needs an order at
 * all, holds its use stamp (keyed-state.ts). Fixed capacity, so no array ever grows: the keyed
 * state builds the list once its map passed `--max-keys`, and never holds more than that plus one.
 * Each slot costs 20 bytes (entry pointer, two links, a free-list place).
 */

/** What the list needs of an entry: a field for its slot number. */
export interface LruEntry {
  lru: unknown;
}

/** No slot (the end of the list). */
const NONE = -1;

/** The list of the file comment: `capacity` slots; entries added at the most recently used end, evicted from the other. */
export class LruList<T extends LruEntry> {
  private readonly entries: (T | undefined)[];
  /** For each slot, the next more recently used slot, and the next less recently used one. */
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  /** Free slots, a stack: `free[0 .. freeCount)`. */
  private readonly free: Int32Array;
  private freeCount: number;
  private newest = NONE;
  private oldest = NONE;

  /** @throws RangeError when `capacity` is not an integer ≥ 1 (from the typed arrays). */
  constructor(capacity: number) {
    this.entries = new Array<T | undefined>(capacity).fill(undefined);
    this.newer = new Int32Array(capacity);
    this.older = new Int32Array(capacity);
    this.free = Int32Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
    this.freeCount = capacity;
  }

  /** The least recently used entry (`undefined`: the list is empty). */
  leastRecent(): T | undefined {
    return this.oldest === NONE ? undefined : this.entries[this.oldest];
  }

  /** Adds `entry` (not in the list) as the most recently used. @throws Error when the list is full. */
  add(entry: T): void {
    if (this.freeCount === 0) throw new Error('LruList.add: the list is full');
    const slot = this.free[--this.freeCount];
    this.entries[slot] = entry;
    entry.lru = slot;
    this.link(slot);
  }

  /** Makes `entry` (in the list) the most recently used. */
  use(entry: T): void {
    const slot = entry.lru as number;
    if (slot === this.newest) return;
    this.unlink(slot);
    this.link(slot);
  }

  /** Removes `entry` (in the list); its `lru` field is left to the caller. */
  remove(entry: T): void {
    const slot = entry.lru as number;
    this.unlink(slot);
    this.entries[slot] = undefined;
    this.free[this.freeCount++] = slot;
  }

  private link(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot];
    const older = this.older[slot];
    if (newer !== NONE) this.older[newer] = older;
    else this.newest = older;
    if (older !== NONE) this.newer[older] = newer;
    else this.oldest = newer;
  }
}
