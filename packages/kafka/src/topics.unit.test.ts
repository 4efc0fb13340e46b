import { KafkaJSProtocolError, type Kafka } from 'kafkajs';
import { ensureTopic, isNotKnownYet } from './topics';

/** A broker error as kafkajs builds it from a response (its typings only show the Error form of the argument). */
function protocolError(type: string, code: number, message: string): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, code, message, retriable: true } as unknown as Error);
}

/** An admin that answers like a fresh KRaft broker: the topic is created, then unknown to metadata for a while. */
function freshBroker(unknownFor: number) {
  const calls: string[] = [];
  let metadataCalls = 0;
  const notHosted = () => protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'This server does not host this topic-partition');
  const admin = {
    connect: async () => void calls.push('connect'),
    disconnect: async () => void calls.push('disconnect'),
    createTopics: async () => {
      calls.push('createTopics');
      // kafkajs's wait for leaders gives up on this error: the topic exists all the same.
      throw notHosted();
    },
    fetchTopicMetadata: async () => {
      calls.push('fetchTopicMetadata');
      if (++metadataCalls <= unknownFor) throw notHosted();
      return { topics: [{ name: 't', partitions: Array.from({ length: 12 }, (_, i) => ({ partitionId: i, leader: 1 })) }] };
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls };
}

describe('ensureTopic on a broker that has just created the topic', () => {
  it('given UNKNOWN_TOPIC_OR_PARTITION from the leader wait and the first metadata reads, when ensured, then it waits and reports the topic', async () => {
    const { kafka, calls } = freshBroker(2);
    await expect(ensureTopic(kafka, { topic: 't' })).resolves.toEqual({ created: true, partitions: 12, updated: [] });
    expect(calls.filter((c) => c === 'fetchTopicMetadata')).toHaveLength(3);
    expect(calls.at(-1)).toBe('disconnect');
  });

  it('given another error, when ensured, then it is not swallowed', async () => {
    const { kafka } = freshBroker(0);
    const admin = kafka.admin() as unknown as { createTopics: () => Promise<boolean> };
    admin.createTopics = async () => {
      throw protocolError('TOPIC_AUTHORIZATION_FAILED', 29, 'Not authorized to access topics');
    };
    await expect(ensureTopic(kafka, { topic: 't' })).rejects.toThrow(/Not authorized/);
  });
});

describe('isNotKnownYet', () => {
  it('recognises the two "not there yet" answers, also as a cause, and nothing else', () => {
    const unknown = protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'x');
    expect(isNotKnownYet(unknown)).toBe(true);
    expect(isNotKnownYet(new Error('wrapped', { cause: unknown }))).toBe(true);
    expect(isNotKnownYet(protocolError('LEADER_NOT_AVAILABLE', 5, 'x'))).toBe(true);
    expect(isNotKnownYet(new Error('ECONNREFUSED'))).toBe(false);
    expect(isNotKnownYet(null)).toBe(false);
  });
});
