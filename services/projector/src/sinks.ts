import { ClickHouseSink } from '@trackstream/clickhouse';
import { PostgresSink } from '@trackstream/postgres';
import type { ProjectionSink } from '@trackstream/projection-core';
import type { Logger } from '@trackstream/telemetry';
import type { ProjectorConfig } from './config';

/** The one place that knows which adapter backs which projection. */
export function createSink(cfg: ProjectorConfig, logger: Logger): ProjectionSink {
  switch (cfg.projection) {
    case 'postgres':
      return new PostgresSink({ connectionString: cfg.pgUrl, schema: cfg.pgSchema, logger });
    case 'clickhouse':
      return new ClickHouseSink({ url: cfg.clickhouseUrl, logger });
  }
}
