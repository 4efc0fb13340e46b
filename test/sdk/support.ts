// The real ingest gateway, in-process, on a topic owned by one test; Kafka read back with the shared decoder.
import { decodeEvent, type StoredEvent } from '@trackstream/events';
import { createKafkaClient, readTopicToEnd } from '@trackstream/kafka';
import { noopLogger } from '@trackstream/telemetry';
import { deleteTestTopics, endpointsFromEnv, uniqueName } from '@trackstream/testkit';
import { startKafkaGateway, type RunningGateway } from '@trackstream/ingest-gateway';

export interface GatewayUnderTest {
  url: string;
  port: number;
  topic: string;
  /** Closes the HTTP server (and its producer): the gateway is down, the port is free. */
  stop(): Promise<void>;
  /** Starts a fresh gateway on the same port and topic. */
  start(): Promise<void>;
  readEvents(): Promise<StoredEvent[]>;
  cleanup(): Promise<void>;
}

export async function gatewayUnderTest(port = 0): Promise<GatewayUnderTest> {
  // The gateway creates its topic itself (ensureTopic), with the record size limit its 4 MiB batches need.
  const topic = uniqueName('sdk');
  const brokers = endpointsFromEnv().kafkaBrokers;
  let running: RunningGateway | null = null;
  const start = async (p: number) => {
    running = await startKafkaGateway({ brokers, topic, partitions: 1, logger: noopLogger, port: p, host: '127.0.0.1', auth: { mode: 'off' } });
    return running.address.port;
  };
  const actualPort = await start(port);
  const kafka = createKafkaClient({ clientId: 'sdk-test-reader', brokers, logger: noopLogger });
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    topic,
    stop: async () => {
      const r = running;
      running = null;
      await r?.stop(1000);
    },
    start: async () => {
      await start(actualPort);
    },
    readEvents: async () => (await readTopicToEnd(kafka, topic, { timeoutMs: 60_000 })).map((r) => decodeEvent(r.value)),
    cleanup: async () => {
      await (running as RunningGateway | null)?.stop(1000);
      await deleteTestTopics(kafka, [topic]);
    },
  };
}

/** Metric points of one run as stored, in log order, each event counted once (a retry may store it twice). */
export function storedPoints(events: StoredEvent[], runId: string): { key: string; value: number; step: number }[] {
  const seen = new Set<string>();
  const out: { key: string; value: number; step: number }[] = [];
  for (const e of events) {
    if (e.run_id !== runId || e.type !== 'metrics_logged' || seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    for (const p of e.payload.points) out.push({ key: p.key, value: p.value, step: p.step });
  }
  return out;
}
