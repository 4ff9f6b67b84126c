/**
 * Start-up (issue 17): the wall time of `cep check` on one rule file, against `node -e 0` (the
 * floor any Node program pays), each started as a new process RUNS times, the two alternated so
 * that the machine's drift hits both alike. Goal: `cep check` within 3× of `node -e 0`; the CLI
 * loads only the command that runs (src/runtime/cli.ts), so `check` never loads kafkajs, ws or
 * the engine. Runs the built CLI (`npm run bench` builds first).
 *
 * Prints min/median/max of each and the median of the per-pair ratios, and writes
 * bench/results/startup.json. Run: `npm run bench -- startup` (STARTUP_RUNS=N, default 40).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const RUNS = Number(process.env.STARTUP_RUNS ?? 40);

const commands = {
  'node -e 0': ['-e', '0'],
  'cep check examples/rules/fraud.cep': [join(root, 'dist/runtime/cli.js'), 'check', join(root, 'examples/rules/fraud.cep')],
};

/** Wall ms of one run of `node ARGS`; throws when it fails. */
function once(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

const [floor, check] = Object.values(commands);
once(floor);
once(check);
const times = { floor: [] as number[], check: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  times.floor.push(once(floor));
  times.check.push(once(check));
}
const ratio = quantiles(times.check.map((t, i) => t / times.floor[i]));
const rows = Object.keys(commands).map((name, i) => ({ name, ...quantiles(i === 0 ? times.floor : times.check) }));

console.log(`\n${RUNS} runs each, alternated; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}\n`);
console.log('| command | min ms | median ms | max ms |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.min.toFixed(0)} | ${r.median.toFixed(0)} | ${r.max.toFixed(0)} |`);
console.log(`\ncep check / node -e 0, per pair: median ${ratio.median.toFixed(2)} (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}); goal ≤ 3`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/startup.json'), JSON.stringify({ runs: RUNS, load: loadavg()[0], rows, ratio }, null, 2));
