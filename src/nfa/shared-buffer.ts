/**
 * The shared buffer of a key's partial matches (Flink `SharedBuffer`, after Agrawal et al., SIGMOD
 * 2008, section 4.1). Each taken event is one immutable node pointing to the node taken before it
 * in the same partial match; branches that split (non-deterministic contiguity, optional elements,
 * loops) share their common prefix, so a branch never copies its event list. A partial match is a
 * pointer to its newest node; its events are read by walking back.
 *
 * Flink deduplicates nodes per (state, event) and therefore needs Dewey-number versions on the
 * edges to tell which predecessor belongs to which branch. Here every node has exactly one
 * predecessor, so the node itself is the version: the walk back is unambiguous, no version has to
 * be stored or compared, and unreachable nodes are freed by the garbage collector instead of by
 * reference counts (Flink's `lockNode`/`releaseNode`).
 */
import type { CepEvent } from './event.js';
import type { Bindings } from './rule.js';

/**
 * One taken event: the alias (element) that took it, its per-key sequence number, the previous
 * node, and what every walk back would otherwise have to find: the chain's first node. A partial
 * match *is* its newest node, with the automaton state it is in (`state`), so a partial match
 * costs no object of its own; a partial match that moves to another state without taking an
 * event gets a copy of its head node (`withState`).
 */
export class BufferNode implements Bindings {
  /** The first node of the chain ending here (a pointer, not its time: no boxed number per node). */
  readonly first: BufferNode;

  constructor(
    readonly alias: string,
    readonly event: CepEvent,
    /** Per-key arrival number of the event (Flink `EventId`): orders events of one key. */
    readonly seq: number,
    readonly prev: BufferNode | null,
    /** The automaton state of the partial match whose newest node this is. */
    readonly state: number,
  ) {
    this.first = prev === null ? this : prev.first;
  }

  /** Time of the chain's first event (ms). */
  get startTime(): number {
    return this.first.event.time;
  }

  /** Sequence number of the chain's first event. */
  get startSeq(): number {
    return this.first.seq;
  }

  /**
   * The events bound to `alias` in the partial match ending here, oldest first: a partial match's
   * newest node is the `Bindings` its conditions read, so evaluating one stores nothing.
   */
  events(alias: string): readonly CepEvent[] {
    const out: CepEvent[] = [];
    for (let n: BufferNode | null = this; n !== null; n = n.prev) if (n.alias === alias) out.push(n.event);
    return out.reverse();
  }

  /** This node as the head of a partial match in automaton state `state`. */
  withState(state: number): BufferNode {
    return state === this.state ? this : new BufferNode(this.alias, this.event, this.seq, this.prev, state);
  }
}

/** The events of a partial match, oldest first. */
export function nodesOf(node: BufferNode | null): BufferNode[] {
  const out: BufferNode[] = [];
  for (let n = node; n !== null; n = n.prev) out.push(n);
  return out.reverse();
}

/** The bindings of the start state: no event bound yet. */
export const NO_BINDINGS: Bindings = Object.freeze({ events: (): readonly CepEvent[] => [] });

/**
 * The bound events of a match by alias, aliases in pattern order, events oldest first. One walk of
 * the chain per alias: patterns have few aliases, and no intermediate list or map is built.
 */
export function materialize(node: BufferNode | null, aliases: readonly string[]): Map<string, CepEvent[]> {
  const result = new Map<string, CepEvent[]>();
  for (const alias of aliases) {
    let list: CepEvent[] | null = null;
    for (let n = node; n !== null; n = n.prev) if (n.alias === alias) (list ??= []).push(n.event);
    if (list !== null) result.set(alias, list.reverse());
  }
  return result;
}

/**
 * Serialised buffer: events and nodes once each, nodes as `[alias, eventIndex, seq, prevIndex]`
 * (−1: none). A node's `state` is not written: partial matches are written with their own state.
 */
export interface SerializedBuffer {
  readonly events: { type: string; time: number; data: Readonly<Record<string, unknown>> }[];
  readonly nodes: [string, number, number, number][];
}

/** Writes the nodes reachable from `roots` once each; returns the buffer and each root's index. */
export function serializeBuffer(roots: readonly (BufferNode | null)[]): { buffer: SerializedBuffer; refs: number[] } {
  const nodeIndex = new Map<BufferNode, number>();
  const eventIndex = new Map<CepEvent, number>();
  const buffer: SerializedBuffer = { events: [], nodes: [] };
  // Iterative (a long loop may hold many thousands of nodes): collect the unwritten suffix of the
  // chain, then write it oldest first so that every node's predecessor already has an index.
  const write = (root: BufferNode | null): number => {
    const pending: BufferNode[] = [];
    for (let n = root; n !== null && !nodeIndex.has(n); n = n.prev) pending.push(n);
    for (let i = pending.length - 1; i >= 0; i--) {
      const node = pending[i];
      let e = eventIndex.get(node.event);
      if (e === undefined) {
        e = buffer.events.length;
        eventIndex.set(node.event, e);
        buffer.events.push({ type: node.event.type, time: node.event.time, data: node.event.data });
      }
      const prev = node.prev === null ? -1 : (nodeIndex.get(node.prev) as number);
      nodeIndex.set(node, buffer.nodes.length);
      buffer.nodes.push([node.alias, e, node.seq, prev]);
    }
    return root === null ? -1 : (nodeIndex.get(root) as number);
  };
  const refs = roots.map(write);
  return { buffer, refs };
}

/** Rebuilds the nodes of a serialised buffer (indexes as written by `serializeBuffer`). Throws on malformed data. */
export function deserializeBuffer(buffer: SerializedBuffer): BufferNode[] {
  const nodes: BufferNode[] = [];
  for (const [alias, e, seq, prev] of buffer.nodes) {
    const event = buffer.events[e];
    if (event === undefined || prev >= nodes.length) throw new Error('deserializeState: malformed shared buffer');
    nodes.push(new BufferNode(alias, event, seq, prev < 0 ? null : nodes[prev], -1));
  }
  return nodes;
}
