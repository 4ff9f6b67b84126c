/**
 * A throw-away certificate authority for the test broker's TLS listeners (scripts/kafka/broker.ts
 * with `security: true`), made with `openssl` in a directory of the caller's: a CA, a broker
 * certificate for 127.0.0.1 and localhost (with its key in a PKCS12 keystore, the format every Java
 * 17 reads without a converter), and a client certificate for mutual TLS. Keys are EC P-256, valid
 * for two days: nothing here is meant to outlive a test run.
 *
 * Requires `openssl` (1.1.1 or 3.x) on the PATH; a missing one is an error that says so.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files made by {@link makeTestCertificates}, all PEM unless said otherwise. */
export interface TestCertificates {
  /** The CA certificate: the broker's truststore and the client's `--kafka-ca`. */
  readonly caFile: string;
  /** The broker's certificate chain and key, PKCS12, protected by `keystorePassword`. */
  readonly brokerKeystore: string;
  readonly keystorePassword: string;
  /** A client certificate signed by the CA (`--kafka-cert`) and its unencrypted PKCS#8 key (`--kafka-key`). */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** Runs openssl with `args` in `dir`. @throws Error with openssl's output when it fails or is missing. */
function openssl(dir: string, args: readonly string[]): void {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run 'openssl' to make the test broker's certificates (apt-get install -y openssl): ${run.error.message}`, { cause: run.error });
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
}

/** A key and a certificate for `subject`, signed by the CA in `dir`, with the extensions in `ext`. */
function issue(dir: string, name: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`,
  ]);
}

/**
 * Makes a CA, a broker certificate (SAN 127.0.0.1 and localhost) and a client certificate in `dir`.
 * @returns the paths and the keystore password.
 * @throws Error when openssl is missing or fails.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '2', '-sha256', '-subj', '/CN=cep test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  issue(dir, 'broker', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  issue(dir, 'client', '/CN=cep-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  const keystorePassword = randomBytes(12).toString('hex');
  openssl(dir, ['pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem', '-name', 'broker', '-out', 'broker.p12', '-passout', `pass:${keystorePassword}`]);
  return {
    caFile: join(dir, 'ca.pem'),
    brokerKeystore: join(dir, 'broker.p12'),
    keystorePassword,
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
  };
}
