/**
 * `cep run` against the test broker's secured listeners (DSL.md section 9, issue 11 item 7), as a
 * user types it: TLS with an own CA (`--kafka-ssl --kafka-ca`), mutual TLS (`--kafka-cert`,
 * `--kafka-key`), and SASL/SCRAM-SHA-256 over TLS (`--kafka-sasl`, `--kafka-user`, the password in
 * `CEP_KAFKA_PASSWORD`). Events are read from and alerts written to the secured listener; the topics
 * are created and read back through the PLAINTEXT listener of the same broker. A wrong password
 * fails fast with exit 1 and a message that says so (and never shows the password); bad TLS/SASL
 * options are bad usage (exit 2). The CA and certificates are made by the broker start
 * (scripts/kafka/certs.ts, openssl) in its temp dir.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { readEvents } from './fixtures.js';
import { createTopics, produce, readTopic, uniqueName, until } from './kafka-helpers.js';

const security = inject('kafkaSecurity');
const identity = (a: Alert): string => JSON.stringify([a.rule, a.kind, a.key, a.start, a.end]);
const expected = readFileSync('examples/expected/ssh.ndjson', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => identity(JSON.parse(l) as Alert))
  .sort();

/** A running `cep run`, its stderr so far and its exit. */
interface Cli {
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; ms: number }>;
  stop(): void;
}

function cep(args: readonly string[], env: NodeJS.ProcessEnv = {}): Cli {
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/runtime/cli.js', 'run', 'examples/rules/ssh.cep', '--no-progress', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CEP_KAFKA_PASSWORD: undefined, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, ms: Date.now() - started }));
  return { stderr: () => stderr, exited, stop: () => child.kill('SIGINT') };
}

/** The SSH log keyed by IP, plus a last event a day later (no ip: no rule's key) that moves the watermark past every SSH event. */
function sshRecords(): { key: string; value: string }[] {
  const flush: Record<string, unknown> = { type: 'other', ts: '2015-12-11T12:00:00Z' };
  return [...readEvents('ssh-auth.ndjson'), flush].map((e) => ({ key: String(e.ip ?? '-'), value: JSON.stringify(e) }));
}

/**
 * Runs `cep run` reading the SSH events from `brokers` and writing alerts there, with `security`
 * options; waits for every expected alert in the output topic, stops the run with SIGINT and checks
 * its exit and summary.
 */
async function roundTrip(brokers: string, securityArgs: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const [input, out] = [uniqueName('ssh-sec'), uniqueName('ssh-sec-alerts')];
  await createTopics([input, out]);
  await produce(input, sshRecords());
  const cli = cep(['--kafka-brokers', brokers, '--kafka-topics', input, '--kafka-group', uniqueName('cep-sec'), '--kafka-topic', out, ...securityArgs], env);
  try {
    const records = await until('the alerts in the output topic', async () => {
      const code = await Promise.race([cli.exited.then((e) => e.code), new Promise<undefined>((ok) => setImmediate(() => ok(undefined)))]);
      if (code !== undefined) throw new Error(`cep run exited with ${code}: ${cli.stderr()}`);
      const got = await readTopic(out);
      return got.length >= expected.length ? got : undefined;
    });
    expect(records.map((r) => identity(JSON.parse(r.value) as Alert)).sort()).toEqual(expected);
  } finally {
    cli.stop();
  }
  const { code } = await cli.exited;
  expect(cli.stderr()).toMatch(/2,001 events, 0 bad records, 0 late events, 180 alerts/);
  expect(code).toBe(0);
}

