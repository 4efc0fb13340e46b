import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type BreakerState = 'closed' | 'half_open' | 'open';
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface GatewayMetrics {
  requestDuration: Histogram<'route' | 'method' | 'status'>;
  eventsAccepted: Counter<'type'>;
  batchEvents: Histogram;
  batchBytes: Histogram;
  rejected: Counter<'code'>;
  producerLatency: Histogram<'outcome'>;
  authDenied: Counter<'service' | 'reason' | 'route'>;
}

export interface GatewayGaugeSources {
  inFlightBytes(): number;
  inFlightRequests(): number;
  /** The byte limit admission enforces now (adaptive, or the static one when adaptive admission is off). */
  inFlightLimitBytes(): number;
  completedBytesPerSecond(): number;
  breakerState(): BreakerState;
}

export function createGatewayMetrics(registry: Registry, sources: GatewayGaugeSources): GatewayMetrics {
  new Gauge({
    name: 'trackstream_gateway_inflight_bytes',
    help: 'Request body bytes the gateway holds in flight (reserved from Content-Length)',
    registers: [registry],
    collect() {
      this.set(sources.inFlightBytes());
    },
  });
  new Gauge({
    name: 'trackstream_gateway_inflight_requests',
    help: 'Event batches in flight',
    registers: [registry],
    collect() {
      this.set(sources.inFlightRequests());
    },
  });
  new Gauge({
    name: 'trackstream_gateway_inflight_limit_bytes',
    help: 'In-flight byte limit admission enforces now: measured completion rate x half the deadline, between one maximum batch and the static limit (the static limit when adaptive admission is off)',
    registers: [registry],
    collect() {
      this.set(sources.inFlightLimitBytes());
    },
  });
  new Gauge({
    name: 'trackstream_gateway_completed_bytes_per_second',
    help: 'Request body bytes (by Content-Length) the gateway completes per second while busy, averaged over recent requests',
    registers: [registry],
    collect() {
      this.set(sources.completedBytesPerSecond());
    },
  });
  new Gauge({
    name: 'trackstream_gateway_breaker_state',
    help: 'Circuit breaker around the event log producer: 0 closed, 1 half-open, 2 open',
    registers: [registry],
    collect() {
      this.set(BREAKER_STATE_VALUE[sources.breakerState()]);
    },
  });
  return {
    requestDuration: new Histogram({
      name: 'trackstream_gateway_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventsAccepted: new Counter({
      name: 'trackstream_gateway_events_accepted_total',
      help: 'Events acknowledged by the log, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    batchEvents: new Histogram({
      name: 'trackstream_gateway_batch_events',
      help: 'Events per accepted batch',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    batchBytes: new Histogram({
      name: 'trackstream_gateway_batch_bytes',
      help: 'Body bytes per accepted batch',
      buckets: [1024, 8192, 32768, 131072, 524288, 1048576, 4194304],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'trackstream_gateway_rejected_total',
      help: 'Requests answered with an error, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    authDenied: new Counter({
      name: 'trackstream_auth_denied_total',
      help: 'Requests refused by access control, by reason (the AuthError code or RATE_LIMITED) and route pattern',
      labelNames: ['service', 'reason', 'route'],
      registers: [registry],
    }),
    producerLatency: new Histogram({
      name: 'trackstream_gateway_producer_latency_seconds',
      help: 'Time from handing a batch to the event log until Kafka acknowledged it (or it failed)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
