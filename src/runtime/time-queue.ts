/**
 * A queue of timed entries `(time, a, b)` popped in `(time, seq)` order, `seq` the push order: the
 * reorder buffer (events waiting for the watermark, ties in arrival order as in Flink's
 * `CepOperator`, whose per-timestamp queues keep arrival order; `a` the event, `b` its `done`) and
 * the per-key timer queue (deadlines; `a` the key's entry, `b` the rule) are both this structure.
 *
 * Both are mostly fed in time order (recorded streams arrive nearly in order; deadlines are event
 * time + `within`), so an entry not earlier than the newest queued one goes to a FIFO in O(1) with
 * no comparisons; only out-of-order entries go to a binary min-heap. `pop` takes the earlier head
 * of the two, so the order is the same as one heap's. Entries are held in parallel arrays, not one
 * object each. The FIFO's are blocks of at most 4,096 entries, so that pushing never copies and a
 * full block costs no growth slack; a block's `b`, while all its entries share one (one rule, the
 * usual case of the timer queue), is one field, and its times are int32 offsets from its first
 * while they fit (24 days): a pending key's deadline costs 12 bytes (its time's offset, its `a`),
 * where three growing arrays cost it about 28.
 *
 * Only the heap records `seq`. The FIFO's entries are in push order, and on a tie its head comes
 * before the heap's: an entry goes to the heap only while the FIFO holds a later time, and the FIFO
 * can only empty once that time, hence the heap entry, was popped; so a FIFO entry that ties with a
 * heap entry was pushed before it.
 */

/** One popped entry's two payloads. */
export interface Popped<A, B> {
  a: A;
  b: B;
}

/** Parallel arrays of entries in FIFO order (the push order is their position). */
class Columns<A, B> {
  times: number[] = [];
  as: A[] = [];
  bs: B[] = [];

  get length(): number {
    return this.times.length;
  }

  push(time: number, a: A, b: B): void {
    this.times.push(time);
    this.as.push(a);
    this.bs.push(b);
  }
}

/** Parallel arrays of a binary min-heap's entries, each with its push order `seq` for ties. */
class HeapColumns<A, B> extends Columns<A, B> {
  seqs: number[] = [];

  set(i: number, time: number, seq: number, a: A, b: B): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.as[i] = a;
    this.bs[i] = b;
  }

  move(to: number, from: number): void {
    this.set(to, this.times[from], this.seqs[from], this.as[from], this.bs[from]);
  }

  /** Whether entry `i` comes before entry `j`. */
  before(i: number, j: number): boolean {
    const ti = this.times[i];
    const tj = this.times[j];
    return ti < tj || (ti === tj && this.seqs[i] < this.seqs[j]);
  }

  truncate(length: number): void {
    this.times.length = length;
    this.seqs.length = length;
    this.as.length = length;
    this.bs.length = length;
  }
}

/** Entries per FIFO block: the first block of a queue holds `MIN_BLOCK`, each next one as many as the queue then holds, up to `MAX_BLOCK`. */
const MIN_BLOCK = 16;
const MAX_BLOCK = 4096;

/** A block of FIFO entries: `[head, length)` are queued, in push order; `next` is the block after it. */
class Block<A, B> {
  /**
   * Entry `i`'s time is `times[i] + base`: an `Int32Array` of offsets from the block's first time
   * while each fits, a `Float64Array` of the times themselves (`base` 0) once one does not (a
   * fractional time, or one 2^31 ms or more after the first).
   */
  times: Int32Array | Float64Array;
  base = 0;
  readonly as: (A | undefined)[];
  /** Every entry's `b` while they share one (`bs` null); `bs` once they differ. */
  b: B | undefined = undefined;
  bs: (B | undefined)[] | null = null;
  head = 0;
  length = 0;
  next: Block<A, B> | null = null;

  constructor(size: number) {
    this.times = new Int32Array(size);
    this.as = new Array<A | undefined>(size).fill(undefined);
  }

  /** Time of entry `i`, ms. */
  time(i: number): number {
    return this.times[i] + this.base;
  }

  push(time: number, a: A, b: B): void {
    const i = this.length++;
    // An integer base keeps `offset + base` exact (an integer offset under 2^31 is an exact difference).
    if (i === 0 && this.times instanceof Int32Array) this.base = Number.isInteger(time) ? time : 0;
    const offset = time - this.base;
    if (offset === (offset | 0) || !(this.times instanceof Int32Array)) {
      this.times[i] = offset;
    } else {
      const times = Float64Array.from(this.times, (t) => t + this.base);
      times[i] = time;
      this.times = times;
      this.base = 0;
    }
    this.as[i] = a;
    const bs = this.bs;
    if (bs !== null) {
      bs[i] = b;
    } else if (i === 0) {
      this.b = b;
    } else if (b !== this.b) {
      const all = new Array<B | undefined>(this.times.length).fill(this.b, 0, i);
      all[i] = b;
      this.bs = all;
    }
  }

  /** Empties the block for reuse. */
  reset(): void {
    this.next = null;
    this.head = 0;
    this.length = 0;
    this.base = 0;
    this.b = undefined;
    this.bs = null;
  }
}

/** The queue of the file comment: `push(time, a, b)` (time in ms), `peekTime`, `pop` in (time, push order). */
export class TimeQueue<A, B> {
  /** The FIFO's blocks, from `first` (holding its head) to `last` (where pushes go). */
  private first = new Block<A, B>(MIN_BLOCK);
  private last = this.first;
  private fifoSize = 0;
  /**
   * The last block emptied while another followed it, kept for the next block the FIFO needs: a
   * queue drained about as fast as it fills (the reorder buffer with a small delay holds a few
   * entries) would otherwise allocate a block every `MIN_BLOCK` pushes.
   */
  private spare: Block<A, B> | null = null;
  private readonly heap = new HeapColumns<A, B>();
  private seq = 0;
  /** The last popped entry (overwritten by the next `pop`). */
  private readonly popped: Popped<A, B> = { a: undefined as A, b: undefined as B };

