/**
 * The "to add a source" recipe of src/runtime/sources/README.md, done once: a test-only input
 * format (`kv`: one event a line, tab-separated `field=JSON value` pairs) is one source class plus
 * one entry of INPUT_FORMATS, and with nothing else changed the command line offers it (`--format`
 * choices and help), picks it by extension, and its events run through the real engine with the
 * same alerts as the NDJSON file they were written from; a bad line is a bad record at its line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/alert.js';
import { runEngine } from '../../../src/runtime/engine.js';
import { loadRules } from '../../../src/runtime/load-rules.js';
import { addReplayOptions, engineOptionsFrom, type ReplayOptions } from '../../../src/runtime/commands/replay-options.js';
import type { SourceRecord } from '../../../src/runtime/source.js';
import { INPUT_FORMATS, formatOf } from '../../../src/runtime/sources/formats.js';
import { readLines } from '../../../src/runtime/sources/lines.js';
import { NdjsonSource } from '../../../src/runtime/sources/ndjson.js';
import { FileEvent, FileSource } from '../../../src/runtime/sources/open-input.js';

const SSH_LOG = join(import.meta.dirname, '..', '..', '..', 'examples', 'data', 'ssh-auth.ndjson');
const SSH_RULES = join(import.meta.dirname, '..', '..', '..', 'examples', 'rules', 'ssh.cep');

/** The recipe's step 1: the source, reading lines with readLines and keeping each line's number. */
class KvSource extends FileSource {
  async *batches(): AsyncGenerator<SourceRecord[]> {
    let line = 0;
    for await (const chunk of readLines(this.open().bytes)) {
      const lines = chunk.text.split('\n');
      lines.pop();
      const batch: SourceRecord[] = [];
      for (const text of lines) {
        line++;
        if (text === '') continue;
        try {
          batch.push(new FileEvent(this.path, line, Object.fromEntries(text.split('\t').map((pair) => {
            const eq = pair.indexOf('=');
            if (eq < 1) throw new Error(`'${pair}' is not field=value`);
            return [pair.slice(0, eq), JSON.parse(pair.slice(eq + 1)) as unknown];
          }))));
        } catch (error) {
          batch.push({ kind: 'bad', input: this.path, position: `${this.path}:${line}`, raw: text, reason: (error as Error).message });
        }
      }
      yield batch;
    }
  }
}

/** The SSH log as `kv` lines, with one bad line after the first `count` lines. */
function kvText(badAfter: number): string {
  const lines = readFileSync(SSH_LOG, 'utf8').trim().split('\n').map((json) =>
    Object.entries(JSON.parse(json) as Record<string, unknown>).map(([field, value]) => `${field}=${JSON.stringify(value)}`).join('\t'));
  lines.splice(badAfter, 0, 'type="auth_failure"\tnot a pair');
  return `${lines.join('\n')}\n`;
}

async function run(opts: ReplayOptions): Promise<{ alerts: Alert[]; badRecords: number; sourceClass: string }> {
  const alerts: Alert[] = [];
  const options = engineOptionsFrom(opts, loadRules([SSH_RULES]), [{ write: (a) => void alerts.push(a), close: async () => undefined }], [], new AbortController().signal);
  const sourceClass = options.sources[0].constructor.name;
  const summary = await runEngine(options);
  return { alerts, badRecords: summary.badRecords, sourceClass };
}

function parse(args: string[]): { opts: ReplayOptions; help: string } {
  const command = addReplayOptions(new Command('run')).exitOverride();
  command.parse(args, { from: 'user' });
  return { opts: command.opts<ReplayOptions>(), help: command.helpInformation().replace(/\s+/g, ' ') };
}

describe('adding a source (src/runtime/sources/README.md)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cep-source-recipe-'));
  const kvFile = join(dir, 'ssh-auth.kv');
  const txtFile = join(dir, 'ssh-auth.txt');

  beforeAll(() => {
    INPUT_FORMATS.set('kv', { description: 'tab-separated field=JSON pairs', extensions: ['.kv'], open: (path) => new KvSource(path) });
    writeFileSync(kvFile, kvText(7));
    writeFileSync(txtFile, kvText(7));
  });
  afterAll(() => {
    INPUT_FORMATS.delete('kv');
  });

  it('is offered by --format and its help, and picked by extension', () => {
    const { help } = parse([]);
    expect(help).toMatch(/NDJSON, CSV with a header, or tab-separated field=JSON pairs/);
    expect(help).toMatch(/choices: "ndjson", "csv", "kv"/);
    expect(formatOf('a.KV.gz')).toBe('kv');
    expect(formatOf('a.csv')).toBe('csv');
    expect(() => parse(['--format', 'xml'])).toThrow(/xml/);
  });

  it('runs through the engine with the alerts of the NDJSON it was written from, its bad line a bad record', async () => {
    const alerts: Alert[] = [];
    await runEngine({ rules: loadRules([SSH_RULES]), sources: [new NdjsonSource(SSH_LOG)], sinks: [{ write: (a) => void alerts.push(a), close: async () => undefined }] });
    expect(alerts.length).toBeGreaterThan(20);

    const byExtension = await run(parse(['--input', kvFile, '--no-progress']).opts);
    expect(byExtension.sourceClass).toBe('KvSource');
    expect(byExtension.alerts).toEqual(alerts);
    expect(byExtension.badRecords).toBe(1);

    const byFormat = await run(parse(['--input', txtFile, '--format', 'kv']).opts);
    expect(byFormat.sourceClass).toBe('KvSource');
    expect(byFormat.alerts).toEqual(alerts);

    const withoutFormat = await run(parse(['--input', txtFile]).opts);
    expect(withoutFormat.sourceClass).toBe('NdjsonSource');
    expect(withoutFormat.badRecords).toBe(2001);
  });
});
