// Shared by this service's integration tests: sample events of every type, and a gateway on its own topic.
import { randomUUID } from 'node:crypto';
import { decodeEvent, type StoredEvent } from '@trackstream/events';
import { createKafkaClient, readTopicToEnd, topicEndOffsets } from '@trackstream/kafka';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import { deleteTestTopics } from '@trackstream/testkit';
import type { Kafka } from 'kafkajs';
import { startKafkaGateway, type KafkaGatewayOptions, type RunningGateway } from '../kafka-gateway';

const T0 = 1_763_900_000_000;

/** One JSON event of each of the nine types for one run, as a client would send them. */
export function sampleEventsJson(run = `run-${randomUUID().slice(0, 8)}`, experiment = 'exp-sample'): Record<string, unknown>[] {
  const envelope = (type: string, runId: string | null, at: number) => ({
    event_id: randomUUID(),
    type,
    project: 'vision',
    experiment_id: experiment,
    run_id: runId,
    occurred_at: T0 + at,
  });
  return [
    { ...envelope('experiment_created', null, 0), payload: { name: 'resnet sweep', description: 'lr sweep on imagenet', tags: { team: 'cv' } } },
    {
      ...envelope('run_started', run, 1),
      payload: {
        run_name: 'bright-otter',
        user: 'ada',
        parent_run_id: null,
        source: { git_commit: '0123abcd', git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: 'gpu-01' },
        start_time: T0 + 1,
        tags: { sweep: 's1' },
        context: { argv: 'train.py --lr 0.1', node: 'v20' },
      },
    },
    { ...envelope('params_logged', run, 2), payload: { params: { lr: '0.1', batch_size: '32' } } },
    {
      ...envelope('metrics_logged', run, 3),
      payload: {
        points: [
          { key: 'loss', value: 0.42, step: 10, timestamp: T0 + 3 },
          { key: 'loss', value: 'NaN', step: 11, timestamp: T0 + 4 },
          { key: 'grad_norm', value: 'Infinity', step: 11, timestamp: T0 + 4 },
          { key: 'grad_min', value: '-Infinity', step: 11, timestamp: T0 + 4 },
        ],
      },
    },
    { ...envelope('tags_set', run, 4), payload: { tags: { stage: 'tuning', note: 'ünïcødé ✓' } } },
    { ...envelope('tags_deleted', run, 5), payload: { keys: ['sweep'] } },
    {
      ...envelope('artifact_logged', run, 6),
      payload: { path: 'model/weights.pt', uri: 's3://bucket/run/model/weights.pt', size_bytes: 1234567, sha256: 'ab'.repeat(32), media_type: 'application/octet-stream' },
    },
    {
      ...envelope('lineage_recorded', run, 7),
      payload: {
        inputs: [{ kind: 'dataset', name: 'imagenet', version: '2012', digest: null }],
        outputs: [{ kind: 'model', name: 'resnet50', version: null, digest: 'sha256:' + 'cd'.repeat(32) }],
      },
    },
    { ...envelope('run_completed', run, 8), payload: { status: 'FINISHED', end_time: T0 + 8 } },
  ];
}

/** A metrics_logged event with `points` points. */
export function metricsEventJson(run: string, points: number, step0 = 0): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    type: 'metrics_logged',
    project: 'bench',
    experiment_id: 'exp-bench',
    run_id: run,
    occurred_at: Date.now(),
    payload: {
      points: Array.from({ length: points }, (_, i) => ({ key: `metric_${i}`, value: Math.random(), step: step0, timestamp: Date.now() })),
    },
  };
}

export interface TestGateway {
  url: string;
  topic: string;
  kafka: Kafka;
  running: RunningGateway;
  /** Every event in the topic, decoded, with where it sits. */
  readEvents(): Promise<{ partition: number; offset: string; key: string | null; event: StoredEvent }[]>;
  endOffsets(): Promise<Record<number, string>>;
  stop(): Promise<void>;
}

export async function startTestGateway(
  opts: { brokers: string[]; topic: string; logger?: Logger } & Partial<Omit<KafkaGatewayOptions, 'brokers' | 'topic'>>,
): Promise<TestGateway> {
  const logger = opts.logger ?? noopLogger;
  const running = await startKafkaGateway({ partitions: 4, ...opts, logger, port: 0, host: '127.0.0.1' });
  const kafka = createKafkaClient({ clientId: 'gateway-test-reader', brokers: opts.brokers, logger });
  return {
    url: `http://127.0.0.1:${running.address.port}`,
    topic: opts.topic,
    kafka,
    running,
    readEvents: async () =>
      (await readTopicToEnd(kafka, opts.topic)).map((r) => ({ partition: r.partition, offset: r.offset, key: r.key, event: decodeEvent(r.value) })),
    endOffsets: () => topicEndOffsets(kafka, opts.topic),
    stop: () => running.stop(2000),
  };
}

export async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  await deleteTestTopics(kafka, [topic]);
}

export async function postEvents(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
