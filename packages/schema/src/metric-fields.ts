// The vocabulary of agent metrics: the fields a sample stores, the metrics a query or chart can ask
// for (stored plus derived), and the aggregates each answers. Shared by every metrics schema.
import { z } from 'zod';

/** The numeric fields a sample may carry (docs/api.md "Metrics samples"); column names in storage. */
export const METRIC_FIELDS = [
  'latency_ms',
  'tokens_in',
  'tokens_out',
  'cost_usd',
  'cpu_pct',
  'gpu_pct',
  'memory_mb',
  'requests',
  'errors',
] as const;
export const metricFieldSchema = z.enum(METRIC_FIELDS);
export type MetricField = z.infer<typeof metricFieldSchema>;

/** What a query or chart can ask for: the stored fields plus derived ones. */
export const METRIC_NAMES = [...METRIC_FIELDS, 'tokens', 'throughput', 'error_rate'] as const;
export const metricNameSchema = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof metricNameSchema>;

export const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'] as const;
export const aggregateSchema = z.enum(AGGREGATES);
export type Aggregate = z.infer<typeof aggregateSchema>;

/**
 * The aggregates each metric answers. Rollups keep percentiles for latency only; `tokens` is
 * tokens_in + tokens_out (its per-sample min/max are not kept); `throughput` (requests per
 * second over the bucket) and `error_rate` (errors / requests) are ratios with one meaning.
 */
export const metricAggregates = (metric: MetricName): readonly Aggregate[] =>
  metric === 'latency_ms' ? AGGREGATES
    : metric === 'tokens' ? ['avg', 'sum']
      : metric === 'throughput' || metric === 'error_rate' ? ['avg']
        : ['avg', 'min', 'max', 'sum', 'count'];
