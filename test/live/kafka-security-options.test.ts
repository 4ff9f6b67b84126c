/**
 * The TLS and SASL connection options of src/alerts/kafka-client.ts: the misconfigurations refused
 * at construction (a file that cannot be read or is not PEM, a certificate without its key, an
 * encrypted key, incomplete credentials), `connectionOptionsFromCli` (what the command line's
 * options and CEP_KAFKA_PASSWORD become), and every SASL mechanism on the test broker's secured
 * listeners through `createKafkaClient`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectionOptionsFromCli, createKafkaClient } from '../../src/alerts/kafka-client.js';
import type { KafkaConnectionOptions } from '../../src/alerts/kafka-options.js';

const security = inject('kafkaSecurity');
const scratch = mkdtempSync(join(tmpdir(), 'cep-tls-options-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const client = (options: Partial<KafkaConnectionOptions>): unknown => createKafkaClient('Kafka sink', { brokers: ['127.0.0.1:9092'], ...options });

describe('TLS and SASL options of createKafkaClient', () => {
  it('accepts TLS with the system CAs, an own CA, a client certificate, and SASL', () => {
    expect(() => client({ ssl: true })).not.toThrow();
    expect(() => client({ ssl: { caFile: security.caFile, certFile: security.clientCertFile, keyFile: security.clientKeyFile } })).not.toThrow();
    expect(() => client({ sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } })).not.toThrow();
  });

  it('refuses files that cannot be used, naming the option and the path', () => {
    const encrypted = join(scratch, 'encrypted.key');
    writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    expect(() => client({ ssl: { caFile: join(scratch, 'missing.pem') } })).toThrow(`Kafka sink option 'ssl.caFile' ${join(scratch, 'missing.pem')}: cannot read the file (no such file)`);
    expect(() => client({ ssl: { caFile: scratch } })).toThrow(/'ssl\.caFile' .*: cannot read the file \(it is a directory\)/);
    expect(() => client({ ssl: { caFile: security.clientKeyFile } })).toThrow(/'ssl\.caFile' .*client\.key: not a PEM certificate file/);
    expect(() => client({ ssl: { certFile: security.clientCertFile } })).toThrow("Kafka sink option 'ssl.certFile' needs Kafka sink option 'ssl.keyFile' (the private key of that certificate)");
    expect(() => client({ ssl: { keyFile: security.clientKeyFile } })).toThrow("Kafka sink option 'ssl.keyFile' needs Kafka sink option 'ssl.certFile' (the certificate of that key)");
    expect(() => client({ ssl: { certFile: security.clientCertFile, keyFile: security.clientCertFile } })).toThrow(/'ssl\.keyFile' .*: not a PEM private key file/);
    expect(() => client({ ssl: { certFile: security.clientCertFile, keyFile: encrypted } })).toThrow(/'ssl\.keyFile' .*: the key is encrypted; give an unencrypted key/);
    expect(() => client({ ssl: 'yes' as never })).toThrow(/'ssl' must be true, false or \{ caFile, certFile, keyFile \}/);
  });

  it('refuses incomplete SASL credentials without showing the password', () => {
    const secret = 's3cret-password';
    expect(() => client({ sasl: { mechanism: 'gssapi' as never, username: 'u', password: secret } })).toThrow(/'sasl\.mechanism' must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"/);
    expect(() => client({ sasl: { mechanism: 'plain', username: '', password: secret } })).toThrow(/'sasl\.username' must be a non-empty string/);
    expect(() => client({ sasl: { mechanism: 'plain', username: 'u', password: '' } })).toThrow(/'sasl\.password' must be a non-empty string/);
    try {
      client({ sasl: { mechanism: 'nope' as never, username: 'u', password: secret } });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});

describe('connectionOptionsFromCli', () => {
  it('gives nothing without TLS/SASL options, so plaintext clients are unchanged', () => {
    expect(connectionOptionsFromCli({}, {})).toEqual({});
  });

  it('maps the options; the CA, certificate and key imply TLS; the password comes from the environment only', () => {
    expect(connectionOptionsFromCli({ kafkaSsl: true }, {})).toEqual({ ssl: true });
    expect(connectionOptionsFromCli({ kafkaCa: security.caFile }, {})).toEqual({ ssl: { caFile: security.caFile } });
    expect(connectionOptionsFromCli({ kafkaSsl: true, kafkaCert: security.clientCertFile, kafkaKey: security.clientKeyFile }, {})).toEqual({
      ssl: { certFile: security.clientCertFile, keyFile: security.clientKeyFile },
    });
    expect(connectionOptionsFromCli({ kafkaSasl: 'SCRAM-SHA-256', kafkaUser: 'alice' }, { CEP_KAFKA_PASSWORD: 'pw' })).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'pw' },
    });
  });

  it.each([
    [{ kafkaSasl: 'plain', kafkaUser: 'alice' }, {}, '--kafka-sasl needs the password in the environment variable CEP_KAFKA_PASSWORD (it is never taken from the command line)'],
    [{ kafkaSasl: 'plain', kafkaUser: 'alice' }, { CEP_KAFKA_PASSWORD: '' }, '--kafka-sasl needs the password in the environment variable CEP_KAFKA_PASSWORD'],
    [{ kafkaSasl: 'plain' }, { CEP_KAFKA_PASSWORD: 'pw' }, '--kafka-sasl needs --kafka-user USER'],
    [{ kafkaUser: 'alice' }, { CEP_KAFKA_PASSWORD: 'pw' }, '--kafka-user needs --kafka-sasl plain|scram-sha-256|scram-sha-512'],
    [{ kafkaSasl: 'kerberos', kafkaUser: 'alice' }, { CEP_KAFKA_PASSWORD: 'pw' }, '--kafka-sasl must be one of plain, scram-sha-256, scram-sha-512, got "kerberos"'],
    [{ kafkaCa: '/nonexistent/ca.pem' }, {}, '--kafka-ca /nonexistent/ca.pem: cannot read the file (no such file)'],
    [{ kafkaKey: '/k.pem' }, {}, '--kafka-key needs --kafka-cert (the certificate of that key)'],
  ])('refuses %j (env %j)', (opts, env, message) => {
    expect(() => connectionOptionsFromCli(opts, env)).toThrow(message);
  });
});

describe('createKafkaClient on the secured listeners', () => {
  /** Connects an admin client with `options` and lists the topics (a metadata request after authentication). */
  const listTopics = async (options: Partial<KafkaConnectionOptions> & { brokers: string[] }): Promise<string[]> => {
    const admin = createKafkaClient('test', { retries: 1, ...options }).admin();
    await admin.connect();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  };

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('authenticates with SASL %s, with and without TLS', async (mechanism) => {
    const sasl = { mechanism, username: security.user, password: security.password };
    await expect(listTopics({ brokers: [security.saslPlaintext], sasl })).resolves.toBeInstanceOf(Array);
    await expect(listTopics({ brokers: [security.saslSsl], ssl: { caFile: security.caFile }, sasl })).resolves.toBeInstanceOf(Array);
  });

  it('presents the client certificate to the mutual-TLS listener', async () => {
    await expect(listTopics({ brokers: [security.mtls], ssl: { caFile: security.caFile, certFile: security.clientCertFile, keyFile: security.clientKeyFile } })).resolves.toBeInstanceOf(Array);
  });

  it('says what to do when the broker is not trusted or wants a client certificate', async () => {
    await expect(listTopics({ brokers: [security.ssl], ssl: true })).rejects.toThrow(
      "self-signed certificate in certificate chain (the broker's certificate is not signed by a trusted CA: give that CA's certificate (--kafka-ca, option ssl.caFile))",
    );
    await expect(listTopics({ brokers: [security.mtls], ssl: { caFile: security.caFile } })).rejects.toThrow(
      /alert bad certificate \(the broker refused the client certificate, or wants one: give a certificate its CA signed \(--kafka-cert, --kafka-key\)\)$/,
    );
  });
});
