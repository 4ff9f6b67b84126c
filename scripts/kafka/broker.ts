/**
 * A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM) for tests,
 * benchmarks, CI and the README's live-mode walk-through. Nothing is downloaded by hand: the jars
 * of `org.apache.kafka:kafka_2.13` (4.x; the version is `kafka.version` in scripts/kafka/pom.xml)
 * plus an SLF4J binding for log4j2 are resolved from Maven Central by
 * `mvn dependency:copy-dependencies` into `.cache/kafka/<version>/libs`, once, and reused by later
 * runs. Each start formats a fresh log directory (`kafka.tools.StorageTool format`) under the OS temp
 * dir, runs `kafka.Kafka` on 127.0.0.1 with free ports, and waits until every listener accepts
 * connections.
 *
 * With `security: true` the broker also has TLS and SASL listeners (see {@link BrokerSecurity}):
 * the certificates are made with openssl in the data directory (scripts/kafka/certs.ts) and one
 * user is created for PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (SCRAM credentials are written into
 * the cluster metadata at format time, `--add-scram`, as KRaft requires).
 *
 * Requires Java 17+ (`java`) and Maven (`mvn`) on the PATH, and `openssl` for `security`; a missing
 * one is an error that says so.
 *
 * Command line: `npx tsx scripts/kafka/broker.ts [--port N] [--security]` starts a broker in the
 * foreground, prints `KAFKA_BROKERS=127.0.0.1:PORT` (and with `--security` the secured listeners,
 * the CA and client files and the SASL user) on stdout and stops it (and deletes its data) on Ctrl-C.
 * `npx tsx scripts/kafka/broker.ts --resolve` only resolves the jars and prints their directory
 * (scripts/ensure-test-deps.sh).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestCertificates } from './certs.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (scripts/kafka/../..). */
const repoRoot = resolve(here, '..', '..');
const pom = join(here, 'pom.xml');

/** The Kafka version the pom resolves (`<kafka.version>`). */
export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pom, 'utf8'));
  if (m === null) throw new Error(`${pom} has no <kafka.version>`);
  return m[1];
}

export interface BrokerOptions {
  /** Where the resolved jars are cached; default `<repo>/.cache/kafka/<version>/libs`. */
  readonly libDir?: string;
  /** Client (PLAINTEXT) port; default 0 = a free port chosen by the OS. */
  readonly port?: number;
  /** How long to wait for the broker to answer, ms; default 120000. */
  readonly startTimeoutMs?: number;
  /** JVM heap, passed as -Xmx; default `512m`. */
  readonly heap?: string;
  /** Also open the TLS and SASL listeners of {@link BrokerSecurity}; default false. */
  readonly security?: boolean;
}

/**
 * The secured listeners of a broker started with `security: true`, each `127.0.0.1:PORT`, and what a
 * client needs to use them. Plain strings only, so it can be handed to tests (Vitest `provide`).
 */
export interface BrokerSecurity {
  /** TLS, server certificate only (the client trusts `caFile`). */
  readonly ssl: string;
  /** TLS that requires a client certificate signed by the CA (`clientCertFile`, `clientKeyFile`). */
  readonly mtls: string;
  /** SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) over TLS. */
  readonly saslSsl: string;
  /** SASL (the same mechanisms) without TLS. */
  readonly saslPlaintext: string;
  /** The CA certificate (PEM) that signed the broker's and the client's certificates. */
  readonly caFile: string;
  /** A client certificate (PEM) and its unencrypted key (PEM, PKCS#8). */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The SASL user known to every mechanism, and its password. */
  readonly user: string;
  readonly password: string;
}

/** A running broker. */
export interface Broker {
  /** Bootstrap address `127.0.0.1:PORT` of the PLAINTEXT listener, for kafkajs `brokers: [...]`. */
  readonly bootstrap: string;
  /** The broker's data and log directory (deleted by `stop`). */
  readonly dataDir: string;
  /** The secured listeners, when started with `security: true`. */
  readonly security?: BrokerSecurity;
  /**
   * CPU time (user + system, ms) the broker's JVM has used so far, from `/proc/PID/stat` (Linux);
   * NaN when it is not running or `/proc` cannot be read. Benchmarks difference two readings.
   */
  cpuMs(): number;
  /** Stops the JVM (SIGTERM, then SIGKILL after 15 s) and deletes the data directory. */
  stop(): Promise<void>;
}

