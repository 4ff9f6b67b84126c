/**
 * Vitest globalSetup of the `live` project: starts one real Kafka broker (scripts/kafka/broker.ts)
 * for all live test files and stops it afterwards. Tests read its address with
 * `inject('kafkaBrokers')`. A broker that cannot start fails the run: it is never skipped.
 */
import type { TestProject } from 'vitest/node';
import { startBroker } from '../../scripts/kafka/broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the test broker, `127.0.0.1:PORT`. */
    kafkaBrokers: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await startBroker();
  project.provide('kafkaBrokers', broker.bootstrap);
  return () => broker.stop();
}
