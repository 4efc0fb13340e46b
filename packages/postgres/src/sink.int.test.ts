import { describeProjectionSinkContract } from '@trackstream/projection-core/testing';
import { createTestPgSchema, endpointsFromEnv } from '@trackstream/testkit';
import { PostgresSink } from './sink';
import { readProjection } from './snapshot';

describeProjectionSinkContract('postgres', async () => {
  const db = await createTestPgSchema('pgsink');
  const sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema, poolSize: 2 });
  return {
    sink,
    snapshot: () => readProjection(db.pool, db.schema),
    cleanup: async () => {
      await sink.close();
      await db.cleanup();
    },
  };
});