/**
 * Resolves the broker jars into `libDir` with Maven unless they are already there. Maven copies into
 * a sibling directory that is renamed into place at the end, so an interrupted copy is never taken
 * for a complete one.
 * @returns the lib directory.
 * @throws Error when `mvn` is missing or the resolution fails (its output is in the message).
 */
export function resolveKafkaJars(libDir?: string): string {
  const version = kafkaVersion();
  const dir = libDir ?? join(repoRoot, '.cache', 'kafka', version, 'libs');
  if (existsSync(dir) && readdirSync(dir).includes(`kafka_2.13-${version}.jar`)) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const mvn = spawnSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'], { encoding: 'utf8' });
  if (mvn.error) throw new Error(`cannot run Maven ('mvn') to resolve the Kafka jars: ${mvn.error.message}; install Maven (apt-get install -y maven)`, { cause: mvn.error });
  if (mvn.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`Maven could not resolve the Kafka ${version} jars (exit ${mvn.status}):\n${mvn.stdout}${mvn.stderr}`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process (a parallel first run) won the race: its copy is as good as ours.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, `kafka_2.13-${version}.jar`))) throw error;
  }
  return dir;
}

/**
 * `count` distinct free TCP ports on 127.0.0.1, chosen by the OS. Every port is held until all are
 * chosen: a port released at once can be handed out again by the next request (a broker then had
 * two listeners on one port and did not start).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((ok, fail) => {
            server.once('error', fail);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              ok(typeof address === 'object' && address ? address.port : 0);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((ok) => (server.listening ? server.close(() => ok()) : ok()))));
  }
}

/** The ports of the secured listeners and the files and secrets they use. */
interface SecureListeners {
  readonly ports: { readonly ssl: number; readonly mtls: number; readonly saslSsl: number; readonly saslPlaintext: number };
  readonly caFile: string;
  readonly keystore: string;
  readonly keystorePassword: string;
  readonly user: string;
  readonly password: string;
}

/** A value for a `.properties` file: backslashes and the characters Java treats specially escaped. */
const propertyValue = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/**
 * Single-node KRaft settings: replication factor and min ISR 1 for the internal topics, no wait for
 * more group members, and room for long transactions. Kafka 4 removed the ZooKeeper-era and
 * message-format settings; none of those is used here.
 */
function serverProperties(dataDir: string, port: number, controllerPort: number, secure: SecureListeners | null): string {
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`];
  const protocols = ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT'];
  const extra: string[] = [];
  if (secure !== null) {
    const { ssl, mtls, saslSsl, saslPlaintext } = secure.ports;
    listeners.push(`SSL://127.0.0.1:${ssl}`, `MTLS://127.0.0.1:${mtls}`, `SASL_SSL://127.0.0.1:${saslSsl}`, `SASL_PLAINTEXT://127.0.0.1:${saslPlaintext}`);
    protocols.push('SSL:SSL', 'MTLS:SSL', 'SASL_SSL:SASL_SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT');
    extra.push(
      // One keystore (PKCS12: the broker's chain and key) and one truststore (PEM: the test CA) for every TLS listener.
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${propertyValue(secure.keystore)}`,
      `ssl.keystore.password=${secure.keystorePassword}`,
      `ssl.key.password=${secure.keystorePassword}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${propertyValue(secure.caFile)}`,
      'listener.name.mtls.ssl.client.auth=required',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    );
    // PLAIN keeps its users in the JAAS line; SCRAM reads the credentials that format wrote into the metadata.
    const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${secure.user}="${secure.password}";`;
    const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    for (const listener of ['sasl_ssl', 'sasl_plaintext']) {
      extra.push(
        `listener.name.${listener}.plain.sasl.jaas.config=${plain}`,
        `listener.name.${listener}.scram-sha-256.sasl.jaas.config=${scram}`,
        `listener.name.${listener}.scram-sha-512.sasl.jaas.config=${scram}`,
      );
    }
  }
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${listeners.join(',')},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=${listeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=${protocols.join(',')}`,
    `log.dirs=${propertyValue(join(dataDir, 'logs'))}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    // One partition for the offsets topic: a test broker's first group join is then quick.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    // A client may ask for a transaction timeout up to 1 h (the default cap is 15 min); a timed-out
    // transaction of a killed producer is aborted within 1 s of its timeout (default 10 s).
    'transaction.max.timeout.ms=3600000',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms=1000',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // The default, written out: consumer session timeouts from 6 s are accepted.
    'group.min.session.timeout.ms=6000',
    'auto.create.topics.enable=true',
    'log.flush.interval.messages=9223372036854775807',
    ...extra,
    '',
  ].join('\n');
}

