// The value an alert rule compares: one aggregate of one metric per agent over
// (now − windowMs, now], straight from raw metric_samples (alert windows are minutes, not days).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Aggregate, MetricName } from '@tandem/schema';

/** Ratios over the whole window; a per-sample aggregate of them would mean nothing. */
export const WINDOW_RATIO_METRICS: readonly MetricName[] = ['throughput', 'error_rate'];

const PERCENTILES: Partial<Record<Aggregate, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/** One sample's value of a metric; tokens are in + out (null when the sample carries neither). */
function sampleSql(metric: Exclude<MetricName, 'throughput' | 'error_rate'>): string {
  if (metric === 'tokens')
    return `case when s.tokens_in is null and s.tokens_out is null then null else coalesce(s.tokens_in, 0) + coalesce(s.tokens_out, 0) end`;
  return `s.${metric}`;
}

/**
 * SQL for the rule's value over the window. Counts, sums and throughput of an empty window are 0
 * (a silent agent really did 0 requests); every other aggregate of an empty window is null.
 */
export function windowValueSql(metric: MetricName, agg: Aggregate, windowMs: number): string {
  if (!Number.isInteger(windowMs) || windowMs <= 0) throw new Error(`bad window ${windowMs}`);
  if (metric === 'throughput') return `coalesce(sum(s.requests), 0)::float8 / ${windowMs / 1000}::float8`;
  if (metric === 'error_rate') return `coalesce(sum(s.errors), 0)::float8 / nullif(sum(s.requests), 0)`;
  const x = sampleSql(metric);
  const p = PERCENTILES[agg];
  if (p !== undefined) return `percentile_cont(${p}) within group (order by ${x})`;
  switch (agg) {
    case 'avg': return `avg(${x})`;
    case 'min': return `min(${x})`;
    case 'max': return `max(${x})`;
    case 'sum': return `coalesce(sum(${x}), 0)`;
    case 'count': return `count(${x})`;
    default: throw new Error(`unknown aggregate ${agg}`);
  }
}

export interface AgentValue {
  agentId: string;
  agentName: string;
  value: number | null;
}

/** The value for each agent the rule covers (its one agent, or every agent of the workspace). */
export async function windowValues(
  em: EntityManager,
  rule: { workspaceId: string; agentId: string | null; metric: MetricName; agg: Aggregate; windowMs: number },
  now: Date,
): Promise<AgentValue[]> {
  const from = new Date(now.getTime() - rule.windowMs);
  const rows = await em.execute<{ agent_id: string; agent_name: string; value: number | null }[]>(
    `select a.id as agent_id, a.name as agent_name, (${windowValueSql(rule.metric, rule.agg, rule.windowMs)})::float8 as value
       from agents a
       left join metric_samples s on s.agent_id = a.id and s.ts > ? and s.ts <= ?
      where a.workspace_id = ? ${rule.agentId ? 'and a.id = ?' : ''}
      group by a.id, a.name`,
    [from, now, rule.workspaceId, ...(rule.agentId ? [rule.agentId] : [])],
  );
  return rows.map((r) => ({ agentId: r.agent_id, agentName: r.agent_name, value: r.value }));
}
