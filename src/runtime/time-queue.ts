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
 * object each: a pending key's deadline costs three array slots in the FIFO (the time unboxed in a
 * double array), not an object with its header and a boxed time.
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

  pushSeq(time: number, seq: number, a: A, b: B): void {
    this.push(time, a, b);
    this.seqs.push(seq);
  }

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

export class TimeQueue<A, B> {
  private fifo = new Columns<A, B>();
  private head = 0;
  private readonly heap = new HeapColumns<A, B>();
  private seq = 0;
  /** The last popped entry (overwritten by the next `pop`). */
  private readonly popped: Popped<A, B> = { a: undefined as A, b: undefined as B };

  get size(): number {
    return this.fifo.length - this.head + this.heap.length;
  }

  /** Time of the earliest entry (ms), or `Infinity` when empty. */
  peekTime(): number {
    const f = this.head < this.fifo.length ? this.fifo.times[this.head] : Infinity;
    const h = this.heap.length > 0 ? this.heap.times[0] : Infinity;
    return f <= h ? f : h;
  }

  /** Queues the deadline `time` (ms) of `(a, b)`. */
  push(time: number, a: A, b: B): void {
    const fifo = this.fifo;
    if (this.head === fifo.length || time >= fifo.times[fifo.length - 1]) {
      fifo.push(time, a, b);
      return;
    }
    const heap = this.heap;
    heap.pushSeq(time, this.seq++, a, b);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!heap.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /**
   * Removes the earliest entry; returns its payloads in an object that the next `pop` reuses
   * (read them at once). @throws Error when empty (check `size` or `peekTime`).
   */
  pop(): Popped<A, B> {
    const fifo = this.fifo;
    const heap = this.heap;
    const out = this.popped;
    if (this.head < fifo.length) {
      const h = this.head;
      if (heap.length === 0 || fifo.times[h] <= heap.times[0]) {
        out.a = fifo.as[h];
        out.b = fifo.bs[h];
        fifo.as[h] = undefined as A;
        fifo.bs[h] = undefined as B;
        this.head++;
        if (this.head === fifo.length) {
          this.fifo = new Columns();
          this.head = 0;
        } else if (this.head >= 4096 && this.head * 2 >= fifo.length) {
          this.compactFifo();
        }
        return out;
      }
    }
    if (heap.length === 0) throw new Error('TimeQueue.pop on an empty queue');
    out.a = heap.as[0];
    out.b = heap.bs[0];
    const last = heap.length - 1;
    heap.move(0, last);
    heap.truncate(last);
    this.siftDown(0);
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
    const kept = new Columns<A, B>();
    for (let i = 0; i < all.length; i++) if (keep(all.times[i], all.as[i], all.bs[i])) kept.push(all.times[i], all.as[i], all.bs[i]);
    this.fifo = kept;
    this.head = 0;
    this.heap.truncate(0);
  }

  /** Every entry in `pop` order: the heap's sorted by `(time, seq)`, merged with the FIFO's, the FIFO's first on a tie. */
  private sorted(): Columns<A, B> {
    const heap = this.heap;
    const order = Array.from({ length: heap.length }, (_, i) => i).sort((i, j) => (heap.before(i, j) ? -1 : heap.before(j, i) ? 1 : 0));
    const fifo = this.fifo;
    const all = new Columns<A, B>();
    let f = this.head;
    let h = 0;
    while (f < fifo.length || h < order.length) {
      if (h === order.length || (f < fifo.length && fifo.times[f] <= heap.times[order[h]])) {
        all.push(fifo.times[f], fifo.as[f], fifo.bs[f]);
        f++;
      } else {
        const i = order[h++];
        all.push(heap.times[i], heap.as[i], heap.bs[i]);
      }
    }
    return all;
  }

  private compactFifo(): void {
    const fifo = this.fifo;
    const next = new Columns<A, B>();
    next.times = fifo.times.slice(this.head);
    next.as = fifo.as.slice(this.head);
    next.bs = fifo.bs.slice(this.head);
    this.fifo = next;
    this.head = 0;
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    const time = heap.times[i];
    const seq = heap.seqs[i];
    const a = heap.as[i];
    const b = heap.bs[i];
    heap.move(i, j);
    heap.set(j, time, seq, a, b);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && heap.before(r, l) ? r : l;
      if (!heap.before(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }
}
