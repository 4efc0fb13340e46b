export { createKafkaClient, kafkaLogBridge, DEFAULT_CLIENT_RETRY, type KafkaClientOptions, type KafkaLogLevel } from './client';
export { ensureTopic, TOPIC_MAX_MESSAGE_BYTES, type EnsureTopicOptions, type EnsureTopicResult } from './topics';
export { EventLogClosedError, EventLogError, EventLogRejectedError, type EventLogErrorCode } from './errors';
export type { EventLog, AppendOptions } from './event-log';
export { KafkaEventLog, type KafkaEventLogOptions } from './kafka-event-log';
export { createKafkaProbe, type KafkaProbe, type KafkaProbeOptions } from './probe';
export { readTopicToEnd, topicEndOffsets, type TopicRecord } from './read-topic';
