/**
 * Compares alerts with expected alerts for `cep test` (DSL.md section 7): as a multiset over
 * `rule, kind, key, start, end, fields, events` (other members, such as `severity`, are not
 * compared; object member order never matters; `start`/`end` are compared as instants, so
 * `2024-05-01T10:00:00Z` equals `2024-05-01T10:00:00.000Z`). The diff lists missing and
 * unexpected alerts, and pairs a missing with an unexpected one of the same rule, kind and key
 * ("near pairs") to show what differs field by field.
 */
import { counted } from './counted.js';
import { parseIsoTime } from './time.js';

const COMPARED = ['rule', 'kind', 'key', 'start', 'end', 'fields', 'events'] as const;

/** A missing and an unexpected alert of the same rule, kind and key, and how they differ. */
export interface NearPair {
  readonly expected: unknown;
  readonly actual: unknown;
  /** One line per difference: `path: expected X, got Y`. */
  readonly differences: readonly string[];
}

/** The outcome of comparing actual with expected alerts: `equal` when both multisets are the same; else what is missing, unexpected, or nearly equal. */
export interface AlertDiff {
  readonly equal: boolean;
  /** Expected alerts with no equal actual one (not counting near pairs). */
  readonly missing: readonly unknown[];
  /** Actual alerts with no equal expected one (not counting near pairs). */
  readonly unexpected: readonly unknown[];
  readonly near: readonly NearPair[];
  readonly matched: number;
}

/** Compares `actual` with `expected` (both lists of alert objects, as parsed from JSON). */
export function diffAlerts(actual: readonly unknown[], expected: readonly unknown[]): AlertDiff {
  const pool = new Map<string, unknown[]>();
  for (const a of actual) {
    const id = canonical(comparable(a));
    const list = pool.get(id);
    if (list === undefined) pool.set(id, [a]);
    else list.push(a);
  }
  let matched = 0;
  const missing: unknown[] = [];
  for (const e of expected) {
    const list = pool.get(canonical(comparable(e)));
    if (list !== undefined && list.length > 0) {
      list.pop();
      matched++;
    } else {
      missing.push(e);
    }
  }
  let unexpected = [...pool.values()].flat();
  const near: NearPair[] = [];
  const stillMissing: unknown[] = [];
  for (const e of missing) {
    const group = groupOf(e);
    const i = unexpected.findIndex((a) => groupOf(a) === group);
    if (i < 0) {
      stillMissing.push(e);
      continue;
    }
    const a = unexpected[i];
    unexpected = unexpected.filter((_, j) => j !== i);
    near.push({ expected: e, actual: a, differences: differences(comparable(e), comparable(a), '') });
  }
  return { equal: stillMissing.length === 0 && unexpected.length === 0 && near.length === 0, missing: stillMissing, unexpected, near, matched };
}

/** A readable report: counts, then up to `limit` entries of each kind. */
export function formatDiff(diff: AlertDiff, limit = 20): string {
  if (diff.equal) return `ok: ${counted(diff.matched, 'alert')} as expected`;
  const out = [
    `FAIL: ${counted(diff.matched, 'alert')} as expected, ${diff.missing.length} missing, ${diff.unexpected.length} unexpected, ${diff.near.length} different`,
  ];
  const section = (title: string, items: readonly unknown[], show: (x: never) => string[]): void => {
    if (items.length === 0) return;
    out.push('', `${title} (${items.length}):`);
    for (const item of items.slice(0, limit)) out.push(...show(item as never));
    if (items.length > limit) out.push(`  ... and ${items.length - limit} more`);
  };
  section('different (expected vs actual, same rule, kind and key)', diff.near, (p: NearPair) => [
    `  ~ ${label(p.expected)}`,
    ...p.differences.map((d) => `      ${d}`),
  ]);
  section('missing (expected, not produced)', diff.missing, (a: unknown) => [`  - ${label(a)}`, `      ${JSON.stringify(comparable(a))}`]);
  section('unexpected (produced, not expected)', diff.unexpected, (a: unknown) => [`  + ${label(a)}`, `      ${JSON.stringify(comparable(a))}`]);
  return out.join('\n');
}

function label(alert: unknown): string {
  const a = (alert ?? {}) as Record<string, unknown>;
  return `${text(a.rule)} ${text(a.kind)} key=${JSON.stringify(a.key)} ${text(a.start)} .. ${text(a.end)}`;
}

/** A member of an expected alert as text: a string as it is, anything else as JSON (`String()` throws on `{"toString":1}`). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

function groupOf(alert: unknown): string {
  const a = comparable(alert);
  return canonical([a.rule, a.kind, a.key]);
}

/** The compared members, with `start`/`end` normalised to ISO-8601 with ms when they parse. */
function comparable(alert: unknown): Record<string, unknown> {
  const a = (typeof alert === 'object' && alert !== null ? alert : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of COMPARED) {
    let v = a[k];
    if ((k === 'start' || k === 'end') && typeof v === 'string') {
      const t = parseIsoTime(v);
      if (!Number.isNaN(t)) v = new Date(t).toISOString();
    }
    if (v === undefined && (k === 'fields' || k === 'events')) v = {};
    out[k] = v === undefined ? null : v;
  }
  return out;
}

/** JSON with object members sorted, so member order never matters. */
function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * `value` with object members in sorted order. The copies have no prototype, so that a member
 * named `__proto__` (JSON.parse makes it an own member of an event) is copied as a member: assigned
 * on a plain object it set the copy's prototype instead, and two alerts differing only there compared equal.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

function differences(expected: unknown, actual: unknown, path: string): string[] {
  if (canonical(expected) === canonical(actual)) return [];
  const bothObjects = typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null && !Array.isArray(expected) && !Array.isArray(actual);
  if (bothObjects && path.split('.').length < 3) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    const member = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
    return keys.flatMap((k) => differences(member(e, k), member(a, k), path === '' ? k : `${path}.${k}`));
  }
  return [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
