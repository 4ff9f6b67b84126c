/**
 * The "to add a sink" recipe of src/alerts/README.md, done once: a sink that is only an object with
 * `write`, `stats` and `close` (here delivering asynchronously, as a network sink does) runs in the
 * real engine over the SSH log, and the contract of src/alerts/sink.ts holds: every alert once, in
 * order; counters pushed before `close`, the last ones final (every input ended, the engine's
 * totals); `close` called once, after the last write settled; a rejected write stops the run with
 * that error.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { AlertSink, EngineStats } from '../../src/alerts/sink.js';
import { runEngine } from '../../src/runtime/engine.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';

const SSH_LOG = join(import.meta.dirname, '..', '..', 'examples', 'data', 'ssh-auth.ndjson');
const rules = (): ReturnType<typeof loadRules> => loadRules(['examples/rules/ssh.cep']);

/** The recipe's step 1: a sink whose writes are delivered a turn later (a promise each). */
class DelayedSink implements AlertSink {
  readonly delivered: Alert[] = [];
  readonly counters: EngineStats[] = [];
  readonly events: string[] = [];
  private inFlight = 0;

  constructor(private readonly failAt = Infinity) {}

  write(alert: Alert): Promise<void> {
    this.inFlight++;
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        this.inFlight--;
        if (this.delivered.length === this.failAt) return reject(new Error('the far end refused the alert'));
        this.delivered.push(alert);
        resolve();
      }),
    );
  }

  stats(stats: EngineStats): void {
    this.counters.push(stats);
  }

  close(): Promise<void> {
    this.events.push(`close with ${this.inFlight} writes in flight`);
    return Promise.resolve();
  }
}

describe('adding a sink (src/alerts/README.md)', () => {
  it('gets every alert once in order, the final counters, then close', async () => {
    const sink = new DelayedSink();
    const reference: Alert[] = [];
    const summary = await runEngine({
      rules: rules(),
      sources: [new NdjsonSource(SSH_LOG)],
      sinks: [sink, { write: (a) => void reference.push(a), close: async () => undefined }],
    });
    expect(summary.alerts).toBeGreaterThan(20);
    expect(sink.delivered).toEqual(reference);
    expect(sink.events).toEqual(['close with 0 writes in flight']);
    const last = sink.counters[sink.counters.length - 1];
    expect(last).toMatchObject({ watermark: Infinity, alerts: summary.alerts, events: summary.events, alertsByRule: summary.alertsByRule });
  });

  it('stops the run with the error of a rejected write', async () => {
    const sink = new DelayedSink(5);
    const run = runEngine({ rules: rules(), sources: [new NdjsonSource(SSH_LOG)], sinks: [sink] });
    await expect(run).rejects.toThrow('the far end refused the alert');
    expect(sink.delivered).toHaveLength(5);
  });
});