/** log4j2 settings (Kafka 4 logs through log4j2): warnings and above into the data dir, nothing on the console. */
function log4j2Properties(dataDir: string): string {
  return [
    'status = error',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${propertyValue(join(dataDir, 'server.log'))}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.raftServer.name = kafka.server.KafkaRaftServer',
    'logger.raftServer.level = info',
    'logger.brokerServer.name = kafka.server.BrokerServer',
    'logger.brokerServer.level = info',
    '',
  ].join('\n');
}

/** Resolves once a TCP connection to 127.0.0.1:port succeeds; rejects after `timeoutMs`. */
async function waitForPort(port: number, deadline: number, child: ChildProcess, logFile: string): Promise<void> {
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
  throw new Error(`the Kafka broker did not open 127.0.0.1:${port} in time; see ${logFile}`);
}

/** Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; 100 on every Linux port Node runs on). */
const CLOCK_TICKS_PER_S = 100;

/** User + system CPU time of process `pid`, ms (fields 14 and 15 of `/proc/PID/stat`, after the command's closing parenthesis); NaN when unknown. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** A broker being started by {@link launchBroker}: its addresses and files are known before it answers. */
export interface StartingBroker extends Broker {
  /**
   * Resolves once every listener accepts connections. Rejects when the start fails (Java missing,
   * formatting failed, the JVM exited or did not open its ports in time), after the JVM is stopped
   * and the data directory deleted.
   */
  readonly ready: Promise<void>;
}

/** Runs `java ARGS` without blocking the event loop. @returns its exit status and output. @throws Error when `java` cannot be run. */
async function java(args: readonly string[]): Promise<{ status: number | null; output: string }> {
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [error, status] = await new Promise<[Error | null, number | null]>((ok) => {
    child.once('error', (e) => ok([e, null]));
    child.once('close', (code) => ok([null, code]));
  });
  if (error) throw new Error(`cannot run 'java' (Java 17 is required for the Kafka broker): ${error.message}`, { cause: error });
  return { status, output };
}

/**
 * Starts a broker in the background: resolves as soon as its ports are chosen and its configuration
 * and certificates written (the addresses are final), while the log directory is formatted and the
 * JVM starts; `ready` says when it answers. This lets a caller hand the addresses on (Vitest's
 * `provide`) and do other work during the JVM's start.
 * @throws Error when the jars cannot be resolved or openssl fails (with `security`); later failures reject `ready`.
 */
