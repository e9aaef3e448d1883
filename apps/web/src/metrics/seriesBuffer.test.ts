// The chart buffer of the live dashboard: history as metrics.query answered it, live points folded
// in or opening new buckets, old buckets trimmed, the still-filling bucket projected.
import { describe, expect, it } from 'vitest';
import type { LivePoint, MetricsQueryOutput } from './api.ts';
import { appendLivePoints, makeSeriesBuffer, showLastBucket, trimBefore, type SeriesBuffer } from './seriesBuffer.ts';

const STEP_MS = 10_000;

/** Three 10 s buckets at 1000, 1010 and 1020 s for agent "a", and one series for agent "b". */
function history(): MetricsQueryOutput {
  return {
    stepMs: STEP_MS,
    source: 'raw',
    x: [1000, 1010, 1020],
    series: [
      { agentId: 'a', agentName: 'Alpha', metric: 'latency_ms', agg: 'p95', values: [100, null, 120] },
      { agentId: 'a', agentName: 'Alpha', metric: 'throughput', agg: 'avg', values: [1, 2, 3] },
      { agentId: 'a', agentName: 'Alpha', metric: 'cost_usd', agg: 'sum', values: [0.1, 0.2, 0.3] },
      { agentId: 'a', agentName: 'Alpha', metric: 'error_rate', agg: 'avg', values: [0, 0, 0.5] },
      { agentId: 'a', agentName: 'Alpha', metric: 'tokens', agg: 'sum', values: [10, 20, 30] },
      { agentId: 'b', agentName: 'Beta', metric: 'latency_ms', agg: 'p95', values: [50, 60, 70] },
    ],
  };
}

const point = (agentId: string, tsMs: number, values: LivePoint['values']): LivePoint => ({ agentId, ts: tsMs, values });
const valuesOf = (buffer: SeriesBuffer, agentId: string, metric: string) =>
  buffer.series.find((s) => s.agentId === agentId && s.metric === metric)?.values;

describe('makeSeriesBuffer', () => {
  it('copies the answer, so later changes leave the query result alone', () => {
    const output = history();
    const buffer = makeSeriesBuffer(output);
    buffer.x.push(1030);
    buffer.series[0]?.values.push(1);
    expect(output.x).toEqual([1000, 1010, 1020]);
    expect(output.series[0]?.values).toEqual([100, null, 120]);
  });

  it('remembers the newest value and the series of each agent', () => {
    const buffer = makeSeriesBuffer(history());
    expect(buffer.series.map((s) => s.lastRaw)).toEqual([120, 3, 0.3, 0.5, 30, 70]);
    expect(buffer.byAgent.get('a')).toEqual([0, 1, 2, 3, 4]);
    expect(buffer.byAgent.get('b')).toEqual([5]);
  });

  it('takes bucket boundaries from the history, also when they are not multiples of the step', () => {
    expect(makeSeriesBuffer(history()).alignMs).toBe(0);
    expect(makeSeriesBuffer({ ...history(), x: [1003, 1013, 1023] }).alignMs).toBe(3000);
    expect(makeSeriesBuffer({ ...history(), x: [], series: [] }).alignMs).toBe(0);
  });
});

