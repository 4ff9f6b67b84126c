/**
 * `cep serve CONFIG.yaml` (DSL.md sections 7 and 10): runs as `cep run` with its options from a
 * YAML file (`service/config-file.ts`: every option of `run` under its own name, plus `rules:`), until
 * SIGTERM/SIGINT, reloading the rules on SIGHUP or when a rule file changes
 * (`service/hot-reload.ts`). Relative paths in the file (rules, inputs, outputs, certificates)
 * are relative to the file's folder, as Prometheus reads its `rule_files`. Unless the file says
 * `linger: false`, the service keeps running after a finite input ends (a FIFO whose writer
 * closed), so that its sinks, metrics and health stay up.
 * Exit codes: 0 on a clean stop, 1 on a rule error at start, 2 on a bad config.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { fileErrorWords } from '../load-rules.js';
import type { ServeConfig } from '../service/config.js';
import { ConfigError, loadServeConfig } from '../service/config-file.js';
import { HotReload } from '../service/hot-reload.js';
import { resolveRuleFiles } from '../service/rule-files.js';
import { EXIT_USAGE } from './exit-codes.js';
import { replay } from './replay.js';
import { runOptionSpecs } from './run-options.js';
import { sinksOf } from './run.js';

/** Registers `serve` on the program. */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('run as a service with the options of a YAML file (rules:, input:, kafka-brokers:, metrics:, ...); SIGHUP reloads the rules')
    .argument('<config>', 'config file (YAML)');
  command.action(async (configPath: string) => {
    let config: ServeConfig;
    let files: string[];
    const baseDir = dirname(resolve(configPath));
    try {
      config = withPaths(loadServeConfig(configPath), baseDir);
      files = resolveRuleFiles(config.rules, baseDir);
    } catch (error) {
      const why = fileErrorWords(error);
      const message = error instanceof ConfigError ? `bad config:\n${error.message}` : why !== undefined ? `cannot read the config file ${configPath}: ${why}` : (error as Error).message;
      command.error(`error: ${message}`, { exitCode: EXIT_USAGE, code: 'cep.usage' });
      return;
    }
    const reload = new HotReload({ patterns: config.rules, baseDir, maxPartialMatches: config.maxPartialMatches });
    const opts = { ...config, linger: config.linger ?? true };
    try {
      const result = await replay(files, opts, () => sinksOf(opts), command, { onStart: (engine, rules, logger) => reload.start(engine, rules, files, logger) });
      process.exitCode = typeof result === 'number' ? result : 0;
    } finally {
      reload.close();
    }
  });
}

/** `config` with the relative paths of its file options and inputs (kinds `file` and `files`; `-` stays stdin/stdout) resolved against `baseDir`. */
function withPaths(config: ServeConfig, baseDir: string): ServeConfig {
  const at = (path: string): string => (path === '-' || isAbsolute(path) ? path : resolve(baseDir, path));
  const out: Record<string, unknown> = { ...config };
  for (const { key, kind } of runOptionSpecs()) {
    const value = config[key];
    if (value === undefined) continue;
    if (kind === 'file') out[key] = at(value as string);
    else if (kind === 'files') out[key] = (value as string[]).map(at);
  }
  return out as ServeConfig;
}
