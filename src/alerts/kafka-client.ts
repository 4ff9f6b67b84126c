/**
 * What every Kafka client of the engine shares (sink, source, admin, transactional producers):
 * checking the connection options (brokers, client id, TLS, SASL, topic names) and building a
 * kafkajs client whose log goes to stderr (stdout carries only alerts, DSL.md section 7).
 * {@link connectionOptionsFromCli} turns the `--kafka-ssl`, `--kafka-ca`, `--kafka-cert`,
 * `--kafka-key`, `--kafka-sasl`, `--kafka-user` options and `CEP_KAFKA_PASSWORD` (DSL.md section 9)
 * into the TLS/SASL part of {@link KafkaConnectionOptions}, to be spread into every client's options.
 *
 * The SASL password is never written anywhere: not in errors, not in logs.
 */
// First: kafkajs must load with the read_committed fix in place.
import './kafkajs-read-committed.js';
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Kafka, logLevel, type ISocketFactory, type logCreator, type SASLOptions } from 'kafkajs';
import { kafkaLogLevel } from './kafka-log-level.js';
import { SASL_MECHANISMS, type KafkaConnectionOptions, type KafkaSaslMechanism, type KafkaSaslOptions, type KafkaSecurityCliOptions, type KafkaSecurityOptions, type KafkaTlsOptions } from './kafka-options.js';

const LEVELS = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO } as const;

/**
 * kafkajs log lines as one JSON object per line on stderr, each at {@link kafkaLogLevel}'s level
 * (a response error kafkajs retries is a warning), those above the client's `logLevel` left out.
 */
const stderrLog: logCreator = (configured) => ({ namespace, level, log }) => {
  const shown = kafkaLogLevel(level, namespace, log);
  if (shown > configured) return;
  const { message, ...extra } = log;
  process.stderr.write(`${JSON.stringify({ level: logLevel[shown], namespace, message, ...extra })}\n`);
};

/** What to do about the TLS failures a user can fix, by Node's error code. */
const TLS_HINTS: Readonly<Record<string, string>> = {
  SELF_SIGNED_CERT_IN_CHAIN: "the broker's certificate is not signed by a trusted CA: give that CA's certificate (--kafka-ca, option ssl.caFile)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the broker's certificate is self-signed: give it as the CA (--kafka-ca, option ssl.caFile)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the broker's certificate is not signed by a trusted CA: give that CA's certificate (--kafka-ca, option ssl.caFile)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the broker's certificate is not signed by a trusted CA: give that CA's certificate (--kafka-ca, option ssl.caFile)",
  CERT_HAS_EXPIRED: "the broker's certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the broker's certificate is not issued for the host name in --kafka-brokers",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the broker refused the client certificate, or wants one: give a certificate its CA signed (--kafka-cert, --kafka-key)',
  // OpenSSL 3.2 and later (Node 22+) name the same alert `ssl/tls alert bad certificate`.
  'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE': 'the broker refused the client certificate, or wants one: give a certificate its CA signed (--kafka-cert, --kafka-key)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the broker wants a client certificate (--kafka-cert, --kafka-key)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the broker does not speak TLS on this port (leave out --kafka-ssl, or use its TLS listener)',
};

/**
 * kafkajs's own socket factory (plain TCP or TLS, keep-alive 60 s, no SNI for an IP address) plus
 * a hint on the TLS failures a user can fix: the error keeps Node's message and code, and the
 * message gains what to do. The hint is added before kafkajs reads the message (this listener is
 * registered first), so it reaches the CEP_KAFKA_CONNECT error the user sees.
 */
const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl ? tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...ssl }, onConnect) : netConnect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  if (ssl) {
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === undefined ? undefined : TLS_HINTS[error.code];
      if (hint === undefined || error.message.includes(hint)) return;
      // OpenSSL's text `80DC...:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/...` → its reason.
      const reason = /:SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1] ?? error.message.trim();
      error.message = `${reason} (${hint})`;
    });
  }
  return socket;
};

/**
 * Checks a `host:port` list.
 * @throws TypeError naming `what` (e.g. `Kafka sink option 'brokers'`) and the bad entry.
 */
