import { describe, expect, it } from 'vitest';
import { TimeQueue } from '../../src/runtime/time-queue.js';
import { prng } from '../support/prng.js';

/** Pops everything as `[time, a, b]`. */
function drain(queue: TimeQueue<number, string>): [number, number, string][] {
  const out: [number, number, string][] = [];
  while (queue.size > 0) {
    const time = queue.peekTime();
    const { a, b } = queue.pop();
    out.push([time, a, b]);
  }
  return out;
}

describe('TimeQueue', () => {
  it('pops by time, ties in insertion order', () => {
    const q = new TimeQueue<string, null>();
    for (const [seq, time] of [5, 1, 5, 3, 1, 9, 0, 3].entries()) q.push(time, `${time}/${seq}`, null);
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop().a);
    expect(out).toEqual(['0/6', '1/1', '1/4', '3/3', '3/7', '5/0', '5/2', '9/5']);
  });

  it('pops in (time, push order) over in-order and out-of-order pushes, as a stable sort does', () => {
    const random = prng(11);
    const queue = new TimeQueue<number, string>();
    const pushed: [number, number, string][] = [];
    let clock = 1_700_000_000_000;
    for (let i = 0; i < 5_000; i++) {
      clock += Math.floor(random() * 3);
      const time = random() < 0.2 ? clock - Math.floor(random() * 50) : clock;
      queue.push(time, i, `e${i}`);
      pushed.push([time, i, `e${i}`]);
      // Interleave pops, as the operator does while the watermark advances.
      if (random() < 0.3) {
        const expected = pushed.reduce((m, e) => (e[0] < m[0] || (e[0] === m[0] && e[1] < m[1]) ? e : m));
        expect(queue.peekTime()).toBe(expected[0]);
        const { a, b } = queue.pop();
        expect([a, b]).toEqual([expected[1], expected[2]]);
        pushed.splice(pushed.indexOf(expected), 1);
      }
    }
    const expected = [...pushed].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(queue.ordered()).toEqual(expected);
    expect(drain(queue)).toEqual(expected);
    expect(queue.peekTime()).toBe(Infinity);
    expect(() => queue.pop()).toThrow(/empty/);
  });

  it('pops in order while it holds a few entries over many blocks (an emptied block reused for the next)', () => {
    const random = prng(3);
    const queue = new TimeQueue<number, string>();
    const expected: [number, number, string][] = [];
    const popped: [number, number, string][] = [];
    let clock = 0;
    for (let i = 0; i < 2_000; i++) {
      clock += Math.floor(random() * 2);
      // Twenty entries queued at most (a block holds sixteen), `b` shared by runs of entries.
      queue.push(clock, i, `b${Math.floor(i / 7)}`);
      expected.push([clock, i, `b${Math.floor(i / 7)}`]);
      if (queue.size > 20 || random() < 0.5) {
        const time = queue.peekTime();
        const { a, b } = queue.pop();
        popped.push([time, a, b]);
      }
    }
    popped.push(...drain(queue));
    expect(popped).toEqual(expected);
  });

  it('ordered lists the entries in pop order; retain keeps that order and drops the rest', () => {
    const queue = new TimeQueue<number, string>();
    for (const [time, a] of [[10, 0], [5, 1], [10, 2], [7, 3], [20, 4], [5, 5]]) queue.push(time, a, `e${a}`);
    expect(queue.ordered()).toEqual([[5, 1, 'e1'], [5, 5, 'e5'], [7, 3, 'e3'], [10, 0, 'e0'], [10, 2, 'e2'], [20, 4, 'e4']]);
    queue.retain((_time, a) => a % 2 === 1);
    expect(drain(queue)).toEqual([[5, 1, 'e1'], [5, 5, 'e5'], [7, 3, 'e3']]);
  });

  it('keeps each entry\'s b across blocks, whether a run of entries shares one or not', () => {
    const random = prng(5);
    const queue = new TimeQueue<number, string>();
    const pushed: [number, number, string][] = [];
    let time = 0;
    let popped = 0;
    for (let i = 0; i < 20_000; i++) {
      time += random() < 0.5 ? 1 : 0;
      // Long runs of one b (a single rule's deadlines), then stretches where b changes often.
      const b = Math.floor(i / 3000) % 2 === 0 ? 'r0' : `r${Math.floor(random() * 3)}`;
      queue.push(time, i, b);
      pushed.push([time, i, b]);
      if (random() < 0.4) {
        const { a, b: popB } = queue.pop();
        expect([a, popB]).toEqual([pushed[popped][1], pushed[popped][2]]);
        popped++;
      }
      if (i === 10_000) expect(queue.ordered()).toEqual(pushed.slice(popped));
    }
    queue.retain((_time, a) => a % 3 !== 0);
    expect(drain(queue)).toEqual(pushed.slice(popped).filter(([, a]) => a % 3 !== 0));
    queue.push(1, -1, 'again');
    expect(drain(queue)).toEqual([[1, -1, 'again']]);
  });

  it('keeps every time exact: fractional, far apart, negative and past 2^53 ones beside int32 offsets', () => {
    const base = 1_700_000_000_000;
    const lists = [
      [base, base + 1, base + 2 ** 31 - 1, base + 2 ** 31, 2 ** 53, 2 ** 60, 2 ** 60 + 2 ** 12],
      [base, base + 1, base + 1.5, base + 2],
      [-(2 ** 40), -0.25, 0, 0.1, 0.30000000000000004, 7],
      [0.1, 0.2, 1.1, 2],
    ];
    for (const list of lists) {
      const queue = new TimeQueue<number, string>();
      for (const [i, t] of list.entries()) queue.push(t, i, 'r');
      expect(queue.ordered().map(([t]) => t)).toEqual(list);
      expect(drain(queue).map(([t]) => t)).toEqual(list);
    }
  });
});
