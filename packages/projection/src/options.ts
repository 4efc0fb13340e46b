import type { BackoffOptions, ProjectionSink } from '@trackstream/projection-core';
import { DEFAULT_BACKOFF } from '@trackstream/projection-core';
import { decodeEvent, type StoredEvent } from '@trackstream/events';
import type { Logger } from '@trackstream/telemetry';
import type { ProjectorMetrics } from './metrics';

export interface ProjectionRuntimeOptions {
  brokers: string[];
  topic: string;
  dlqTopic: string;
  groupId: string;
  sink: ProjectionSink;
  logger: Logger;
  metrics: ProjectorMetrics;
  clientId?: string;
  /** Records per sink.apply() call; a Kafka batch larger than this is applied in several chunks. */
  maxRecordsPerApply?: number;
  /** Partitions processed at the same time by this member (each partition stays strictly ordered). */
  partitionsConsumedConcurrently?: number;
  backoff?: BackoffOptions;
  /** Kafka's committed offsets are only advisory (the sink's checkpoint is the truth); how often to write them. */
  kafkaCommitIntervalMs?: number;
  lagRefreshIntervalMs?: number;
  decode?: (value: Buffer) => StoredEvent;
  /** Kafka fetch size per partition: bigger batches mean fewer, larger store writes (default 4 MiB). */
  maxBytesPerPartition?: number;
  /** How fast the group notices a member that died without leaving (SIGKILL): its partitions wait this long. */
  sessionTimeoutMs?: number;
  /**
   * The broker holds a fetch until this many bytes are ready (or fetchMaxWaitMs passes). A store that pays per
   * write (ClickHouse makes a part per insert and merges them later) gets fewer, larger batches; the price is up
   * to fetchMaxWaitMs of extra delay when traffic is light. Default 1: answer as soon as anything is there.
   */
  fetchMinBytes?: number;
  /** The longest a fetch waits for fetchMinBytes (default 5000, kafkajs's). */
  fetchMaxWaitMs?: number;
}

/** The defaults, in one place: nothing deeper in the runtime falls back to a number of its own. */
export const RUNTIME_DEFAULTS = Object.freeze({
  maxRecordsPerApply: 1000,
  partitionsConsumedConcurrently: 1,
  backoff: DEFAULT_BACKOFF,
  kafkaCommitIntervalMs: 5_000,
  lagRefreshIntervalMs: 5_000,
  maxBytesPerPartition: 4 * 1024 * 1024,
  sessionTimeoutMs: 30_000,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 5_000,
  /** kafkajs's request timeout: a projector's fetches may wait up to fetchMaxWaitMs on the broker. */
  kafkaRequestTimeoutMs: 30_000,
});

/** The options with every default applied, frozen. Built once in the constructor. */
export type CompiledRuntimeOptions = Readonly<
  Required<Omit<ProjectionRuntimeOptions, 'backoff'>> & { backoff: Readonly<BackoffOptions> }
>;

export function compileRuntimeOptions(raw: ProjectionRuntimeOptions): CompiledRuntimeOptions {
  const d = RUNTIME_DEFAULTS;
  return Object.freeze({
    brokers: Object.freeze([...raw.brokers]) as string[],
    topic: raw.topic,
    dlqTopic: raw.dlqTopic,
    groupId: raw.groupId,
    sink: raw.sink,
    logger: raw.logger,
    metrics: raw.metrics,
    clientId: raw.clientId ?? raw.groupId,
    maxRecordsPerApply: raw.maxRecordsPerApply ?? d.maxRecordsPerApply,
    partitionsConsumedConcurrently: raw.partitionsConsumedConcurrently ?? d.partitionsConsumedConcurrently,
    backoff: Object.freeze({ ...(raw.backoff ?? d.backoff) }),
    kafkaCommitIntervalMs: raw.kafkaCommitIntervalMs ?? d.kafkaCommitIntervalMs,
    lagRefreshIntervalMs: raw.lagRefreshIntervalMs ?? d.lagRefreshIntervalMs,
    decode: raw.decode ?? decodeEvent,
    maxBytesPerPartition: raw.maxBytesPerPartition ?? d.maxBytesPerPartition,
    sessionTimeoutMs: raw.sessionTimeoutMs ?? d.sessionTimeoutMs,
    fetchMinBytes: raw.fetchMinBytes ?? d.fetchMinBytes,
    fetchMaxWaitMs: raw.fetchMaxWaitMs ?? d.fetchMaxWaitMs,
  });
}
