// Prometheus figures served at /metrics (HTTP, WebSocket, ingestion). "metrics" elsewhere means
// agents' metrics; this file is only about the server's own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createPrometheus(sources: { ingestBacklogRows?: () => number } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'tandem_http_requests_total', help: 'HTTP requests', labelNames: ['route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({ name: 'tandem_http_request_duration_seconds', help: 'HTTP latency', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    wsConnections: new Gauge({ name: 'tandem_ws_connections', help: 'Open WebSocket connections', registers: [registry] }),
    wsRejected: new Counter({ name: 'tandem_ws_rejected_total', help: 'WebSocket upgrades refused', labelNames: ['reason'], registers: [registry] }),
    ingestSamples: new Counter({ name: 'tandem_ingest_samples_total', help: 'Agent-metric samples committed through POST /api/v1/metrics', registers: [registry] }),
    ingestRejected: new Counter({ name: 'tandem_ingest_rejected_total', help: 'Ingestion requests refused, by status', labelNames: ['status'], registers: [registry] }),
    ingestBacklog: new Gauge({
      name: 'tandem_ingest_backlog_rows',
      help: 'Agent-metric samples queued or being written; ingestion answers 429 past INGEST_MAX_QUEUED_ROWS',
      registers: [registry],
      collect() {
        this.set(sources.ingestBacklogRows?.() ?? 0);
      },
    }),
    wsSlowConsumers: new Counter({ name: 'tandem_ws_slow_consumers_total', help: 'Sockets closed because their send buffer overflowed', registers: [registry] }),
  };
}
export type Prometheus = ReturnType<typeof createPrometheus>;
