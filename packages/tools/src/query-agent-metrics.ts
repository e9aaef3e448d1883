// query_agent_metrics: one metric of one agent (or each agent) over a range, in buckets, with a
// figure for the whole range: p50/p95 for latency, totals for cost, tokens, requests and errors.
import { z } from 'zod';
import {
  AppError, DAY, HOUR, MINUTE, agentsOfWorkspace, alignSeries, findAgent, planQuery, planSummary, readBuckets, type AgentRef, type MetricSpec,
} from '@tandem/core';
import { METRIC_NAMES, type MetricName } from '@tandem/schema';
import { defineTool } from './define-tool.ts';
import { checkRangeOrder, dateParam, parseDateBound } from './date-range.ts';
import { roundTo } from './query.ts';

/**
 * The least raw retention configuration allows: older raw samples may be gone, so the tool reads
 * rollups (always complete) before it. Tools get no config; a larger setting only means exact
 * percentiles for a few more days.
 */
const RAW_DAYS_SURELY_KEPT = 8;
const MAX_RANGE_MS = 400 * DAY;

export const queryAgentMetricsParameters = z
  .object({
    agent: z.string().trim().min(1).max(64).describe('Agent name or id (see list_agents). Default: every agent of the workspace.').optional(),
    metric: z.enum(METRIC_NAMES).default('latency_ms').describe(
      'latency_ms, cost_usd, tokens (in + out), tokens_in, tokens_out, cpu_pct, gpu_pct, memory_mb, requests, errors, ' +
      'throughput (requests per second) or error_rate (errors / requests).'),
    lastHours: z.number().int().min(1).max(24 * 400).describe('The last N hours up to now (instead of from/to).').optional(),
    from: dateParam('Start of the range (inclusive). Default: 24 hours ago.').optional(),
    to: dateParam('End of the range (inclusive for a date). Default: now.').optional(),
    buckets: z.number().int().min(4).max(200).default(24).describe('About how many time buckets to return.'),
  })
  .superRefine(checkRangeOrder);

/** The aggregates shown per metric: percentiles for latency, totals for what adds up, averages and peaks for gauges. */
function aggregatesOf(metric: MetricName): MetricSpec[] {
  if (metric === 'latency_ms') return (['avg', 'p50', 'p95'] as const).map((agg) => ({ name: metric, agg }));
  if (metric === 'cpu_pct' || metric === 'gpu_pct' || metric === 'memory_mb') return (['avg', 'max'] as const).map((agg) => ({ name: metric, agg }));
  if (metric === 'throughput' || metric === 'error_rate') return [{ name: metric, agg: 'avg' }];
  return [{ name: metric, agg: 'sum' }];
}

const UNITS: Partial<Record<MetricName, string>> = { latency_ms: ' ms', cpu_pct: '%', gpu_pct: '%', memory_mb: ' MB', throughput: ' req/s' };
function formatValue(metric: MetricName, v: number | null): string {
  if (v === null) return 'no data';
  if (metric === 'cost_usd') return `$${v >= 100 ? v.toFixed(0) : v.toFixed(v >= 1 ? 2 : 4)}`;
  if (metric === 'error_rate') return `${roundTo(v * 100, 2)}%`;
  return `${roundTo(v, v >= 100 ? 0 : 2).toLocaleString('en-US')}${UNITS[metric] ?? ''}`;
}

const formatStep = (ms: number) =>
  ms < MINUTE ? `${ms / 1000} s` : ms < HOUR ? `${ms / MINUTE} min` : ms < DAY ? `${ms / HOUR} h` : `${ms / DAY} d`;

