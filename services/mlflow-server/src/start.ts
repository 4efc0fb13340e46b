import { ArtifactCore, openBlobStore, type ArtifactStoreOptions, type BlobStore } from '@trackstream/artifacts';
import { KafkaEventLog, createKafkaClient, ensureTopic } from '@trackstream/kafka';
import { ReadModel } from '@trackstream/read-model';
import type { Logger } from '@trackstream/telemetry';
import { createMlflowServer } from './app';
import { artifactProxyRoute } from './artifact-proxy';
import type { MlflowAuth } from './auth';
import type { MlflowServerOptions } from './options';

export interface StartOptions extends Omit<MlflowServerOptions, 'eventLog' | 'readModel'> {
  brokers: string[];
  topic: string;
  /** Partitions if the topic has to be created. Default 12. */
  partitions?: number;
  pgUrl: string;
  pgSchema: string;
  clickhouseUrl: string;
  port: number;
  host?: string;
  logger: Logger;
  auth: MlflowAuth;
  /** Where the artifact proxy (`mlflow-artifacts:` URIs) stores blobs: the artifact store's own options, so both doors share one store. Null: no proxy. */
  artifacts: ArtifactStoreOptions | null;
}

export interface RunningMlflowServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The server wired to Kafka, Postgres and ClickHouse; `port` 0 = any free port. */
export async function startMlflowServer(opts: StartOptions): Promise<RunningMlflowServer> {
  const { brokers, topic, partitions, pgUrl, pgSchema, clickhouseUrl, port, host, artifacts, ...rest } = opts;
  const kafka = createKafkaClient({ clientId: 'trackstream-mlflow-server', brokers, logger: opts.logger, logLevel: 'warn' });
  await ensureTopic(kafka, { topic, partitions: partitions ?? 12 });
  const eventLog = new KafkaEventLog({ kafka, topic, logger: opts.logger });
  const readModel = ReadModel.open({ pgUrl, pgSchema, clickhouseUrl, logger: opts.logger });
  const store: BlobStore | null = artifacts === null ? null : openBlobStore(artifacts);
  const extraRoutes =
    store === null ? [] : [artifactProxyRoute({ core: new ArtifactCore({ store, log: eventLog, index: readModel, logger: opts.logger }), logger: opts.logger, retryAfterSeconds: rest.retryAfterSeconds ?? 1 })];
  const server = createMlflowServer({ ...rest, eventLog, readModel, extraRoutes });
  const address = await server.listen(port, host);
  return {
    ...address,
    async stop() {
      await server.close();
      await eventLog.close();
      await readModel.close();
      await store?.close();
    },
  };
}
