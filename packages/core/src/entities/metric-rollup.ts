// The rollup tables of agent metrics (metric-storage/rollups.ts writes them with plain SQL): the
// rollups, the rollup job's progress, and the hours late samples marked for it.
import { defineEntity, p } from '@mikro-orm/core';
import { METRIC_FIELDS, type MetricField } from '@tandem/schema';

type FieldAggregate = `${MetricField}_${'count' | 'sum' | 'min' | 'max'}`;

/** For every field f: `f_count` (samples that carried it), `f_sum`, `f_min`, `f_max`. */
const fieldAggregates = Object.fromEntries(METRIC_FIELDS.flatMap((f) => [
  [`${f}_count`, p.integer().default(0)],
  [`${f}_sum`, p.double().nullable()],
  [`${f}_min`, p.double().nullable()],
  [`${f}_max`, p.double().nullable()],
])) as Record<FieldAggregate, ReturnType<typeof p.double>>;

/** Per agent and 1-minute or 1-hour bucket: count / sum / min / max of every sample field and latency percentiles. */
export const MetricRollupEntity = defineEntity({
  name: 'MetricRollup',
  tableName: 'metric_rollups',
  indexes: [{ properties: ['workspaceId', 'stepMs', 'bucket'] }],
  // `in (60000, 3600000)` in the migration, written as PostgreSQL stores it so the schema diff agrees.
  checks: [{ name: 'metric_rollups_step_ms_check', expression: 'step_ms = any (array[60000, 3600000])' }],
  properties: {
    workspaceId: p.uuid(),
    agentId: p.uuid().primary(),
    /** 60 000 or 3 600 000. */
    stepMs: p.integer().primary(),
    /** Start of the bucket (a multiple of the step since the epoch). */
    bucket: p.datetime().primary(),
    samples: p.integer(),
    ...fieldAggregates,
    latencyP50: p.double().nullable(),
    latencyP95: p.double().nullable(),
    latencyP99: p.double().nullable(),
  },
});

/** One row (id 1): the end of the rollup job's previous sliding window. */
export const MetricRollupProgressEntity = defineEntity({
  name: 'MetricRollupProgress',
  tableName: 'metric_rollup_progress',
  checks: [{ name: 'metric_rollup_progress_id_check', expression: 'id = 1' }],
  properties: {
    id: p.smallint().primary().autoincrement(false).default(1),
    rolledUntil: p.datetime(),
  },
});

/** An agent's hour whose samples arrived too late for the sliding window; the next run recomputes it. */
export const MetricRollupMarkEntity = defineEntity({
  name: 'MetricRollupMark',
  tableName: 'metric_rollup_marks',
  properties: {
    agentId: p.uuid().primary(),
    hour: p.datetime().primary(),
  },
});