export async function launchBroker(options: BrokerOptions = {}): Promise<StartingBroker> {
  const libDir = resolveKafkaJars(options.libDir);
  const classpath = join(libDir, '*');
  const dataDir = mkdtempSync(join(tmpdir(), 'cep-kafka-'));
  let secure: SecureListeners | null = null;
  let port: number;
  let controllerPort: number;
  try {
    const [chosen, controller, ssl, mtls, saslSsl, saslPlaintext] = await freePorts(options.security === true ? 6 : 2);
    port = options.port ?? chosen;
    controllerPort = controller;
    if (options.security === true) {
      const certs = makeTestCertificates(dataDir);
      secure = {
        ports: { ssl, mtls, saslSsl, saslPlaintext },
        caFile: certs.caFile,
        keystore: certs.brokerKeystore,
        keystorePassword: certs.keystorePassword,
        user: 'cep',
        password: randomBytes(12).toString('hex'),
      };
    }
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const config = join(dataDir, 'server.properties');
  const log4j2 = join(dataDir, 'log4j2.properties');
  writeFileSync(config, serverProperties(dataDir, port, controllerPort, secure));
  writeFileSync(log4j2, log4j2Properties(dataDir));
  const jvm = [`-Xmx${options.heap ?? '512m'}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${log4j2}`, '-cp', classpath];

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  /** Stops the JVM if it runs (SIGTERM, then SIGKILL after 15 s) and deletes the data directory. */
  const halt = async (): Promise<void> => {
    const jvmProcess = child;
    if (jvmProcess !== null && jvmProcess.exitCode === null && jvmProcess.signalCode === null) {
      jvmProcess.kill('SIGTERM');
      const timer = setTimeout(() => jvmProcess.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const ready = (async (): Promise<void> => {
    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    try {
      // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding (StorageTool random-uuid).
      const clusterId = randomBytes(16).toString('base64url');
      const scram = secure === null ? [] : ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${secure.user},password=${secure.password}]`]);
      const format = await java([...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', config, ...scram]);
      if (format.status !== 0) throw new Error(`kafka.tools.StorageTool format failed (exit ${format.status}):\n${format.output}`);
      const jvmProcess = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = jvmProcess;
      jvmProcess.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
      exited = new Promise<void>((ok) => jvmProcess.once('exit', () => ok()));
      for (const p of [port, ...Object.values(secure?.ports ?? {})]) await waitForPort(p, deadline, jvmProcess, join(dataDir, 'server.log'));
    } catch (error) {
      await halt();
      throw new Error(`${(error as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: error });
    }
  })();
  // Whoever awaits `ready` sees its failure; nobody awaiting it is not an unhandled rejection.
  ready.catch(() => undefined);
  const at = (p: number): string => `127.0.0.1:${p}`;
  const security: BrokerSecurity | undefined = secure === null
    ? undefined
    : {
        ssl: at(secure.ports.ssl),
        mtls: at(secure.ports.mtls),
        saslSsl: at(secure.ports.saslSsl),
        saslPlaintext: at(secure.ports.saslPlaintext),
        caFile: secure.caFile,
        clientCertFile: join(dataDir, 'client.pem'),
        clientKeyFile: join(dataDir, 'client.key'),
        user: secure.user,
        password: secure.password,
      };
  const stop = async (): Promise<void> => {
    await ready.catch(() => undefined);
    await halt();
  };
  return { bootstrap: at(port), dataDir, security, ready, stop, cpuMs: () => processCpuMs(child?.pid) };
}

/**
 * Starts a broker and resolves once its client ports accept connections (the broker registers
 * itself with its own controller before opening them).
 * @throws Error when Java, Maven (or openssl with `security`) is missing, formatting fails, or the broker does not come up.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const broker = await launchBroker(options);
  await broker.ready;
  return { bootstrap: broker.bootstrap, dataDir: broker.dataDir, security: broker.security, stop: broker.stop, cpuMs: broker.cpuMs };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length === 1 && args[0] === '--resolve') {
    process.stdout.write(`${resolveKafkaJars()}\n`);
    process.exit(0);
  }
  const portFlag = args.indexOf('--port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : undefined;
  const known = new Set(['--port', '--security']);
  if ((port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) || args.some((a, i) => !known.has(a) && i !== portFlag + 1)) {
    process.stderr.write('usage: tsx scripts/kafka/broker.ts [--port N] [--security] | --resolve  (N: 1-65535)\n');
    process.exit(2);
  }
  const broker = await startBroker({ port, security: args.includes('--security') });
  process.stdout.write(`KAFKA_BROKERS=${broker.bootstrap}\n`);
  if (broker.security) {
    const s = broker.security;
    process.stdout.write(
      `KAFKA_SSL=${s.ssl}\nKAFKA_MTLS=${s.mtls}\nKAFKA_SASL_SSL=${s.saslSsl}\nKAFKA_SASL_PLAINTEXT=${s.saslPlaintext}\n` +
        `KAFKA_CA=${s.caFile}\nKAFKA_CERT=${s.clientCertFile}\nKAFKA_KEY=${s.clientKeyFile}\nKAFKA_USER=${s.user}\nCEP_KAFKA_PASSWORD=${s.password}\n`,
    );
  }
  process.stderr.write(`Kafka ${kafkaVersion()} broker running (data in ${broker.dataDir}); Ctrl-C stops it.\n`);
  const shutdown = (): void => { void broker.stop().then(() => process.exit(0)); };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
