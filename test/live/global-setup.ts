/**
 * Vitest globalSetup of the `live` project: starts one real Kafka broker (scripts/kafka/broker.ts)
 * for all live test files and stops it afterwards. Tests read its address with
 * `inject('kafkaBrokers')`, and its TLS and SASL listeners (with the CA, a client certificate and
 * the SASL user) with `inject('kafkaSecurity')`: opening them costs the start a few openssl calls,
 * far less than a second broker for the security tests.
 *
 * The broker starts in the background: its addresses are known before its JVM answers, so the run
 * goes on with the core files meanwhile, and each live file waits for it first (setup-broker.ts)
 * through a status file (`inject('kafkaStartStatus')`) that says `ready`, or why the start failed.
 * A broker that cannot start fails every live file with that reason: it is never skipped.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { launchBroker, type BrokerSecurity } from '../../scripts/kafka/broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the test broker's PLAINTEXT listener, `127.0.0.1:PORT`. */
    kafkaBrokers: string;
    /** The same broker's TLS and SASL listeners and what a client needs for them. */
    kafkaSecurity: BrokerSecurity;
    /** A file that is absent while the broker starts, then holds `ready` or `failed: REASON`. */
    kafkaStartStatus: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await launchBroker({ security: true });
  if (broker.security === undefined) throw new Error('the test broker was started without its TLS and SASL listeners');
  const statusDir = mkdtempSync(join(tmpdir(), 'cep-kafka-status-'));
  const status = join(statusDir, 'status');
  project.provide('kafkaBrokers', broker.bootstrap);
  project.provide('kafkaSecurity', broker.security);
  project.provide('kafkaStartStatus', status);
  // Written whole under another name, then renamed: a reader never sees half a status.
  const report = (text: string): void => {
    writeFileSync(`${status}.partial`, text);
    renameSync(`${status}.partial`, status);
  };
  void broker.ready.then(
    () => report('ready'),
    (error: unknown) => report(`failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  return async () => {
    await broker.stop();
    rmSync(statusDir, { recursive: true, force: true });
  };
}
