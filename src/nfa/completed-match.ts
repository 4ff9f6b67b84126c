/**
 * A completed match as the matcher holds it and the runtime receives it (no copy): the newest
 * event's node in the shared buffer, whose chain gives the match's events.
 */
import type { CepEvent } from './event.js';
import type { Match } from './nfa.js';
import { type BufferNode, materialize } from './shared-buffer.js';

/**
 * A completed match, held back by the skip strategy or emitted. Its `events` map is built from
 * the shared buffer only when first read, so a match that is counted or dropped costs no map.
 */
export class CompletedMatch implements Match {
  /** Event sequence numbers, computed when two matches must be ordered. */
  seqs: number[] | undefined = undefined;
  private bound: ReadonlyMap<string, readonly CepEvent[]> | null = null;

  constructor(
    readonly kind: Match['kind'],
    /** The newest event of the match in the shared buffer. */
    readonly node: BufferNode,
    /** Last event's time, or the deadline of a trailing `-> not X` (ms). */
    readonly end: number,
    /** The rule's aliases in pattern order (the order of `events`). */
    private readonly aliases: readonly string[],
  ) {}

  /** Time of the first event (ms). */
  get start(): number {
    return this.node.startTime;
  }

  /** Per-key sequence number of the first event. */
  get startSeq(): number {
    return this.node.startSeq;
  }

  get events(): ReadonlyMap<string, readonly CepEvent[]> {
    return (this.bound ??= materialize(this.node, this.aliases));
  }
}
