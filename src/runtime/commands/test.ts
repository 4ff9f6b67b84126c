/**
 * `cep test RULES... --input FILE... --expect ALERTS.ndjson` (DSL.md section 7): runs as `cep
 * run` and compares the alerts with the expected ones as a multiset (see `alert-diff.ts`),
 * printing `ok: ...` or a diff on stdout. Exit codes: 0 equal, 1 different, 2 bad usage
 * (including an unreadable or malformed expectation file, and an input that fails while it is
 * read: nothing was compared), 3 rule errors.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Alert } from '../../alerts/alert.js';
import { FileSink } from '../../alerts/file-sink.js';
import type { AlertSink } from '../../alerts/sink.js';
import { diffAlerts, formatDiff } from '../alert-diff.js';
import { EXIT_DIFFERENT, EXIT_RUN_FAILED, EXIT_TEST_RULE_ERRORS, EXIT_USAGE } from './exit-codes.js';
import { MAX_JSON_DEPTH, nestsTooDeep } from '../sources/json-depth.js';
import { replay } from './replay.js';
import { addReplayOptions, type ReplayOptions } from './replay-options.js';

type TestOptions = ReplayOptions & { expect: string; out?: string };

/** Registers `test` on the program. */
export function registerTest(program: Command): void {
  const command = program
    .command('test')
    .description('run the rules and compare their alerts with the expected ones')
    .argument('<rules...>', 'rule files (*.cep)')
    .requiredOption('--expect <file>', 'expected alerts (NDJSON)')
    .option('--out <file>', 'also write the alerts produced here');
  addReplayOptions(command);
  // `cep test` reads files only: --input is required here (for `cep run`, --kafka-topics may replace it).
  command.options.find((o) => o.long === '--input')?.makeOptionMandatory();
  command.action(async (rules: string[], opts: TestOptions) => {
    let expected: unknown[];
    try {
      expected = readExpected(opts.expect);
    } catch (error) {
      command.error(`error: ${(error as Error).message}`, { exitCode: EXIT_USAGE, code: 'cep.usage' });
      return;
    }
    const collected = new CollectingSink();
    const sinks = (): AlertSink[] => (opts.out === undefined ? [collected] : [collected, new FileSink({ path: opts.out })]);
    let ruleErrors = false;
    const result = await replay(rules, opts, sinks, command, { onRuleErrors: () => void (ruleErrors = true) });
    if (typeof result === 'number') {
      // 3 for rule errors; a run that failed (an input that broke while it was read) compared nothing: 2.
      process.exitCode = ruleErrors ? EXIT_TEST_RULE_ERRORS : result === EXIT_RUN_FAILED ? EXIT_USAGE : result;
      return;
    }
    const diff = diffAlerts(collected.alerts, expected);
    process.stdout.write(formatDiff(diff) + '\n');
    process.exitCode = diff.equal ? 0 : EXIT_DIFFERENT;
  });
}

/** Keeps the alerts as plain JSON values (what a file would hold). */
class CollectingSink implements AlertSink {
  readonly alerts: unknown[] = [];
  write(alert: Alert): void {
    this.alerts.push(JSON.parse(JSON.stringify(alert)));
  }
  async close(): Promise<void> {}
}

/** Reads an NDJSON file of alerts. @throws Error naming the file and line of a line that is not a JSON object, or is nested deeper than an event may be. */
function readExpected(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read expected alerts ${path}: ${(error as Error).message}`);
  }
  const alerts: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON alert`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}:${i + 1}: not a JSON object`);
    // The comparison copies and writes alerts recursively, as the engine writes events (json-depth.ts):
    // an alert holds its events three levels down (`events`, an alias, a loop's list).
    if (nestsTooDeep(line, value, MAX_JSON_DEPTH + 3)) throw new Error(`${path}:${i + 1}: nested deeper than ${MAX_JSON_DEPTH + 3} levels`);
    alerts.push(value);
  });
  return alerts;
}
