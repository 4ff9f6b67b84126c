/**
 * The run shared by `cep run` and `cep test`: load the rules, build the engine from the options,
 * wire SIGINT/SIGTERM to a graceful stop (sinks flushed and closed; a second signal exits at
 * once), show progress, run, and print the summary on stderr.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { AlertSink } from '../../alerts/sink.js';
import { RuleErrors } from '../../dsl/errors.js';
import type { Nfa } from '../../nfa/nfa.js';
import { runEngine, type Summary } from '../engine.js';
import { loadRules } from '../load-rules.js';
import { createProgress, formatSummary } from '../progress.js';
import { openLive, type LiveOptions } from './live-options.js';
import { engineOptionsFrom, type ReplayOptions } from './replay-options.js';

/** Exit code for rule errors, DSL.md section 7. */
export const EXIT_RULE_ERRORS = 1;
/** Exit code when reading an input or writing alerts failed during the run. */
export const EXIT_RUN_FAILED = 1;
/** Exit code for bad usage, DSL.md section 7 (as `cli.ts`'s `EXIT_USAGE`). */
export const EXIT_USAGE = 2;

/**
 * Runs the replay. Resolves with the summary, or with an exit code when the run could not start:
 * 1 on rule errors (printed as `RuleErrors.format()`), 2 on bad usage (reported through commander).
 * A source or sink failure during the run is printed and gives {@link EXIT_RUN_FAILED} (EPIPE: 0).
 */
export async function replay(ruleFiles: readonly string[], opts: ReplayOptions & LiveOptions, sinks: () => AlertSink[], command: Command): Promise<Summary | number> {
  let rules: Nfa[];
  try {
    rules = loadRules(ruleFiles, { maxPartialMatches: opts.maxPartialMatches });
  } catch (error) {
    if (error instanceof RuleErrors) {
      process.stderr.write(error.format() + '\n');
      return EXIT_RULE_ERRORS;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') return usage(command, `cannot read rule file: ${(error as Error).message}`);
    return usage(command, (error as Error).message);
  }
  const controller = new AbortController();
  let options;
  try {
    const live = await openLive(opts, (line) => process.stderr.write(line + '\n'));
    options = engineOptionsFrom(opts, rules, [...sinks(), ...live.sinks], live.sources, controller.signal);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return usage(command, error.message);
    process.stderr.write(`cep: error: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_RUN_FAILED;
  }
  const progress = opts.progress ? createProgress() : null;
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runEngine({ ...options, onProgress: progress === null ? undefined : (p) => progress.update(p) });
    progress?.stop();
    process.stderr.write(formatSummary(summary) + '\n');
    return summary;
  } catch (error) {
    progress?.stop();
    // A closed stdout (`cep run ... | head`) ends the run quietly.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    process.stderr.write(`cep: error: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_RUN_FAILED;
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function usage(command: Command, message: string): number {
  // With exitOverride (cli.ts), commander throws; cli.ts turns it into exit code 2.
  command.error(`error: ${message}`, { exitCode: EXIT_USAGE, code: 'cep.usage' });
  return EXIT_USAGE;
}
