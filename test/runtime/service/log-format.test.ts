/**
 * `--log-format json` (DSL.md section 10): every line on stderr is one JSON object with `level`,
 * `time` and `msg` (warnings and bad records at `warn`, the summary with its figures as context);
 * stdout still carries only the alerts. Text, the default, is what the other CLI tests read.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../src/alerts/kafka-client.js';
import { createLogger, kafkaLogCreator, type Log, type LogFormat } from '../../../src/runtime/service/logger.js';
import { cep, cliArgs } from '../support/cli.js';

/** A logger of `format` whose lines are collected. */
async function collecting(format: LogFormat): Promise<{ logger: Log; lines: string[] }> {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { logger: await createLogger(format, out), lines };
}

describe('--log-format json', () => {
  it('writes one JSON object a line on stderr, levelled, with the summary as context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cep-log-'));
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, ['{"type":"a","k":1,"ts":1000}', 'not json', '{"type":"b","k":1,"ts":2000}'].join('\n') + '\n');
    const rules = join(dir, 'r.cep');
    writeFileSync(rules, 'rule r\n  key by k\n  pattern a -> b\n');
    const r = cep(['run', rules, '--input', events, '--log-format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { rule: string }).rule)).toEqual(['r']);
    const records = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const record of records) {
      expect(record).toEqual(expect.objectContaining({ level: expect.any(String), msg: expect.any(String) }));
      expect(Number.isNaN(Date.parse(record.time as string))).toBe(false);
    }
    expect(records.find((x) => String(x.msg).startsWith(`bad record at ${events}:2`))?.level).toBe('warn');
    expect(records.find((x) => x.msg === 'summary')).toMatchObject({ level: 'info', summary: { events: 2, badRecords: 1, alerts: 1, alertsByRule: { r: 1 } } });
  }, 30_000);

  it('rule errors and an input that cannot be opened are JSON lines at level error, with their exit codes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cep-log-'));
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, '{"type":"a","k":1,"ts":1000}\n');
    const broken = join(dir, 'broken.cep');
    writeFileSync(broken, 'rule r\n  key by k\n  pattern a -> b\n  emit { x: nope.v }\n');
    const rules = join(dir, 'r.cep');
    writeFileSync(rules, 'rule r\n  key by k\n  pattern a -> b\n');
    const ruleErrors = cep(['run', broken, '--input', events, '--log-format', 'json']);
    expect(ruleErrors.status).toBe(1);
    const [ruleError] = ruleErrors.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ruleError).toMatchObject({ level: 'error', msg: expect.stringContaining(`${broken}:4:13: unknown alias 'nope'`) });
    const missing = cep(['run', rules, '--input', join(dir, 'missing.ndjson'), '--log-format', 'json']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'error', msg: expect.stringContaining('missing.ndjson does not exist') }),
    ]);
  }, 30_000);

  it("writes Node's own process warnings as JSON lines too; in text, Node prints them as ever", async () => {
    const json = await stderrWithProbeWarning('json');
    const records = json.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((x) => x.msg === 'probe warning')).toMatchObject({ level: 'warn', warning: { name: 'Warning', code: 'CEP_PROBE' } });
    expect(await stderrWithProbeWarning('text')).toMatch(/^\(node:\d+\) \[CEP_PROBE\] Warning: probe warning$/m);
  }, 60_000);
});

describe('kafkajs log lines', () => {
  it("go through the run's logger: a real kafkajs client failing to connect logs at error, with its fields", async () => {
    for (const format of ['json', 'text'] as const) {
      const { logger, lines } = await collecting(format);
      const admin = createKafkaClient('test', { brokers: ['127.0.0.1:1'], logLevel: 'error', logCreator: kafkaLogCreator(logger), retries: 1, connectionTimeoutMs: 500 }).admin();
      await expect(admin.connect()).rejects.toThrow();
      expect(lines.length).toBeGreaterThan(0);
      if (format === 'json') {
        const first = JSON.parse(lines[0]) as { level: string; msg: string; kafka: { namespace: string; broker?: string } };
        expect(first.level).toBe('error');
        expect(first.msg).toMatch(/^kafka: /);
        expect(first.kafka.namespace).toEqual(expect.any(String));
      } else {
        expect(lines[0]).toMatch(/^kafka: .* \{"namespace":/);
      }
    }
  }, 30_000);

  it('a broker response with an error kafkajs retries (CONCURRENT_TRANSACTIONS after a take-over) is a warning, left out at the error level', async () => {
    const { createErrorFromCode } = createRequire(import.meta.url)('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };
    const entry = (code: number) => ({ namespace: 'Connection', level: 1, label: 'ERROR', log: { timestamp: 't', logger: 'kafkajs', message: 'Response AddPartitionsToTxn(key: 24, version: 1)', broker: 'b:9092', error: createErrorFromCode(code).message, correlationId: 7, size: 42 } });
    const concurrent = entry(51); // CONCURRENT_TRANSACTIONS: retriable
    const fenced = entry(47); // INVALID_PRODUCER_EPOCH: not retried, an error
    const { logger, lines } = await collecting('json');
    const atError = kafkaLogCreator(logger)(1);
    atError(concurrent);
    atError(fenced);
    const atWarn = kafkaLogCreator(logger)(2);
    atWarn(concurrent);
    const records = lines.map((l) => JSON.parse(l) as { level: string; kafka: { error: string } });
    expect(records.map((r) => [r.level, r.kafka.error])).toEqual([
      ['error', fenced.log.error],
      ['warn', concurrent.log.error],
    ]);
  });
});

/**
 * The stderr of a run under `format` that raises a process warning (`probe warning`, code
 * CEP_PROBE) once the run's logger has taken Node's warning listeners over (however long a loaded
 * machine takes to start the CLI), while the run waits on stdin.
 */
async function stderrWithProbeWarning(format: LogFormat): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cep-log-'));
  const rules = join(dir, 'r.cep');
  writeFileSync(rules, 'rule r\n  key by k\n  pattern a -> b\n');
  const probe =
    'data:text/javascript,const initial = process.listeners("warning"); const poll = setInterval(() => { if (process.listeners("warning").some((f) => initial.includes(f))) return; clearInterval(poll); process.emitWarning("probe warning", { code: "CEP_PROBE" }); }, 20); poll.unref()';
  const child = spawn(process.execPath, ['--import', probe, ...cliArgs(), 'run', rules, '--input', '-', '--log-format', format], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.write('{"type":"a","k":1,"ts":1000}\n');
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (stderr.includes('probe warning')) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
  });
  child.stdin.end('{"type":"b","k":1,"ts":2000}\n');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  return stderr;
}
