/**
 * The run shared by `cep run`, `cep test` and `cep serve`: load the rules, serve `--metrics`
 * (from before the inputs open, so probes get answers meanwhile), build the engine from the
 * options, wire SIGINT/SIGTERM to a graceful stop (sinks flushed and closed; a second signal exits
 * at once), show progress, run, and log the summary on stderr (`--log-format`).
 */
import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import type { AlertSink } from '../../alerts/sink.js';
import { parseHostPort } from '../../alerts/ws-options.js';
import { RuleErrors } from '../../dsl/errors.js';
import type { Nfa } from '../../nfa/nfa.js';
import { runEngine, type RunningEngine, type Summary } from '../engine.js';
import { loadRules } from '../load-rules.js';
import { createProgress, formatSummary } from '../progress.js';
import { timeFormatReader, type TimeReader } from '../time.js';
import { EXIT_RULE_ERRORS, EXIT_RUN_FAILED, EXIT_USAGE } from './exit-codes.js';
import { openLive, type LiveOptions } from './live-options.js';
import { checkOutputs, engineOptionsFrom, type ReplayOptions } from './replay-options.js';
import type { HealthServer } from '../service/health-server.js';
import { createLogger, kafkaLogCreator, lineLogger, type Log } from '../service/logger.js';


/** What `cep serve` adds to a run. */
export interface ReplayHooks {
  /** Called once the engine runs, with the rules it started with and the run's logger (hot reload). */
  onStart?(engine: RunningEngine, rules: readonly Nfa[], logger: Log): void;
  /** Called when the run does not start because of rule errors (which `cep test` tells apart from a failed run, both 1 here). */
  onRuleErrors?(): void;
}

/**
 * Runs the replay. Resolves with the summary, or with an exit code when the run could not start:
 * 1 on rule errors (printed as `RuleErrors.format()`), 2 on bad usage (reported through commander).
 * A source or sink failure during the run is printed and gives {@link EXIT_RUN_FAILED} (EPIPE: 0).
 */
export async function replay(ruleFiles: readonly string[], opts: ReplayOptions & Partial<LiveOptions>, sinks: () => AlertSink[], command: Command, hooks: ReplayHooks = {}): Promise<Summary | number> {
  const format = opts.logFormat ?? 'text';
  const logger = await createLogger(format);
  const log = lineLogger(logger, format);
  let rules: Nfa[];
  try {
    rules = loadRules(ruleFiles, { maxPartialMatches: opts.maxPartialMatches });
  } catch (error) {
    if (error instanceof RuleErrors) {
      logger.error(error.format());
      hooks.onRuleErrors?.();
      return EXIT_RULE_ERRORS;
    }
    return usage(command, (error as Error).message, format, logger);
  }
  let running: RunningEngine | null = null;
  let health: HealthServer | null = null;
  if (opts.metrics !== undefined) {
    try {
      const { host, port } = parseHostPort(opts.metrics, '--metrics');
      // prom-client is loaded only when metrics are served (start-up: bench/README.md).
      const { startHealthServer } = await import('../service/health-server.js');
      health = await startHealthServer({ host, port, engine: () => running });
    } catch (error) {
      if (error instanceof TypeError) return usage(command, error.message, format, logger);
      log(`cep: error: ${(error as Error).message}`);
      return EXIT_RUN_FAILED;
    }
    logger.info({ url: health.url }, `cep: metrics at ${health.url}/metrics, health at /healthz and /readyz`);
  }
  const controller = new AbortController();
  let options;
  let timeReader: TimeReader | undefined;
  try {
    timeReader = opts.timeFormat === undefined ? undefined : await timeFormatReader(opts.timeFormat);
  } catch (error) {
    return usage(command, (error as Error).message, format, logger);
  }
  try {
    checkOutputs(opts);
    const live = await openLive(opts, log, kafkaLogCreator(logger));
    options = { ...engineOptionsFrom(opts, rules, [...sinks(), ...live.sinks], live.sources, controller.signal), timeReader };
  } catch (error) {
    if (error instanceof InvalidArgumentError) return usage(command, error.message, format, logger);
    log(`cep: error: ${(error as Error).message ?? String(error)}`);
    await health?.close();
    return EXIT_RUN_FAILED;
  }
  // In JSON the log holds only JSON lines: no progress bar (the counters are in /metrics).
  const progress = opts.progress && format === 'text' ? createProgress() : null;
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runEngine({ ...options, onProgress: progress === null ? undefined : (p) => progress.update(p),
      log,
      onStart: (engine) => {
        running = engine;
        hooks.onStart?.(engine, rules, logger);
      },
    });
    progress?.stop();
    if (format === 'json') logger.info({ summary }, 'summary');
    else log(formatSummary(summary));
    return summary;
  } catch (error) {
    progress?.stop();
    // A closed stdout (`cep run ... | head`) ends the run quietly.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    log(`cep: error: ${(error as Error).message ?? String(error)}`);
    return EXIT_RUN_FAILED;
  } finally {
    progress?.stop();
    running = null;
    await health?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Bad usage found once the run's options are parsed: `cep: error: ...` (commander's line), or in
 * `--log-format json` a JSON line at level error; exit code 2 either way.
 */
function usage(command: Command, message: string, format: string, logger: Log): number {
  if (format === 'json') {
    logger.error(message);
    throw new CommanderError(EXIT_USAGE, 'cep.usage', message);
  }
  // With exitOverride (cli.ts), commander throws; cli.ts turns it into exit code 2.
  command.error(`error: ${message}`, { exitCode: EXIT_USAGE, code: 'cep.usage' });
  return EXIT_USAGE;
}
