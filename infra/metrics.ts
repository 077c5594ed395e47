// The process's Prometheus metrics, served by the API at GET /metrics: Node's defaults (event loop lag, heap,
// GC, CPU, handles) and the product's own counters. One registry per process, shared by every stack in it.
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/** Requests answered 503 because a dependency was unreachable (outages the problem handler classified). */
export const dependencyUnavailable = new Counter({
  name: 'ats_dependency_unavailable_total',
  help: 'API requests answered 503 because PostgreSQL or Temporal was unreachable',
  labelNames: ['dependency'] as const,
  registers: [metricsRegistry],
});
