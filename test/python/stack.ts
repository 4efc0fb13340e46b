// The real services a Python SDK test talks to, in-process: three gateways on one test-owned topic (one can be
// stopped and started by the tests through a small control endpoint; one has auth on with a token rate-limited to a
// few events per second, so it answers 429 with Retry-After), both projectors, the query API, the artifact store
// (a local-directory blob store, appending to the same topic, reading the same Postgres schema), and ClickHouse's
// address so the tests count points in the store itself.
import * as http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactCore, LocalBlobStore, MultipartUploads } from '@trackstream/artifacts';
import { createArtifactStoreService } from '@trackstream/artifact-store';
import { KafkaEventLog, createKafkaClient } from '@trackstream/kafka';
import { ReadModel } from '@trackstream/read-model';
import { InMemoryTokenStore, TokenValidator } from '@trackstream/auth';
import { ClickHouseSink } from '@trackstream/clickhouse';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import {
  createTestClickHouseDatabase,
  createTestPgSchema,
  createTestTopic,
  endpointsFromEnv,
  type TestClickHouseDatabase,
  type TestPgSchema,
  type TestTopic,
} from '@trackstream/testkit';
import { startKafkaGateway, type RunningGateway } from '@trackstream/ingest-gateway';
import { createQueryApi, type QueryApi } from '@trackstream/query-api';

export interface PythonTestStack {
  /** Environment for pytest: where everything is. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Events per second the rate-limited gateway's token may send (its bucket holds twice this). */
const RATE_LIMIT_PER_SEC = 10;

export async function startPythonTestStack(): Promise<PythonTestStack> {
  const brokers = endpointsFromEnv().kafkaBrokers;
  const topic: TestTopic = await createTestTopic('pysdk', 3);
  const dlq: TestTopic = await createTestTopic('pysdk-dlq', 1);
  const pg: TestPgSchema = await createTestPgSchema('pysdk');
  const ch: TestClickHouseDatabase = await createTestClickHouseDatabase('pysdk');
  const startGateway = (port: number) =>
    startKafkaGateway({ brokers, topic: topic.topic, partitions: 3, logger: noopLogger, port, host: '127.0.0.1', auth: { mode: 'off' } });
  const main: RunningGateway = await startGateway(0);
  let flaky: RunningGateway | null = await startGateway(0);
  const flakyPort = flaky.address.port;
  // The gateway's own token buckets: RATE_LIMIT_PER_SEC events/s per token, a bucket of twice that.
  const tokens = new InMemoryTokenStore();
  const limitedToken = (await tokens.create({ principal: 'pysdk-bot', project: 'pysdk', role: 'writer', rateLimitPerSec: RATE_LIMIT_PER_SEC })).token;
  const validator = new TokenValidator(tokens, { refreshMs: 60_000 });
  await validator.start();
  const limited: RunningGateway = await startKafkaGateway({
    brokers,
    topic: topic.topic,
    partitions: 3,
    logger: noopLogger,
    port: 0,
    host: '127.0.0.1',
    auth: { mode: 'on', validator },
  });

  const pgSink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: pg.schema });
  const chSink = new ClickHouseSink({ url: ch.url });
  const runtimes: ProjectionRuntime[] = [];
  for (const [name, sink] of [['postgres', pgSink], ['clickhouse', chSink]] as const) {
    await sink.setup();
    const runtime = new ProjectionRuntime({
      brokers,
      topic: topic.topic,
      dlqTopic: dlq.topic,
      groupId: `g-${name}-${topic.topic}`,
      sink,
      logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry(`pysdk-${name}`), name),
      kafkaCommitIntervalMs: 500,
      lagRefreshIntervalMs: 1000,
    });
    await runtime.start();
    runtimes.push(runtime);
  }
  const api: QueryApi = createQueryApi({
    pgUrl: endpointsFromEnv().pgUrl,
    pgSchema: pg.schema,
    clickhouseUrl: ch.url,
    eventsTopic: topic.topic,
    readYourWritesWaitMs: 30_000,
    auth: { mode: 'off' },
  });
  const apiUrl = (await api.listen()).url;

  // The artifact store: its artifact_logged events go to the test topic, runs are looked up in the test schema.
  const kafka = createKafkaClient({ clientId: 'pysdk-artifacts', brokers, logger: noopLogger, logLevel: 'error' });
  const artifactLog = new KafkaEventLog({ kafka, topic: topic.topic, logger: noopLogger });
  const artifactRead = ReadModel.open({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pg.schema, clickhouseUrl: ch.url });
  const blobRoot = await mkdtemp(join(tmpdir(), 'pysdk-artifacts-'));
  const blobs = new LocalBlobStore({ root: blobRoot });
  const artifactCore = new ArtifactCore({ store: blobs, log: artifactLog, index: artifactRead, visibilityWaitMs: 20_000 });
  const artifacts = createArtifactStoreService({ core: artifactCore, uploads: new MultipartUploads(artifactCore, blobs) });
  const artifactUrl = (await artifacts.listen()).url;

  // POST /flaky/stop and /flaky/start: the tests take the second gateway down and bring it back on the same port.
  const control = http.createServer((req, res) => {
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/flaky/stop') {
          const g = flaky;
          flaky = null;
          await g?.stop(1000);
          return answer(200, { running: false });
        }
        if (req.method === 'POST' && req.url === '/flaky/start') {
          if (!flaky) flaky = await startGateway(flakyPort);
          return answer(200, { running: true });
        }
        answer(404, { error: 'unknown control path' });
      } catch (err) {
        answer(500, { error: String(err) });
      }
    })();
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlPort = (control.address() as { port: number }).port;

  return {
    env: {
      TS_TEST_GATEWAY_URL: `http://127.0.0.1:${main.address.port}`,
      TS_TEST_FLAKY_GATEWAY_URL: `http://127.0.0.1:${flakyPort}`,
      TS_TEST_CONTROL_URL: `http://127.0.0.1:${controlPort}`,
      TS_TEST_QUERY_URL: apiUrl,
      TS_TEST_LIMITED_GATEWAY_URL: `http://127.0.0.1:${limited.address.port}`,
      TS_TEST_LIMITED_TOKEN: limitedToken,
      TS_TEST_LIMITED_RATE: String(RATE_LIMIT_PER_SEC),
      TS_TEST_CLICKHOUSE_URL: ch.url,
      TS_TEST_CLICKHOUSE_DATABASE: ch.database,
      TS_TEST_ARTIFACT_URL: artifactUrl,
    },
    close: async () => {
      await new Promise((r) => control.close(r));
      for (const r of runtimes) await r.stop().catch(() => undefined);
      await pgSink.close().catch(() => undefined);
      await chSink.close().catch(() => undefined);
      await api.close();
      await artifacts.close();
      await artifactLog.close();
      await artifactRead.close();
      await blobs.close();
      await rm(blobRoot, { recursive: true, force: true });
      await main.stop(1000);
      await flaky?.stop(1000);
      await limited.stop(1000);
      validator.stop();
      await pg.cleanup();
      await ch.cleanup();
      await topic.cleanup();
      await dlq.cleanup();
    },
  };
}
