/**
 * The two sides of the differential test: our engine, in process (the rule text through
 * `parseRules` and `compile`, the events through `runEngine` as a replay with the default
 * watermark), and Flink CEP through the Java driver of test/flink/driver (built once with Maven,
 * then one JVM for a whole batch of cases).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseRules, RuleErrors } from '../../src/dsl/index.js';
import { compile } from '../../src/nfa/compiler.js';
import type { Nfa } from '../../src/nfa/nfa.js';
import { runEngine } from '../../src/runtime/engine.js';
import { arraySource, MemorySink } from '../runtime/support/memory.js';
import { ruleText, type Case } from './cases.js';

/** One match as both sides report it: key, kind, and the event indexes bound to each alias (aliases sorted, empty ones left out). */
export interface SideMatch {
  readonly key: string;
  readonly kind: 'match' | 'timeout';
  readonly events: Readonly<Record<string, readonly number[]>>;
  /** Our engine only: the alert's start and end, ms. */
  readonly start?: number;
  readonly end?: number;
  /** Our engine only: emitted once the input had ended (the watermark going to +∞). */
  readonly afterInput?: boolean;
}

/** What one side made of a case. */
export type SideResult =
  | {
      readonly status: 'ok';
      readonly matches: readonly SideMatch[];
      /** Flink only: its NFA again with each deadline handled at its own time, as our clock does (FlinkDiff.deadlineRun). */
      readonly deadlineMatches?: readonly SideMatch[];
    }
  | { readonly status: 'reject' | 'crash' | 'hang'; readonly error: string };

/**
 * Runs a case through our engine. A rule error is a `reject`; anything else thrown is a `crash`.
 * With `typeFilter: false` every event reaches the rule's keys, as in Flink, instead of only those
 * of the types that can change a key's state (`Nfa.relevantTypes`, an optimisation whose results
 * must be the same: `typeFilterChanges`).
 */
export async function runOurs(c: Case, { typeFilter = true }: { typeFilter?: boolean } = {}): Promise<SideResult> {
  let nfa;
  try {
    nfa = compile(parseRules(ruleText(c.pattern), 'case.cep')[0]);
  } catch (e) {
    if (e instanceof RuleErrors) return { status: 'reject', error: e.errors.map((x) => x.message).join('; ') };
    return { status: 'crash', error: String(e) };
  }
  if (!typeFilter) (nfa as { relevantTypes: Nfa['relevantTypes'] }).relevantTypes = null;
  const sink = new MemorySink();
  const source = arraySource('case', c.events.map((e) => ({ ...e })));
  // The alerts written before the engine asked for a record after the last one came while reading.
  let beforeEnd = Infinity;
  const records = source.records.bind(source);
  source.records = async function* () {
    yield* records();
    beforeEnd = sink.alerts.length;
  };
  try {
    await runEngine({ rules: [nfa], sources: [source], sinks: [sink], log: () => {} });
  } catch (e) {
    return { status: 'crash', error: String(e) };
  }
  const matches = sink.alerts.map((a, i): SideMatch => {
    const events: Record<string, number[]> = {};
    for (const alias of Object.keys(a.events).sort()) {
      const value = a.events[alias];
      const list = (Array.isArray(value) ? value : [value]).map((e) => (e as { i: number }).i);
      if (list.length > 0) events[alias] = list;
    }
    return { key: String(a.key), kind: a.kind, events, start: Date.parse(a.start), end: Date.parse(a.end), afterInput: i >= beforeEnd };
  });
  return { status: 'ok', matches };
}

/** Whether running `c` without the type filter gives other matches than `filtered` (its run with it). */
export async function typeFilterChanges(c: Case, filtered: SideResult): Promise<boolean> {
  if (filtered.status !== 'ok') return false;
  const all = await runOurs(c, { typeFilter: false });
  const text = (r: SideResult): string => (r.status === 'ok' ? r.matches.map((m) => JSON.stringify(m)).sort().join('\n') : r.status);
  return text(all) !== text(filtered);
}

const DRIVER = join(dirname(fileURLToPath(import.meta.url)), 'driver');
const JAR = join(DRIVER, 'target', 'flink-diff-0.1.0.jar');
const CLASSPATH = join(DRIVER, 'target', 'classpath.txt');

/** Newest modification time under `dir` (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    t = Math.max(t, s.isDirectory() ? newest(path) : s.mtimeMs);
  }
  return t;
}

/**
 * Builds the Java driver with Maven unless its jar is newer than its sources (the first build
 * resolves flink-cep from Maven Central into ~/.m2). Throws with Maven's output when the build fails.
 */
export function buildDriver(): void {
  const sources = Math.max(newest(join(DRIVER, 'src')), statSync(join(DRIVER, 'pom.xml')).mtimeMs);
  if (existsSync(JAR) && existsSync(CLASSPATH) && statSync(JAR).mtimeMs >= sources) return;
  try {
    execFileSync('mvn', ['-q', '-B', 'package', 'dependency:build-classpath'], { cwd: DRIVER, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`building the Flink driver (test/flink/driver) failed:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
  }
}

/** Runs cases through Flink CEP (one JVM for all of them); the results in the cases' order. */
export async function runFlink(cases: readonly Case[]): Promise<SideResult[]> {
  buildDriver();
  const classpath = `${JAR}:${readFileSync(CLASSPATH, 'utf8').trim()}`;
  const child = spawn('java', ['-Xss8m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath, 'cep.flinkdiff.FlinkDiff'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const results = new Map<number, SideResult>();
  const lines = createInterface({ input: child.stdout });
  const done = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      const r = JSON.parse(line) as SideResult & { id: number };
      results.set(r.id, r);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`the Flink driver exited with ${code}: ${stderr}`))));
  });
  for (const c of cases) {
    if (!child.stdin.write(`${JSON.stringify({ id: c.id, pattern: c.pattern, events: c.events })}\n`)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  await done;
  return cases.map((c) => results.get(c.id) ?? { status: 'crash', error: 'no answer from the driver' });
}
