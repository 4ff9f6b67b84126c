/**
 * Builds and runs the engines of the peer benchmarks, each run in its own process:
 * - ours: `node --import tsx bench/lib/ours.ts` (our engine through its programmatic API);
 * - Flink CEP and Esper: the Maven projects under bench/peers, built from Maven Central with
 *   `mvn -q -B package dependency:build-classpath` (classes and the dependency class path go to
 *   each project's target/, which git ignores), then run with `java -cp`.
 *
 * Every runner prints one `RESULT {json}` line (a {@link RunResult}) or, for a workload a peer
 * cannot express, one `NA reason` line. The heap limit is the same on both sides (8 GiB).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './measure.js';
import type { OursJob } from './ours.js';
import type { PeerSkip, PeerWorkload } from './workloads.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/peers: one Maven project per peer. */
export const PEERS_DIR = join(here, '..', 'peers');

/** Heap limit given to every engine, MiB. */
const HEAP_MB = 8192;

/** The Java peers. */
export type PeerName = 'flink' | 'esper';

/** Main class of each peer. */
const MAIN: Record<PeerName, string> = { flink: 'bench.peers.FlinkPeer', esper: 'bench.peers.EsperPeer' };

/**
 * Flink 1.20 on Java 17 reflects into JDK internals (Kryo, closure cleaning); these are the
 * `--add-opens` Flink's own `env.java.opts.all` default sets for these modules.
 */
const FLINK_JVM_OPENS = [
  'java.base/java.lang',
  'java.base/java.lang.reflect',
  'java.base/java.io',
  'java.base/java.net',
  'java.base/java.nio',
  'java.base/sun.nio.ch',
  'java.base/java.text',
  'java.base/java.time',
  'java.base/java.util',
  'java.base/java.util.concurrent',
  'java.base/java.util.concurrent.atomic',
  'java.base/java.util.concurrent.locks',
].map((m) => `--add-opens=${m}=ALL-UNNAMED`);

/** The outcome of one run: figures, or why there are none. */
export type RunOutcome = { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly na: string };

/** Parses a runner's stdout; anything but a RESULT or NA line becomes a failure with its stderr tail. */
function outcomeOf(name: string, status: number | null, stdout: string, stderr: string, timedOut: boolean): RunOutcome {
  if (timedOut) return { ok: false, na: `${name}: stopped after the time limit` };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('RESULT ')) return { ok: true, result: JSON.parse(line.slice(7)) as RunResult };
    if (line.startsWith('NA ')) return { ok: false, na: line.slice(3) };
  }
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
  const first = lines.find((l) => !/^\s+at /.test(l)) ?? '';
  return { ok: false, na: `${name} failed (exit ${status}): ${first.slice(0, 300)}` };
}

/** Runs a command with a time limit (ms), capturing its output. */
function run(name: string, command: string, args: string[], timeoutMs: number, cwd?: string): RunOutcome {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20, killSignal: 'SIGKILL' });
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') {
    return { ok: false, na: `${name}: ${r.error.message}` };
  }
  return outcomeOf(name, r.status, r.stdout ?? '', r.stderr ?? '', r.signal === 'SIGKILL');
}

/** Runs our engine on one job in a fresh Node process. */
export function runOurs(job: OursJob, timeoutMs: number): RunOutcome {
  const args = [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', join(here, 'ours.ts'), JSON.stringify(job)];
  return run('ours', process.execPath, args, timeoutMs);
}

/** What a peer is asked to run. */
export interface PeerJob {
  readonly workload: PeerWorkload;
  readonly input: string;
  readonly within: number;
  readonly maxDelay: number;
  readonly skip: PeerSkip;
  readonly keyField: string;
  /** Fields kept as text for the rules' conditions. */
  readonly attrs?: readonly string[];
  /** For `disjoint`: the number of rules. */
  readonly copies?: number;
}

/**
 * Builds both peers; returns, per peer, null when it is ready or the reason it is not (no Java,
 * no Maven, a failed build). Maven downloads Flink and Esper from Maven Central on first use.
 */
export function buildPeers(log: (line: string) => void): Record<PeerName, string | null> {
  const status: Record<PeerName, string | null> = { flink: null, esper: null };
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  for (const peer of Object.keys(status) as PeerName[]) {
    if (java.error !== undefined) status[peer] = 'java not found (Java 17 is needed)';
    else if (mvn.error !== undefined) status[peer] = 'mvn not found (Maven is needed)';
    if (status[peer] !== null) continue;
    log(`building the ${peer} peer with Maven (first run downloads it from Maven Central)...`);
    const build = spawnSync('mvn', ['-q', '-B', 'package', 'dependency:build-classpath', '-DskipTests'], {
      cwd: join(PEERS_DIR, peer),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (build.status !== 0) status[peer] = `maven build failed: ${(build.stdout + build.stderr).trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
  }
  return status;
}

/** The version of the peer's engine as its pom.xml pins it. */
export function peerVersion(peer: PeerName): string {
  const pom = readFileSync(join(PEERS_DIR, peer, 'pom.xml'), 'utf8');
  return /<(?:flink|esper)\.version>([^<]+)</.exec(pom)?.[1] ?? 'unknown';
}

/** Runs one workload on a built peer in a fresh JVM. */
export function runPeer(peer: PeerName, job: PeerJob, timeoutMs: number): RunOutcome {
  const dir = join(PEERS_DIR, peer);
  const classpathFile = join(dir, 'target', 'classpath.txt');
  if (!existsSync(classpathFile)) return { ok: false, na: `${peer} is not built` };
  const classpath = `${join(dir, 'target', 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`;
  const args = [
    `-Xmx${HEAP_MB}m`,
    ...(peer === 'flink' ? FLINK_JVM_OPENS : []),
    '-cp',
    classpath,
    MAIN[peer],
    '--workload', job.workload,
    '--input', job.input,
    '--within', String(job.within),
    '--max-delay', String(job.maxDelay),
    '--skip', job.skip,
    '--key-field', job.keyField,
    ...(job.attrs !== undefined && job.attrs.length > 0 ? ['--attrs', job.attrs.join(',')] : []),
    ...(job.copies !== undefined ? ['--copies', String(job.copies)] : []),
  ];
  return run(peer, 'java', args, timeoutMs);
}