describe('cep run on secured Kafka listeners', () => {
  it('reads events from and writes alerts to a TLS listener (--kafka-ssl --kafka-ca)', async () => {
    await roundTrip(security.ssl, ['--kafka-ssl', '--kafka-ca', security.caFile]);
  }, 90_000);

  it('authenticates with SASL/SCRAM-SHA-256 over TLS, the password from CEP_KAFKA_PASSWORD', async () => {
    await roundTrip(security.saslSsl, ['--kafka-ca', security.caFile, '--kafka-sasl', 'scram-sha-256', '--kafka-user', security.user], { CEP_KAFKA_PASSWORD: security.password });
  }, 90_000);

  it('presents a client certificate to a listener that requires one (--kafka-cert, --kafka-key)', async () => {
    const out = uniqueName('ssh-mtls-alerts');
    await createTopics([out]);
    const tls = ['--kafka-brokers', security.mtls, '--kafka-topic', out, '--kafka-ca', security.caFile];
    const cli = cep(['--input', 'examples/data/ssh-auth.ndjson', ...tls, '--kafka-cert', security.clientCertFile, '--kafka-key', security.clientKeyFile]);
    const { code } = await cli.exited;
    expect(cli.stderr()).toMatch(/180 alerts/);
    expect(code).toBe(0);
    expect((await readTopic(out)).map((r) => identity(JSON.parse(r.value) as Alert)).sort()).toEqual(expected);

    // Without the certificate the broker refuses the handshake: a failure after the client's retries, not a hang.
    const refused = cep(['--input', 'examples/data/ssh-auth.ndjson', ...tls]);
    const result = await refused.exited;
    expect(refused.stderr()).toMatch(/cep: error: CEP_KAFKA_CONNECT: cannot connect the alert producer to 127\.0\.0\.1:\d+: Connection error: .*bad certificate \(the broker refused the client certificate, or wants one/);
    expect(result.code).toBe(1);
  }, 90_000);

  it.each([
    ['scram-sha-256', security.saslSsl],
    ['plain', security.saslPlaintext],
  ])('fails fast with a clear error (exit 1) on a wrong %s password, never printing it', async (mechanism, brokers) => {
    const out = uniqueName('ssh-denied');
    await createTopics([out]);
    const wrong = `wrong-${security.password}`;
    const tls = brokers === security.saslSsl ? ['--kafka-ca', security.caFile] : [];
    const cli = cep(['--input', 'examples/data/ssh-auth.ndjson', '--kafka-brokers', brokers, '--kafka-topic', out, ...tls, '--kafka-sasl', mechanism, '--kafka-user', security.user], { CEP_KAFKA_PASSWORD: wrong });
    const { code, ms } = await cli.exited;
    expect(cli.stderr()).toMatch(new RegExp(`cep: error: CEP_KAFKA_CONNECT: cannot connect the alert producer to ${brokers.replace(/\./g, '\\.')}: SASL .*authentication failed`, 'i'));
    expect(cli.stderr()).not.toContain(wrong);
    expect(code).toBe(1);
    expect(ms).toBeLessThan(20_000);
  }, 30_000);

  it.each([
    [['--kafka-sasl', 'scram-sha-256', '--kafka-user', 'cep'], {}, /error: --kafka-sasl needs the password in the environment variable CEP_KAFKA_PASSWORD/],
    [['--kafka-sasl', 'scram-sha-1', '--kafka-user', 'cep'], { CEP_KAFKA_PASSWORD: 'x' }, /error: --kafka-sasl must be one of plain, scram-sha-256, scram-sha-512, got "scram-sha-1"/],
    [['--kafka-user', 'cep'], {}, /error: --kafka-user needs --kafka-sasl plain\|scram-sha-256\|scram-sha-512/],
    [['--kafka-ca', '/nonexistent/ca.pem'], {}, /error: --kafka-ca \/nonexistent\/ca\.pem: cannot read the file \(no such file\)/],
    [['--kafka-cert', 'CERT'], {}, /error: --kafka-cert needs --kafka-key \(the private key of that certificate\)/],
    [['--kafka-ca', 'examples/rules/ssh.cep'], {}, /error: --kafka-ca examples\/rules\/ssh\.cep: not a PEM certificate file/],
  ])('refuses %j as bad usage (exit 2) before connecting', async (args, env, message) => {
    const resolved = args.map((a) => (a === 'CERT' ? security.clientCertFile : a));
    const cli = cep(['--input', 'examples/data/ssh-auth.ndjson', '--kafka-brokers', security.saslSsl, '--kafka-topic', 'unused', ...resolved], env);
    const { code } = await cli.exited;
    expect(cli.stderr()).toMatch(message);
    expect(code).toBe(2);
  });
});
