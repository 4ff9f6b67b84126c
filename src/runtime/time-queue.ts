/**
 * A binary min-heap ordered by `(time, seq)`: the reorder buffer (events waiting for the
 * watermark, ties in arrival order as in Flink's `CepOperator`, whose per-timestamp queues keep
 * arrival order) and the timer queue (per-key deadlines) are both this structure.
 */

/** An entry: `time` in ms, `seq` a tie-breaker increasing in insertion order. */
export interface Timed {
  readonly time: number;
  readonly seq: number;
}

export class TimeQueue<T extends Timed> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Time of the earliest entry, or `Infinity` when empty. */
  peekTime(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0].time;
  }

  /** The earliest entry without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.heap[0];
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

  /** Removes and returns the earliest entry. @throws Error when empty (check `size` or `peekTime`). */
  pop(): T {
    const heap = this.heap;
    if (heap.length === 0) throw new Error('TimeQueue.pop on an empty queue');
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
