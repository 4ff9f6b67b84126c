/**
 * The ReDoS field of issue 12 through a real `cep run` (DSL.md section 4: `matches` runs in time
 * linear in the field's length, so "a hostile field value must never stall the engine"): events
 * whose `name` is `'a' × n + '!'` stream into `(a+)+$` on stdin; alerts keep coming, and SIGTERM
 * stops the run gracefully while they stream. With a backtracking engine the first such event
 * (n = 40) would hold the event loop for days: no alert, and the signal never handled.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cepAsync } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-redos-'));
const RULES = join(dir, 'redos.cep');
writeFileSync(RULES, 'rule redos\n  key by k\n  pattern a[matches(name, "(a+)+$")] as x -> b as y\n');

/** One NDJSON line: an event of `type` at `ts` ms for key `k`, with `name`. */
const line = (type: string, ts: number, k: string, name: string): string => `${JSON.stringify({ type, ts, k, name })}\n`;

it('alerts keep coming over hostile names, and SIGTERM stops the run while they stream', async () => {
  const child = cepAsync(['run', RULES, '--input', '-', '--no-progress']);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {}); // the rounds still being written when the run stops
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  // Each round: hostile names that must not match (n = 40 and n = 100,000), one that matches, then
  // a b: one alert per round once the next round's first event moves the watermark past it.
  let ts = 0;
  const round = (): string => {
    let text = '';
    for (let i = 0; i < 20; i++) text += line('a', ++ts, 'k', `${'a'.repeat(40)}!`);
    text += line('a', ++ts, 'k', `${'a'.repeat(100_000)}!`);
    text += line('a', ++ts, 'k', 'a'.repeat(40));
    return text + line('b', ++ts, 'k', '');
  };
  child.stdin.write(round());
  child.stdin.write(round());
  const stream = setInterval(() => child.stdin.write(round()), 20);
  try {
    await expect.poll(() => stdout.split('\n').filter(Boolean).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    child.kill('SIGTERM');
    const [status] = await exited;
    expect(status).toBe(0);
  } finally {
    clearInterval(stream);
    child.kill('SIGKILL');
  }
  // Every alert is a round's matching name followed by its b; the summary was written at the stop.
  const alerts = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { events: { x: { name: string; ts: number }; y: { ts: number } } });
  for (const a of alerts) {
    expect(a.events.x.name).toBe('a'.repeat(40));
    expect(a.events.y.ts).toBe(a.events.x.ts + 1);
  }
  expect(stderr).toMatch(/^cep: [\d,]+ events, 0 bad records, 0 late events, [\d,]+ alerts? \(redos [\d,]+\)/m);
}, 120_000);
