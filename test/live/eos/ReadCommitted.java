// Reads a whole topic with Kafka's own Java consumer and writes one NDJSON line per record:
// {"partition":P,"offset":O,"value":<the record value, which must be JSON>}.
//
// Why: the exactly-once harness (test/live/eos) must judge the alert topic as a `read_committed`
// consumer sees it, and kafkajs filters aborted transactions on the client with a per-fetch list
// (consumer/filterAbortedMessages.js) that the harness does not rely on alone. This is the
// reference implementation of isolation levels: it reads from the beginning of every partition up
// to the end offsets (for read_committed: the last stable offsets) taken at start.
//
// The harness runs it compiled once (java-reader.ts); by hand, in source-file mode with the broker's
// jars (scripts/kafka/broker.ts resolves them):
//   java -cp '.cache/kafka/<version>/libs/*' test/live/eos/ReadCommitted.java BOOTSTRAP TOPIC OUT [read_committed|read_uncommitted] [TIMEOUT_MS]
// Exit code 0 when every partition was read to its end offset, 1 when the timeout came first, 2 on bad usage.
import java.io.BufferedWriter;
import java.io.FileWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class ReadCommitted {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ReadCommitted BOOTSTRAP TOPIC OUT [read_committed|read_uncommitted] [TIMEOUT_MS]");
      System.exit(2);
    }
    String topic = args[1];
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("isolation.level", args.length > 3 ? args[3] : "read_committed");
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    long timeoutMs = args.length > 4 ? Long.parseLong(args[4]) : 60_000;
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        BufferedWriter out = new BufferedWriter(new FileWriter(args[2], StandardCharsets.UTF_8))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (!partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          System.err.println("ReadCommitted: timed out before the end offsets " + ends);
          System.exit(1);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() >= ends.get(new TopicPartition(topic, r.partition()))) continue;
          String value = r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8);
          out.write("{\"partition\":" + r.partition() + ",\"offset\":" + r.offset() + ",\"value\":" + value + "}\n");
        }
      }
    }
  }
}
