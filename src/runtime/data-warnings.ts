/**
 * Warnings from the data (DSL.md section 7), so that a typo never passes as "0 alerts": for each
 * rule, the event types it names that never occurred in the input, the field paths it reads (its
 * `key by` included) that were missing (or null) in every event that reached them, and the
 * conditions that failed to evaluate: those that threw (the matcher's count) and arithmetic whose
 * operand was neither null nor a number (src/dsl/usage.ts `Mismatch`). Each names the rule's file
 * and line and, where the input had something close, a "did you mean" taken from it: the event
 * types seen, the names present where a path stopped.
 *
 * The engine notes each event type it sees ({@link SeenTypes}, a set entered only when the type
 * differs from the previous event's) and hands each event to {@link FieldWatch} while a field path
 * the rules read has not been found yet in an event of its type: once every path has been seen,
 * the hot path pays one comparison per event for the types and one for the paths. The compiled
 * conditions are not instrumented (measured in bench/README.md, "Warnings from the data").
 */
import { usageOf, type FieldRead } from '../dsl/usage.js';
import { closest, MAX_CANDIDATE_CHARS } from '../dsl/suggest.js';
import { printable } from '../dsl/printable.js';
import type { Nfa } from '../nfa/nfa.js';
import { counted } from './counted.js';

/** Distinct event types kept for suggestions; types named by a rule are always noted. */
const MAX_TYPES = 10_000;

/** The event types that occurred in the input (bounded: past {@link MAX_TYPES}, and longer than {@link MAX_CANDIDATE_CHARS}, only the types the rules name). */
export class SeenTypes {
  private readonly seen = new Set<string>();
  private last: string | undefined;

  /** `named`: the types the rules name ({@link namedTypes}); replaced when the rules are. */
  constructor(public named: ReadonlySet<string>) {}

  /** Called for every event: a string comparison, and a set insert when the type changed. */
  note(type: string): void {
    if (type === this.last) return;
    this.last = type;
    if ((this.seen.size < MAX_TYPES && type.length <= MAX_CANDIDATE_CHARS) || this.named.has(type)) this.seen.add(type);
  }

  has(type: string): boolean {
    return this.seen.has(type);
  }

  values(): Iterable<string> {
    return this.seen;
  }
}

/** The field paths the rules read, checked against the events of their type until each is found. */
export class FieldWatch {
  /** Paths not found yet; 0 once all were (then the engine stops calling {@link check}). */
  pending = 0;
  private readonly byType = new Map<string, FieldRead[]>();
  private readonly anyType: FieldRead[] = [];

  constructor(nfas: readonly Nfa[]) {
    for (const nfa of nfas) {
      for (const read of usageOf(nfa.rule)?.fields ?? []) {
        if (read.found) continue;
        this.pending++;
        if (read.type === null) this.anyType.push(read);
        else {
          let reads = this.byType.get(read.type);
          if (reads === undefined) this.byType.set(read.type, (reads = []));
          reads.push(read);
        }
      }
    }
  }

  /** Checks the pending paths read from events of `type` in `data`. */
  check(type: string, data: unknown): void {
    const reads = this.byType.get(type);
    if (reads !== undefined) this.checkAll(reads, data);
    if (this.anyType.length > 0) this.checkAll(this.anyType, data);
  }

  private checkAll(reads: FieldRead[], data: unknown): void {
    for (const read of reads) {
      if (read.found) continue;
      read.check(data);
      if (read.found) this.pending--;
    }
  }
}

/** Every event type the rules name (DSL rules only). */
export function namedTypes(nfas: readonly Nfa[]): Set<string> {
  const names = new Set<string>();
  for (const nfa of nfas) for (const use of usageOf(nfa.rule)?.types ?? []) names.add(use.name);
  return names;
}

/** The warning lines (`cep: warning: file:line: ...`) for the run so far, rule by rule; empty when all is well. */
export function dataWarnings(nfas: readonly Nfa[], types: SeenTypes): string[] {
  const lines: string[] = [];
  for (const { rule, stats } of nfas) {
    const usage = usageOf(rule);
    if (usage === undefined) continue;
    const warned = new Set<string>();
    for (const use of usage.types) {
      if (types.has(use.name) || warned.has(use.name)) continue;
      warned.add(use.name);
      const near = closest(use.name, types.values());
      lines.push(`cep: warning: ${usage.file}:${use.line}: rule ${rule.name} names event type '${use.name}', which never occurred in the input${near === undefined ? '' : `; did you mean '${printable(near)}'?`}`);
    }
    for (const read of usage.fields) {
      if (read.found || read.missed === 0 || warned.has(read.text)) continue;
      warned.add(read.text);
      const near = read.suggestion();
      const events = read.missed === 1 ? 'the 1 event' : `all ${counted(read.missed, 'event')}`;
      const of = read.type === null ? '' : ` of type ${read.type}`;
      lines.push(`cep: warning: ${usage.file}:${read.line}: rule ${rule.name} reads '${read.text}', which was missing in ${events}${of}${near === undefined ? '' : `; did you mean '${printable(near)}'?`}`);
    }
    for (const m of usage.mismatches) {
      if (m.count === 0) continue;
      lines.push(`cep: warning: ${usage.file}:${m.line}: rule ${rule.name}: '${m.text}' could not be computed in ${counted(m.count, 'evaluation')} (${m.first} gives null)`);
    }
    if (stats.conditionErrors > 0) {
      lines.push(`cep: warning: ${usage.file}:${usage.line}: rule ${rule.name}: ${counted(stats.conditionErrors, 'condition evaluation')} failed (counted as false)`);
    }
  }
  return lines;
}
