/**
 * The cost of `matches(s, re)` (issue 12): per event on the hot path, and on the ReDoS case
 * `(a+)+$` over `'a'.repeat(n) + '!'`, for each regular-expression engine that can be loaded:
 * - `RegExp`: V8's backtracking engine (what `matches` used before issue 12);
 * - `re2js`: the pure-JS port of RE2 (a dependency; what `matches` uses now);
 * - `re2` (native, node-gyp) and `re2-wasm`: measured only when installed in a scratch directory,
 *   never in this repository: `mkdir /tmp/re2bench && cd /tmp/re2bench && npm init -y && npm i re2 re2-wasm`,
 *   then `RE2_CANDIDATES=/tmp/re2bench npm run bench -- regex`.
 *
 * Hot path: three patterns of the kind rules use, each tested against one field of every record of
 * examples/data/ssh-auth.ndjson (real sshd log lines: IPs, host names, log text), ns per test, best
 * of 9 runs after a warm-up. Then the same through a compiled rule condition (`parseRules`), which
 * is what an event pays, beside an `exists(f)` condition on the same field as the baseline.
 *
 * ReDoS: one test per n, wall time. `RegExp` is run only up to n = 20 (0.4-0.8 s there, about 4×
 * longer per 2 more characters: n = 28 took 149 s in issue 12); larger n are extrapolated, marked so.
 *
 * Prints Markdown tables and writes bench/results/regex.json. Run: `npm run bench -- regex`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RE2JS } from 're2js';
import { parseRules } from '../src/dsl/index.js';
import type { CepEvent } from '../src/nfa/event.js';
import type { Bindings } from '../src/nfa/rule.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 9;
const REDOS_N = [20, 28, 40];
/** `RegExp` on the ReDoS case is run only up to this n (each 2 more characters cost about 4×). */
const REGEXP_REDOS_MAX_N = 20;

/** An engine under test: compiles a pattern (RE2 syntax, which these patterns share with JS) to a tester. */
interface Engine {
  readonly name: string;
  readonly version: string;
  compile(pattern: string): (s: string) => boolean;
}

