// Which bucket width and which table answer a metrics query. Pure: the clock and retention are
// arguments, so the choice is unit-tested without a database.
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Steps a chart snaps to; beyond the last, whole days. */
export const NICE_STEPS_MS = [
  SECOND, 5 * SECOND, 10 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
] as const;
/** At most this many buckets per series... */
export const MAX_BUCKETS = 5000;
/** ...and this many values in a whole answer (series × buckets). */
export const MAX_VALUES = 250_000;
/** Ranges up to this long, still within raw retention, are read raw: exact percentiles, few rows. */
export const RAW_MAX_RANGE_MS = 6 * HOUR;
/**
 * The rollup job runs every 30 s; rollup buckets that start later than this before now may not
 * exist yet, so raw samples stand in for them (the newest bucket of a chart is never half empty).
 */
export const ROLLUP_LAG_MS = 2 * MINUTE;

export type Source = 'raw' | '1m' | '1h';
export const ROLLUP_STEP_MS = { '1m': MINUTE, '1h': HOUR } as const;

export interface QueryPlan {
  /** Bucket width; buckets start at `from` + k × stepMs. */
  stepMs: number;
  /** What answers the query (before `tailFrom`, for rollups). */
  source: Source;
  /** First bucket start (a multiple of stepMs for charts; anything raw or grain-aligned for summaries). */
  from: number;
  /** End of the last bucket (exclusive, a multiple of stepMs). */
  to: number;
  /**
   * From here on raw samples answer: `from` for raw plans; for rollup plans a multiple of the
   * rollup step where raw samples stand in for rollups that may not exist yet (`to` if none).
   */
  tailFrom: number;
}

/** The smallest nice step at least `targetMs` long. */
export function niceStep(targetMs: number): number {
  return NICE_STEPS_MS.find((s) => s >= targetMs) ?? Math.ceil(targetMs / DAY) * DAY;
}

/** Raw samples are complete from here on (retention drops whole UTC days). */
export function rawRetainedSince(now: number, rawRetentionDays: number): number {
  return Math.floor(now / DAY) * DAY - (rawRetentionDays - 1) * DAY;
}

const bucketCount = (from: number, to: number, step: number) => Math.ceil(to / step) - Math.floor(from / step);

export interface PlanInput {
  from: number;
  to: number;
  stepMs?: number | undefined;
  /** Chart width in pixels: about one bucket per 2 px. */
  width: number;
  /** Series in the answer (agents × metrics), to bound its size. */
  series: number;
}

/**
 * Buckets are aligned to multiples of the step since the epoch (UTC days for a 1-day step) and
 * whole: the first and last cover their full step even where `from` and `to` cut through them,
 * so raw and rollup answers agree. A requested step is honoured unless it would exceed the size
 * bound, or ask raw detail of a range raw retention no longer covers; then it is coarsened.
 */
export function planQuery(q: PlanInput, env: { now: number; rawRetentionDays: number }): QueryPlan {
  const maxBuckets = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(MAX_VALUES / Math.max(1, q.series))));
  const rawSince = rawRetainedSince(env.now, env.rawRetentionDays);
  let step = q.stepMs ?? niceStep((q.to - q.from) / Math.max(1, q.width / 2));
  if (step < MINUTE && q.from < rawSince) step = MINUTE;
  if (bucketCount(q.from, q.to, step) > maxBuckets) {
    step = niceStep(Math.max(step, (q.to - q.from) / maxBuckets));
    while (bucketCount(q.from, q.to, step) > maxBuckets) step = niceStep(step + 1);
  }
  let source: Source;
  if (step < MINUTE || (q.from >= rawSince && q.to - q.from <= RAW_MAX_RANGE_MS)) source = 'raw';
  else if (step % HOUR === 0) source = '1h';
  else if (step % MINUTE === 0) source = '1m';
  else if (q.from >= rawSince) source = 'raw';
  else {
    step = Math.ceil(step / MINUTE) * MINUTE; // rollups answer whole minutes only
    source = '1m';
  }
  const from = Math.floor(q.from / step) * step;
  const to = Math.ceil(q.to / step) * step;
  const grain = source === 'raw' ? 0 : ROLLUP_STEP_MS[source];
  const tailFrom = grain ? Math.min(to, Math.max(from, Math.floor((env.now - ROLLUP_LAG_MS) / grain) * grain)) : from;
  return { stepMs: step, source, from, to, tailFrom };
}

/**
 * One bucket over the whole range, for a summary figure (an agent's p95 over the last day):
 * raw samples when they cover a short range, else rollups, with the range widened to whole
 * minutes (up to two days) or hours.
 */
export function planSummary(q: { from: number; to: number }, env: { now: number; rawRetentionDays: number }): QueryPlan {
  if (q.from >= rawRetainedSince(env.now, env.rawRetentionDays) && q.to - q.from <= RAW_MAX_RANGE_MS)
    return { stepMs: q.to - q.from, source: 'raw', from: q.from, to: q.to, tailFrom: q.from };
  const source: Source = q.to - q.from > 2 * DAY ? '1h' : '1m';
  const grain = ROLLUP_STEP_MS[source];
  const from = Math.floor(q.from / grain) * grain;
  const to = Math.ceil(q.to / grain) * grain;
  const tailFrom = Math.min(to, Math.max(from, Math.floor((env.now - ROLLUP_LAG_MS) / grain) * grain));
  return { stepMs: to - from, source, from, to, tailFrom };
}
