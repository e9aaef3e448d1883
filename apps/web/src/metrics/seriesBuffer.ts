// The chart data of a dashboard, as metrics.query answered it, then extended in place by live
// points and trimmed as time moves on.
import type { Aggregate, LivePoint, MetricName, MetricsQueryOutput } from './api.ts';

export interface BufferedSeries {
  agentId: string;
  agentName: string;
  metric: MetricName;
  agg: Aggregate;
  /** What charts draw; in the newest bucket, maybe a projection of `lastRaw` (or nothing yet). */
  values: (number | null | undefined)[];
  /** The newest bucket's value as stored or as the live points add up. */
  lastRaw: number | null;
}

/** What the live points of the newest bucket add up to, per series. */
interface OpenBucketSeries {
  /** The value metrics.query gave this bucket, if it was already part of the history. */
  seed: number | null;
  values: number[];
  requests: number;
  errors: number;
}

/**
 * One x array and one y array per agent × metric × aggregate. Plain arrays on purpose: charts read
 * them directly (uPlot setData), Solid never tracks them. The newest bucket is usually still
 * filling: see showLastBucket.
 */
export interface SeriesBuffer {
  stepMs: number;
  source: MetricsQueryOutput['source'];
  /** Bucket starts, epoch seconds (uPlot's time scale). */
  x: number[];
  series: BufferedSeries[];
  /** Where bucket boundaries fall, as ms past a multiple of stepMs (taken from the history). */
  alignMs: number;
  byAgent: Map<string, number[]>;
  open: { bucketMs: number; series: Map<number, OpenBucketSeries> } | null;
}

export function makeSeriesBuffer(output: MetricsQueryOutput): SeriesBuffer {
  const byAgent = new Map<string, number[]>();
  output.series.forEach((s, i) => byAgent.set(s.agentId, [...(byAgent.get(s.agentId) ?? []), i]));
  const first = output.x[0];
  return {
    stepMs: output.stepMs,
    source: output.source,
    x: output.x.slice(),
    series: output.series.map((s) => ({ ...s, values: s.values.slice(), lastRaw: s.values[s.values.length - 1] ?? null })),
    alignMs: first === undefined ? 0 : ((first * 1000) % output.stepMs + output.stepMs) % output.stepMs,
    byAgent,
    open: null,
  };
}

function percentile(sorted: number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (rank - lo);
}

function aggregate(values: number[], agg: Aggregate): number | null {
  if (values.length === 0) return null;
  switch (agg) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'count':
      return values.length;
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'p50':
    case 'p95':
    case 'p99':
      return percentile([...values].sort((a, b) => a - b), Number(agg.slice(1)));
  }
}

/** Adds one live point to a series' open bucket; false when the point says nothing about it. */
function addToOpen(open: OpenBucketSeries, metric: MetricName, values: LivePoint['values']): boolean {
  switch (metric) {
    case 'throughput':
      if (values.requests === undefined) return false;
      open.requests += values.requests;
      return true;
    case 'error_rate':
      if (values.requests === undefined) return false;
      open.requests += values.requests;
      open.errors += values.errors ?? 0;
      return true;
    case 'tokens':
      if (values.tokens_in === undefined && values.tokens_out === undefined) return false;
      open.values.push((values.tokens_in ?? 0) + (values.tokens_out ?? 0));
      return true;
    default: {
      const value = values[metric];
      if (value === undefined) return false;
      open.values.push(value);
      return true;
    }
  }
}

function openValue(open: OpenBucketSeries, series: BufferedSeries, stepMs: number): number | null {
  switch (series.metric) {
    case 'throughput':
      return (open.seed ?? 0) + open.requests / (stepMs / 1000);
    case 'error_rate':
      return open.requests > 0 ? open.errors / open.requests : open.seed;
    default: {
      // Sums continue from the stored value; other aggregates count it as one more observation.
      if (series.agg === 'sum' || series.agg === 'count') {
        const added = aggregate(open.values, series.agg);
        return added === null ? open.seed : (open.seed ?? 0) + added;
      }
      return aggregate(open.seed === null ? open.values : [open.seed, ...open.values], series.agg);
    }
  }
}

function bucketOf(buffer: SeriesBuffer, tsMs: number): number {
  return Math.floor((tsMs - buffer.alignMs) / buffer.stepMs) * buffer.stepMs + buffer.alignMs;
}

