/**
 * Rules over an array of events in one call, for programs and tests: the engine with a
 * {@link fromArray} source and a sink that collects the alerts.
 */
import type { Alert } from '../alerts/alert.js';
import type { Nfa } from '../nfa/nfa.js';
import { runEngine, type EngineOptions, type Summary } from './engine.js';
import { fromArray } from './sources/array.js';

/** The engine's options other than its rules, sources and sinks (`maxDelay`, `timeField`, ...). */
export type ArrayRunOptions = Omit<EngineOptions, 'rules' | 'sources' | 'sinks'>;

/**
 * Runs `rules` over `events` (objects with event time in `ts` and type in `type` by default; see
 * {@link fromArray}) to the end of input, so that `within` deadlines and `on timeout emit` fire.
 * @returns the alerts in the order the engine produced them, and the run's summary.
 * @throws Error for bad options, as {@link runEngine}; a bad element is a bad record in the summary, not an error.
 */
export async function runOnArray(rules: readonly Nfa[], events: Iterable<unknown>, options: ArrayRunOptions = {}): Promise<{ alerts: Alert[]; summary: Summary }> {
  const alerts: Alert[] = [];
  const summary = await runEngine({
    ...options,
    rules,
    sources: [fromArray(events)],
    sinks: [{ write: (alert) => void alerts.push(alert), close: async () => undefined }],
  });
  return { alerts, summary };
}
