// Live metrics of the workspace's AI agents.
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';

export function MetricsPage() {
  return (
    <div class="page">
      <PageHeader title="Metrics" description="Latency, tokens, cost and load of the AI agents that report to this workspace." />
      <EmptyState icon="metrics" title="No agents reporting yet" testId="metrics-empty">
        <p>
          Once an agent sends samples to <code>POST /api/v1/metrics</code> with an ingest key, its latency, cost and
          throughput will chart here live, with p50/p95 and alerts.
        </p>
      </EmptyState>
    </div>
  );
}
