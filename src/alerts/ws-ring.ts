/**
 * A bounded ring of the most recent items (the alerts replayed to a new WebSocket client): memory
 * stays at `capacity` items however long the server runs; the oldest item is overwritten first.
 */
export class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  /** @param capacity most items kept, ≥ 0 (0 keeps none). */
  constructor(private readonly capacity: number) {}

  /** Adds an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.capacity === 0) return;
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    return this.items.length < this.capacity ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
