// Links into an agent's dashboard at a range (and a metric): from a message's attached range, a
// query_agent_metrics tool card, an alert. The agent page reads them back (rangeFromSearch).
import type { MetricName } from './api.ts';
import { METRIC_LABELS } from './panels.ts';

export interface DashboardRange {
  agentId: string;
  metric?: MetricName | undefined;
  /** Epoch ms. */
  from: number;
  to: number;
}

/** The agent page (/w/:ws/metrics/agents/:agentId) zoomed to [from, to], with that metric's panel in view. */
export function dashboardHref(workspaceId: string, ref: DashboardRange): string {
  const query = new URLSearchParams({ from: String(Math.round(ref.from)), to: String(Math.round(ref.to)) });
  if (ref.metric) query.set('metric', ref.metric);
  return `/w/${workspaceId}/metrics/agents/${ref.agentId}?${query.toString()}`;
}

const isMetric = (value: string | undefined): value is MetricName => !!value && Object.hasOwn(METRIC_LABELS, value);

/** The range and metric of a dashboardHref's search params; null without a sane range (then the page is live). */
export function rangeFromSearch(search: { from?: string | string[] | undefined; to?: string | string[] | undefined; metric?: string | string[] | undefined }) {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const from = Number(one(search.from));
  const to = Number(one(search.to));
  const metricParam = one(search.metric);
  const metric = isMetric(metricParam) ? metricParam : undefined;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from < 0 || to <= from) return metric ? { range: null, metric } : null;
  return { range: { from, to }, metric };
}
