/**
 * A queue of timed entries popped in `(time, seq)` order: the reorder buffer (events waiting for
 * the watermark, ties in arrival order as in Flink's `CepOperator`, whose per-timestamp queues keep
 * arrival order) and the per-key timer queue (deadlines) are both this structure.
 *
 * Both are mostly fed in time order (recorded streams arrive nearly in order; deadlines are event
 * time + `within`), so an entry not earlier than the newest queued one goes to a FIFO in O(1)
 * with no comparisons; only out-of-order entries go to a binary min-heap. `pop` takes the earlier
 * head of the two, so the order is the same as one heap's.
 */

/** An entry: `time` in ms, `seq` a tie-breaker that increases with every `push`. */
export interface Timed {
  readonly time: number;
  readonly seq: number;
}

export class TimeQueue<T extends Timed> {
  private fifo: T[] = [];
  private head = 0;
  private readonly heap = new MinHeap<T>();

  get size(): number {
    return this.fifo.length - this.head + this.heap.size;
  }

  /** Time of the earliest entry (ms), or `Infinity` when empty. */
  peekTime(): number {
    const f = this.head < this.fifo.length ? this.fifo[this.head].time : Infinity;
    const h = this.heap.peekTime();
    return f < h ? f : h;
  }

  /** Queues an entry; its `seq` must be larger than every queued entry's. */
  push(entry: T): void {
    const fifo = this.fifo;
    if (this.head === fifo.length || entry.time >= fifo[fifo.length - 1].time) fifo.push(entry);
    else this.heap.push(entry);
  }

  /** The entries in the order `pop` gives them, as a new list; the queue is unchanged. O(n log n). */
  ordered(): T[] {
    const all = [...this.fifo.slice(this.head), ...this.heap.entries()];
    return all.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  }

  /**
   * Keeps only the entries for which `keep` is true (lazily deleted entries are dropped this way),
   * in the same order. O(n log n).
   */
  retain(keep: (entry: T) => boolean): void {
    this.fifo = this.ordered().filter(keep);
    this.head = 0;
    this.heap.clear();
  }

  /** Removes and returns the earliest entry. @throws Error when empty (check `size` or `peekTime`). */
  pop(): T {
    const fifo = this.fifo;
    if (this.head < fifo.length) {
      const f = fifo[this.head];
      const h = this.heap.peek();
      if (h === undefined || before(f, h)) {
        this.head++;
        if (this.head === fifo.length) {
          this.fifo = [];
          this.head = 0;
        } else if (this.head >= 4096 && this.head * 2 >= fifo.length) {
          this.fifo = fifo.slice(this.head);
          this.head = 0;
        }
        return f;
      }
    }
    if (this.heap.size === 0) throw new Error('TimeQueue.pop on an empty queue');
    return this.heap.pop();
  }
}

/** A binary min-heap ordered by `(time, seq)`: the out-of-order entries of a {@link TimeQueue}. */
class MinHeap<T extends Timed> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  peekTime(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0].time;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  /** The entries in heap order (not sorted). */
  entries(): readonly T[] {
    return this.heap;
  }

  clear(): void {
    this.heap.length = 0;
  }

  push(entry: T): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest entry; the heap must not be empty. */
  pop(): T {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
