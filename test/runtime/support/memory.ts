/** In-memory sources and sinks for runtime tests. */
import type { Alert } from '../../../src/alerts/alert.js';
import type { AlertSink, EngineStats } from '../../../src/alerts/sink.js';
import type { Source, SourceRecord } from '../../../src/runtime/source.js';

/** A finite source over given values (one watermark input). */
export function arraySource(input: string, values: Record<string, unknown>[], extra: Partial<SourceRecord>[] = []): Source & { done: number } {
  const source = {
    inputs: [input],
    done: 0,
    async *records(): AsyncGenerator<SourceRecord> {
      let i = 0;
      for (const value of values) {
        i++;
        yield { kind: 'event', input, position: `${input}:${i}`, value, done: () => source.done++, ...(extra[i - 1] ?? {}) } as SourceRecord;
      }
    },
    async close() {},
  };
  return source;
}

export class MemorySink implements AlertSink {
  readonly alerts: Alert[] = [];
  readonly counters: EngineStats[] = [];
  closed = false;
  write(alert: Alert): void {
    this.alerts.push(alert);
  }
  stats(s: EngineStats): void {
    this.counters.push(s);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
