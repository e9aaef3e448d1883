// The offline assistant's answer to a question about an attached chart range ("what happened
// here?", "why did checkout-bot degrade?"): the range's buckets from query_agent_metrics described in
// words — the peak and when, the average, when it first rose above that average, start and end.
import type { AttachedMetricRef } from '@tandem/core';
import type { ToolResult } from '@tandem/tools';

/** How many buckets the range is read in: enough to place the peak, few enough to describe. */
const BUCKETS = 48;

/** The query_agent_metrics arguments for the range (the agent by id: names can repeat across workspaces, ids cannot). */
export function metricRefToolArgs(ref: AttachedMetricRef) {
  return { agent: ref.agentId, metric: ref.metric, from: new Date(ref.from).toISOString(), to: new Date(ref.to).toISOString(), buckets: BUCKETS };
}

const UNITS: Record<string, string> = { latency_ms: ' ms', cpu_pct: '%', gpu_pct: '%', memory_mb: ' MB', throughput: ' req/s' };

function formatValue(metric: string, v: number): string {
  if (metric === 'cost_usd') return `$${v.toFixed(v >= 1 ? 2 : 4)}`;
  if (metric === 'error_rate') return `${Math.round(v * 10_000) / 100}%`;
  const rounded = Math.round(v * (Math.abs(v) >= 100 ? 1 : 100)) / (Math.abs(v) >= 100 ? 1 : 100);
  return `${rounded.toLocaleString('en-US')}${UNITS[metric] ?? ''}`;
}

/** "14:05 UTC" within a day, "Dec 3 14:05 UTC" across days. */
function formatTime(iso: string, withDay: boolean): string {
  const d = new Date(iso);
  const hm = d.toISOString().slice(11, 16);
  return withDay ? `${d.toLocaleString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })} ${hm} UTC` : `${hm} UTC`;
}

interface MetricRows {
  rows: Record<string, string | number | null>[];
}

/**
 * The answer, from the tool's result for exactly the attached range. The series is the metric's own
 * column (one agent, one aggregate) or its average (latency, CPU, GPU, memory have several).
 */
export function describeMetricRange(ref: AttachedMetricRef, result: ToolResult): string {
  const rows = (result.data as MetricRows).rows ?? [];
  const column = rows.some((r) => typeof r[ref.metric] === 'number') ? ref.metric : 'avg';
  const points = rows
    .map((r) => ({ at: String(r.time), v: r[column] }))
    .filter((p): p is { at: string; v: number } => typeof p.v === 'number');
  const withDay = ref.to - ref.from > 20 * 3_600_000;
  const range = `${formatTime(new Date(ref.from).toISOString(), withDay)} to ${formatTime(new Date(ref.to).toISOString(), withDay)}`;
  const subject = `**${ref.metric}** of **${ref.agentName}** from ${range}`;
  if (!points.length) return `There is no data for ${subject}: the agent sent no samples in that range.`;

  const peak = points.reduce((a, b) => (b.v > a.v ? b : a));
  const low = points.reduce((a, b) => (b.v < a.v ? b : a));
  const mean = points.reduce((s, p) => s + p.v, 0) / points.length;
  const f = (v: number) => formatValue(ref.metric, v);
  const lines = [`Here is ${subject} (${points.length} data points${column === 'avg' ? ', bucket averages' : ''}):`, ''];
  lines.push(`- **Peak:** ${f(peak.v)} at ${formatTime(peak.at, withDay)}`);
  lines.push(`- **Average:** ${f(mean)}; lowest ${f(low.v)} at ${formatTime(low.at, withDay)}`);
  // The first rise above the average after being at or below it: where a degradation began.
  const crossing = points.findIndex((p, i) => i > 0 && p.v > mean && points[i - 1]!.v <= mean);
  if (crossing > 0 && peak.v > mean) lines.push(`- **Crossed above the average** at ${formatTime(points[crossing]!.at, withDay)}`);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const change = first.v === 0 ? null : Math.round(((last.v - first.v) / Math.abs(first.v)) * 100);
  lines.push(`- **Start → end:** ${f(first.v)} → ${f(last.v)}${change === null ? '' : ` (${change >= 0 ? '+' : ''}${change}%)`}`);
  lines.push('', result.summary);
  return lines.join('\n');
}