describe('appendLivePoints', () => {
  it('folds a point of the newest bucket into it: a percentile over the stored value and the new one', () => {
    const buffer = makeSeriesBuffer(history());
    expect(appendLivePoints(buffer, [point('a', 1_022_000, { latency_ms: 200 })])).toBe(true);
    expect(buffer.x).toEqual([1000, 1010, 1020]);
    // p95 of [120, 200] interpolates between them.
    expect(valuesOf(buffer, 'a', 'latency_ms')?.[2]).toBeCloseTo(196);
    // Agent b's series is untouched.
    expect(valuesOf(buffer, 'b', 'latency_ms')).toEqual([50, 60, 70]);
  });

  it('drops points older than the newest bucket and points of agents it does not chart', () => {
    const buffer = makeSeriesBuffer(history());
    expect(appendLivePoints(buffer, [point('a', 1_015_000, { latency_ms: 999 }), point('z', 1_022_000, { latency_ms: 999 })])).toBe(false);
    expect(valuesOf(buffer, 'a', 'latency_ms')).toEqual([100, null, 120]);
  });

  it('reports no change for a point that carries none of the charted metrics', () => {
    const buffer = makeSeriesBuffer(history());
    expect(appendLivePoints(buffer, [point('b', 1_022_000, { cpu_pct: 40 })])).toBe(false);
    expect(valuesOf(buffer, 'b', 'latency_ms')).toEqual([50, 60, 70]);
  });

  it('opens the next bucket for a later point, with the previous newest one as stored', () => {
    const buffer = makeSeriesBuffer(history());
    appendLivePoints(buffer, [point('a', 1_031_000, { latency_ms: 300 })]);
    expect(buffer.x).toEqual([1000, 1010, 1020, 1030]);
    expect(valuesOf(buffer, 'a', 'latency_ms')).toEqual([100, null, 120, 300]);
    // Series without a point in the new bucket have nothing there yet.
    expect(valuesOf(buffer, 'b', 'latency_ms')).toEqual([50, 60, 70, null]);
  });

  it('after silence, puts one null bucket first so the line breaks instead of bridging the gap', () => {
    const buffer = makeSeriesBuffer(history());
    appendLivePoints(buffer, [point('a', 1_052_000, { latency_ms: 300 })]);
    expect(buffer.x).toEqual([1000, 1010, 1020, 1030, 1050]);
    expect(valuesOf(buffer, 'a', 'latency_ms')).toEqual([100, null, 120, null, 300]);
  });

  it('applies a batch in time order, so an earlier point that arrived later is not lost', () => {
    const buffer = makeSeriesBuffer(history());
    appendLivePoints(buffer, [point('a', 1_031_000, { latency_ms: 300 }), point('a', 1_021_000, { latency_ms: 200 })]);
    expect(buffer.x).toEqual([1000, 1010, 1020, 1030]);
    expect(valuesOf(buffer, 'a', 'latency_ms')?.[2]).toBeCloseTo(196);
    expect(valuesOf(buffer, 'a', 'latency_ms')?.[3]).toBe(300);
  });

  it('places points by the history bucket boundaries', () => {
    // Buckets start 3 s past each 10 s: 1023 s holds 1023 000 … 1032 999 ms.
    const buffer = makeSeriesBuffer({ ...history(), x: [1003, 1013, 1023] });
    appendLivePoints(buffer, [point('b', 1_032_500, { latency_ms: 90 })]);
    expect(buffer.x).toEqual([1003, 1013, 1023]);
    appendLivePoints(buffer, [point('b', 1_033_000, { latency_ms: 80 })]);
    expect(buffer.x).toEqual([1003, 1013, 1023, 1033]);
  });

  it('adds requests to throughput as a rate per second over the bucket', () => {
    const buffer = makeSeriesBuffer(history());
    appendLivePoints(buffer, [point('a', 1_021_000, { requests: 10 }), point('a', 1_022_000, { requests: 10 })]);
    // Stored 3 req/s, plus 20 requests over 10 s.
    expect(valuesOf(buffer, 'a', 'throughput')?.[2]).toBeCloseTo(5);
  });

  it('counts the error rate over the live requests once there are any', () => {
    const buffer = makeSeriesBuffer(history());
    appendLivePoints(buffer, [point('a', 1_021_000, { requests: 8, errors: 1 }), point('a', 1_022_000, { requests: 2, errors: 1 })]);
    expect(valuesOf(buffer, 'a', 'error_rate')?.[2]).toBeCloseTo(0.2);
  });

  it('continues sums from the stored value, and adds tokens in and out', () => {
    const buffer = makeSeriesBuffer(history());
    appendLivePoints(buffer, [point('a', 1_021_000, { cost_usd: 0.05, tokens_in: 3, tokens_out: 4 }), point('a', 1_022_000, { cost_usd: 0.05 })]);
    expect(valuesOf(buffer, 'a', 'cost_usd')?.[2]).toBeCloseTo(0.4);
    expect(valuesOf(buffer, 'a', 'tokens')?.[2]).toBe(37);
  });
});

describe('trimBefore', () => {
  it('drops buckets that ended before the edge but keeps one, so the line reaches the axis', () => {
    const buffer = makeSeriesBuffer({ ...history(), x: [1000, 1010, 1020] });
    appendLivePoints(buffer, [point('b', 1_031_000, { latency_ms: 80 })]);
    trimBefore(buffer, 1025);
    expect(buffer.x).toEqual([1010, 1020, 1030]);
    expect(valuesOf(buffer, 'b', 'latency_ms')).toEqual([60, 70, 80]);
    expect(valuesOf(buffer, 'a', 'latency_ms')).toEqual([null, 120, null]);
  });

  it('keeps everything while the oldest bucket still reaches into the window', () => {
    const buffer = makeSeriesBuffer(history());
    trimBefore(buffer, 1012);
    expect(buffer.x).toEqual([1000, 1010, 1020]);
  });
});

describe('showLastBucket', () => {
  /** The buffer with the newest bucket (1020 s) holding a live throughput of 4 req/s and a latency of 200. */
  function filling() {
    const buffer = makeSeriesBuffer({ ...history(), series: history().series.map((s) => ({ ...s, values: [...s.values.slice(0, 2), null] })) });
    buffer.series.forEach((s) => (s.lastRaw = null));
    appendLivePoints(buffer, [point('a', 1_020_500, { requests: 40, latency_ms: 200 })]);
    return buffer;
  }

  it('projects a rate to the whole bucket while it fills; a percentile stays as it is', () => {
    const buffer = filling();
    showLastBucket(buffer, 1_025_000);
    // 4 req/s over half the bucket reads as 8 req/s for the whole of it.
    expect(valuesOf(buffer, 'a', 'throughput')?.[2]).toBeCloseTo(8);
    expect(valuesOf(buffer, 'a', 'latency_ms')?.[2]).toBe(200);
  });

  it('draws nothing yet for a rate under a quarter of its bucket', () => {
    const buffer = filling();
    showLastBucket(buffer, 1_021_000);
    expect(valuesOf(buffer, 'a', 'throughput')?.[2]).toBeUndefined();
    expect(valuesOf(buffer, 'a', 'latency_ms')?.[2]).toBe(200);
  });

  it('shows the value as it is once the bucket is complete', () => {
    const buffer = filling();
    showLastBucket(buffer, 1_025_000);
    showLastBucket(buffer, 1_031_000);
    expect(valuesOf(buffer, 'a', 'throughput')?.[2]).toBeCloseTo(4);
  });

  it('does nothing to an empty buffer', () => {
    const buffer = makeSeriesBuffer({ ...history(), x: [], series: [] });
    expect(() => showLastBucket(buffer, 1_025_000)).not.toThrow();
    expect(buffer.x).toEqual([]);
  });
});
