// Retention of agent metrics: raw samples go a whole daily partition at a time once the whole day
// is past the cutoff; rollups bucket by bucket. Idempotent, and nothing newer than a cutoff goes.
import type { EntityManager } from '@mikro-orm/postgresql';
import { dropMetricPartitionsBefore } from './partitions.ts';

const DAY_MS = 86_400_000;

export interface MetricRetention {
  rawDays: number;
  rollupDays: number;
}

export async function expireMetricData(em: EntityManager, retention: MetricRetention, now = Date.now()) {
  const rawCutoff = now - retention.rawDays * DAY_MS;
  const rollupCutoff = now - retention.rollupDays * DAY_MS;
  // A partition holds one UTC day: it goes when its end is at or before the cutoff.
  const droppedPartitions = await dropMetricPartitionsBefore(em, rawCutoff);
  // Through agents, so each agent's rows are found by the primary key (agent_id, step_ms, bucket)
  // rather than by scanning every rollup; a bucket goes only when it ends before the cutoff.
  const rollups = await em.execute<{ affectedRows: number }>(
    `delete from metric_rollups r using agents a
      where r.agent_id = a.id and r.step_ms in (60000, 3600000) and r.bucket < ?::timestamptz
        and r.bucket + r.step_ms * interval '1 millisecond' <= ?::timestamptz`,
    [new Date(rollupCutoff).toISOString(), new Date(rollupCutoff).toISOString()], 'run');
  // Marks of hours whose samples are gone have nothing left to recompute.
  const marks = await em.execute<{ affectedRows: number }>(
    `delete from metric_rollup_marks where hour < ?::timestamptz`, [new Date(rawCutoff - DAY_MS).toISOString()], 'run');
  return { rawCutoff: new Date(rawCutoff).toISOString(), rollupCutoff: new Date(rollupCutoff).toISOString(), droppedPartitions, deletedRollups: rollups.affectedRows, deletedMarks: marks.affectedRows };
}
