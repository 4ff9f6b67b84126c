/**
 * Vitest globalSetup of the `live` project: starts one real Kafka broker (scripts/kafka/broker.ts)
 * for all live test files and stops it afterwards. Tests read its address with
 * `inject('kafkaBrokers')`, and its TLS and SASL listeners (with the CA, a client certificate and
 * the SASL user) with `inject('kafkaSecurity')`: opening them costs the start a few openssl calls,
 * far less than a second broker for the security tests. A broker that cannot start fails the run:
 * it is never skipped.
 */
import type { TestProject } from 'vitest/node';
import { startBroker, type BrokerSecurity } from '../../scripts/kafka/broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the test broker's PLAINTEXT listener, `127.0.0.1:PORT`. */
    kafkaBrokers: string;
    /** The same broker's TLS and SASL listeners and what a client needs for them. */
    kafkaSecurity: BrokerSecurity;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await startBroker({ security: true });
  project.provide('kafkaBrokers', broker.bootstrap);
  if (broker.security === undefined) throw new Error('the test broker was started without its TLS and SASL listeners');
  project.provide('kafkaSecurity', broker.security);
  return () => broker.stop();
}
