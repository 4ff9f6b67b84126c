/**
 * The live options of `cep run` (DSL.md sections 9 and 10): those of every connector of
 * `connectors.ts` (the WebSocket feed, Kafka), then those of a run as a service: `--metrics` and
 * `--log-format`. {@link openLive} opens the connectors once per run.
 */
import { InvalidArgumentError } from 'commander';
import type { logCreator } from 'kafkajs';
import type { AlertSink } from '../../alerts/sink.js';
import type { Source } from '../source.js';
import { LOG_FORMATS } from '../service/logger.js';
import { CONNECTORS } from './connectors.js';
import type { OptionSpec, OptionValues } from './option-spec.js';

/** The options of a run as a service. */
const SERVICE_OPTIONS = [
  { flag: '--metrics <[host:]port>', key: 'metrics', kind: 'host-port', description: 'serve Prometheus /metrics, /healthz and /readyz here; host defaults to 127.0.0.1' },
  { flag: '--log-format <format>', key: 'logFormat', kind: 'enum', choices: LOG_FORMATS, default: 'text', description: 'stderr as text lines or one JSON object a line (level, time, msg, context)' },
] as const satisfies readonly OptionSpec[];

/**
 * Parsed live options: `--metrics` and `--log-format` typed; each connector's own options are read
 * by the connector, typed there.
 */
export type LiveOptions = OptionValues<typeof SERVICE_OPTIONS> & Readonly<Record<string, unknown>>;

/** The live options, in help order: every connector's, then the service's. */
export function liveOptionSpecs(): OptionSpec[] {
  return [...CONNECTORS.flatMap((c) => c.options), ...SERVICE_OPTIONS];
}

/**
 * Checks every connector's combinations of options, then opens the connectors in table order. What
 * was opened before a failure is closed again.
 * @throws InvalidArgumentError for a bad combination or value (bad usage, exit 2); the connectors'
 *   LiveError (`CEP_WS_LISTEN`, `CEP_KAFKA_CONNECT`, ...) when a server cannot listen or a broker cannot be reached.
 */
export async function openLive(opts: Readonly<Record<string, unknown>>, log: (line: string) => void, kafkaLog?: logCreator): Promise<{ sources: Source[]; sinks: AlertSink[] }> {
  const sinks: AlertSink[] = [];
  const sources: Source[] = [];
  try {
    for (const connector of CONNECTORS) connector.check?.(opts);
    const context = { log, kafkaLog, addSink: (sink: AlertSink) => void sinks.push(sink), addSource: (source: Source) => void sources.push(source) };
    for (const connector of CONNECTORS) await connector.open(opts, context);
  } catch (error) {
    await Promise.allSettled([...sinks.map((s) => s.close()), ...sources.map((s) => s.close())]);
    if (error instanceof TypeError || error instanceof RangeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return { sources, sinks };
}