  get size(): number {
    return this.fifoSize + this.heap.length;
  }

  /** Time of the earliest entry (ms), or `Infinity` when empty. */
  peekTime(): number {
    const f = this.fifoSize > 0 ? this.first.time(this.first.head) : Infinity;
    const h = this.heap.length > 0 ? this.heap.times[0] : Infinity;
    return f <= h ? f : h;
  }

  /** Queues the deadline `time` (ms) of `(a, b)`. */
  push(time: number, a: A, b: B): void {
    const last = this.last;
    if (this.fifoSize === 0 || time >= last.time(last.length - 1)) {
      this.pushFifo(time, a, b);
      return;
    }
    // Sift up through a hole: each parent later than the entry moves down one level, and the entry
    // is written once where the hole stops (half the writes of swapping). Its `seq` is the newest,
    // so a parent of the same time stays before it.
    const heap = this.heap;
    const times = heap.times;
    let i = times.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      heap.move(i, parent);
      i = parent;
    }
    heap.set(i, time, this.seq++, a, b);
  }

  /**
   * Removes the earliest entry; returns its payloads in an object that the next `pop` reuses
   * (read them at once). @throws Error when empty (check `size` or `peekTime`).
   */
  pop(): Popped<A, B> {
    const heap = this.heap;
    const out = this.popped;
    if (this.fifoSize > 0) {
      const block = this.first;
      const h = block.head;
      if (heap.length === 0 || block.time(h) <= heap.times[0]) {
        out.a = block.as[h] as A;
        block.as[h] = undefined;
        const bs = block.bs;
        if (bs === null) {
          out.b = block.b as B;
        } else {
          out.b = bs[h] as B;
          bs[h] = undefined;
        }
        block.head = h + 1;
        this.fifoSize--;
        if (block.head === block.length) {
          if (block.next !== null) {
            this.first = block.next;
            block.reset();
            this.spare = block;
          } else {
            block.reset();
          }
        }
        return out;
      }
    }
    if (heap.length === 0) throw new Error('TimeQueue.pop on an empty queue');
    out.a = heap.as[0];
    out.b = heap.bs[0];
    this.siftDown();
    return out;
  }

  /** The entries `[time, a, b]` in the order `pop` gives them, as a new list; the queue is unchanged. O(n log n). */
  ordered(): [time: number, a: A, b: B][] {
    const all = this.sorted();
    return all.times.map((time, i) => [time, all.as[i], all.bs[i]]);
  }

  /** Keeps only the entries for which `keep(time, a, b)` is true, in the same order. O(n log n). */
  retain(keep: (time: number, a: A, b: B) => boolean): void {
    const all = this.sorted();
    this.first = this.last = new Block<A, B>(MIN_BLOCK);
    this.fifoSize = 0;
    this.heap.truncate(0);
    for (let i = 0; i < all.length; i++) if (keep(all.times[i], all.as[i], all.bs[i])) this.pushFifo(all.times[i], all.as[i], all.bs[i]);
  }

  /** Appends to the FIFO (`time` not earlier than its last entry's), in a new block when the last is full. */
  private pushFifo(time: number, a: A, b: B): void {
    let last = this.last;
    if (last.length === last.times.length) {
      const spare = this.spare;
      this.spare = null;
      last = spare ?? new Block<A, B>(Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, this.fifoSize)));
      this.last.next = last;
      this.last = last;
    }
    last.push(time, a, b);
    this.fifoSize++;
  }

  /** Every entry in `pop` order: the heap's sorted by `(time, seq)`, merged with the FIFO's, the FIFO's first on a tie. */
  private sorted(): Columns<A, B> {
    const heap = this.heap;
    const order = Array.from({ length: heap.length }, (_, i) => i).sort((i, j) => (heap.before(i, j) ? -1 : heap.before(j, i) ? 1 : 0));
    const all = new Columns<A, B>();
    let block: Block<A, B> | null = this.fifoSize > 0 ? this.first : null;
    let f = block === null ? 0 : block.head;
    let h = 0;
    while (block !== null || h < order.length) {
      if (h === order.length || (block !== null && block.time(f) <= heap.times[order[h]])) {
        const b = block!;
        all.push(b.time(f), b.as[f] as A, (b.bs === null ? b.b : b.bs[f]) as B);
        if (++f === b.length) {
          block = b.next;
          f = 0;
        }
      } else {
        const i = order[h++];
        all.push(heap.times[i], heap.as[i], heap.bs[i]);
      }
    }
    return all;
  }

  /**
   * Removes the heap's root: its last entry is taken out and sifted down from the root through a
   * hole (each earlier child moves up one level, the entry is written once where the hole stops).
   */
  private siftDown(): void {
    const heap = this.heap;
    const times = heap.times;
    const seqs = heap.seqs;
    const time = times.pop() as number;
    const seq = seqs.pop() as number;
    const a = heap.as.pop() as A;
    const b = heap.bs.pop() as B;
    const n = times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap.before(r, l) ? r : l;
      const t = times[c];
      if (time < t || (time === t && seq < seqs[c])) break;
      heap.move(i, c);
      i = c;
    }
    heap.set(i, time, seq, a, b);
  }
}
