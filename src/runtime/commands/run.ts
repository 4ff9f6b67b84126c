/**
 * `cep run RULES... --input FILE... [--out FILE] ...` (DSL.md section 7): replays recorded files
 * through the rules and writes alerts as NDJSON to `--out` or stdout. Its options are those of
 * `run-options.ts`, which `cep serve`'s config file holds too. Exit codes: 0, 1 on a rule error, 2
 * on bad usage.
 */
import type { Command } from 'commander';
import { FileSink } from '../../alerts/file-sink.js';
import type { AlertSink } from '../../alerts/sink.js';
import { addOptions } from './cli-options.js';
import { replay } from './replay.js';
import { runOptionSpecs, type RunOptions } from './run-options.js';

/** Registers `run` on the program. */
export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('replay event files through the rules; alerts as NDJSON on stdout or --out')
    .argument('<rules...>', 'rule files (*.cep)');
  addOptions(command, runOptionSpecs());
  // --input is required unless the events come from Kafka (checked when the run starts): the help says so.
  const input = command.options.find((o) => o.long === '--input');
  if (input !== undefined) input.description += ' (required unless --kafka-topics)';
  command.action(async (rules: string[], opts: RunOptions) => {
    const result = await replay(rules, opts, () => sinksOf(opts), command);
    process.exitCode = typeof result === 'number' ? result : 0;
  });
}

/** The alert sinks of `run` and `serve`: NDJSON to `--out` or stdout. */
export function sinksOf(opts: Pick<RunOptions, 'out'>): AlertSink[] {
  return [new FileSink({ path: opts.out })];
}
