/**
 * The reorder buffer: events held until the watermark passes them, released in event-time order,
 * ties in arrival order (Flink `CepOperator` buffers elements per timestamp in arrival order and
 * sorts the timestamps when a watermark comes).
 *
 * Most recorded streams arrive nearly in order, so events not older than the newest buffered one
 * go to a FIFO in O(1); only out-of-order arrivals go to a heap. Release takes the earlier head of
 * the two (by time, then arrival sequence), so the order is the same as one heap's.
 */
import { TimeQueue, type Timed } from './time-queue.js';

export class ReorderBuffer<T extends Timed> {
  private fifo: T[] = [];
  private head = 0;
  private readonly heap = new TimeQueue<T>();

  get size(): number {
    return this.fifo.length - this.head + this.heap.size;
  }

  /** Time of the earliest buffered event, ms, or `Infinity` when empty. */
  peekTime(): number {
    const f = this.head < this.fifo.length ? this.fifo[this.head].time : Infinity;
    const h = this.heap.peekTime();
    return f < h ? f : h;
  }

  /** Buffers an event; `seq` must increase with every call (arrival order). */
  push(event: T): void {
    const fifo = this.fifo;
    if (this.head === fifo.length || event.time >= fifo[fifo.length - 1].time) fifo.push(event);
    else this.heap.push(event);
  }

  /** Removes and returns the earliest event. @throws Error when empty. */
  pop(): T {
    const fifo = this.fifo;
    if (this.head < fifo.length) {
      const f = fifo[this.head];
      const h = this.heap.peek();
      if (h === undefined || f.time < h.time || (f.time === h.time && f.seq < h.seq)) {
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
    return this.heap.pop();
  }

}