/** The version in `<dir>/node_modules/<name>/package.json` (packages need not export their package.json). */
function versionOf(dir: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** The engines available in this run: RegExp and re2js always, the others when installed in `RE2_CANDIDATES`. */
async function engines(): Promise<{ loaded: Engine[]; missing: string[] }> {
  const loaded: Engine[] = [
    { name: 'RegExp', version: `V8 ${process.versions.v8}`, compile: (p) => { const r = new RegExp(p, 'u'); return (s) => r.test(s); } },
    { name: 're2js', version: versionOf(join(here, '..'), 're2js'), compile: (p) => { const r = RE2JS.compile(p); return (s) => r.test(s); } },
  ];
  const missing: string[] = [];
  const dir = process.env.RE2_CANDIDATES;
  const scratch = dir === undefined ? undefined : createRequire(join(dir, 'package.json'));
  try {
    if (scratch === undefined) throw new Error('RE2_CANDIDATES not set');
    const RE2 = scratch('re2') as new (p: string, f: string) => { test(s: string): boolean };
    loaded.push({ name: 're2 (native)', version: versionOf(dir!, 're2'), compile: (p) => { const r = new RE2(p, 'u'); return (s) => r.test(s); } });
  } catch (error) {
    missing.push(`re2: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    if (scratch === undefined) throw new Error('RE2_CANDIDATES not set');
    const { RE2 } = scratch('re2-wasm') as { RE2: new (p: string, f: string) => { test(s: string): boolean } };
    loaded.push({ name: 're2-wasm', version: versionOf(dir!, 're2-wasm'), compile: (p) => { const r = new RE2(p, 'u'); return (s) => r.test(s); } });
  } catch (error) {
    missing.push(`re2-wasm: ${(error as Error).message.split('\n')[0]}`);
  }
  return { loaded, missing };
}

/** The records of examples/data/ssh-auth.ndjson as events (type, time, data). */
const events: CepEvent[] = readFileSync(join(here, '../examples/data/ssh-auth.ndjson'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const data = JSON.parse(line) as Record<string, unknown>;
    return { type: String(data.type), time: Date.parse(String(data.ts)), data };
  });

/** Hot-path cases: a pattern (RE2 and JS syntax alike) and the field it reads. */
const CASES = [
  { field: 'ip', pattern: '^(173|5)\\.', what: 'anchored prefix' },
  { field: 'text', pattern: 'invalid user [a-z0-9_]+ \\[preauth\\]', what: 'search in log text' },
  { field: 'host', pattern: '^[a-z0-9.-]+\\.(com|net|org)$', what: 'whole-string class' },
] as const;

function valuesOf(field: string): string[] {
  return events.map((e) => (e.data as Record<string, unknown>)[field]).filter((v): v is string => typeof v === 'string');
}

/** Best ns per call of `f` over `values`, repeated to at least ~50 ms a run. */
function nsPerCall<T>(values: readonly T[], f: (v: T) => boolean): { ns: number; hits: number } {
  let hits = 0;
  for (const v of values) if (f(v)) hits++; // warm-up, and the hit count
  const rounds = Math.max(1, Math.ceil(200_000 / values.length));
  let best = Infinity;
  let sink = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (let i = 0; i < values.length; i++) if (f(values[i])) sink++;
    best = Math.min(best, Number(process.hrtime.bigint() - started) / (rounds * values.length));
  }
  if (sink < 0) throw new Error('unreachable');
  return { ns: best, hits };
}

const bindings: Bindings = { events: () => [] };

/** The condition of `x[<condition>]` compiled by the rule front end, as the matcher calls it. */
function condition(text: string): (e: CepEvent) => boolean {
  const [rule] = parseRules(`rule r key by ip pattern x[${text}]`, 'bench.cep');
  const atom = rule.pattern.elements[0].atom;
  if (atom.kind !== 'event' || atom.condition === undefined) throw new Error('bench: no condition');
  const test = atom.condition.test;
  return (e) => test(e, bindings);
}

const { loaded, missing } = await engines();
const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const hotRows = CASES.map((c) => {
  const values = valuesOf(c.field);
  const perEngine = loaded.map((engine) => ({ engine: engine.name, ...nsPerCall(values, engine.compile(c.pattern)) }));
  const stringLiteral = JSON.stringify(c.pattern);
  const viaRule = nsPerCall(events, condition(`matches(${c.field}, ${stringLiteral})`));
  const baseline = nsPerCall(events, condition(`exists(${c.field})`));
  return { ...c, values: values.length, perEngine, conditionNs: viaRule.ns, conditionHits: viaRule.hits, baselineNs: baseline.ns };
});

const redosRows = loaded.map((engine) => {
  const test = engine.compile('(a+)+$');
  const times = REDOS_N.map((n) => {
    const subject = `${'a'.repeat(n)}!`;
    if (engine.name === 'RegExp' && n > REGEXP_REDOS_MAX_N) return { n, ms: null as number | null, matched: false };
    const started = performance.now();
    const matched = test(subject);
    return { n, ms: performance.now() - started, matched };
  });
  const measured = times.filter((t) => t.ms !== null);
  const lastMeasured = measured[measured.length - 1];
  const extrapolated = times.map((t) => (t.ms !== null || lastMeasured?.ms == null ? t.ms : lastMeasured.ms * 4 ** ((t.n - lastMeasured.n) / 2)));
  return { engine: engine.name, version: engine.version, times, extrapolated };
});

const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(1) : fmt(x));
const human = (x: number): string => (x < 1000 ? `${ms(x)} ms` : x < 86_400_000 ? `${fmt(x / 1000, 1)} s` : `${(x / 31_557_600_000).toExponential(1)} years`);
const lines = [
  `ssh-auth.ndjson, ${fmt(events.length)} records; best of ${RUNS} runs; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs; Node ${process.version}`,
  `engines: ${loaded.map((e) => `${e.name} ${e.version}`).join(', ')}${missing.length > 0 ? `; not measured: ${missing.join('; ')}` : ''}`,
  '',
  `| pattern | field (values) | ${loaded.map((e) => `${e.name} ns/test`).join(' | ')} | rule condition ns/event | exists(field) ns/event |`,
  `|---|---|${loaded.map(() => '---:').join('|')}|---:|---:|`,
  ...hotRows.map((r) => `| \`${r.pattern.replace(/\|/g, '\\|')}\` (${r.what}) | ${r.field} (${fmt(r.values)}) | ${r.perEngine.map((p) => fmt(p.ns)).join(' | ')} | ${fmt(r.conditionNs)} | ${fmt(r.baselineNs)} |`),
  '',
  `ReDoS \`(a+)+$\` over 'a'×n + '!' (one test, wall time; ~ extrapolated at 4× per 2 characters):`,
  '',
  `| engine | ${REDOS_N.map((n) => `n = ${n}`).join(' | ')} |`,
  `|---|${REDOS_N.map(() => '---:').join('|')}|`,
  ...redosRows.map((r) => `| ${r.engine} | ${r.extrapolated.map((x, i) => (x === null ? '–' : r.times[i].ms === null ? `~${human(x)}` : human(x))).join(' | ')} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);

const results = join(here, 'results');
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'regex.json'),
  `${JSON.stringify({
    suite: 'regex',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverage: loadavg()[0],
    engines: loaded.map((e) => ({ name: e.name, version: e.version })),
    notMeasured: missing,
    hotPath: hotRows,
    redos: redosRows,
  }, null, 2)}\n`,
);
