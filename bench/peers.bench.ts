/**
 * Our engine side by side with Apache Flink CEP and Esper (issue 6), on the same events and the
 * same patterns, in one run: `npm run bench` (or `npm run bench -- peers`).
 *
 * For each workload of bench/lib/workloads.ts it
 *  1. writes the input (a seeded synthetic stream, cached in bench/results/tmp/) or takes the real
 *     dataset, and the rule file;
 *  2. runs our engine, then each peer (built with Maven on first use), each in its own process;
 *  3. checks that each peer found as many matches as we did under the same skip strategy, and
 *     computes the ratios ours/peer of events per second and peer/ours of CPU time.
 * It prints a Markdown table, writes bench/results/peers.json and the scaling chart
 * bench/results/peers-scaling.svg, and exits 1 if a peer's match count differs from ours or an
 * engine failed.
 *
 * Environment: BENCH_QUICK=1 (or `--quick`) runs small sizes (a smoke run); BENCH_PEERS=ab,ssh
 * runs only the named workloads; BENCH_SKIP_PEERS=1 runs ours only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scalingChartSvg, type ScalingPoint } from './lib/chart.js';
import { FORMAT_VERSION, pendingKeys, writeEvents, writeStream } from './lib/generate.js';
import { machine, markdownTable, rowsOf, type Row } from './lib/report.js';
import { buildPeers, runOurs, runPeer, type PeerName, type RunOutcome } from './lib/runners.js';
import { FULL, QUICK, workloads, type Workload } from './lib/workloads.js';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, 'results');
const TMP = join(RESULTS, 'tmp');
const PEERS: readonly PeerName[] = ['flink', 'esper'];

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_PEERS?.split(',').filter((s) => s !== '');
const sizes = quick ? QUICK : FULL;
/** Per-run time limit, ms. */
const TIMEOUT = quick ? 180_000 : 1_200_000;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Writes the workload's input if it is generated and not cached yet; returns its path. */
async function inputOf(workload: Workload): Promise<string> {
  const input = workload.input;
  if ('file' in input) return input.file;
  const hash = createHash('sha1').update(JSON.stringify({ input, format: FORMAT_VERSION })).digest('hex').slice(0, 10);
  const path = join(TMP, `peers-${workload.id}-${hash}.ndjson`);
  if (!existsSync(path)) {
    if ('synthetic' in input) {
      log(`generating ${workload.id}: ${input.synthetic.events.toLocaleString('en-US')} events, ${input.synthetic.keys.toLocaleString('en-US')} keys...`);
      await writeStream(input.synthetic, `${path}.part`);
    } else {
      log(`generating ${workload.id}: ${input.pendingKeys.toLocaleString('en-US')} pending keys...`);
      await writeEvents(pendingKeys(input.pendingKeys), `${path}.part`);
    }
    renameSync(`${path}.part`, path);
  }
  return path;
}

/** Writes the workload's rule text to a file (or takes its rule file); returns the path. */
function rulesOf(workload: Workload): string {
  if ('file' in workload.rules) return workload.rules.file;
  const path = join(TMP, `peers-${workload.id}.cep`);
  writeFileSync(path, `${workload.rules.text}\n`);
  return path;
}

function describe(outcome: RunOutcome): string {
  if (!outcome.ok) return `n/a (${outcome.na})`;
  const r = outcome.result;
  return `${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s, ${r.matches.toLocaleString('en-US')} matches, p99 ${r.latencyP99Ms?.toFixed(1) ?? '–'} ms, RSS ${Math.round(r.peakRssMb)} MiB`;
}

async function main(): Promise<number> {
  mkdirSync(TMP, { recursive: true });
  const selected = workloads(sizes).filter((w) => only === undefined || only.includes(w.id));
  const peerStatus = process.env.BENCH_SKIP_PEERS === '1' ? { flink: 'skipped (BENCH_SKIP_PEERS=1)', esper: 'skipped (BENCH_SKIP_PEERS=1)' } : buildPeers(log);
  const rows: Row[] = [];
  const points: ScalingPoint[] = [];
  for (const workload of selected) {
    const input = await inputOf(workload);
    const outcomes = new Map<string, RunOutcome>();
    log(`${workload.title}`);
    outcomes.set('ours', runOurs({ ruleFiles: [rulesOf(workload)], input, maxDelay: workload.maxDelay, workload: workload.id }, TIMEOUT));
    log(`  ours:  ${describe(outcomes.get('ours')!)}`);
    for (const peer of PEERS) {
      const status = peerStatus[peer];
      const outcome: RunOutcome =
        status !== null
          ? { ok: false, na: status }
          : runPeer(peer, { workload: workload.peer, input, within: workload.within, maxDelay: workload.maxDelay, skip: workload.skip, keyField: workload.keyField, attrs: workload.attrs, copies: workload.copies }, TIMEOUT);
      outcomes.set(peer, outcome);
      log(`  ${peer}: ${describe(outcome)}`);
    }
    const skip = workload.skip === 'noSkip' ? 'none' : 'past last';
    rows.push(...rowsOf(workload.id, workload.title, skip, outcomes));
    if (workload.series !== undefined) {
      for (const [engine, outcome] of outcomes) {
        if (outcome.ok) points.push({ series: workload.series.name, x: workload.series.x, engine, eventsPerSecond: outcome.result.eventsPerSecond, peakRssMb: outcome.result.peakRssMb });
      }
    }
  }
  const host = machine();
  const table = markdownTable(rows);
  process.stdout.write(`\n${table}\n\nmachine: ${host.nproc} cores, ${host.memoryGiB} GiB, ${host.cpu}; node ${host.node}; ${host.java}\n`);
  const mismatches = rows.filter((r) => r.sameMatches === false);
  const failures = rows.filter((r) => r.result === null && r.engine === 'ours');
  for (const r of mismatches) process.stdout.write(`MISMATCH: ${r.engine} found ${r.result?.matches} matches on ${r.workload}, ours ${rows.find((o) => o.workload === r.workload && o.engine === 'ours')?.result?.matches}\n`);
  for (const r of failures) process.stdout.write(`FAILED: ours on ${r.workload}: ${r.na}\n`);
  const name = quick ? 'peers-quick' : 'peers';
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify({ suite: 'peers', quick, date: new Date().toISOString(), machine: host, sizes, rows }, null, 2)}\n`);
  if (points.length > 0) {
    const subtitle = `${sizes.scalingEvents.toLocaleString('en-US')} events per point; ${host.nproc} cores, ${host.cpu}`;
    writeFileSync(join(RESULTS, `${name}-scaling.svg`), await scalingChartSvg(points, subtitle));
  }
  process.stdout.write(`wrote bench/results/${name}.json${points.length > 0 ? ` and bench/results/${name}-scaling.svg` : ''}\n`);
  return mismatches.length > 0 || failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
