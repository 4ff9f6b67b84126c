/**
 * Hot reload of `cep serve` (DSL.md section 10): on SIGHUP, or when a rule file or a folder of
 * rule files changes (fs.watch, debounced), the rule files are resolved and read again, and the
 * running engine's rules are replaced (`RunningEngine.replaceRules`):
 *  1. Resolve `rules:` again (a glob may match new files) and parse, check and compile every rule.
 *     Any error (a rule error, a missing file, a duplicate name) changes nothing: it is logged
 *     (rule errors as `file:line:col: message` with the source line and a caret) and the running
 *     rules go on.
 *  2. Match each new rule to the running one of the same name by {@link ruleFingerprint}: the same
 *     fingerprint keeps the running `Nfa`, and so its keyed state (partial matches survive); a
 *     changed or new rule starts empty; a rule no longer there is dropped with its state.
 *  3. Swap (with exactly-once, the engine commits first: the swap falls between two checkpoints)
 *     and log what was added, changed, removed and kept.
 * Reloads run one at a time, in the order they were asked for. Flink cannot change a running CEP
 * pattern at all (FLINK-7129); Esper redeploys a statement without its state.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RuleErrors } from '../../dsl/errors.js';
import type { Nfa } from '../../nfa/nfa.js';
import type { RunningEngine } from '../engine.js';
import { loadRules } from '../load-rules.js';
import { ruleFingerprint } from '../rule-fingerprint.js';
import type { Log } from './logger.js';
import { resolveRuleFiles } from './rule-files.js';

/** Options of {@link HotReload}. */
export interface HotReloadOptions {
  /** `rules:` of the config: files or globs, relative to `baseDir`. */
  readonly patterns: readonly string[];
  readonly baseDir: string;
  /** `--max-partial-matches`, as at start. */
  readonly maxPartialMatches: number;
  /** Quiet time after the last change of a watched file before reloading, ms. Default 200. */
  readonly debounceMs?: number;
}

/** What a reload did, by rule name (each list sorted). */
export interface ReloadReport {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly kept: readonly string[];
}

interface Running {
  readonly nfa: Nfa;
  readonly fingerprint: string;
}

/** Watches the rule files and swaps the engine's rules; {@link start} once the engine runs, {@link close} at the end. */
export class HotReload {
  private engine: RunningEngine | null = null;
  private logger: Log | null = null;
  private running = new Map<string, Running>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Names of the rule files read last (a change to one of them, or to any `*.cep`, reloads). */
  private names = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** A SIGHUP came before the engine ran (the rules it starts with may be older than the files). */
  private early = false;
  private readonly onHangup = (): void => {
    if (this.engine === null) this.early = true;
    else void this.reload('SIGHUP');
  };

  /** Listens for SIGHUP at once (its default action would end the process while it starts). */
  constructor(private readonly options: HotReloadOptions) {
    process.on('SIGHUP', this.onHangup);
  }

  /** Takes the running engine and the rules it started with (from `files`), and starts watching; a SIGHUP that came meanwhile reloads now. */
  start(engine: RunningEngine, rules: readonly Nfa[], files: readonly string[], logger: Log): void {
    this.engine = engine;
    this.logger = logger;
    this.running = new Map(rules.map((nfa) => [nfa.rule.name, { nfa, fingerprint: ruleFingerprint(nfa) }]));
    this.watch(files);
    if (this.early) void this.reload('SIGHUP');
  }

  /**
   * Reads the rules again and swaps them (see the steps above). Resolves with what changed, or
   * `null` when the new rules had an error (logged; nothing changed).
   */
  reload(reason: string): Promise<ReloadReport | null> {
    const next = this.chain.then(() => this.apply(reason));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async apply(reason: string): Promise<ReloadReport | null> {
    const engine = this.engine;
    const logger = this.logger;
    if (engine === null || logger === null) return null;
    let files: string[];
    let loaded: Nfa[];
    try {
      files = resolveRuleFiles(this.options.patterns, this.options.baseDir);
      loaded = loadRules(files, { maxPartialMatches: this.options.maxPartialMatches });
    } catch (error) {
      const detail = error instanceof RuleErrors ? error.format() : (error as Error).message;
      logger.error({ reason }, `cep: reload failed, the running rules are kept:\n${detail}`);
      return null;
    }
    const report = { added: [] as string[], changed: [] as string[], removed: [] as string[], kept: [] as string[] };
    const rules: Nfa[] = [];
    const next = new Map<string, Running>();
    for (const nfa of loaded) {
      const name = nfa.rule.name;
      const fingerprint = ruleFingerprint(nfa);
      const old = this.running.get(name);
      if (old !== undefined && old.fingerprint === fingerprint) {
        rules.push(old.nfa);
        next.set(name, old);
        report.kept.push(name);
      } else {
        rules.push(nfa);
        next.set(name, { nfa, fingerprint });
        (old === undefined ? report.added : report.changed).push(name);
      }
    }
    for (const name of this.running.keys()) if (!next.has(name)) report.removed.push(name);
    for (const list of Object.values(report)) list.sort();
    const same = report.added.length === 0 && report.changed.length === 0 && report.removed.length === 0 && [...this.running.keys()].join() === [...next.keys()].join();
    if (!same) {
      try {
        await engine.replaceRules(rules);
      } catch (error) {
        logger.error({ reason }, `cep: reload failed, the running rules are kept: ${(error as Error).message}`);
        return null;
      }
      this.running = next;
    }
    this.watch(files);
    const words = (['added', 'changed', 'removed', 'kept'] as const).filter((k) => report[k].length > 0).map((k) => `${k} ${report[k].join(', ')}`);
    const message = `cep: reload (${reason}): ${same ? 'no rule changed' : words.join('; ')}`;
    // A watched folder changes for many reasons (an editor's swap file): only a SIGHUP says so when nothing changed.
    if (same && reason !== 'SIGHUP') logger.debug({ reason, ...report }, message);
    else logger.info({ reason, ...report }, message);
    return report;
  }

  /** Watches the folder of every rule file (an editor may replace a file rather than write it), and each glob's folder. */
  private watch(files: readonly string[]): void {
    this.names = new Set(files.map((f) => basename(f)));
    const dirs = new Set(files.map((f) => dirname(f)));
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, name) => {
          if (name === null || name.endsWith('.cep') || this.names.has(name)) this.changed();
        });
        watcher.on('error', () => this.watchers.delete(dir));
        watcher.unref();
        this.watchers.set(dir, watcher);
      } catch {
        // A folder that cannot be watched: SIGHUP still reloads.
      }
    }
  }

  private changed(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload('file change');
    }, this.options.debounceMs ?? 200);
  }

  /** Stops watching and listening for SIGHUP (a reload under way finishes). */
  close(): void {
    process.off('SIGHUP', this.onHangup);
    if (this.timer !== null) clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.engine = null;
  }
}
