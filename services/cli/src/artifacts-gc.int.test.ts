import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalBlobStore } from '@trackstream/artifacts';
import { PostgresSink } from '@trackstream/postgres';
import { batchOf, TestEvents } from '@trackstream/projection-core/testing';
import { KafkaEventLog, createKafkaClient } from '@trackstream/kafka';
import { noopLogger } from '@trackstream/telemetry';
import { createTestPgSchema, createTestTopic, endpointsFromEnv } from '@trackstream/testkit';
import { runCli } from './cli';

jest.setTimeout(60_000);

/**
 * `trackstream artifacts gc` over the real stack: the referenced set from the Postgres projection (caught up with a
 * test topic), blobs in a local directory. An unreferenced blob younger than the grace period stays (an upload in
 * flight); older, it goes; a referenced one always stays; --dry-run deletes nothing.
 */
it('artifacts gc deletes only unreferenced blobs past the grace period; --dry-run reports', async () => {
  const topic = await createTestTopic('art_gc', 1);
  const db = await createTestPgSchema('art_gc');
  const root = await mkdtemp(join(tmpdir(), 'art-gc-'));
  const store = new LocalBlobStore({ root });
  try {
    const kept = await store.put(Readable.from([Buffer.from('referenced bytes')]));
    const orphan = await store.put(Readable.from([Buffer.from('orphan')]));
    const ev = new TestEvents('proj-gc');
    const events = [ev.runStarted('exp-gc', 'run-gc'), ev.artifactLogged('exp-gc', 'run-gc', { path: 'a.txt', sha256: kept.sha256, size_bytes: kept.size, uri: store.uri(kept.sha256) })];
    const log = new KafkaEventLog({ kafka: createKafkaClient({ clientId: 'art-gc-test', brokers: endpointsFromEnv().kafkaBrokers, logger: noopLogger }), topic: topic.topic, logger: noopLogger });
    await log.append(events);
    await log.close();
    const sink = new PostgresSink({ connectionString: endpointsFromEnv().pgUrl, schema: db.schema });
    await sink.setup();
    await sink.apply(batchOf(topic.topic, 0, events));
    await sink.close();

    const env = { ...process.env, TRACKSTREAM_AUTH: 'off', TRACKSTREAM_PG_SCHEMA: db.schema, TRACKSTREAM_EVENTS_TOPIC: topic.topic, TRACKSTREAM_ARTIFACTS_URL: `file://${root}` };
    const run = async (...args: string[]) => {
      const out: string[] = [];
      let err = '';
      const code = await runCli(['artifacts', 'gc', ...args], env, { out: (l) => out.push(l), err: { write: (s) => (err += s) } });
      if (code !== 0 && args[1] !== 'soon') process.stderr.write(err);
      return { code, out, err };
    };
    const fresh = await run();
    expect([fresh.code, fresh.out]).toEqual([0, ['freed 0 bytes: 0 blobs, 0 staging objects, 0 multipart uploads']]);
    await new Promise((r) => setTimeout(r, 20));
    const dry = await run('--dry-run', '--grace', '0s');
    expect(dry.code).toBe(0);
    expect(dry.out).toEqual([`blob ${orphan.sha256} 6 bytes`, 'would free 6 bytes: 1 blobs, 0 staging objects, 0 multipart uploads']);
    expect(await store.head(orphan.sha256)).not.toBeNull();
    const real = await run('--grace', '0s');
    expect(real.out.at(-1)).toBe('freed 6 bytes: 1 blobs, 0 staging objects, 0 multipart uploads');
    expect(await store.head(orphan.sha256)).toBeNull();
    expect(await store.head(kept.sha256)).not.toBeNull();
    expect((await run('--grace', 'soon')).code).toBe(2);
  } finally {
    await store.close();
    await db.cleanup();
    await topic.cleanup();
  }
});
