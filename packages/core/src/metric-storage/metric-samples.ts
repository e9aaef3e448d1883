// The metric_samples table (Migration20261123200000Metrics), stated here because it has no entity:
// it is partitioned and has no primary key. Raw agent samples, insert-only.
import { METRIC_FIELDS, type MetricField } from '@tandem/schema';

/** The PostgreSQL type of each metric field's column. */
export const METRIC_SAMPLE_FIELD_TYPES = {
  latency_ms: 'float8', tokens_in: 'int4', tokens_out: 'int4', cost_usd: 'float8', cpu_pct: 'float4',
  gpu_pct: 'float4', memory_mb: 'float4', requests: 'int4', errors: 'int4',
} as const satisfies Record<MetricField, string>;
export type MetricSampleFieldType = (typeof METRIC_SAMPLE_FIELD_TYPES)[MetricField];

/**
 * Every column, in the order writes list them (COPY's binary rows follow it): workspace_id uuid,
 * agent_id uuid, ts timestamptz (the partition key; none of these three is null), one nullable
 * column per metric field of METRIC_SAMPLE_FIELD_TYPES, labels jsonb null. One partition per UTC
 * day (metric_samples_YYYYMMDD, partitions.ts), indexed on (agent_id, ts) and (workspace_id, ts).
 * Written by ingestion/sample-insert.ts (COPY or unnest); read by metric-queries/,
 * agents/agent-status.ts and the rollup job (rollups.ts).
 */
export const METRIC_SAMPLE_COLUMNS = ['workspace_id', 'agent_id', 'ts', ...METRIC_FIELDS, 'labels'] as const;

/** A stored sample as `select *` returns it. */
export type MetricSampleRow = {
  workspace_id: string;
  agent_id: string;
  ts: Date;
  labels: Record<string, string> | null;
} & { [F in MetricField]: number | null };
