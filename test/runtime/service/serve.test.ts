/**
 * `cep serve` on a FIFO, as a service runs (DSL.md section 10): events come before and after a
 * reload, a reload with a broken rule keeps the running rules, `/metrics` (read with a real
 * Prometheus text parser) agrees with the run's summary, `/healthz` and `/readyz` answer, and
 * SIGTERM stops it cleanly.
 *
 * A rule's partial match is in its state once the watermark has released the event into it: with
 * `--max-delay 0` that is when a later event comes, so each step sends a filler event (type `x`,
 * no key) after the events it is about.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs } from '../support/cli.js';
import { samples, scrape, status, total } from '../support/metrics.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-serve-'));
const path = (name: string): string => join(dir, name);
/** Replaces the file `name` with `text` as an editor that saves by rename does: the service's watch never reads it half written. */
const save = (name: string, text: string): void => {
  writeFileSync(path(`.${name}.tmp`), text);
  renameSync(path(`.${name}.tmp`), path(name));
};
const rule = (name: string, within: string, comment = ''): string => `${comment}rule ${name}\n  key by k\n  pattern a -> b\n  within ${within}\n`;

interface LogRecord {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A `cep serve` process with its stderr as JSON log records and its stdout as alerts. */
class Service {
  readonly logs: LogRecord[] = [];
  readonly alerts: { rule: string; key: unknown }[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(config: string) {
    this.child = spawn(process.execPath, [...cliArgs(), 'serve', config], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    this.child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) this.alerts.push(JSON.parse(line) as { rule: string; key: unknown });
    });
    let err = '';
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      err += d.toString();
      const lines = err.split('\n');
      err = lines.pop()!;
      for (const line of lines) this.logs.push(JSON.parse(line) as LogRecord);
    });
  }

  /** Waits (up to 20 s) for `probe` to give a value. */
  async until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 400; i++) {
      if (this.child.exitCode !== null) throw new Error(`cep serve exited with ${this.child.exitCode} while waiting for ${what}: ${this.stderr}`);
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`);
  }

  /** The next log record after `from` that `match` accepts. */
  log(what: string, from: number, match: (r: LogRecord) => boolean): Promise<LogRecord> {
    return this.until(what, () => this.logs.slice(from).find(match));
  }
}

const write = (stream: WriteStream, events: object[]): Promise<void> =>
  new Promise((ok, fail) => stream.write(events.map((e) => JSON.stringify(e) + '\n').join(''), (e) => (e ? fail(e) : ok())));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cep serve on a FIFO', () => {
  it('reloads rules keeping unchanged rules\' partial matches, survives a broken rule, and /metrics equals the summary', async () => {
    writeFileSync(path('kept.cep'), rule('kept', '1h'));
    writeFileSync(path('changed.cep'), rule('changed', '1h'));
    writeFileSync(path('gone.cep'), rule('gone', '1h'));
    execFileSync('mkfifo', [path('events.fifo')]);
    writeFileSync(path('serve.yaml'), 'rules: ["*.cep"]\ninput: events.fifo\nmetrics: 127.0.0.1:0\nlog-format: json\nprogress: false\n');
    const service = new Service(path('serve.yaml'));
    const fifo = createWriteStream(path('events.fifo'));
    try {
      const base = (await service.log('the metrics address', 0, (r) => typeof r.url === 'string')).url as string;
      expect(await status(base, '/healthz')).toBe(200);
      await service.until('/readyz 200', async () => ((await status(base, '/readyz')) === 200 ? true : undefined));

      // Key 1 starts a partial match in every rule.
      await write(fifo, [{ type: 'a', k: 1, ts: 1000 }, { type: 'x', ts: 2000 }]);
      const partials = async (): Promise<Map<string, number>> => samples(await scrape(base), 'cep_partial_matches');
      await service.until('a partial match in each rule', async () => ((await partials()).get('rule=kept') === 1 && (await partials()).get('rule=changed') === 1 ? true : undefined));

      // SIGHUP: kept.cep differs only in whitespace and a comment, changed.cep in its window, gone.cep is removed.
      let mark = service.logs.length;
      save('kept.cep', rule('kept', '1h', '# the same rule, written differently\n').replace('a -> b', 'a  ->   b'));
      save('changed.cep', rule('changed', '2h'));
      rmSync(path('gone.cep'));
      service.child.kill('SIGHUP');
      // The SIGHUP reload reads the files after every edit; the watch may run a (debounced) reload
      // before it, after some of the edits only if this process stalled between two of them. Reloads
      // run in order, so together they report each rule once, and the kept rule is never changed.
      const sighup = await service.log('the SIGHUP reload', mark, (r) => r.reason === 'SIGHUP');
      const reloads = service.logs.slice(mark, service.logs.indexOf(sighup) + 1).filter((r) => Array.isArray(r.kept));
      const all = (field: 'added' | 'changed' | 'removed'): string[] => reloads.flatMap((r) => r[field] as string[]).sort();
      expect({ added: all('added'), changed: all('changed'), removed: all('removed') }).toEqual({ added: [], changed: ['changed'], removed: ['gone'] });
      for (const reload of reloads) expect(reload).toMatchObject({ level: 'info', kept: expect.arrayContaining(['kept']) });
      expect(await partials()).toEqual(new Map([['rule=kept', 1], ['rule=changed', 0]]));

      // The kept rule's partial match completes across the reload; the changed rule's was dropped.
      await write(fifo, [{ type: 'b', k: 1, ts: 3000 }, { type: 'x', ts: 4000 }]);
      await service.until('the kept rule\'s alert', () => (service.alerts.length > 0 ? true : undefined));

      // A broken rule file: the reload reports it with file:line:col and a caret, and changes nothing.
      mark = service.logs.length;
      save('changed.cep', 'rule changed\n  key by k\n  pattern a -> \n');
      const failed = await service.log('the failed reload', mark, (r) => r.level === 'error');
      expect(failed.msg).toMatch(/reload failed, the running rules are kept/);
      expect(failed.msg).toContain(`${path('changed.cep')}:4:1:`);
      expect(failed.msg).toMatch(/\n\s*\|\s*\^/);
      await write(fifo, [{ type: 'a', k: 2, ts: 5000 }, { type: 'b', k: 2, ts: 6000 }, { type: 'x', ts: 7000 }]);
      await service.until('both rules\' alerts for key 2', () => (service.alerts.filter((a) => a.key === 2).length === 2 ? true : undefined));
      expect(service.alerts.map((a) => `${a.rule}:${String(a.key)}`).sort()).toEqual(['changed:2', 'kept:1', 'kept:2']);

      // /metrics, read with a Prometheus text parser, against the summary logged at SIGTERM.
      const families = await scrape(base);
      service.child.kill('SIGTERM');
      const [code] = (await once(service.child, 'exit')) as [number];
      expect(code).toBe(0);
      const summary = service.logs.find((r) => r.msg === 'summary')!.summary as Record<string, unknown>;
      expect(summary).toMatchObject({ events: 7, alerts: 3, badRecords: 0, lateEvents: 0 });
      expect(samples(families, 'cep_events_total')).toEqual(new Map([[`input=${path('events.fifo')}`, summary.events]]));
      expect(total(families, 'cep_bad_records_total')).toBe(summary.badRecords);
      expect(total(families, 'cep_late_events_total')).toBe(summary.lateEvents);
      const alerts = samples(families, 'cep_alerts_total');
      for (const [name, n] of Object.entries(summary.alertsByRule as Record<string, number>)) {
        expect((alerts.get(`kind=match,rule=${name}`) ?? 0) + (alerts.get(`kind=timeout,rule=${name}`) ?? 0)).toBe(n);
      }
      expect(total(families, 'cep_condition_errors_total')).toBe(summary.conditionErrors);
      expect(total(families, 'cep_evicted_keys_total')).toBe(summary.evictedKeys);
      expect(total(families, 'cep_dropped_partial_matches_total')).toBe(0);
      expect(families.find((f) => f.name === 'cep_keys')?.type).toBe('GAUGE');
      expect(families.find((f) => f.name === 'cep_alerts_total')?.type).toBe('COUNTER');
    } finally {
      fifo.destroy();
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
    }
  }, 60_000);
});
