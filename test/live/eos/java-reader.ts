/**
 * The alert topic as Kafka's own Java consumer sees it (test/live/eos/ReadCommitted.java, run in
 * source-file mode with the broker's jars): the reference `read_committed` reader of the harness's
 * final comparison. kafkajs's reader (alert-reader.ts) drives the run (kill points, "settled");
 * the verdict does not depend on kafkajs's client-side filtering of aborted transactions alone.
 *
 * Needs `java` (17+, a JDK: source-file mode compiles in memory) and the jars that
 * scripts/kafka/broker.ts resolves; both are there wherever the test broker runs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertJson } from './compare.js';
import { REPO_ROOT } from './cep-process.js';

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
  let libs: string;
  try {
    const broker = (await import('../../../scripts/kafka/broker.js')) as { resolveKafkaJars: () => string };
    libs = broker.resolveKafkaJars();
  } catch (error) {
    return `no Kafka jars: ${(error as Error).message}`;
  }
  const source = join(REPO_ROOT, 'test', 'live', 'eos', 'ReadCommitted.java');
  const child = spawn('java', ['-cp', join(libs, '*'), source, brokers.join(','), topic, outFile, isolation, '60000'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
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
