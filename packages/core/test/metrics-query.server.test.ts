// metrics.query against known data in both runtime modes: buckets, gaps, percentiles equal to
// percentile_cont per bucket, derived metrics, rollups agreeing with raw samples, workspace scoping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { availableModes, createTestRuntime, insertTestAgent, insertTestSamples, insertTestWorkspace, rollUpForTest, type TestRuntime, type TestSample } from '@tandem/core/testing';
import { AppError, HOUR, MINUTE, alignSeries, agentsOfWorkspace, queryMetrics, readBuckets, rollUpMetricSamples, type MetricSpec, type QueryPlan } from '@tandem/core';
import { metricsQueryInput, type MetricsQueryInput } from '@tandem/schema';

const modes = await availableModes();
const NOW = Date.now();
/** Two hours of data, starting on an hour 4 hours ago (inside the raw partitions made by the migration). */
const T0 = Math.floor(NOW / HOUR) * HOUR - 4 * HOUR;
const GAP = [T0 + 30 * MINUTE, T0 + 40 * MINUTE] as const;

function busySamples(agentId: string): TestSample[] {
  const out: TestSample[] = [];
  for (let i = 0, ts = T0; ts < T0 + 2 * HOUR; i++, ts += 7000) {
    if (ts >= GAP[0] && ts < GAP[1]) continue;
    out.push({
      agentId, ts,
      latency_ms: 100 + ((i * 37) % 500) + (i % 50 === 0 ? 3000 : 0),
      tokens_in: 100 + (i % 20),
      ...(i % 11 === 0 ? {} : { tokens_out: 20 + (i % 7) }),
      requests: 1 + (i % 3),
      errors: i % 13 === 0 ? 1 : 0,
      cost_usd: 0.001 * (1 + (i % 5)),
      cpu_pct: (i * 7) % 100,
    });
  }
  return out;
}

function expectClose(actual: (number | null)[], expected: (number | null)[], what: string) {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i];
    if (e === null || e === undefined) expect(v, `${what}[${i}]`).toBeNull();
    else {
      expect(v, `${what}[${i}]`).not.toBeNull();
      expect(v!, `${what}[${i}]`).toBeCloseTo(e, 6);
    }
  });
}

