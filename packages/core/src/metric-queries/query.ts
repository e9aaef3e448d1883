// metrics.query: aggregates per agent × metric in aligned buckets, for uPlot (one x array of
// bucket starts in epoch seconds, one values array per series, null where a bucket is empty).
import type { EntityManager } from '@mikro-orm/postgresql';
import { METRIC_FIELDS, type MetricField, type MetricsQueryInput, type MetricsQueryOutput } from '@tandem/schema';
import { agentsOfWorkspace, type AgentRef } from '../agents/agents.ts';
import { planQuery, ROLLUP_STEP_MS, type QueryPlan } from './query-plan.ts';

export type MetricSpec = MetricsQueryInput['metrics'][number];

const PERCENTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
const percentileOf = (agg: string): number | undefined => PERCENTILES[agg as keyof typeof PERCENTILES];

/** The stored fields a metric is computed from. */
function fieldsOf(m: MetricSpec): MetricField[] {
  if (m.name === 'tokens') return ['tokens_in', 'tokens_out'];
  if (m.name === 'throughput') return ['requests'];
  if (m.name === 'error_rate') return ['errors', 'requests'];
  return [m.name];
}

/** One bucket's value from raw samples `s` (exact). */
function rawExpr(m: MetricSpec, stepMs: number): string {
  if (m.name === 'throughput') return `sum(s.requests)::float8 / ${stepMs / 1000}`;
  if (m.name === 'error_rate') return `coalesce(sum(s.errors), 0)::float8 / nullif(sum(s.requests), 0)`;
  if (m.name === 'tokens') {
    const x = `case when s.tokens_in is null and s.tokens_out is null then null else coalesce(s.tokens_in, 0) + coalesce(s.tokens_out, 0) end`;
    return m.agg === 'sum' ? `sum(${x})::float8` : `avg(${x})::float8`;
  }
  const p = percentileOf(m.agg);
  if (p !== undefined) return `percentile_cont(${p}) within group (order by s.${m.name})`;
  const fn = { avg: 'avg', min: 'min', max: 'max', sum: 'sum', count: 'count' }[m.agg as 'avg'];
  return `${fn}(s.${m.name})::float8`;
}

/**
 * One bucket's value from rollup-shaped rows `r` (per agent and minute or hour: count/sum/min/max
 * per field, latency p50/p95/p99). Sums of sums and counts answer avg, min, max, sum and count
 * exactly; a percentile over a bucket wider than one rollup row is APPROXIMATED as the
 * count-weighted mean of the rows' percentiles (exact when the step equals the rollup step).
 */
function rollupExpr(m: MetricSpec, stepMs: number): string {
  const has = (f: MetricField) => `sum(r.${f}_count) > 0`;
  if (m.name === 'throughput') return `case when ${has('requests')} then sum(r.requests_sum) / ${stepMs / 1000} end`;
  if (m.name === 'error_rate') return `coalesce(sum(r.errors_sum), 0) / nullif(sum(r.requests_sum), 0)`;
  if (m.name === 'tokens') {
    const total = `coalesce(sum(r.tokens_in_sum), 0) + coalesce(sum(r.tokens_out_sum), 0)`;
    // Per-sample average of in + out; exact when samples carry both fields or only one of them always.
    return m.agg === 'sum'
      ? `case when ${has('tokens_in')} or ${has('tokens_out')} then ${total} end`
      : `(${total}) / nullif(greatest(sum(r.tokens_in_count), sum(r.tokens_out_count)), 0)::float8`;
  }
  const f = m.name;
  const p = percentileOf(m.agg);
  if (p !== undefined) {
    const col = `r.latency_${m.agg}`;
    return `sum(${col} * r.latency_ms_count) / nullif(sum(r.latency_ms_count) filter (where ${col} is not null), 0)::float8`;
  }
  switch (m.agg) {
    case 'avg': return `sum(r.${f}_sum) / nullif(sum(r.${f}_count), 0)::float8`;
    case 'min': return `min(r.${f}_min)`;
    case 'max': return `max(r.${f}_max)`;
    case 'sum': return `case when ${has(f)} then sum(r.${f}_sum) end`;
    default: return `sum(r.${f}_count)::float8`;
  }
}

/** Raw samples aggregated into the rollup table's columns, for the part of a range rollups may not cover yet. */
function rawAsRollupColumns(metrics: MetricSpec[]): string {
  const fields = METRIC_FIELDS.filter((f) => metrics.some((m) => fieldsOf(m).includes(f)));
  const cols = fields.flatMap((f) => [
    `count(s.${f}) as ${f}_count`, `sum(s.${f})::float8 as ${f}_sum`, `min(s.${f})::float8 as ${f}_min`, `max(s.${f})::float8 as ${f}_max`,
  ]);
  for (const agg of Object.keys(PERCENTILES))
    if (metrics.some((m) => m.agg === agg)) cols.push(`percentile_cont(${percentileOf(agg)}) within group (order by s.latency_ms) as latency_${agg}`);
  return cols.join(', ');
}

function rollupColumns(metrics: MetricSpec[]): string {
  const fields = METRIC_FIELDS.filter((f) => metrics.some((m) => fieldsOf(m).includes(f)));
  const cols = fields.flatMap((f) => [`${f}_count`, `${f}_sum`, `${f}_min`, `${f}_max`]);
  for (const agg of Object.keys(PERCENTILES)) if (metrics.some((m) => m.agg === agg)) cols.push(`latency_${agg}`);
  return cols.join(', ');
}

