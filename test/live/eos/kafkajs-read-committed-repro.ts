/**
 * Why the harness's verdict reads the alert topic with Kafka's Java consumer (java-reader.ts):
 * kafkajs 2.2.4's `read_committed` consumer can hand out records of ABORTED transactions.
 *
 * Two transactional producers write interleaved records to one partition, then both abort. A
 * consumer with small fetches (each fetch starts past the first offsets of both transactions)
 * gets a fetch response listing both aborted transactions; kafkajs's client-side filter
 * (node_modules/kafkajs/src/consumer/filterAbortedMessages.js) enters at most one aborted
 * transaction per message it looks at, and starts over with every fetch, so a record of the
 * transaction not yet entered passes. In the harness this showed as 89-1,379 "duplicated"
 * alerts (aborted copies) that Kafka's Java consumer does not show. With the engine's 6 tasks
 * writing to 3 alert partitions, two transactional producers share each alert partition.
 *
 * Run by hand: `npx tsx test/live/eos/kafkajs-read-committed-repro.ts` (starts a broker with
 * scripts/kafka/broker.ts). Prints what the kafkajs consumer saw; only `committed` is correct.
 */
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../../scripts/kafka/broker.js';

const broker = await startBroker();
try {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't', numPartitions: 1 }], waitForLeaders: true });
  const a = kafka.producer({ transactionalId: 'A', maxInFlightRequests: 1, idempotent: true });
  const b = kafka.producer({ transactionalId: 'B', maxInFlightRequests: 1, idempotent: true });
  await Promise.all([a.connect(), b.connect()]);
  const tb = await b.transaction();
  const ta = await a.transaction();
  for (let i = 0; i < 10; i++) {
    await tb.send({ topic: 't', messages: [{ value: `B${i}` }] });
    await ta.send({ topic: 't', messages: [{ value: `A${i}` }] });
  }
  await ta.abort();
  await tb.abort();
  const plain = kafka.producer();
  await plain.connect();
  await plain.send({ topic: 't', messages: [{ value: 'committed' }] });
  const seen: string[] = [];
  const consumer = kafka.consumer({ groupId: 'g', readUncommitted: false, maxBytesPerPartition: 100, maxBytes: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 't', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await new Promise((ok) => setTimeout(ok, 5000));
  process.stdout.write(`kafkajs read_committed saw: ${seen.join(' ')} (correct: committed)\n`);
  await Promise.all([consumer.disconnect(), a.disconnect(), b.disconnect(), plain.disconnect(), admin.disconnect()]);
} finally {
  await broker.stop();
}
