/**
 * A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM) for tests,
 * benchmarks, CI and the README's live-mode walk-through. Nothing is downloaded by hand: the jars
 * of `org.apache.kafka:kafka_2.13` (3.9.x) plus an SLF4J binding are resolved from Maven Central by
 * `mvn dependency:copy-dependencies` (scripts/kafka/pom.xml) into `.cache/kafka/libs`, once, and
 * reused by later runs. Each start formats a fresh log directory (`kafka.tools.StorageTool format`)
 * under the OS temp dir, runs `kafka.Kafka` on 127.0.0.1 with free ports, and waits until the broker
 * answers a metadata request.
 *
 * Requires Java 17+ (`java`) and Maven (`mvn`) on the PATH; a missing one is an error that says so.
 *
 * Command line: `npx tsx scripts/kafka/broker.ts [--port N]` starts a broker in the foreground,
 * prints `KAFKA_BROKERS=127.0.0.1:PORT` on stdout and stops it (and deletes its data) on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (scripts/kafka/../..). */
const repoRoot = resolve(here, '..', '..');

export interface BrokerOptions {
  /** Where the resolved jars are cached; default `<repo>/.cache/kafka/libs`. */
  readonly libDir?: string;
  /** Client (PLAINTEXT) port; default 0 = a free port chosen by the OS. */
  readonly port?: number;
  /** How long to wait for the broker to answer, ms; default 120000. */
  readonly startTimeoutMs?: number;
  /** JVM heap, passed as -Xmx; default `512m`. */
  readonly heap?: string;
}

/** A running broker. */
export interface Broker {
  /** Bootstrap address `127.0.0.1:PORT`, for kafkajs `brokers: [...]`. */
  readonly bootstrap: string;
  /** The broker's data and log directory (deleted by `stop`). */
  readonly dataDir: string;
  /** Stops the JVM (SIGTERM, then SIGKILL after 15 s) and deletes the data directory. */
  stop(): Promise<void>;
}

/**
 * Resolves the broker jars into `libDir` with Maven unless they are already there.
 * @returns the lib directory.
 * @throws Error when `mvn` is missing or the resolution fails (its output is in the message).
 */
export function resolveKafkaJars(libDir = join(repoRoot, '.cache', 'kafka', 'libs')): string {
  if (existsSync(libDir) && readdirSync(libDir).some((f) => /^kafka_2\.13-3\.9\.\d+\.jar$/.test(f))) return libDir;
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime'],
    { encoding: 'utf8' },
  );
  if (mvn.error) throw new Error(`cannot run Maven ('mvn') to resolve the Kafka jars: ${mvn.error.message}; install Maven (apt-get install -y maven)`, { cause: mvn.error });
  if (mvn.status !== 0) throw new Error(`Maven could not resolve the Kafka jars (exit ${mvn.status}):\n${mvn.stdout}${mvn.stderr}`);
  return libDir;
}

/** A free TCP port on 127.0.0.1, chosen by the OS. */
async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/** Single-node KRaft settings: replication factor and min ISR 1 for the internal topics. */
function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    // One partition for the offsets topic: a test broker's first group join is then quick.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'log.flush.interval.messages=9223372036854775807',
    '',
  ].join('\n');
}

/** log4j 1 (reload4j) settings: warnings and above into the data dir, nothing on the console. */
function log4jProperties(dataDir: string): string {
  return [
    'log4j.rootLogger=WARN, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${join(dataDir, 'server.log')}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.server.KafkaServer=INFO',
    'log4j.logger.kafka.server.BrokerServer=INFO',
    '',
  ].join('\n');
}

/** Resolves once a TCP connection to 127.0.0.1:port succeeds; rejects after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Kafka broker exited with code ${child.exitCode} while starting; see ${logFile}`);
    const open = await new Promise<boolean>((ok) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); ok(true); });
      socket.once('error', () => ok(false));
    });
    if (open) return;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`the Kafka broker did not open 127.0.0.1:${port} within ${timeoutMs} ms; see ${logFile}`);
}

/**
 * Starts a broker and resolves once its client port accepts connections (the broker registers
 * itself with its own controller before opening that port).
 * @throws Error when Java or Maven is missing, formatting fails, or the broker does not come up.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const libDir = resolveKafkaJars(options.libDir);
  const classpath = join(libDir, '*');
  const dataDir = mkdtempSync(join(tmpdir(), 'cep-kafka-'));
  const port = options.port ?? (await freePort());
  const controllerPort = await freePort();
  const config = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  writeFileSync(config, serverProperties(dataDir, port, controllerPort));
  writeFileSync(log4j, log4jProperties(dataDir));
  const jvm = [`-Xmx${options.heap ?? '512m'}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j.configuration=file:${log4j}`, '-cp', classpath];

  // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding (StorageTool random-uuid).
  const clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], { encoding: 'utf8' });
  if (format.error) throw new Error(`cannot run 'java' (Java 17 is required for the Kafka broker): ${format.error.message}`, { cause: format.error });
  if (format.status !== 0) throw new Error(`kafka.tools.StorageTool format failed (exit ${format.status}):\n${format.stdout}${format.stderr}`);

  const child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, options.startTimeoutMs ?? 120_000, child, join(dataDir, 'server.log'));
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: error });
  }
  return { bootstrap: `127.0.0.1:${port}`, dataDir, stop };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const portFlag = process.argv.indexOf('--port');
  const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    process.stderr.write('usage: tsx scripts/kafka/broker.ts [--port N]  (N: 1-65535)\n');
    process.exit(2);
  }
  const broker = await startBroker({ port });
  process.stdout.write(`KAFKA_BROKERS=${broker.bootstrap}\n`);
  process.stderr.write(`Kafka broker running (data in ${broker.dataDir}); Ctrl-C stops it.\n`);
  const shutdown = (): void => { void broker.stop().then(() => process.exit(0)); };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
