/**
 * `cep run` processes of the harness: spawned as a user runs them (`node dist/runtime/cli.js run
 * ...`), stdout and stderr to files (one pair per incarnation: `NAME.N.out`, `NAME.N.err`), killed
 * with SIGKILL at chosen points and started again with the same arguments, and at the end stopped
 * gracefully (SIGTERM, SIGKILL after a grace period).
 *
 * Every exit is recorded; an exit the harness did not cause (a crash) is "unexpected" and reported
 * with the tail of that incarnation's stderr.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (test/live/eos/../../..). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** The built CLI. */
export const CLI = join(REPO_ROOT, 'dist', 'runtime', 'cli.js');

export interface LiveRunOptions {
  readonly rules: string;
  readonly brokers: readonly string[];
  readonly inputTopic: string;
  readonly group: string;
  readonly alertTopic: string;
  /** Pass `--exactly-once`. */
  readonly exactlyOnce: boolean;
  /**
   * Pass `--commit-interval` and `--kafka-session-timeout` (new with issue 11). Default: when
   * `exactlyOnce`, else when the built CLI knows them ({@link cliKnows}).
   */
  readonly tuning?: boolean;
  /** `--commit-interval`. Default `500ms`. */
  readonly commitInterval?: string;
  /** `--kafka-session-timeout`. Default `6s`. */
  readonly sessionTimeout?: string;
  readonly extra?: readonly string[];
}

let runHelp: string | null = null;

/** Whether the built CLI's `run --help` lists `option` (the at-least-once mode of a CLI before issue 11 lacks the new ones). */
export function cliKnows(option: string): boolean {
  if (runHelp === null) {
    // The CLI prints its help on stderr or stdout depending on its commander set-up: read both.
    const help = spawnSync(process.execPath, [CLI, 'run', '--help'], { encoding: 'utf8' });
    runHelp = `${help.stdout ?? ''}${help.stderr ?? ''}`;
  }
  return runHelp.includes(option);
}

/**
 * The arguments of a live `cep run` (after `node`): the contract of issue 11. Without
 * `exactlyOnce` it is the at-least-once mode, with the same commit interval and session timeout
 * when the CLI has those options.
 */
export function liveRunArgs(o: LiveRunOptions): string[] {
  const args = [CLI, 'run', o.rules, '--kafka-brokers', ...o.brokers, '--kafka-topics', o.inputTopic, '--kafka-group', o.group, '--kafka-topic', o.alertTopic, '--no-progress'];
  if (o.exactlyOnce) args.push('--exactly-once');
  if (o.tuning ?? (o.exactlyOnce || cliKnows('--kafka-session-timeout'))) args.push('--commit-interval', o.commitInterval ?? '500ms', '--kafka-session-timeout', o.sessionTimeout ?? '6s');
  return [...args, ...(o.extra ?? [])];
}

/** One exit of one incarnation. */
export interface Exit {
  readonly incarnation: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The harness killed or stopped it. */
  readonly expected: boolean;
  readonly at: number;
  readonly stderrTail: string;
}

export class CepProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<void> = Promise.resolve();
  private incarnation = 0;
  private expecting = false;
  readonly exits: Exit[] = [];
  /** Wall-clock time of each start, ms. */
  readonly starts: number[] = [];

  constructor(
    readonly name: string,
    private readonly args: readonly string[],
    private readonly logDir: string,
  ) {}

  get alive(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts a new incarnation. @throws Error when one is already running. */
  start(): void {
    if (this.child !== null) throw new Error(`${this.name} is already running (pid ${this.child.pid})`);
    const n = ++this.incarnation;
    const out = openSync(this.logPath(n, 'out'), 'w');
    const err = openSync(this.logPath(n, 'err'), 'w');
    const child = spawn(process.execPath, this.args, { cwd: REPO_ROOT, stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    this.child = child;
    this.expecting = false;
    this.starts.push(Date.now());
    this.exitPromise = new Promise<void>((ok) => {
      child.once('exit', (code, signal) => {
        this.exits.push({ incarnation: n, code, signal, expected: this.expecting, at: Date.now(), stderrTail: this.stderrTail(n) });
        if (this.child === child) this.child = null;
        ok();
      });
    });
  }

  /** `kill -9` (SIGKILL) and waits for the exit. A process not running is left as it is. */
  async kill9(): Promise<void> {
    if (this.child?.pid === undefined) return;
    this.expecting = true;
    process.kill(this.child.pid, 'SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM (a graceful stop), then SIGKILL after `graceMs`; waits for the exit. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child?.pid === undefined) return;
    this.expecting = true;
    const pid = this.child.pid;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** SIGKILL, then a new incarnation with the same arguments. */
  async restart(delayMs = 0): Promise<void> {
    await this.kill9();
    if (delayMs > 0) await new Promise((ok) => setTimeout(ok, delayMs));
    this.start();
  }

  /** Exits the harness did not cause. */
  unexpectedExits(): Exit[] {
    return this.exits.filter((e) => !e.expected);
  }

  logPath(incarnation: number, stream: 'out' | 'err'): string {
    return join(this.logDir, `${this.name}.${incarnation}.${stream}`);
  }

  /** The last `chars` characters of an incarnation's stderr (default: the current or last one). */
  stderrTail(incarnation = this.incarnation, chars = 2000): string {
    try {
      const text = readFileSync(this.logPath(incarnation, 'err'), 'utf8');
      return text.slice(-chars);
    } catch {
      return '';
    }
  }
}
