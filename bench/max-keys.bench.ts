/**
 * `--max-keys` bounds memory (issue 12): 2,000,000 keys, each starting one partial match of
 * `a -> b within 1h` (one `a` per key, a new key every millisecond of event time), replayed by the
 * CLI with `--max-keys 10000`: every key past the 10,000 most recent is evicted with its partial
 * match (counted). Goal: peak RSS < 400 MB, and the run completes under a 256 MB heap
 * (`--max-old-space-size=256`). Each run is a separate `node dist/runtime/cli.js run` process; its
 * peak RSS is read at exit (`process.resourceUsage().maxRSS`).
 *
 *   npm run bench -- max-keys
 *
 * Prints a table, writes bench/results/max-keys.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const KEYS = Number(process.env.MAX_KEYS_BENCH_KEYS ?? 2_000_000);
const dir = mkdtempSync(join(tmpdir(), 'cep-max-keys-'));
const rows: Record<string, string | number>[] = [];

async function writeEvents(path: string): Promise<void> {
  const out = createWriteStream(path);
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < KEYS; i++) {
    if (!out.write(`{"type":"a","ts":${base + i},"id":"key-${i}","amount":${i % 100}}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** Runs the CLI; returns its peak RSS (MB), wall time and summary line. */
function run(rules: string, input: string, heapMb: number | null): { rssMb: number; seconds: number; status: number | null; summary: string } {
  const atExit = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))';
  const node = [...(heapMb === null ? [] : [`--max-old-space-size=${heapMb}`]), '--import', atExit];
  const start = performance.now();
  const r = spawnSync(process.execPath, [...node, join(here, '..', 'dist', 'runtime', 'cli.js'), 'run', rules, '--input', input, '--max-keys', '10000', '--out', '/dev/null', '--no-progress'], { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  const rss = /maxrss=(\d+)/.exec(r.stderr);
  const summary = r.stderr.split('\n').filter((l) => l.startsWith('cep: ')).join(' | ');
  return { rssMb: rss === null ? NaN : Math.round(Number(rss[1]) / 1024), seconds: Math.round(seconds * 10) / 10, status: r.status, summary };
}

try {
  const input = join(dir, 'keys.ndjson');
  const rules = join(dir, 'pending.cep');
  writeFileSync(rules, 'rule pending\n  key by id\n  pattern a as first -> b as second\n  within 1h\n');
  await writeEvents(input);
  for (const heap of [null, 256]) {
    const r = run(rules, input, heap);
    rows.push({ case: `${KEYS.toLocaleString('en-US')} keys, --max-keys 10000${heap === null ? '' : `, heap ${heap} MB`}`, 'exit code': r.status ?? 'killed', 'peak RSS MB': r.rssMb, seconds: r.seconds, summary: r.summary });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows.map(({ summary, ...rest }) => rest));
for (const r of rows) console.log(r.summary);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'max-keys.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
