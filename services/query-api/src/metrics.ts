import { Counter, Histogram, type Registry } from 'prom-client';

export class QueryMetrics {
  readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly searchSeconds: Histogram;
  readonly staleReads: Counter<'route'>;
  readonly freshnessWaitSeconds: Histogram;
  readonly authDenied: Counter<'service' | 'reason' | 'route'>;

  constructor(readonly registry: Registry) {
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    this.requestSeconds = new Histogram({
      name: 'trackstream_query_request_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets,
      registers: [registry],
    });
    this.searchSeconds = new Histogram({
      name: 'trackstream_query_search_seconds',
      help: 'Run search latency (SQL and run details)',
      buckets,
      registers: [registry],
    });
    this.staleReads = new Counter({
      name: 'trackstream_query_stale_reads_total',
      help: 'Reads with a token answered before the projections covered it (X-Trackstream-Stale: true)',
      labelNames: ['route'],
      registers: [registry],
    });
    this.authDenied = new Counter({
      name: 'trackstream_auth_denied_total',
      help: 'Requests refused by access control, by reason (the AuthError code) and route pattern',
      labelNames: ['service', 'reason', 'route'],
      registers: [registry],
    });
    this.freshnessWaitSeconds = new Histogram({
      name: 'trackstream_query_token_wait_seconds',
      help: 'Time reads waited for the projections to cover a token',
      buckets,
      registers: [registry],
    });
  }
}