export const queryAgentMetrics = defineTool({
  name: 'query_agent_metrics',
  description:
    'One metric of an agent (or of every agent) over a time range, in time buckets, plus a figure for the whole range: ' +
    'latency average, p50 and p95; totals for cost_usd, tokens, requests and errors; average and peak for CPU, GPU and memory; ' +
    'throughput in requests per second; error rate. Default: latency of every agent over the last 24 hours. ' +
    'Percentiles over long ranges come from 1-minute or 1-hour rollups and are approximate.',
  parameters: queryAgentMetricsParameters,
  async handler(params, ctx) {
    const now = (ctx.now ?? new Date()).getTime();
    const to = params.lastHours || !params.to ? now : parseDateBound(params.to, 'end')!.getTime();
    const from = params.lastHours ? now - params.lastHours * HOUR : params.from ? parseDateBound(params.from, 'start')!.getTime() : to - 24 * HOUR;
    if (to <= from) throw new AppError('BAD_REQUEST', 'the range is empty: `from` must be before `to`');
    if (to - from > MAX_RANGE_MS) throw new AppError('BAD_REQUEST', 'the range is at most 400 days');

    let agents: AgentRef[];
    if (params.agent) {
      try {
        agents = [await findAgent(ctx.em, ctx.workspaceId, params.agent)];
      } catch {
        const known = (await agentsOfWorkspace(ctx.em, ctx.workspaceId)).map((a) => a.name);
        throw new AppError('NOT_FOUND', `no agent "${params.agent}" in this workspace; agents: ${known.join(', ') || 'none yet'}`);
      }
    } else agents = await agentsOfWorkspace(ctx.em, ctx.workspaceId);
    ctx.signal?.throwIfAborted();

    const metrics = aggregatesOf(params.metric);
    const env = { now, rawRetentionDays: RAW_DAYS_SURELY_KEPT };
    const ids = agents.map((a) => a.id);
    const plan = planQuery({ from, to, width: params.buckets * 2, series: agents.length * metrics.length }, env);
    const series = alignSeries(plan, agents, metrics, await readBuckets(ctx.em, ctx.workspaceId, ids, metrics, plan));
    ctx.signal?.throwIfAborted();
    const whole = planSummary({ from, to }, env);
    const totals = alignSeries(whole, agents, metrics, await readBuckets(ctx.em, ctx.workspaceId, ids, metrics, whole));
    ctx.signal?.throwIfAborted();

    const column = (agg: string) => (metrics.length === 1 ? params.metric : agg);
    const primary = metrics.find((m) => m.agg === 'p95') ?? metrics[0]!;
    const single = agents.length === 1;
    // One agent: a column per aggregate. Several: a column per agent, of the main aggregate.
    const rows = series.x.map((x, i) => {
      const row: Record<string, string | number | null> = { time: new Date(x * 1000).toISOString() };
      for (const s of series.series)
        if (single) row[column(s.agg)] = s.values[i] ?? null;
        else if (s.agg === primary.agg) row[s.agentName] = s.values[i] ?? null;
      return row;
    });
    const summaryRows = agents.map((a) => {
      const out: Record<string, string | number | null> = { agent: a.name };
      for (const s of totals.series.filter((t) => t.agentId === a.id)) out[column(s.agg)] = s.values[0] ?? null;
      return out;
    });

    const range = `${new Date(from).toISOString().slice(0, 16).replace('T', ' ')} to ${new Date(to).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const describe = (r: Record<string, string | number | null>) =>
      metrics.map((m) => `${metrics.length > 1 ? `${m.agg} ` : ''}${formatValue(params.metric, r[column(m.agg)] as number | null)}`).join(', ');
    const summary = !agents.length
      ? 'This workspace has no agents yet.'
      : `${params.metric} ${range}, ${series.x.length} buckets of ${formatStep(series.stepMs)}: ` +
        summaryRows.slice(0, 10).map((r) => `${r.agent}: ${describe(r)}`).join('; ') + '.';
    return {
      data: {
        metric: params.metric, from: new Date(from).toISOString(), to: new Date(to).toISOString(),
        stepMs: series.stepMs, source: series.source, agents: agents.map((a) => a.name), rows, totals: summaryRows,
      },
      chart: {
        kind: 'line', x: 'time',
        series: single ? metrics.map((m) => column(m.agg)) : agents.map((a) => a.name),
        title: `${params.metric}${single ? ` of ${agents[0]!.name}` : ` (${primary.agg})`}`,
      },
      summary,
    };
  },
});
