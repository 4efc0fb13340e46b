import type { AddressInfo } from 'node:net';
import { createMetricsRegistry } from '@trackstream/telemetry';
import { createProjectorHttpServer } from './http';
import { ProjectorMetrics } from './metrics';

describe('projector HTTP endpoints', () => {
  const serve = async (ok: boolean, now: () => number) => {
    const registry = createMetricsRegistry('projector-http-test');
    const metrics = new ProjectorMetrics(registry, 'postgres', now);
    const server = createProjectorHttpServer({ registry, health: () => ({ ok, details: { status: ok ? 'running' : 'crashed' } }) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { metrics, base, close: () => new Promise<void>((r) => server.close(() => r())) };
  };

  it('given a checkpoint advanced 12.5 s ago and a DLQ record, when /metrics is read, then age and count are reported', async () => {
    let t = 1_000_000;
    const s = await serve(true, () => t);
    try {
      s.metrics.checkpointAdvanced(3);
      s.metrics.dlqRecords.inc({ reason: 'EVENT_UNDECODABLE' });
      t += 12_500;
      const text = await (await fetch(`${s.base}/metrics`)).text();
      expect(text).toMatch(/trackstream_projector_checkpoint_age_seconds\{partition="3",service="projector-http-test"\} 12\.5/);
      expect(text).toMatch(/trackstream_projector_dlq_records_total\{reason="EVENT_UNDECODABLE",service="projector-http-test"\} 1/);
    } finally {
      await s.close();
    }
  });

  it('given a crashed runtime, when /healthz is read, then it answers 503 with the details; unknown paths are 404', async () => {
    const s = await serve(false, Date.now);
    try {
      const res = await fetch(`${s.base}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unhealthy', details: { status: 'crashed' } });
      expect((await fetch(`${s.base}/nope`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});
