/**
 * End-to-end replay of the real data sets through the real parser, compiler and engine:
 * jitter invariance, key isolation and bad records.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { diffAlerts } from '../../src/runtime/alert-diff.js';
import { runEngine, type Summary } from '../../src/runtime/engine.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import { CsvSource } from '../../src/runtime/sources/csv.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { parseRules } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import { prng as random } from '../support/prng.js';
import { arraySource, MemorySink } from './support/memory.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-replay-'));
const SSH = 'examples/data/ssh-auth.ndjson';
const ORDERS = 'examples/data/olist-orders.ndjson';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function write(name: string, content: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, content.join('\n') + '\n');
  return path;
}

async function replay(rules: string, input: string, options: { maxDelay?: number; csv?: boolean; deadLetter?: PassThrough } = {}): Promise<{ alerts: Alert[]; summary: Summary }> {
  const sink = new MemorySink();
  const summary = await runEngine({
    rules: loadRules([rules]),
    sources: [options.csv ? new CsvSource(input) : new NdjsonSource(input)],
    sinks: [sink],
    maxDelay: options.maxDelay,
    deadLetterOutput: options.deadLetter,
    log: () => {},
  });
  return { alerts: JSON.parse(JSON.stringify(sink.alerts)) as Alert[], summary };
}


/**
 * Shuffles events within `delay` ms of out-of-orderness: each event arrives at its time plus a
 * random jitter in [0, delay], so an event never arrives after one more than `delay` younger
 * (none is late under `--max-delay delay`). Events of the same time share their jitter: their
 * arrival order is their processing order (DSL.md section 5: ties in arrival order), so it is
 * kept.
 */
