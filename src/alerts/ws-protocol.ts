/**
 * The wire protocol of the WebSocket alert feed: JSON text frames.
 *
 * Server → client:
 * - `{"type":"alert","alert":ALERT}`: one alert (DSL.md section 6), or
 *   `{"type":"alerts","alerts":[ALERT...]}`: several, oldest first (the alerts written while the
 *   previous batch was being sent travel together). First the last N alerts (the replay ring), then
 *   the live feed.
 * - `{"type":"ready","replayed":N}`: sent once, after the replayed alerts.
 * - `{"type":"stats","stats":STATS}`: the engine's counters ({@link EngineStats}; `watermark` is a
 *   number, or `"-Infinity"` before the first and `"Infinity"` after the end of input; `watermarkLag`
 *   is ms or null) plus the server's own: `clients`, `droppedClients`. `alerts` and `alertsByRule`
 *   are the run's totals, which the replay ring's alerts are only the newest of.
 * - `{"type":"error","message":TEXT}`: a client message was not understood (the connection stays).
 *
 * Client → server:
 * - `{"type":"subscribe","rules":[NAME...],"severities":[SEVERITY...]}`: from now on only alerts of
 *   these rules and severities are sent to this client; a missing or empty list means all. The same
 *   filter can be given up front in the URL: `?rules=a,b&severities=high,critical`.
 */
import type { Severity } from '../nfa/rule.js';
import type { EngineStats } from './sink.js';

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** What a client wants to receive; `null` means everything. */
export interface Subscription {
  readonly rules: ReadonlySet<string> | null;
  readonly severities: ReadonlySet<Severity> | null;
}

/** A text equal for equal subscriptions (clients whose keys are equal receive the same frames). */
export function subscriptionKey(sub: Subscription): string {
  const list = (set: ReadonlySet<string> | null): string => (set === null ? '*' : JSON.stringify([...set].sort()));
  return `${list(sub.rules)} ${list(sub.severities)}`;
}

/** Whether an alert of `rule` and `severity` passes the subscription. */
export function accepts(sub: Subscription, rule: string, severity: Severity): boolean {
  return (sub.rules === null || sub.rules.has(rule)) && (sub.severities === null || sub.severities.has(severity));
}

function severitySet(list: readonly unknown[]): ReadonlySet<Severity> | null {
  for (const s of list) {
    if (!SEVERITIES.includes(s as Severity)) throw new TypeError(`unknown severity ${JSON.stringify(s)}; use ${SEVERITIES.join(', ')}`);
  }
  return list.length === 0 ? null : new Set(list as Severity[]);
}

function ruleSet(list: readonly unknown[]): ReadonlySet<string> | null {
  for (const r of list) if (typeof r !== 'string') throw new TypeError(`rule names must be strings, got ${JSON.stringify(r)}`);
  return list.length === 0 ? null : new Set(list as string[]);
}

/** The subscription of a connection URL's query (`rules=a,b&severities=high`). @throws TypeError for an unknown severity. */
export function subscriptionFromQuery(params: URLSearchParams): Subscription {
  const split = (v: string | null): string[] => (v === null ? [] : v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));
  return { rules: ruleSet(split(params.get('rules'))), severities: severitySet(split(params.get('severities'))) };
}

/**
 * Parses one client message.
 * @returns the new subscription.
 * @throws TypeError naming what is wrong (not JSON, unknown type, bad list).
 */
export function parseClientMessage(text: string): Subscription {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new TypeError('a client message must be JSON such as {"type":"subscribe","rules":["r"],"severities":["high"]}');
  }
  if (typeof msg !== 'object' || msg === null || (msg as { type?: unknown }).type !== 'subscribe') {
    throw new TypeError('unknown client message; the only one is {"type":"subscribe","rules":[...],"severities":[...]}');
  }
  const { rules = [], severities = [] } = msg as { rules?: unknown; severities?: unknown };
  if (!Array.isArray(rules) || !Array.isArray(severities)) throw new TypeError('"rules" and "severities" must be lists');
  return { rules: ruleSet(rules), severities: severitySet(severities) };
}

/** The frame of one or more alerts, from their JSON texts (each serialised once per broadcast). */
export function alertsFrame(jsons: readonly string[]): string {
  return jsons.length === 1 ? `{"type":"alert","alert":${jsons[0]}}` : `{"type":"alerts","alerts":[${jsons.join(',')}]}`;
}

/** The frame of the engine's counters plus the server's own (JSON has no ±Infinity: those become strings). */
export function statsFrame(stats: EngineStats, server: { clients: number; droppedClients: number }): string {
  const finite = (n: number): number | string => (Number.isFinite(n) ? n : String(n));
  return JSON.stringify({
    type: 'stats',
    stats: { ...stats, watermark: finite(stats.watermark), ...server },
  });
}
