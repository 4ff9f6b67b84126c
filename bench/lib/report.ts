/**
 * The report of the peer benchmarks: one row per (workload, engine) with the agreement check
 * against our match count and the throughput ratio ours/peer, printed as a Markdown table (so it
 * can be pasted into bench/README.md as is), and the machine it ran on.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import type { RunResult } from './measure.js';
import type { RunOutcome } from './runners.js';

/** One row of the report. */
export interface Row {
  readonly workload: string;
  readonly title: string;
  readonly engine: string;
  readonly skip: string;
  /** The figures, or null when the engine could not run the workload. */
  readonly result: RunResult | null;
  /** Why there are no figures (n/a). */
  readonly na?: string;
  /** For a peer: does its match count equal ours? null when either has no figures. */
  readonly sameMatches: boolean | null;
  /** For a peer: our events/s divided by the peer's (> 1: we are faster). */
  readonly throughputRatio: number | null;
  /** For a peer: the peer's CPU time divided by ours (> 1: we use less). */
  readonly cpuRatio: number | null;
  /** For a peer: our peak RSS divided by the peer's (< 1: we use less). */
  readonly rssRatio: number | null;
}

/** The rows of one workload: ours first, then each peer compared with ours. */
export function rowsOf(workload: string, title: string, skip: string, outcomes: ReadonlyMap<string, RunOutcome>): Row[] {
  const oursOutcome = outcomes.get('ours');
  const ours = oursOutcome?.ok === true ? oursOutcome.result : null;
  const rows: Row[] = [];
  for (const [engine, outcome] of outcomes) {
    const result = outcome.ok ? outcome.result : null;
    const peer = engine !== 'ours' && result !== null && ours !== null;
    rows.push({
      workload,
      title,
      engine,
      skip,
      result,
      na: outcome.ok ? undefined : outcome.na,
      sameMatches: peer ? result.matches === ours.matches : null,
      throughputRatio: peer ? ours.eventsPerSecond / result.eventsPerSecond : null,
      cpuRatio: peer ? result.cpuSeconds / ours.cpuSeconds : null,
      rssRatio: peer ? ours.peakRssMb / result.peakRssMb : null,
    });
  }
  return rows;
}

function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The rows as a Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const header = ['workload', 'engine', 'skip', 'events', 'wall s', 'CPU s', 'events/s', 'ours/peer events/s', 'ours/peer CPU', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'peak heap MiB', 'matches', 'same matches as ours'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i < 3 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const r = row.result;
    if (r === null) {
      lines.push(`| ${row.workload} | ${row.engine} | ${row.skip} | n/a: ${(row.na ?? '').replace(/\|/g, '/')} |  |  |  |  |  |  |  |  |  |  |  |`);
      continue;
    }
    const check = row.engine === 'ours' ? '' : row.sameMatches === null ? '–' : row.sameMatches ? 'yes' : '**NO**';
    const ratio = row.throughputRatio === null ? '' : `${fmt(row.throughputRatio, 2)}×`;
    const cpuRatio = row.cpuRatio === null ? '' : `${fmt(row.cpuRatio, 2)}×`;
    lines.push(
      `| ${row.workload} | ${row.engine} ${r.version} | ${row.skip} | ${fmt(r.events)} | ${fmt(r.seconds, 2)} | ${fmt(r.cpuSeconds, 2)} | ${fmt(r.eventsPerSecond)} | ${ratio} | ${cpuRatio} | ${fmt(r.latencyP50Ms, 2)} | ${fmt(r.latencyP99Ms, 2)} | ${fmt(r.peakRssMb)} | ${fmt(r.peakHeapMb)} | ${fmt(r.matches)} | ${check} |`,
    );
  }
  return lines.join('\n');
}

/** The machine the run happened on. */
export interface Machine {
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly cpu: string;
  readonly node: string;
  readonly java: string;
  readonly maven: string;
}

/** Reads nproc, memory, the CPU model (/proc/cpuinfo) and the node, java and mvn versions. */
export function machine(): Machine {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: the CPU model stays unknown
  }
  const firstLine = (command: string, args: string[]): string => {
    const r = spawnSync(command, args, { encoding: 'utf8' });
    if (r.error !== undefined) return 'not found';
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0].replace(/\x1b\[[0-9;]*m/g, '').trim();
  };
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu,
    node: process.version,
    java: firstLine('java', ['-version']),
    maven: firstLine('mvn', ['-v']),
  };
}
