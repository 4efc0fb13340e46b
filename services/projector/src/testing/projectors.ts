import { ClickHouseSink } from '@trackstream/clickhouse';
import { PostgresSink } from '@trackstream/postgres';
import { ProjectionRuntime, ProjectorMetrics } from '@trackstream/projection';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';

export interface TestProjectorsOptions {
  brokers: string[];
  topic: string;
  dlqTopic: string;
  pgUrl: string;
  pgSchema: string;
  clickhouseUrl: string;
  /** Names the metrics registries (one per test file). */
  name: string;
}

export interface TestProjectors {
  runtimes: ProjectionRuntime[];
  /** Stops both runtimes and closes their sinks (errors ignored: a cleanup must not fail a test). */
  stop(): Promise<void>;
}

/**
 * Both projectors in-process, as services/projector runs them: the real runtime over the Postgres and ClickHouse
 * sinks (set up first), one consumer group each on the test's topic, short commit and lag intervals.
 */
export async function startTestProjectors(opts: TestProjectorsOptions): Promise<TestProjectors> {
  const pgSink = new PostgresSink({ connectionString: opts.pgUrl, schema: opts.pgSchema });
  const chSink = new ClickHouseSink({ url: opts.clickhouseUrl });
  const runtimes: ProjectionRuntime[] = [];
  for (const [name, sink] of [['postgres', pgSink], ['clickhouse', chSink]] as const) {
    await sink.setup();
    const runtime = new ProjectionRuntime({
      brokers: opts.brokers,
      topic: opts.topic,
      dlqTopic: opts.dlqTopic,
      groupId: `g-${name}-${opts.topic}`,
      sink,
      logger: noopLogger,
      metrics: new ProjectorMetrics(createMetricsRegistry(`${opts.name}-${name}`), name),
      kafkaCommitIntervalMs: 500,
      lagRefreshIntervalMs: 1000,
    });
    await runtime.start();
    runtimes.push(runtime);
  }
  return {
    runtimes,
    stop: async () => {
      for (const r of runtimes) await r.stop().catch(() => undefined);
      for (const s of [pgSink, chSink]) await s.close().catch(() => undefined);
    },
  };
}
