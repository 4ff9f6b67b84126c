/**
 * The LRU list of slot numbers against a plain array kept in use order, over random adds, uses and
 * removes up to its capacity.
 */
import { describe, expect, it } from 'vitest';
import { LruList } from '../../src/runtime/lru-list.js';
import { prng } from '../support/prng.js';

interface Entry {
  lru: unknown;
  readonly name: number;
}

describe('LruList', () => {
  it('gives the least recently used entry as an array kept in use order does', () => {
    const random = prng(11);
    const capacity = 50;
    const list = new LruList<Entry>(capacity);
    const order: Entry[] = []; // least recently used first
    let made = 0;
    for (let step = 0; step < 20_000; step++) {
      const r = random();
      if (order.length < capacity && (order.length === 0 || r < 0.3)) {
        const entry: Entry = { lru: null, name: made++ };
        list.add(entry);
        order.push(entry);
      } else if (r < 0.8) {
        const entry = order.splice(Math.floor(random() * order.length), 1)[0];
        list.use(entry);
        order.push(entry);
      } else {
        const entry = order.splice(r < 0.9 ? 0 : Math.floor(random() * order.length), 1)[0];
        list.remove(entry);
      }
      expect(list.leastRecent()).toBe(order[0]);
    }
  });

  it('refuses an entry past its capacity', () => {
    const list = new LruList<Entry>(2);
    list.add({ lru: null, name: 1 });
    list.add({ lru: null, name: 2 });
    expect(() => list.add({ lru: null, name: 3 })).toThrow('full');
  });
});
