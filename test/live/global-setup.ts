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
 * Ready means that a topic created on it is usable: right after a start, kafkajs's wait for a new
 * topic's leaders can fail with "This server does not host this topic-partition" (the broker's
 * metadata is not there yet), which eos/harness.ts's createTopic waits out, once, here. A broker
 * that cannot start fails every live file with that reason: it is never skipped.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import { launchBroker, type BrokerSecurity } from '../../scripts/kafka/broker.js';
import { createTopic } from './eos/harness.js';

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

/** Resolves once a topic created on the broker at `bootstrap` answers. @throws the last error after 30 s. */
async function topicsUsable(bootstrap: string): Promise<void> {
  const admin = new Kafka({ brokers: [bootstrap], clientId: 'cep-test-setup', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTopic(admin, 'cep-test-broker-ready', 1);
  } finally {
    await admin.disconnect();
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
  const started = broker.ready.then(() => topicsUsable(broker.bootstrap)).then(
    () => report('ready'),
    (error: unknown) => report(`failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  return async () => {
    await started;
    await broker.stop();
    rmSync(statusDir, { recursive: true, force: true });
  };
}
