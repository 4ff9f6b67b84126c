/**
 * Front-end speed (issue 2): parse + check of a generated 1,000-rule file (goal < 1 s), split into
 * parsing (moo + nearley → AST) and checking (checks + compiling conditions to closures). Prints a
 * Markdown table and writes bench/results/parse.json. Run: `npm run bench -- parse`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from '../src/dsl/checker.js';
import { parseRules } from '../src/dsl/index.js';
import { parseFile } from '../src/dsl/parse.js';

const RULES = 1000;
const RUNS = 7;

/** Rule templates covering the language; `N` is replaced by the rule number. */
const TEMPLATES = [
  (n: number) => `# card testing, variant ${n}
rule card_testing_${n} severity high
  key by card_id
  pattern txn[amount < ${n % 5 + 1}]{3,} as probes -> txn[amount > ${500 + n}] as big
  within 10m
  emit { card: big.card_id, probes: count(probes), amount: big.amount, avg: avg(probes.amount) }`,
  (n: number) => `rule unpaid_${n}
  key by order_id
  pattern order_placed[status in ["created", "approved"]] as o -> not payment_approved within ${n % 48 + 1}h
  emit { order: o.order_id, placed: o.ts }
  on timeout emit { order: o.order_id }`,
  (n: number) => `rule brute_${n} severity critical
  key by ip, host
  pattern auth_failure[user != null and not starts_with(user, "svc_")]{5,20} consecutive until [port == null] as tries
    next auth_success[user in tries.user and time(tries[-1]) - time(tries[0]) < 1h30m] as ok
  within 1h
  skip to last tries
  emit { user: ok.user, attempts: count(tries), spread: max(tries.port) - min(tries.port) }`,
  (n: number) => `rule groups_${n} severity low
  key by payload.device.id
  pattern (login -> any[lower(action) == "sudo" or matches(cmd, "^rm -rf")])+ as session ->> logout[abs(duration - ${n}) > 5s] as out
  skip none
  emit { n: count(session), last: out.ts }`,
];

const source = Array.from({ length: RULES }, (_, i) => TEMPLATES[i % TEMPLATES.length](i)).join('\n\n');

/** Wall-clock and CPU (user + system) time of each run, ms; a full GC before each when exposed. */
function measure(f: () => void): { wall: number[]; cpu: number[] } {
  f(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    f();
    const used = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const total = measure(() => {
  if (parseRules(source, 'bench.cep').length !== RULES) throw new Error('bench: wrong rule count');
});
const parseOnly = measure(() => void parseFile(source, 'bench.cep'));
const ast = parseFile(source, 'bench.cep');
const checkOnly = measure(() => void checkFile(ast, 'bench.cep', source));

const rows = [
  { step: 'parse + check (parseRules)', ...total },
  { step: 'parse (moo + nearley → AST)', ...parseOnly },
  { step: 'check (checks + closures)', ...checkOnly },
];
const ms = (x: number): string => x.toFixed(1);
const lines = [
  `${RULES.toLocaleString('en-US')} rules, ${source.split('\n').length.toLocaleString('en-US')} lines, ${(source.length / 1024).toFixed(0)} KiB; ${RUNS} runs after one warm-up; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`,
  '',
  '| step | median wall ms | min wall ms | max wall ms | median CPU ms | rules/s (median wall) |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.step} | ${ms(median(r.wall))} | ${ms(Math.min(...r.wall))} | ${ms(Math.max(...r.wall))} | ${ms(median(r.cpu))} | ${Math.round(RULES / (median(r.wall) / 1000)).toLocaleString('en-US')} |`),
  '',
  `goal: parse + check < 1000 ms: median wall ${median(total.wall) < 1000 ? 'met' : 'NOT met'}, median CPU ${median(total.cpu) < 1000 ? 'met' : 'NOT met'} (wall time counts waiting for a CPU on a loaded machine)`,
];
process.stdout.write(`${lines.join('\n')}\n`);

const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'parse.json'),
  `${JSON.stringify({
    suite: 'parse',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    rules: RULES,
    bytes: source.length,
    runs: RUNS,
    loadAverage: loadavg()[0],
    steps: rows.map((r) => ({ step: r.step, medianWallMs: median(r.wall), minWallMs: Math.min(...r.wall), maxWallMs: Math.max(...r.wall), medianCpuMs: median(r.cpu), wallMs: r.wall, cpuMs: r.cpu })),
    goalMs: 1000,
    goalMetWall: median(total.wall) < 1000,
    goalMetCpu: median(total.cpu) < 1000,
  }, null, 2)}\n`,
);
