import { decodeEvent } from '@trackstream/events';
import { noopLogger } from '@trackstream/telemetry';
import { deleteTestTopics, endpointsFromEnv, uniqueName } from '@trackstream/testkit';
import { createKafkaClient } from './client';
import { describeEventLogContract } from './testing';
import { KafkaEventLog } from './kafka-event-log';
import { readTopicToEnd } from './read-topic';
import { ensureTopic, TOPIC_MAX_MESSAGE_BYTES } from './topics';

const kafka = () => createKafkaClient({ clientId: 'event-log-contract', brokers: endpointsFromEnv().kafkaBrokers, logger: noopLogger });

describeEventLogContract('kafka', async () => {
  const client = kafka();
  const topic = uniqueName('event_log');
  await ensureTopic(client, { topic, partitions: 6 });
  return {
    log: new KafkaEventLog({ kafka: client, topic, logger: noopLogger }),
    read: async () => (await readTopicToEnd(client, topic)).map((r) => ({ partition: r.partition, offset: r.offset, key: r.key, event: decodeEvent(r.value) })),
    cleanup: () => deleteTestTopics(client, [topic]),
  };
});

describe('ensureTopic', () => {
  it('given a topic created elsewhere with broker defaults and an override of its own, when ensured, then retention and batch size are enforced and the override kept', async () => {
    const client = kafka();
    const topic = uniqueName('ensure_existing');
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '60000' }, { name: 'segment.ms', value: '3600000' }] }],
      });
      const result = await ensureTopic(client, { topic });
      expect(result.created).toBe(false);
      expect(result.partitions).toBe(2);
      expect(result.updated).toEqual(expect.arrayContaining(['retention.ms', 'max.message.bytes']));
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2 /* TOPIC */, name: topic }] });
      const config = Object.fromEntries(resources[0]!.configEntries.map((c) => [c.configName, c.configValue]));
      expect(config).toMatchObject({ 'retention.ms': '-1', 'retention.bytes': '-1', 'max.message.bytes': String(TOPIC_MAX_MESSAGE_BYTES), 'segment.ms': '3600000' });
      expect(await ensureTopic(client, { topic })).toMatchObject({ created: false, updated: [] });
    } finally {
      await admin.disconnect();
      await deleteTestTopics(client, [topic]);
    }
  });

  it('given no topic, when ensured twice, then it is created once with the partitions asked, unlimited retention and room for a full batch', async () => {
    const client = kafka();
    const topic = uniqueName('ensure_topic');
    try {
      expect(await ensureTopic(client, { topic, partitions: 3 })).toEqual({ created: true, partitions: 3, updated: [] });
      expect(await ensureTopic(client, { topic, partitions: 12 })).toEqual({ created: false, partitions: 3, updated: [] });
      const admin = client.admin();
      await admin.connect();
      try {
        const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2 /* TOPIC */, name: topic }] });
        const config = Object.fromEntries(resources[0]!.configEntries.map((c) => [c.configName, c.configValue]));
        expect(config['retention.ms']).toBe('-1');
        expect(config['retention.bytes']).toBe('-1');
        expect(config['max.message.bytes']).toBe(String(TOPIC_MAX_MESSAGE_BYTES));
      } finally {
        await admin.disconnect();
      }
    } finally {
      await deleteTestTopics(client, [topic]);
    }
  });
});
