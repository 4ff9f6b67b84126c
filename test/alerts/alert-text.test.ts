/**
 * The alert `id` of DSL.md section 6 stays the digest it has always been: SHA-256 over the JSON of
 * `[rule, kind, key, events]`, first 128 bits in hex; and the JSON text an alert carries (what the
 * file, WebSocket and Kafka sinks write) is `JSON.stringify(alert)`, byte for byte. Checked on every
 * alert of the three examples (real data; the first and last ids pinned as the engine has always
 * written them) and of a stream whose keys and fields hold non-ASCII text, escapes, lone
 * surrogates, composite keys, loop aliases and timeouts, against the definition written out with a
 * `Hash` object.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Alert } from '../../src/alerts/alert.js';
import { alertId, alertJson, toAlert } from '../../src/alerts/alert.js';
import { FileSink } from '../../src/alerts/file-sink.js';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import { runEngine } from '../../src/runtime/engine.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import { runOnArray } from '../../src/runtime/run-on-array.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** DSL.md section 6's `id`, as the engine computed it before the one-shot hash. */
const definedId = (a: Alert): string => createHash('sha256').update(JSON.stringify([a.rule, a.kind, a.key, a.events])).digest('hex').slice(0, 32);

async function exampleAlerts(rules: string, data: string): Promise<Alert[]> {
  const alerts: Alert[] = [];
  await runEngine({
    rules: loadRules([join(EXAMPLES, 'rules', rules)]),
    sources: [new NdjsonSource(join(EXAMPLES, 'data', data))],
    sinks: [{ write: (a) => void alerts.push(a), close: async () => undefined }],
  });
  return alerts;
}

const UNUSUAL_RULES = `
rule composite severity critical
  key by user, "host-name"
  pattern login as l -> (probe as p -> probe as q){1,} -> logout as o
  within 1h
  emit { user: l.user, n: count(p), note: o.note, missing: o.nope }
  on timeout emit { started: l.ts, who: l.user }

rule single
  key by user
  pattern login as l -> not logout
  within 30m
  emit { u: l.user, text: l.note }
`;

/** 4,000 events over 16 keys whose text needs escaping or is not ASCII. */
function unusualEvents(): object[] {
  const users = ['ann', 'björn', '李', 'a"b', 'x\\y', 'tab\there', 'emoji😀', '\u2028sep'];
  const types = ['login', 'probe', 'probe', 'probe', 'logout', 'other', 'probe', 'logout'];
  const events: object[] = [];
  let ts = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 4000; i++) {
    ts += (i % 13) * 6000;
    const event: Record<string, unknown> = {
      type: types[(i >> 3) % types.length],
      ts,
      user: users[i % 8],
      'host-name': Math.floor(i / 512) % 2 === 0 ? 'h1' : 'h2',
      note: `né${i}\u0001<>&`,
      v: i % 5 === 0 ? 1e21 : i / 7,
      nested: { a: [1, null, true, { ü: 'ß' }] },
    };
    if (i % 11 === 0) event.extra = '\ud83d\ude00 lone:\ud800';
    events.push(event);
  }
  return events;
}

describe('alert id', () => {
  it.each([
    ['ssh.cep', 'ssh-auth.ndjson', 180, '8079e1d03c0ea98e313806e5a4465117', 'dfb76d839302c8b19b92671153892c41'],
    ['orders.cep', 'olist-orders.ndjson', 3550, '686e1f9d19b07a575ed6b9dc21e0c49a', '64611740fd934a1994437e8218f80e1a'],
    ['fraud.cep', 'cards.ndjson', 5, 'a70b37327b7512998fa8e51e4c0ec48c', 'e1a2c25f37f2839d890fb4b05fd6786a'],
  ])('is unchanged on the example %s', async (rules, data, count, first, last) => {
    const alerts = await exampleAlerts(rules, data);
    expect(alerts).toHaveLength(count);
    expect(alerts[0].id).toBe(first);
    expect(alerts[count - 1].id).toBe(last);
    for (const a of alerts) expect(a.id).toBe(definedId(a));
    for (const a of alerts) expect(alertJson(a)).toBe(JSON.stringify(a));
  });

  it('is unchanged for composite keys, escaped and non-ASCII text, loop aliases and timeouts', async () => {
    const warnings: string[] = [];
    const { alerts } = await runOnArray(parseRules(UNUSUAL_RULES).map((r) => compile(r)), unusualEvents(), { log: (line) => void warnings.push(line) });
    expect(warnings.join('\n')).toContain("reads 'o.nope', which was missing");
    expect(alerts.filter((a) => a.rule === 'composite' && a.kind === 'match').length).toBeGreaterThan(100);
    expect(alerts.some((a) => a.kind === 'timeout')).toBe(true);
    for (const a of alerts) expect(a.id).toBe(definedId(a));
    for (const a of alerts) expect(alertJson(a)).toBe(JSON.stringify(a));
    expect(alertId('r', 'match', ['李', 1, true], { a: { t: '\ud800😀' } })).toBe(definedId({ rule: 'r', kind: 'match', key: ['李', 1, true], events: { a: { t: '\ud800😀' } } } as unknown as Alert));
  });
});

describe('alert JSON text', () => {
  const rule = parseRules('rule r severity low key by k pattern a as x -> b{2,} as y within 1m emit { n: count(y), gone: x.nope }')[0];
  const event = (type: string, i: number) => ({ type, time: 1000 * i, data: { type, ts: 1000 * i, k: 'k', note: `é\u2028"${i}` } });
  const match = { kind: 'match' as const, start: 0, end: 2000, events: new Map([['x', [event('a', 0)]], ['y', [event('b', 1), event('b', 2)]]]) };

  it('is JSON.stringify of the alert for any key, the id the defined digest', () => {
    for (const key of ['k', 7, -0, NaN, true, ['k', 1, false], undefined, null, { k: 1 }, new Date(0), [undefined]]) {
      const alert = toAlert(rule, key, match);
      expect(alertJson(alert)).toBe(JSON.stringify(alert));
      expect(alert.id).toBe(definedId(alert));
    }
  });

  it('is JSON.stringify for a rule object without a severity (not made by the checker)', () => {
    const alert = toAlert({ ...rule, severity: undefined } as unknown as typeof rule, 'k', match);
    expect(alertJson(alert)).toBe(JSON.stringify(alert));
    expect(alertJson(alert)).not.toContain('severity');
  });

  it('is JSON.stringify for an alert not made by toAlert, and for a changed copy of one', () => {
    const alert = toAlert(rule, 'k', match);
    const copy = { ...alert, fields: { n: 0 } };
    expect(alertJson(copy)).toBe(JSON.stringify(copy));
    expect(alertJson(copy)).not.toBe(alertJson(alert));
    expect(JSON.parse(alertJson(copy))).toEqual(JSON.parse(JSON.stringify(copy)));
  });

  it('is what the file sink writes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cep-alert-text-')), 'alerts.ndjson');
    const sink = new FileSink({ path });
    const alerts = await exampleAlerts('ssh.cep', 'ssh-auth.ndjson');
    for (const a of alerts) await sink.write(a);
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(alerts.map((a) => JSON.stringify(a) + '\n').join(''));
  });
});