export function checkBrokers(what: string, brokers: unknown): readonly string[] {
  if (!Array.isArray(brokers) || brokers.length === 0) throw new TypeError(`${what} must be a non-empty list of host:port, e.g. ['127.0.0.1:9092']`);
  for (const b of brokers) {
    const m = typeof b === 'string' ? /^(\[[^\]]+\]|[^:\s/]+):(\d{1,5})$/.exec(b) : null;
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new TypeError(`${what}: ${JSON.stringify(b)} is not host:port (e.g. 127.0.0.1:9092; no scheme, port 1-65535)`);
    }
  }
  return brokers as string[];
}

/**
 * Checks a topic name the way the broker does (`[A-Za-z0-9._-]`, 1-249 characters, not `.` or `..`).
 * @throws TypeError naming `what` and the bad name.
 */
export function checkTopic(what: string, topic: unknown): string {
  if (typeof topic !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw new TypeError(`${what}: ${JSON.stringify(topic)} is not a valid topic name (letters, digits, '.', '_', '-'; 1-249 characters)`);
  }
  return topic;
}

/** How each TLS file is named in messages: API option names, or the command line's. */
interface TlsNames {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The PEM texts of a TLS connection, read and checked. */
interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Why a file could not be read, without errno jargon. */
function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error).message;
}

/**
 * Reads and checks the PEM files: each readable and holding what it should (certificates, an
 * unencrypted private key), a certificate and a key only together.
 * @throws TypeError naming the option (as in `names`) and the path.
 */
function readTlsFiles(names: TlsNames, tls: KafkaTlsOptions): TlsFiles {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new TypeError(tls.certFile === undefined ? `${names.keyFile} needs ${names.certFile} (the certificate of that key)` : `${names.certFile} needs ${names.keyFile} (the private key of that certificate)`);
  }
  const read = (name: string, path: unknown, expect: RegExp, what: string): string => {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${name} must be a file path, got ${JSON.stringify(path)}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new TypeError(`${name} ${path}: cannot read the file (${unreadable(error)})`, { cause: error });
    }
    if (!expect.test(text)) throw new TypeError(`${name} ${path}: not ${what}`);
    return text;
  };
  const certificate = /-----BEGIN CERTIFICATE-----/;
  const files: { ca?: string; cert?: string; key?: string } = {};
  if (tls.caFile !== undefined) files.ca = read(names.caFile, tls.caFile, certificate, 'a PEM certificate file (-----BEGIN CERTIFICATE-----)');
  if (tls.certFile !== undefined) files.cert = read(names.certFile, tls.certFile, certificate, 'a PEM certificate file (-----BEGIN CERTIFICATE-----)');
  if (tls.keyFile !== undefined) {
    const key = read(names.keyFile, tls.keyFile, /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/, 'a PEM private key file (-----BEGIN PRIVATE KEY-----)');
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key)) {
      throw new TypeError(`${names.keyFile} ${tls.keyFile}: the key is encrypted; give an unencrypted key (openssl pkey -in KEY -out KEY.pem)`);
    }
    files.key = key;
  }
  return files;
}

/** @throws TypeError naming `what` when the SASL options are incomplete or the mechanism is unknown. */
function checkSasl(what: string, sasl: KafkaSaslOptions): SASLOptions {
  if (typeof sasl !== 'object' || sasl === null) throw new TypeError(`${what} option 'sasl' must be an object { mechanism, username, password }`);
  if (!(SASL_MECHANISMS as readonly string[]).includes(sasl.mechanism)) {
    throw new TypeError(`${what} option 'sasl.mechanism' must be one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(sasl.mechanism)}`);
  }
  if (typeof sasl.username !== 'string' || sasl.username.length === 0) throw new TypeError(`${what} option 'sasl.username' must be a non-empty string`);
  if (typeof sasl.password !== 'string' || sasl.password.length === 0) throw new TypeError(`${what} option 'sasl.password' must be a non-empty string`);
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
}

/**
 * Checks the common options and builds the client.
 * @throws TypeError for a bad option (see {@link checkBrokers}), a TLS file that cannot be read or
 *   is not PEM, a certificate without its key (or the reverse), incomplete SASL credentials;
 *   RangeError for a number out of range.
 */
