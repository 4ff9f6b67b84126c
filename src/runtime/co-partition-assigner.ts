/**
 * A kafkajs partition assigner that keeps co-partitioned inputs together (Kafka Streams' task
 * model): partition p of every input topic goes to the same member, so that one task (one
 * `CepOperator`) sees every event of a key whatever topic it came on — provided the producers
 * partition every topic by the rule's key with the same partitioner and partition count.
 * Task numbers are spread over the members in round-robin order of their sorted member ids, as
 * kafkajs's own round-robin assigner spreads topic-partitions.
 */
import '../alerts/kafkajs-read-committed.js';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** The assigner's protocol name in the group's join requests: every member of a group must offer it. */
export const COPARTITION_ASSIGNER_NAME = 'CepCoPartitionAssigner';

/** The assigner itself, for kafkajs `consumer({ partitionAssigners: [coPartitionAssigner] })`. */
export const coPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: COPARTITION_ASSIGNER_NAME,
  version: 0,
  async assign({ members, topics }) {
    const memberIds = members.map((m) => m.memberId).sort();
    const partitionsOf = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]));
    const tasks = [...new Set([...partitionsOf.values()].flat())].sort((a, b) => a - b);
    const assignment = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
    tasks.forEach((task, i) => {
      const forMember = assignment.get(memberIds[i % memberIds.length])!;
      for (const [topic, partitions] of partitionsOf) if (partitions.includes(task)) (forMember[topic] ??= []).push(task);
    });
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: assignment.get(memberId)!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: COPARTITION_ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
