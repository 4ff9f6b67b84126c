/**
 * `cep run RULES... --input FILE... [--out FILE] ...` (DSL.md section 7): replays recorded files
 * through the rules and writes alerts as NDJSON to `--out` or stdout. Exit codes: 0, 1 on a rule
 * error, 2 on bad usage.
 */
import type { Command } from 'commander';
import { FileSink } from '../../alerts/file-sink.js';
import type { AlertSink } from '../../alerts/sink.js';
import { addLiveOptions, type LiveOptions } from './live-options.js';
import { replay } from './replay.js';
import { addReplayOptions, type ReplayOptions } from './replay-options.js';

interface RunOptions extends ReplayOptions, LiveOptions {
  out?: string;
}

/** Registers `run` on the program. */
export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('replay event files through the rules; alerts as NDJSON on stdout or --out')
    .argument('<rules...>', 'rule files (*.cep)')
    .option('--out <file>', 'write alerts here instead of stdout');
  addLiveOptions(addReplayOptions(command)).action(async (rules: string[], opts: RunOptions) => {
    const result = await replay(rules, opts, () => sinksOf(opts), command);
    process.exitCode = typeof result === 'number' ? result : 0;
  });
}

/** The alert sinks of `run`: NDJSON to `--out` or stdout. */
function sinksOf(opts: RunOptions): AlertSink[] {
  return [new FileSink({ path: opts.out })];
}
