/**
 * The alert topic as Kafka's own Java consumer sees it (test/live/eos/ReadCommitted.java, run with
 * the broker's jars): the reference `read_committed` reader of the harness's final comparison.
 * kafkajs's reader (alert-reader.ts) drives the run (kill points, "settled"); the verdict does not
 * depend on kafkajs's client-side filtering of aborted transactions alone.
 *
 * The reader is compiled once with `javac` into `.cache/kafka/<version>/read-committed/<hash of
 * the source>` (scripts/ensure-test-deps.sh does it before the tests: `npx tsx
 * test/live/eos/java-reader.ts --build`; otherwise its first use does), and runs with the client
 * JIT only and the serial collector: a short-lived JVM then starts in about a third of the time
 * of source-file mode, which compiled the source on every use.
 *
 * Needs a JDK 17+ (`java`, `javac`) and the jars that scripts/kafka/broker.ts resolves; both are
 * there wherever the test broker runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveKafkaJars } from '../../../scripts/kafka/broker.js';
import type { AlertJson } from './compare.js';
import { REPO_ROOT } from './cep-process.js';

const SOURCE = join(REPO_ROOT, 'test', 'live', 'eos', 'ReadCommitted.java');

/**
 * The directory of the compiled reader (`ReadCommitted.class`) for the jars in `libs`, compiled
 * now unless it is there. A compilation goes to a sibling directory renamed into place at the end,
 * so a parallel first use never sees half of one.
 * @throws Error with javac's output when it is missing or fails.
 */
export function compiledReader(libs: string): string {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(dirname(libs), 'read-committed', hash);
  if (existsSync(join(dir, 'ReadCommitted.class'))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const javac = spawnSync('javac', ['-d', partial, '-cp', join(libs, '*'), SOURCE], { encoding: 'utf8' });
  if (javac.error || javac.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`cannot compile ${SOURCE} with javac (a JDK 17+ is needed): ${javac.error?.message ?? `${javac.stdout}${javac.stderr}`}`);
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // A parallel first use won the race: its classes are the same.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, 'ReadCommitted.class'))) throw error;
  }
  return dir;
}

export interface JavaRead {
  readonly records: { partition: number; offset: number; value: AlertJson }[];
  readonly ms: number;
}

/**
 * Reads `topic` from the beginning to its end offsets (read_committed: last stable offsets) with
 * the Java consumer, through the NDJSON file `outFile`.
 * @returns the records, or an error text when Java, the jars or the read failed (never throws).
 */
export async function readWithJava(brokers: readonly string[], topic: string, outFile: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<JavaRead | string> {
  const started = Date.now();
  let classpath: string;
  try {
    const libs = resolveKafkaJars();
    classpath = `${compiledReader(libs)}:${join(libs, '*')}`;
  } catch (error) {
    return `no Java reader: ${(error as Error).message}`;
  }
  const jvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath];
  const child = spawn('java', [...jvm, 'ReadCommitted', brokers.join(','), topic, outFile, isolation, '60000'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((ok) => {
    child.once('error', () => ok(-1));
    child.once('exit', ok);
  });
  if (code !== 0) return `the Java reader exited with ${code}: ${stderr.trim()}`;
  const records = readFileSync(outFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { partition: number; offset: number; value: AlertJson });
  return { records, ms: Date.now() - started };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3 || process.argv[2] !== '--build') {
    process.stderr.write('usage: tsx test/live/eos/java-reader.ts --build  (compiles the reader once; prints its directory)\n');
    process.exit(2);
  }
  process.stdout.write(`${compiledReader(resolveKafkaJars())}\n`);
}
