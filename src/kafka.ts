/**
 * `cep-engine/kafka`: the Kafka source and sink (kafkajs), kept out of the package root so that
 * importing `cep-engine` does not load kafkajs. Live operation is described in DSL.md section 9.
 *
 * ```ts
 * import { runEngine } from 'cep-engine';
 * import { createKafkaSource, createKafkaSink } from 'cep-engine/kafka';
 * ```
 */
export { createKafkaSource } from './runtime/sources/kafka.js';
export type { KafkaSource, KafkaSourceOptions } from './runtime/sources/kafka.js';
export { createKafkaSink } from './alerts/kafka-sink.js';
export type { KafkaSink, KafkaSinkOptions } from './alerts/kafka-sink.js';