describe.each(modes)('metrics.query (%s)', (mode) => {
  let rt: TestRuntime;
  let em: EntityManager;
  let wsA: string;
  let wsB: string;
  let busy: string;
  let edges: string;
  let foreign: string;

  const query = (q: Omit<MetricsQueryInput, 'workspaceId' | 'width'> & { width?: number }, now = NOW) =>
    queryMetrics(em, wsA, metricsQueryInput.parse({ workspaceId: wsA, ...q }), { now, rawRetentionDays: 14 });
  const sql = <T>(text: string, params: unknown[] = []) => em.execute<T[]>(text, params);

  /** Per-bucket figures of one agent, each bucket selected by explicit bounds (no bucket arithmetic). */
  async function handBuckets(agentId: string, from: number, to: number, step: number) {
    return sql<Record<string, number | null>>(
      `select x.* from generate_series(?::timestamptz, ?::timestamptz, ?::interval) g(b)
         cross join lateral (
           select count(s.latency_ms)::float8 as n, avg(s.latency_ms) as avg, min(s.latency_ms) as min, max(s.latency_ms) as max,
                  sum(s.latency_ms) as sum,
                  percentile_cont(0.5) within group (order by s.latency_ms) as p50,
                  percentile_cont(0.95) within group (order by s.latency_ms) as p95,
                  percentile_cont(0.99) within group (order by s.latency_ms) as p99,
                  (sum(s.tokens_in) + sum(s.tokens_out))::float8 as tokens,
                  sum(s.requests)::float8 / ${step / 1000} as throughput,
                  sum(s.errors)::float8 / nullif(sum(s.requests), 0) as error_rate
             from metric_samples s where s.agent_id = ? and s.ts >= g.b and s.ts < g.b + ?::interval
         ) x
        where g.b < ?::timestamptz order by g.b`,
      [new Date(from).toISOString(), new Date(to).toISOString(), `${step} milliseconds`, agentId, `${step} milliseconds`, new Date(to).toISOString()],
    );
  }
  /** A bucket without samples is a gap: null, also for its count. */
  const column = (rows: Record<string, number | null>[], key: string) =>
    rows.map((r) => (Number(r.n) === 0 || r[key] === null ? null : Number(r[key])));

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    em = rt.orm.em.fork();
    wsA = await insertTestWorkspace(em, 'A');
    wsB = await insertTestWorkspace(em, 'B');
    busy = await insertTestAgent(em, wsA, { name: 'checkout-bot' });
    edges = await insertTestAgent(em, wsA, { name: 'edge-bot' });
    foreign = await insertTestAgent(em, wsB, { name: 'checkout-bot' });
    await insertTestSamples(em, wsA, busySamples(busy));
    await insertTestSamples(em, wsB, busySamples(foreign).map((s) => ({ ...s, latency_ms: 99_999 })));
    // A sample exactly on a minute boundary belongs to the bucket it starts.
    await insertTestSamples(em, wsA, [
      { agentId: edges, ts: T0, latency_ms: 1 },
      { agentId: edges, ts: T0 + MINUTE - 1, latency_ms: 2 },
      { agentId: edges, ts: T0 + MINUTE, latency_ms: 3 },
      { agentId: edges, ts: T0 + MINUTE + 1, latency_ms: 4 },
    ]);
  });
  afterAll(() => rt?.close());

  it('puts a sample on a boundary into the bucket that starts there; empty buckets are null', async () => {
    const out = await query({
      agentIds: [edges], metrics: [{ name: 'latency_ms', agg: 'avg' }, { name: 'latency_ms', agg: 'count' }],
      from: T0, to: T0 + 3 * MINUTE, stepMs: MINUTE,
    });
    expect(out).toMatchObject({ stepMs: MINUTE, source: 'raw', x: [T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120] });
    expect(out.series.map((s) => [s.agentName, s.metric, s.agg, s.values])).toEqual([
      ['edge-bot', 'latency_ms', 'avg', [1.5, 3.5, null]],
      ['edge-bot', 'latency_ms', 'count', [2, 2, null]],
    ]);
  });

  it('answers whole buckets even when from and to cut through them', async () => {
    const out = await query({ agentIds: [edges], metrics: [{ name: 'latency_ms', agg: 'sum' }], from: T0 + 30_000, to: T0 + 90_000, stepMs: MINUTE });
    expect(out.x).toEqual([T0 / 1000, T0 / 1000 + 60]);
    expect(out.series[0]!.values).toEqual([3, 7]);
  });

  it('matches per-bucket SQL for every aggregate, percentiles and derived metric, with nulls in the gap', async () => {
    const step = 5 * MINUTE;
    const metrics: MetricSpec[] = [
      { name: 'latency_ms', agg: 'avg' }, { name: 'latency_ms', agg: 'min' }, { name: 'latency_ms', agg: 'max' },
      { name: 'latency_ms', agg: 'sum' }, { name: 'latency_ms', agg: 'count' }, { name: 'latency_ms', agg: 'p50' },
      { name: 'latency_ms', agg: 'p95' }, { name: 'latency_ms', agg: 'p99' }, { name: 'throughput', agg: 'avg' },
      { name: 'error_rate', agg: 'avg' },
    ];
    const out = await query({ agentIds: [busy], metrics, from: T0, to: T0 + 2 * HOUR, stepMs: step });
    expect(out.source).toBe('raw');
    expect(out.x).toHaveLength(24);
    const hand = await handBuckets(busy, T0, T0 + 2 * HOUR, step);
    const keys = ['avg', 'min', 'max', 'sum', 'n', 'p50', 'p95', 'p99', 'throughput', 'error_rate'];
    keys.forEach((k, i) => expectClose(out.series[i]!.values, column(hand, k), k));
    // The gap [30 min, 40 min) is two empty 5-minute buckets.
    expect(out.series[0]!.values.slice(6, 8)).toEqual([null, null]);
    expect(out.series[0]!.values.filter((v) => v === null)).toHaveLength(2);
  });

  it('tokens are tokens_in + tokens_out', async () => {
    const out = await query({ agentIds: [busy], metrics: [{ name: 'tokens', agg: 'sum' }, { name: 'tokens', agg: 'avg' }], from: T0, to: T0 + HOUR, stepMs: 15 * MINUTE });
    const [row] = await sql<{ total: number; per: number }>(
      `select (sum(tokens_in) + sum(tokens_out))::float8 as total,
              avg(coalesce(tokens_in, 0) + coalesce(tokens_out, 0)) as per
         from metric_samples where agent_id = ? and ts >= ? and ts < ?`,
      [busy, new Date(T0).toISOString(), new Date(T0 + 15 * MINUTE).toISOString()]);
    expect(out.series[0]!.values[0]).toBeCloseTo(Number(row!.total), 6);
    expect(out.series[1]!.values[0]).toBeCloseTo(Number(row!.per), 6);
  });

  it.each([
    ['rolled up by hand', async () => {
      await rollUpForTest(em, wsA, 60_000, T0, T0 + 2 * HOUR);
      await rollUpForTest(em, wsA, 3_600_000, T0, T0 + 2 * HOUR);
    }],
    ['rolled up by the metrics.rollup job', async () => {
      const run = await rollUpMetricSamples(em, T0 + 2 * HOUR);
      expect(run.from).toBeLessThanOrEqual(T0);
    }],
  ])('rollups agree with raw samples (%s; percentiles exact at the rollup step, weighted means of them above it)', async (_, rollUp) => {
    await em.execute('delete from metric_rollups');
    await rollUp();
    const agents = await agentsOfWorkspace(em, wsA, [busy]);
    const exact: MetricSpec[] = [
      { name: 'latency_ms', agg: 'avg' }, { name: 'latency_ms', agg: 'min' }, { name: 'latency_ms', agg: 'max' },
      { name: 'latency_ms', agg: 'sum' }, { name: 'latency_ms', agg: 'count' }, { name: 'tokens', agg: 'sum' },
      { name: 'throughput', agg: 'avg' }, { name: 'error_rate', agg: 'avg' }, { name: 'cost_usd', agg: 'sum' }, { name: 'cpu_pct', agg: 'max' },
    ];
    const answer = async (source: QueryPlan['source'], stepMs: number, metrics: MetricSpec[]) => {
      const plan: QueryPlan = { stepMs, source, from: T0, to: T0 + 2 * HOUR, tailFrom: T0 + 2 * HOUR };
      return alignSeries(plan, agents, metrics, await readBuckets(em, wsA, [busy], metrics, plan));
    };
    for (const [source, step] of [['1m', MINUTE], ['1m', 5 * MINUTE], ['1h', HOUR], ['1m', HOUR]] as const) {
      const raw = await answer('raw', step, exact);
      const rolled = await answer(source, step, exact);
      expect(rolled.source).toBe(source);
      exact.forEach((m, i) => expectClose(rolled.series[i]!.values, raw.series[i]!.values, `${source} ${step} ${m.name}:${m.agg}`));
    }
    const pct: MetricSpec[] = [{ name: 'latency_ms', agg: 'p50' }, { name: 'latency_ms', agg: 'p95' }, { name: 'latency_ms', agg: 'p99' }];
    const rawMinute = await answer('raw', MINUTE, pct);
    const rolledMinute = await answer('1m', MINUTE, pct);
    pct.forEach((m, i) => expectClose(rolledMinute.series[i]!.values, rawMinute.series[i]!.values, `1m ${m.agg}`));
    // Above the rollup step: the count-weighted mean of the minutes' percentiles.
    const rolledHour = await answer('1m', HOUR, pct);
    const [weighted] = await sql<{ p95: number }>(
      `select sum(latency_p95 * latency_ms_count) / sum(latency_ms_count) as p95 from metric_rollups
        where agent_id = ? and step_ms = 60000 and bucket >= ? and bucket < ?`,
      [busy, new Date(T0).toISOString(), new Date(T0 + HOUR).toISOString()]);
    expect(rolledHour.series[1]!.values[0]).toBeCloseTo(Number(weighted!.p95), 6);
  });

  it('picks rollups for long ranges and raw for short ones, with the same answers', async () => {
    const metrics = [{ name: 'latency_ms' as const, agg: 'avg' as const }, { name: 'requests' as const, agg: 'sum' as const }];
    const long = await query({ agentIds: [busy], metrics, from: T0 - 5 * HOUR, to: T0 + 2 * HOUR });
    expect(long).toMatchObject({ stepMs: MINUTE, source: '1m' });
    const short = await query({ agentIds: [busy], metrics, from: T0, to: T0 + 2 * HOUR, stepMs: MINUTE });
    expect(short.source).toBe('raw');
    const offset = long.x.indexOf(T0 / 1000);
    metrics.forEach((_, i) => expectClose(long.series[i]!.values.slice(offset, offset + 120), short.series[i]!.values, `series ${i}`));
    expect(long.series[0]!.values.slice(0, offset).every((v) => v === null)).toBe(true);
    const hourly = await query({ agentIds: [busy], metrics, from: T0 - 5 * HOUR, to: T0 + 2 * HOUR, stepMs: HOUR });
    expect(hourly.source).toBe('1h');
    expect(hourly.x).toHaveLength(7);
  });

  it('stands in raw samples for rollups that do not exist yet', async () => {
    await em.execute('delete from metric_rollups where agent_id = ?', [busy]);
    const metrics: MetricSpec[] = [{ name: 'latency_ms', agg: 'avg' }, { name: 'latency_ms', agg: 'count' }, { name: 'tokens', agg: 'sum' }];
    // The clock just after the data: rollups exist up to two minutes before it, raw after.
    const now = T0 + 2 * HOUR + 30_000;
    const tail = T0 + 2 * HOUR - 2 * MINUTE;
    await rollUpForTest(em, wsA, 60_000, T0, tail);
    await rollUpForTest(em, wsA, 3_600_000, T0, T0 + HOUR);
    const range = { agentIds: [busy], metrics, from: T0 - 5 * HOUR, to: T0 + 2 * HOUR };
    const byMinute = await query({ ...range, stepMs: MINUTE }, now);
    const byHour = await query({ ...range, stepMs: HOUR }, now);
    expect([byMinute.source, byHour.source]).toEqual(['1m', '1h']);
    const raw = (stepMs: number) => query({ ...range, from: T0, stepMs }, T0 + 3 * HOUR);
    const [rawMinute, rawHour] = [await raw(MINUTE), await raw(HOUR)];
    expect(rawMinute.source).toBe('raw');
    const offMinute = byMinute.x.indexOf(T0 / 1000);
    const offHour = byHour.x.indexOf(T0 / 1000);
    metrics.forEach((m, i) => {
      expectClose(byMinute.series[i]!.values.slice(offMinute), rawMinute.series[i]!.values, `minute ${m.name}:${m.agg}`);
      expectClose(byHour.series[i]!.values.slice(offHour), rawHour.series[i]!.values, `hour ${m.name}:${m.agg}`);
    });
    expect(byMinute.series[1]!.values.at(-1)).toBeGreaterThan(0);
  });

  it("answers only the caller's workspace: another workspace's agent is NOT_FOUND, never data", async () => {
    const metrics = [{ name: 'latency_ms' as const, agg: 'max' as const }];
    const err = await query({ agentIds: [busy, foreign], metrics, from: T0, to: T0 + HOUR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NOT_FOUND');
    const all = await query({ metrics, from: T0, to: T0 + 2 * HOUR, stepMs: HOUR });
    expect(all.series.map((s) => s.agentId)).toEqual([busy, edges]);
    expect(Math.max(...all.series.flatMap((s) => s.values.map((v) => v ?? 0)))).toBeLessThan(99_999);
  });

  it('bounds the answer: a 1-second step over a week is coarsened to at most 5,000 buckets', async () => {
    const out = await query({ agentIds: [busy], metrics: [{ name: 'latency_ms', agg: 'avg' }], from: T0 - 6 * 24 * HOUR, to: T0 + 2 * HOUR, stepMs: 1000 });
    expect(out.x.length).toBeLessThanOrEqual(5000);
    expect(out.stepMs).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(out.series[0]!.values).toHaveLength(out.x.length);
  });
});
