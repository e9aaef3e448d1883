// 1-minute and 1-hour rollups of raw samples (per agent and bucket: count, sum, min, max of every
// field; latency p50/p95/p99), recomputed from raw with upserts, so a late sample is folded in.
import type { EntityManager } from '@mikro-orm/postgresql';
import { MAX_SAMPLE_AGE_MS, MAX_SAMPLE_SKEW_MS, METRIC_FIELDS } from '@tandem/schema';

export const ROLLUP_STEPS = [60_000, 3600_000] as const;

/** The window starts this long before the previous run, for samples that arrive a little late. */
export const ROLLUP_LATE_MS = 5 * 60_000;
/**
 * The sample writer marks samples older than this when written. Smaller than ROLLUP_LATE_MS by a
 * margin for the clocks of server and worker and for the time a write takes to commit.
 */
export const ROLLUP_MARK_OLDER_THAN_MS = 3 * 60_000;
/** The first run (no progress yet) looks back this far. */
const FIRST_RUN_LOOKBACK_MS = 2 * 3600_000;
/** Marked hours recomputed per run (each is an agent's hour of raw samples). */
const MARKS_PER_RUN = 500;
/** Names the advisory lock that keeps two rollup runs from overlapping. */
const ROLLUP_LOCK = 7_251_124;

const aggregates = METRIC_FIELDS.map((f) => `count(${f}) as ${f}_count, sum(${f}) as ${f}_sum, min(${f}) as ${f}_min, max(${f}) as ${f}_max`).join(',\n      ');
const rollupColumns = [
  'samples',
  ...METRIC_FIELDS.flatMap((f) => [`${f}_count`, `${f}_sum`, `${f}_min`, `${f}_max`]),
  'latency_p50', 'latency_p95', 'latency_p99',
];

/**
 * Upserts the buckets of width `stepMs` built from the samples `source` selects (a FROM clause
 * over metric_samples aliased `s`, with its own `?` parameters).
 */
function upsertSql(source: string): string {
  return `insert into metric_rollups (workspace_id, agent_id, step_ms, bucket, ${rollupColumns.join(', ')})
    select workspace_id, agent_id, step_ms, bucket, ${rollupColumns.filter((c) => !c.startsWith('latency_p')).join(', ')}, p[1], p[2], p[3]
    from (
      select s.workspace_id, s.agent_id, ?::int as step_ms,
        date_bin(? * interval '1 millisecond', s.ts, timestamptz 'epoch') as bucket,
        count(*) as samples,
        ${aggregates},
        percentile_cont(array[0.5, 0.95, 0.99]) within group (order by latency_ms) as p
      ${source}
      group by s.workspace_id, s.agent_id, bucket
    ) g
    on conflict (agent_id, step_ms, bucket) do update set
      ${rollupColumns.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

const WINDOW_SOURCE = `from metric_samples s where s.ts >= ?::timestamptz and s.ts < ?::timestamptz`;
const MARKS_SOURCE = `from metric_samples s
      join unnest(?::uuid[], ?::timestamptz[]) as m(agent_id, hour)
        on s.agent_id = m.agent_id and s.ts >= m.hour and s.ts < m.hour + interval '1 hour'`;

const iso = (ms: number) => new Date(ms).toISOString();
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

export interface RollupRun {
  skipped: boolean;
  /** The sliding window covered (epoch ms), before rounding to whole buckets. */
  from: number;
  to: number;
  /** Buckets written per step. */
  buckets: Record<string, number>;
  /** Marked (agent, hour) pairs recomputed. */
  marks: number;
}

/**
 * One run of the metrics.rollup job; `now` is the clock (tests pass their own). Buckets are
 * recomputed from raw with upserts, so a run is idempotent and a late sample is folded in by the
 * next run that covers its bucket. A run covers a sliding window from shortly before the previous
 * run (kept in metric_rollup_progress) to the clock-skew bound ahead of now, plus the hours that
 * the sample writer marked because their samples arrived too late for that window (backfills).
 */
export async function rollUpMetricSamples(em: EntityManager, now = Date.now()): Promise<RollupRun> {
  return em.transactional(async (tx) => {
    const [lock] = await tx.execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(?) as locked`, [ROLLUP_LOCK]);
    if (!lock!.locked) return { skipped: true, from: now, to: now, buckets: {}, marks: 0 };
    const [progress] = await tx.execute<{ rolled_until: Date }[]>(`select rolled_until from metric_rollup_progress where id = 1`);
    const previous = progress ? Math.min(new Date(progress.rolled_until).getTime(), now) : now - FIRST_RUN_LOOKBACK_MS;
    const from = Math.max(previous - ROLLUP_LATE_MS, now - MAX_SAMPLE_AGE_MS);
    const to = now + MAX_SAMPLE_SKEW_MS;
    const buckets: Record<string, number> = {};
    for (const step of ROLLUP_STEPS) {
      const res = await tx.execute<{ affectedRows: number }>(upsertSql(WINDOW_SOURCE),
        [step, step, iso(floorTo(from, step)), iso(ceilTo(to, step))], 'run');
      buckets[step] = res.affectedRows;
    }

    // Rows a concurrent writer is inserting stay locked out of this delete and wait for the next run.
    const marks = await tx.execute<{ agent_id: string; hour: Date }[]>(
      `delete from metric_rollup_marks where (agent_id, hour) in (
         select agent_id, hour from metric_rollup_marks order by hour limit ? for update skip locked)
       returning agent_id, hour`, [MARKS_PER_RUN]);
    if (marks.length) {
      const agents = `{${marks.map((m) => m.agent_id).join(',')}}`;
      const hours = `{${marks.map((m) => `"${new Date(m.hour).toISOString()}"`).join(',')}}`;
      for (const step of ROLLUP_STEPS) {
        const res = await tx.execute<{ affectedRows: number }>(upsertSql(MARKS_SOURCE), [step, step, agents, hours], 'run');
        buckets[step] = (buckets[step] ?? 0) + res.affectedRows;
      }
    }

    await tx.execute(
      `insert into metric_rollup_progress (id, rolled_until) values (1, ?::timestamptz)
       on conflict (id) do update set rolled_until = excluded.rolled_until`, [iso(now)]);
    return { skipped: false, from, to, buckets, marks: marks.length };
  });
}