/** Appends a new bucket; after silence a null bucket first, so lines break instead of bridging it. */
function pushBucket(buffer: SeriesBuffer, bucketMs: number): void {
  const last = buffer.x[buffer.x.length - 1];
  const stepSec = buffer.stepMs / 1000;
  // The bucket that was newest is complete: it shows what it holds, not a projection.
  if (last !== undefined) for (const s of buffer.series) s.values[buffer.x.length - 1] = s.lastRaw;
  for (const s of buffer.series) s.lastRaw = null;
  if (last !== undefined && bucketMs / 1000 - last > stepSec) {
    buffer.x.push(last + stepSec);
    for (const s of buffer.series) s.values.push(null);
  }
  buffer.x.push(bucketMs / 1000);
  for (const s of buffer.series) s.values.push(null);
}

/**
 * Folds live points into the buffer: points of the newest bucket update it, later ones open new
 * buckets, older ones are dropped (the history already has them). Returns whether anything changed.
 */
export function appendLivePoints(buffer: SeriesBuffer, points: LivePoint[]): boolean {
  let changed = false;
  const sorted = points.length > 1 ? [...points].sort((a, b) => a.ts - b.ts) : points;
  for (const point of sorted) {
    const indices = buffer.byAgent.get(point.agentId);
    if (!indices) continue;
    const bucketMs = bucketOf(buffer, point.ts);
    const last = buffer.x[buffer.x.length - 1];
    if (last !== undefined && bucketMs / 1000 < last) continue;
    if (last === undefined || bucketMs / 1000 > last) {
      pushBucket(buffer, bucketMs);
      buffer.open = { bucketMs, series: new Map() };
    } else if (buffer.open?.bucketMs !== bucketMs) {
      buffer.open = { bucketMs, series: new Map() };
    }
    const at = buffer.x.length - 1;
    for (const i of indices) {
      const series = buffer.series[i];
      if (!series) continue;
      let open = buffer.open.series.get(i);
      if (!open) {
        open = { seed: series.lastRaw, values: [], requests: 0, errors: 0 };
        buffer.open.series.set(i, open);
      }
      if (!addToOpen(open, series.metric, point.values)) continue;
      series.lastRaw = openValue(open, series, buffer.stepMs);
      series.values[at] = series.lastRaw;
      changed = true;
    }
  }
  return changed;
}

/** Drops the buckets that ended before `fromSec` (they scrolled out of a live range). */
export function trimBefore(buffer: SeriesBuffer, fromSec: number): void {
  const stepSec = buffer.stepMs / 1000;
  let drop = 0;
  while (drop < buffer.x.length && (buffer.x[drop] ?? 0) + stepSec < fromSec) drop++;
  // Keep one bucket left of the edge so the line runs to the axis instead of starting inside it.
  drop = Math.max(0, drop - 1);
  if (drop === 0) return;
  buffer.x.splice(0, drop);
  for (const s of buffer.series) s.values.splice(0, drop);
}

/** Sums and rates grow while their bucket fills; averages, extremes and percentiles do not. */
function growsWithBucket(series: BufferedSeries): boolean {
  return series.metric === 'throughput' || series.agg === 'sum' || series.agg === 'count';
}

/** Under this share of its bucket, a projection would mostly be noise: nothing is drawn yet. */
const MIN_PROJECTED_SHARE = 0.25;

/**
 * Sets what the newest bucket shows at `nowMs`: while it is still filling, sums and rates are
 * scaled to the whole bucket (a third of a bucket's requests would otherwise plot as a dip);
 * once it is complete, its value as is.
 */
export function showLastBucket(buffer: SeriesBuffer, nowMs: number): void {
  const at = buffer.x.length - 1;
  const start = buffer.x[at];
  if (start === undefined) return;
  const elapsed = nowMs - start * 1000;
  const filling = elapsed < buffer.stepMs;
  for (const s of buffer.series) {
    if (!filling || !growsWithBucket(s) || s.lastRaw === null) s.values[at] = s.lastRaw;
    else s.values[at] = elapsed >= buffer.stepMs * MIN_PROJECTED_SHARE ? (s.lastRaw * buffer.stepMs) / elapsed : undefined;
  }
}