function jitter(path: string, delay: number, seed: number): string[] {
  const rnd = random(seed);
  const shift = new Map<number, number>();
  const arrival = (t: number): number => {
    if (!shift.has(t)) shift.set(t, Math.floor(rnd() * (delay + 1)));
    return t + shift.get(t)!;
  };
  return lines(path)
    .map((line, i) => ({ line, i, at: arrival(Date.parse(JSON.parse(line).ts)) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.line);
}

describe('replay of real data', () => {
  it('jitter invariance: the SSH log shuffled within --max-delay gives the same alerts', async () => {
    const base = await replay('examples/rules/ssh.cep', SSH);
    expect(base.alerts.length).toBeGreaterThan(0);
    for (const seed of [1, 2]) {
      const shuffled = jitter(SSH, 120_000, seed);
      expect(shuffled).not.toEqual(lines(SSH));
      const run = await replay('examples/rules/ssh.cep', write(`ssh-jitter-${seed}.ndjson`, shuffled), { maxDelay: 120_000 });
      expect(run.summary.lateEvents).toBe(0);
      expect(diffAlerts(run.alerts, base.alerts).equal).toBe(true);
    }
  });

  it('jitter invariance: the Olist orders shuffled within 12 h give the same alerts', async () => {
    const base = await replay('examples/rules/orders.cep', ORDERS);
    const run = await replay('examples/rules/orders.cep', write('orders-jitter.ndjson', jitter(ORDERS, 12 * 3_600_000, 7)), { maxDelay: 12 * 3_600_000 });
    expect(run.summary.lateEvents).toBe(0);
    expect(run.summary.events).toBe(base.summary.events);
    expect(diffAlerts(run.alerts, base.alerts).equal).toBe(true);
  });

  it('the same shuffle without --max-delay loses events as late, and says so', async () => {
    const run = await replay('examples/rules/ssh.cep', write('ssh-late.ndjson', jitter(SSH, 120_000, 3)));
    expect(run.summary.lateEvents).toBeGreaterThan(0);
    expect(run.summary.events).toBe(2000);
  });

  it('key isolation: one IP’s events alone give that IP’s alerts of the full run', async () => {
    const full = await replay('examples/rules/ssh.cep', SSH);
    const keys = [...new Set(full.alerts.map((a) => a.key as string))];
    expect(keys.length).toBeGreaterThan(3);
    for (const ip of keys.slice(0, 4)) {
      const own = lines(SSH).filter((l) => JSON.parse(l).ip === ip);
      const run = await replay('examples/rules/ssh.cep', write(`ssh-${ip}.ndjson`, own));
      expect(diffAlerts(run.alerts, full.alerts.filter((a) => a.key === ip)).equal).toBe(true);
    }
  });

  it('bad records are counted and set aside while the good ones still match', async () => {
    const clean = await replay('examples/rules/ssh.cep', SSH);
    const good = lines(SSH);
    const bad = [
      'this is not json',
      '{"type":"auth_failure","ip":"183.62.140.253"}',
      '{"type":"auth_failure","ts":"yesterday","ip":"183.62.140.253"}',
      '\u0000\u00ff\u00fe\u0001garbage',
      '{"truncated":',
    ];
    const mixed: string[] = [];
    good.forEach((line, i) => {
      mixed.push(line);
      if (i % 400 === 0) mixed.push(bad[(i / 400) % bad.length]);
    });
    const deadLetter = new PassThrough();
    const dead: string[] = [];
    deadLetter.on('data', (d: Buffer) => dead.push(...d.toString().split('\n').filter(Boolean)));
    const run = await replay('examples/rules/ssh.cep', write('ssh-bad.ndjson', mixed), { deadLetter });
    expect(run.summary.badRecords).toBe(5);
    expect(run.summary.events).toBe(2000);
    expect(diffAlerts(run.alerts, clean.alerts).equal).toBe(true);
    expect(dead.map((l) => JSON.parse(l).reason)).toEqual([
      expect.stringMatching(/^not JSON/),
      'no event time (field ts)',
      'event time "yesterday" is neither epoch ms nor ISO-8601',
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/^not JSON/),
    ]);
    expect(JSON.parse(dead[0]).position).toMatch(/ssh-bad\.ndjson:2$/);
  });

  it('a CSV copy of the SSH log gives the same alerts, and a row of the wrong width is set aside', async () => {
    const events = lines(SSH).map((l) => JSON.parse(l) as Record<string, unknown>);
    const columns = ['type', 'ts', 'ip', 'user', 'port', 'host'];
    const cell = (v: unknown) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);
    const rows = [columns.join(','), ...events.map((e) => columns.map((c) => cell(e[c])).join(','))];
    rows.splice(100, 0, 'auth_failure,2015-12-10T07:00:00Z');
    const csv = await replay('examples/rules/ssh.cep', write('ssh.csv', rows), { csv: true });
    const ndjson = await replay('examples/rules/ssh.cep', SSH);
    expect(csv.summary.badRecords).toBe(1);
    const project = (alerts: Alert[]) => alerts.map((a) => ({ ...a, events: {}, fields: {} }));
    expect(diffAlerts(project(csv.alerts), project(ndjson.alerts)).equal).toBe(true);
    expect(csv.alerts.length).toBe(ndjson.alerts.length);
  });
});

describe('a loop followed by a trailing absence (issue 13, found by the differential test with Flink)', () => {
  it('b+ -> not a within 8ms over b@2, c@5: the ignored c moves the match into the absence, completed at the deadline', async () => {
    const nfa = compile(parseRules('rule r\n  key by k\n  pattern b+ as e1 -> not a as e2\n  within 8ms\n', 'r.cep')[0]);
    const sink = new MemorySink();
    await runEngine({ rules: [nfa], sources: [arraySource('in', [{ type: 'b', ts: 2, k: 1 }, { type: 'c', ts: 5, k: 1 }])], sinks: [sink], log: () => {} });
    expect(sink.alerts.map((a) => [a.kind, a.start, a.end, a.events])).toEqual([['match', '1970-01-01T00:00:00.002Z', '1970-01-01T00:00:00.010Z', { e1: [{ type: 'b', ts: 2, k: 1 }] }]]);
  });
});
