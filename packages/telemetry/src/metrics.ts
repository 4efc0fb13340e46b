import { Registry, collectDefaultMetrics } from 'prom-client';

/** A fresh registry per process (never prom-client's global one), with Node's default metrics. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