export function createKafkaClient(what: string, options: KafkaConnectionOptions): Kafka {
  const brokers = checkBrokers(`${what} option 'brokers'`, options.brokers);
  const clientId = options.clientId ?? 'cep';
  if (typeof clientId !== 'string' || clientId.length === 0) throw new TypeError(`${what} option 'clientId' must be a non-empty string`);
  const level = options.logLevel ?? 'nothing';
  if (!(level in LEVELS)) throw new TypeError(`${what} option 'logLevel' must be one of ${Object.keys(LEVELS).join(', ')}, got ${JSON.stringify(level)}`);
  const connectionTimeout = options.connectionTimeoutMs ?? 3000;
  if (!Number.isInteger(connectionTimeout) || connectionTimeout < 1) throw new RangeError(`${what} option 'connectionTimeoutMs' must be a positive integer (ms), got ${connectionTimeout}`);
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 1 || retries > 100) throw new RangeError(`${what} option 'retries' must be an integer from 1 to 100, got ${retries}`);
  const ssl = options.ssl ?? false;
  if (typeof ssl !== 'boolean' && (typeof ssl !== 'object' || ssl === null)) throw new TypeError(`${what} option 'ssl' must be true, false or { caFile, certFile, keyFile }`);
  const tls = typeof ssl === 'object'
    ? readTlsFiles({ caFile: `${what} option 'ssl.caFile'`, certFile: `${what} option 'ssl.certFile'`, keyFile: `${what} option 'ssl.keyFile'` }, ssl)
    : ssl;
  const sasl = options.sasl === undefined ? undefined : checkSasl(what, options.sasl);
  return new Kafka({ brokers: [...brokers], clientId, logLevel: LEVELS[level], logCreator: options.logCreator ?? stderrLog, connectionTimeout, retry: { retries }, ssl: tls, sasl, socketFactory });
}

/**
 * The TLS/SASL part of the connection options from the command line, to spread into the options of
 * every Kafka client a command creates: `{ brokers, ...connectionOptionsFromCli(opts), ... }`.
 * `--kafka-ca`, `--kafka-cert` and `--kafka-key` imply `--kafka-ssl`; `--kafka-sasl` needs
 * `--kafka-user`, and the password comes only from `CEP_KAFKA_PASSWORD` in `env`. The files are
 * checked here too, so that a mistake is reported with the option the user typed.
 * @returns `{}` when no TLS/SASL option is given (the keys are then absent, not undefined).
 * @throws TypeError (bad usage: the command line turns it into exit 2) naming the option, e.g.
 *   `--kafka-ca /etc/ca.pem: cannot read the file (no such file)`, or the missing `CEP_KAFKA_PASSWORD`.
 */
export function connectionOptionsFromCli(opts: KafkaSecurityCliOptions, env: NodeJS.ProcessEnv = process.env): KafkaSecurityOptions {
  const out: { ssl?: boolean | KafkaTlsOptions; sasl?: KafkaSaslOptions } = {};
  const files = { caFile: opts.kafkaCa, certFile: opts.kafkaCert, keyFile: opts.kafkaKey };
  if (files.caFile !== undefined || files.certFile !== undefined || files.keyFile !== undefined) {
    readTlsFiles({ caFile: '--kafka-ca', certFile: '--kafka-cert', keyFile: '--kafka-key' }, files);
    out.ssl = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)) as KafkaTlsOptions;
  } else if (opts.kafkaSsl === true) {
    out.ssl = true;
  }
  if (opts.kafkaUser !== undefined && opts.kafkaSasl === undefined) throw new TypeError(`--kafka-user needs --kafka-sasl ${SASL_MECHANISMS.join('|')}`);
  if (opts.kafkaSasl !== undefined) {
    const mechanism = opts.kafkaSasl.toLowerCase();
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) throw new TypeError(`--kafka-sasl must be one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(opts.kafkaSasl)}`);
    if (opts.kafkaUser === undefined || opts.kafkaUser === '') throw new TypeError('--kafka-sasl needs --kafka-user USER');
    const password = env.CEP_KAFKA_PASSWORD;
    if (password === undefined || password === '') {
      throw new TypeError('--kafka-sasl needs the password in the environment variable CEP_KAFKA_PASSWORD (it is never taken from the command line)');
    }
    out.sasl = { mechanism: mechanism as KafkaSaslMechanism, username: opts.kafkaUser, password };
  }
  return out;
}
