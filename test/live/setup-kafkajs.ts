/**
 * Vitest setup of the `live` project: loads the kafkajs read_committed fix
 * (src/alerts/kafkajs-read-committed.ts) before any test file imports kafkajs, so that the tests'
 * own readers see what Kafka's Java consumer sees.
 */
import '../../src/alerts/kafkajs-read-committed.js';