const epochMs = (column: string) => `extract(epoch from ${column}) * 1000`;
/** Start of the bucket of width `step` (counted from `origin`) that holds the instant `msExpr`. */
const bucketOf = (msExpr: string, step: number, origin = 0) => `(floor((${msExpr} - ${origin}) / ${step}) * ${step} + ${origin})::float8`;
const iso = (ms: number) => new Date(ms).toISOString();
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

type BucketRow = { agent_id: string; bucket_ms: number } & Record<string, number | null>;

/**
 * Every non-empty bucket of the plan, per agent, with one column `m<i>` per metric. Raw samples
 * answer exactly; with rollups, recent rows that may not exist yet are stood in for by raw samples
 * aggregated the same way (from plan.tailFrom on).
 */
export async function readBuckets(
  em: EntityManager, workspaceId: string, agentIds: string[], metrics: MetricSpec[], plan: QueryPlan,
): Promise<BucketRow[]> {
  if (!agentIds.length || plan.from >= plan.to) return [];
  const step = plan.stepMs;
  if (!Number.isInteger(step) || step <= 0 || !Number.isInteger(plan.from)) throw new Error(`bad plan ${JSON.stringify(plan)}`);
  const ids = uuidArray(agentIds);
  if (plan.source === 'raw') {
    const values = metrics.map((m, i) => `${rawExpr(m, step)} as m${i}`).join(', ');
    return em.execute<BucketRow[]>(
      `select s.agent_id, ${bucketOf(epochMs('s.ts'), step, plan.from)} as bucket_ms, ${values}
         from metric_samples s
        where s.workspace_id = ? and s.agent_id = any(?::uuid[]) and s.ts >= ?::timestamptz and s.ts < ?::timestamptz
        group by 1, 2`,
      [workspaceId, ids, iso(plan.from), iso(plan.to)],
    );
  }
  const grain = ROLLUP_STEP_MS[plan.source];
  const values = metrics.map((m, i) => `${rollupExpr(m, step)} as m${i}`).join(', ');
  return em.execute<BucketRow[]>(
    `with r as (
       select agent_id, (${epochMs('bucket')})::float8 as at_ms, ${rollupColumns(metrics)}
         from metric_rollups
        where workspace_id = ? and step_ms = ${grain} and agent_id = any(?::uuid[]) and bucket >= ?::timestamptz and bucket < ?::timestamptz
       union all
       select s.agent_id, ${bucketOf(epochMs('s.ts'), grain)} as at_ms, ${rawAsRollupColumns(metrics)}
         from metric_samples s
        where s.workspace_id = ? and s.agent_id = any(?::uuid[]) and s.ts >= ?::timestamptz and s.ts < ?::timestamptz
        group by 1, 2
     )
     select r.agent_id, ${bucketOf('r.at_ms', step, plan.from)} as bucket_ms, ${values}
       from r group by 1, 2`,
    [workspaceId, ids, iso(plan.from), iso(plan.tailFrom), workspaceId, ids, iso(plan.tailFrom), iso(plan.to)],
  );
}

/** Lays bucket rows out for uPlot: x in epoch seconds, one array per agent × metric, null for gaps. */
export function alignSeries(plan: QueryPlan, agents: AgentRef[], metrics: MetricSpec[], rows: BucketRow[]): MetricsQueryOutput {
  const n = (plan.to - plan.from) / plan.stepMs;
  const x = Array.from({ length: n }, (_, i) => (plan.from + i * plan.stepMs) / 1000);
  const byAgent = new Map(agents.map((a) => [a.id, metrics.map(() => new Array<number | null>(n).fill(null))]));
  for (const row of rows) {
    const columns = byAgent.get(row.agent_id);
    const i = (Number(row.bucket_ms) - plan.from) / plan.stepMs;
    if (!columns || !(i >= 0 && i < n)) continue;
    metrics.forEach((_, k) => {
      const v = row[`m${k}`];
      columns[k]![i] = v === null || v === undefined ? null : Number(v);
    });
  }
  return {
    stepMs: plan.stepMs,
    source: plan.source === 'raw' || plan.tailFrom <= plan.from ? 'raw' : plan.source,
    x,
    series: agents.flatMap((a) => metrics.map((m, k) => ({ agentId: a.id, agentName: a.name, metric: m.name, agg: m.agg, values: byAgent.get(a.id)![k]! }))),
  };
}

export interface QueryEnv {
  now?: number;
  rawRetentionDays: number;
}

/** The whole query. Agent ids of another workspace are NOT_FOUND; none given: the workspace's agents (first 50 by name). */
export async function queryMetrics(em: EntityManager, workspaceId: string, input: MetricsQueryInput, env: QueryEnv): Promise<MetricsQueryOutput> {
  const agents = await agentsOfWorkspace(em, workspaceId, input.agentIds);
  const plan = planQuery(
    { from: input.from, to: input.to, stepMs: input.stepMs, width: input.width, series: agents.length * input.metrics.length },
    { now: env.now ?? Date.now(), rawRetentionDays: env.rawRetentionDays },
  );
  const rows = await readBuckets(em, workspaceId, agents.map((a) => a.id), input.metrics, plan);
  return alignSeries(plan, agents, input.metrics, rows);
}
