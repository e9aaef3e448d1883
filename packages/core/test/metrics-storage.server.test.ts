// Storage of agent metrics: daily partitions made ahead and dropped by retention, rollups that agree
// with raw samples, late samples and backfills folded in, retention that keeps everything newer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/modes.ts';
import { registerUser } from '../src/auth/accounts.ts';
import { listWorkspacesOf } from '../src/workspaces/workspaces.ts';
import { SampleWriter, type IngestSample } from '../src/ingestion/sample-writer.ts';
import { ensureMetricPartitions, ensureUpcomingMetricPartitions, isMissingPartition, listMetricPartitionDays, utcDay } from '../src/metric-storage/partitions.ts';
import { withConnection } from '../src/ingestion/raw-connection.ts';
import { rollUpMetricSamples } from '../src/metric-storage/rollups.ts';
import { expireMetricData } from '../src/metric-storage/retention.ts';

const modes = await availableModes();
const DAY = 86_400_000;
const MINUTE = 60_000;
const HOUR = 3600_000;
/** The writer shares its queue per ingest key and workspace; these tests write as one key per workspace. */
const owner = (workspaceId: string) => ({ workspaceId, keyId: `key-${workspaceId}` });

/** A small seeded generator, so a failing case can be replayed. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** percentile_cont by hand: linear interpolation between the closest ranks. */
function percentileCont(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

describe.each(modes)('metrics storage (%s)', (mode) => {
  let rt: TestRuntime;
  let writer: SampleWriter;
  let workspaceA: string;
  let workspaceB: string;
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => rt.orm.em.fork().execute<T[]>(q, params);

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    writer = new SampleWriter({ orm: rt.orm, bus: rt.bus, log: pino({ level: 'silent' }) }, { maxQueuedRows: 100_000, copy: mode === 'services' });
    const em = rt.orm.em.fork();
    const a = await registerUser(em, { email: `a-${Date.now()}@example.com`, password: 'correct horse', name: 'A' });
    const b = await registerUser(em, { email: `b-${Date.now()}@example.com`, password: 'correct horse', name: 'B' });
    workspaceA = (await listWorkspacesOf(em, a.id))[0]!.id;
    workspaceB = (await listWorkspacesOf(em, b.id))[0]!.id;
  });
  afterAll(() => rt?.close());

  const agentId = async (workspaceId: string, name: string) =>
    (await sql<{ id: string }>(`select id from agents where workspace_id = ? and name = ?`, [workspaceId, name]))[0]!.id;

  /** Every rollup of the agents of a workspace, for a step. */
  const rollupsOf = (workspaceId: string, step: number) => sql<Record<string, number | string | null>>(
    `select agent_id, extract(epoch from bucket) * 1000 as bucket, samples, latency_ms_count, latency_ms_sum, latency_ms_min, latency_ms_max,
            requests_sum, errors_sum, cpu_pct_count, cpu_pct_max, cost_usd_sum, latency_p50, latency_p95, latency_p99
       from metric_rollups where workspace_id = ? and step_ms = ? order by agent_id, bucket`, [workspaceId, step]);

  /** The same figures computed straight from raw samples. */
  const fromRaw = (workspaceId: string, step: number) => sql<Record<string, number | string | null>>(
    `select agent_id, extract(epoch from date_bin(? * interval '1 millisecond', ts, timestamptz 'epoch')) * 1000 as bucket, count(*) as samples,
            count(latency_ms) as latency_ms_count, sum(latency_ms) as latency_ms_sum, min(latency_ms) as latency_ms_min, max(latency_ms) as latency_ms_max,
            sum(requests) as requests_sum, sum(errors) as errors_sum, count(cpu_pct) as cpu_pct_count, max(cpu_pct)::float8 as cpu_pct_max, sum(cost_usd) as cost_usd_sum,
            percentile_cont(0.5) within group (order by latency_ms) as latency_p50,
            percentile_cont(0.95) within group (order by latency_ms) as latency_p95,
            percentile_cont(0.99) within group (order by latency_ms) as latency_p99
       from metric_samples where workspace_id = ? group by agent_id, 2 order by agent_id, 2`, [step, workspaceId]);

  /** Numbers as numbers, floats to 9 significant digits (bigint counts come back as strings). */
  const normal = (rows: Record<string, number | string | null>[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null || k === 'agent_id' ? v : Number(Number(v).toPrecision(9))])));

  describe('partitions', () => {
    it('the migration made [today − 8, today + 4); the job keeps yesterday to today + 3 and is idempotent', async () => {
      const days = await listMetricPartitionDays(rt.orm.em.fork());
      const today = Date.now();
      for (let d = -8; d < 4; d++) expect(days).toContain(utcDay(today + d * DAY));
      expect(await ensureUpcomingMetricPartitions(rt.orm.em.fork())).toBe(0);
      // Ten days on, the job makes the days the migration did not.
      const later = today + 10 * DAY;
      expect(await ensureUpcomingMetricPartitions(rt.orm.em.fork(), later)).toBe(5);
      const after = await listMetricPartitionDays(rt.orm.em.fork());
      for (let d = -1; d <= 3; d++) expect(after).toContain(utcDay(later + d * DAY));
      expect(await ensureUpcomingMetricPartitions(rt.orm.em.fork(), later)).toBe(0);
    });

    it('a row for a day without a partition is told from a check violation by SQLSTATE and table, not message', async () => {
      const noPartition = Date.now() + 40 * DAY; // past anything made ahead
      expect(await listMetricPartitionDays(rt.orm.em.fork())).not.toContain(utcDay(noPartition));
      const refusal = (statement: string, params: unknown[]) =>
        withConnection(rt.orm, (conn) => conn.query(statement, params)).then(() => null, (err: unknown) => err);
      const missing = await refusal(`insert into metric_samples (workspace_id, agent_id, ts) values ($1, $1, $2)`, [workspaceA, new Date(noPartition)]);
      expect(missing).toMatchObject({ code: '23514', table: 'metric_samples' });
      expect(isMissingPartition(missing)).toBe(true);
      const check = await refusal(`insert into metric_rollups (workspace_id, agent_id, step_ms, bucket, samples) values ($1, $1, 5, now(), 1)`, [workspaceA]);
      expect(check).toMatchObject({ code: '23514', constraint: 'metric_rollups_step_ms_check' });
      expect(isMissingPartition(check)).toBe(false);
    });

    it('the writer makes a missing day on the spot and stores the samples (one insert, and COPY on PostgreSQL)', async () => {
      // A workspace of its own: these far-future samples stay out of the rollup comparisons below.
      const em = rt.orm.em.fork();
      const c = await registerUser(em, { email: `c-${Date.now()}@example.com`, password: 'correct horse', name: 'C' });
      const workspaceC = (await listWorkspacesOf(em, c.id))[0]!.id;
      const small = Date.now() + 41 * DAY;
      const large = Date.now() + 42 * DAY;
      const before = await listMetricPartitionDays(rt.orm.em.fork());
      expect(before).not.toContain(utcDay(small));
      expect(before).not.toContain(utcDay(large));
      await writer.write(owner(workspaceC), Array.from({ length: 3 }, (_, i) => ({ agent: 'far-ahead', ts: small + i, requests: 1 })));
      // Over 100 rows: real PostgreSQL writes them with COPY.
      await writer.write(owner(workspaceC), Array.from({ length: 150 }, (_, i) => ({ agent: 'far-ahead', ts: large + i, requests: 1 })));
      expect(await listMetricPartitionDays(rt.orm.em.fork())).toEqual(expect.arrayContaining([utcDay(small), utcDay(large)]));
      const [row] = await sql<{ n: number }>(`select count(*)::int as n from metric_samples where workspace_id = ?`, [workspaceC]);
      expect(row!.n).toBe(153);
    });
  });

  describe('rollups', () => {
    it('agree with raw samples: counts, sums, min, max and p50/p95/p99 per minute and per hour; re-runs change nothing', async () => {
      const now = Date.now();
      const random = seeded(42);
      const make = (n: number, spanMs: number): IngestSample[] => Array.from({ length: n }, (_, i) => ({
        agent: i % 3 === 0 ? 'roll-b' : 'roll-a',
        ts: now - Math.floor(random() * spanMs),
        latency_ms: i % 7 === 0 ? undefined : Math.round(random() * 2000 * 100) / 100,
        requests: Math.floor(random() * 5),
        errors: i % 5 === 0 ? 1 : 0,
        cpu_pct: i % 4 === 0 ? undefined : Math.round(random() * 1000) / 10,
        cost_usd: random() / 100,
      }));
      await writer.write(owner(workspaceA), make(1500, 90 * MINUTE));
      await writer.write(owner(workspaceB), make(100, 30 * MINUTE)); // another tenant: its own rollups
      const run = await rollUpMetricSamples(rt.orm.em.fork(), now);
      expect(run.skipped).toBe(false);
      for (const step of [MINUTE, HOUR]) {
        for (const ws of [workspaceA, workspaceB]) {
          const expected = normal(await fromRaw(ws, step));
          expect(expected.length).toBeGreaterThan(0);
          expect(normal(await rollupsOf(ws, step))).toEqual(expected);
        }
      }
      // p95 by hand for the busiest minute of roll-a.
      const a = await agentId(workspaceA, 'roll-a');
      const [busiest] = await sql<{ bucket: Date; latency_p95: number }>(
        `select bucket, latency_p95 from metric_rollups where agent_id = ? and step_ms = 60000 order by latency_ms_count desc limit 1`, [a]);
      const values = (await sql<{ latency_ms: number }>(
        `select latency_ms from metric_samples where agent_id = ? and latency_ms is not null and ts >= ? and ts < ?::timestamptz + interval '1 minute'`,
        [a, busiest!.bucket, busiest!.bucket])).map((r) => r.latency_ms);
      expect(values.length).toBeGreaterThan(3);
      expect(busiest!.latency_p95).toBeCloseTo(percentileCont(values, 0.95), 6);

      // (Float sums may differ in the last bits with the order rows are read in.)
      const before = normal(await rollupsOf(workspaceA, MINUTE));
      await rollUpMetricSamples(rt.orm.em.fork(), now);
      expect(normal(await rollupsOf(workspaceA, MINUTE))).toEqual(before);
    });

    it('a sample arriving late for a bucket already rolled up is folded in by the next run', async () => {
      const now = Date.now();
      await rollUpMetricSamples(rt.orm.em.fork(), now);
      const a = await agentId(workspaceA, 'roll-a');
      const bucket = Math.floor((now - 2 * MINUTE) / MINUTE) * MINUTE;
      const [old] = await sql<{ samples: number; latency_ms_max: number | null }>(`select samples, latency_ms_max from metric_rollups where agent_id = ? and step_ms = 60000 and bucket = ?`, [a, new Date(bucket)]);
      await writer.write(owner(workspaceA), [{ agent: 'roll-a', ts: bucket + 1000, latency_ms: 99_999 }]);
      await rollUpMetricSamples(rt.orm.em.fork(), now + 30_000);
      const [fresh] = await sql<{ samples: number; latency_ms_max: number }>(`select samples, latency_ms_max from metric_rollups where agent_id = ? and step_ms = 60000 and bucket = ?`, [a, new Date(bucket)]);
      expect(fresh!.samples).toBe((old?.samples ?? 0) + 1);
      expect(fresh!.latency_ms_max).toBe(99_999);
      expect(normal(await rollupsOf(workspaceA, HOUR))).toEqual(normal(await fromRaw(workspaceA, HOUR)));
    });

    it('a backfill older than the sliding window marks its hours, which the next run recomputes', async () => {
      const now = Date.now();
      await rollUpMetricSamples(rt.orm.em.fork(), now);
      const threeDaysAgo = Math.floor((now - 3 * DAY) / HOUR) * HOUR;
      // Over 100 rows, so real PostgreSQL writes them with COPY (marks in the same transaction).
      const filler = Array.from({ length: 120 }, (_, i): IngestSample => ({ agent: 'backfill', ts: threeDaysAgo + 10 * MINUTE + i, errors: 0 }));
      await writer.write(owner(workspaceA), [
        { agent: 'backfill', ts: threeDaysAgo + 5 * MINUTE, latency_ms: 10, requests: 1 },
        { agent: 'backfill', ts: threeDaysAgo + 5 * MINUTE + 1, latency_ms: 30, requests: 2 },
        { agent: 'backfill', ts: threeDaysAgo + HOUR + 1, latency_ms: 50 },
        ...filler,
      ]);
      const id = await agentId(workspaceA, 'backfill');
      expect((await sql(`select hour from metric_rollup_marks where agent_id = ? order by hour`, [id])).length).toBe(2);
      const run = await rollUpMetricSamples(rt.orm.em.fork(), now + 30_000);
      expect(run.marks).toBeGreaterThanOrEqual(2);
      expect(await sql(`select 1 from metric_rollup_marks where agent_id = ?`, [id])).toEqual([]);
      const hours = await sql<{ bucket: Date; samples: number; latency_ms_sum: number; latency_p50: number; requests_sum: number | null }>(
        `select bucket, samples, latency_ms_sum, latency_p50, requests_sum from metric_rollups where agent_id = ? and step_ms = 3600000 order by bucket`, [id]);
      expect(hours.map((h) => [new Date(h.bucket).getTime(), h.samples, h.latency_ms_sum, h.latency_p50, h.requests_sum])).toEqual([
        [threeDaysAgo, 122, 40, 20, 3],
        [threeDaysAgo + HOUR, 1, 50, 50, null],
      ]);
      expect(normal(await rollupsOf(workspaceA, MINUTE))).toEqual(normal(await fromRaw(workspaceA, MINUTE)));
    });

    it('after the worker was stopped, the next run starts from where the last one ended', async () => {
      const now = Date.now();
      const stoppedAt = now - 80 * MINUTE;
      await rollUpMetricSamples(rt.orm.em.fork(), stoppedAt);
      // Written while no rollup ran, recent when written (so not marked).
      const [agent] = await sql<{ id: string }>(`select id from agents where workspace_id = ? and name = 'roll-b'`, [workspaceB]);
      await sql(`insert into metric_samples (workspace_id, agent_id, ts, latency_ms) select ?, ?, ?::timestamptz + g * interval '1 minute', g from generate_series(1, 70) g`,
        [workspaceB, agent!.id, new Date(stoppedAt)]);
      await rollUpMetricSamples(rt.orm.em.fork(), now);
      for (const step of [MINUTE, HOUR]) expect(normal(await rollupsOf(workspaceB, step))).toEqual(normal(await fromRaw(workspaceB, step)));
    });

    it('two runs at once: one does the work, the other steps aside', async () => {
      const runs = await Promise.all([rollUpMetricSamples(rt.orm.em.fork()), rollUpMetricSamples(rt.orm.em.fork())]);
      expect(runs.filter((r) => !r.skipped).length).toBeGreaterThanOrEqual(1);
      expect(normal(await rollupsOf(workspaceA, MINUTE))).toEqual(normal(await fromRaw(workspaceA, MINUTE)));
    });
  });

  describe('retention', () => {
    it('drops only raw partitions and rollups wholly before their cutoffs; re-runs drop nothing more', async () => {
      const now = Date.now();
      const em = rt.orm.em.fork();
      await ensureMetricPartitions(em, now - 20 * DAY, now);
      const id = await agentId(workspaceA, 'roll-a');
      const rawCutoff = now - 14 * DAY;
      const rollupCutoff = now - 30 * DAY;
      const cutoffDayStart = Math.floor(rawCutoff / DAY) * DAY;
      const rawTimes = [now - 19 * DAY, now - 15 * DAY, cutoffDayStart - 1, cutoffDayStart, rawCutoff - 1, rawCutoff, now - 13 * DAY];
      for (const ts of rawTimes)
        await sql(`insert into metric_samples (workspace_id, agent_id, ts, latency_ms) values (?, ?, ?, 1)`, [workspaceA, id, new Date(ts)]);
      const hourBefore = Math.floor(rollupCutoff / HOUR) * HOUR - HOUR; // ends at or before the cutoff
      const hourAcross = Math.floor(rollupCutoff / HOUR) * HOUR; // spans the cutoff: kept
      const minuteBefore = Math.floor(rollupCutoff / MINUTE) * MINUTE - MINUTE;
      const minuteAfter = Math.floor(rollupCutoff / MINUTE) * MINUTE + MINUTE;
      for (const [step, bucket] of [[HOUR, hourBefore], [HOUR, hourAcross], [MINUTE, minuteBefore], [MINUTE, minuteAfter]] as const)
        await sql(`insert into metric_rollups (workspace_id, agent_id, step_ms, bucket, samples) values (?, ?, ?, ?, 1)`, [workspaceA, id, step, new Date(bucket)]);
      const rawBefore = await sql<{ ts: Date }>(`select ts from metric_samples where agent_id = ? and ts < ?`, [id, new Date(now - 12 * DAY)]);
      expect(rawBefore).toHaveLength(rawTimes.length);

      const first = await expireMetricData(rt.orm.em.fork(), { rawDays: 14, rollupDays: 30 }, now);
      expect(first.droppedPartitions).toBeGreaterThanOrEqual(6); // now − 20 d … the day before the cutoff's
      const days = await listMetricPartitionDays(rt.orm.em.fork());
      expect(days[0]).toBe(utcDay(rawCutoff));
      const left = (await sql<{ ts: Date }>(`select ts from metric_samples where agent_id = ? and ts < ? order by ts`, [id, new Date(now - 12 * DAY)]))
        .map((r) => new Date(r.ts).getTime());
      expect(left).toEqual([cutoffDayStart, rawCutoff - 1, rawCutoff, now - 13 * DAY]);
      const rollups = (await sql<{ step_ms: number; bucket: Date }>(
        `select step_ms, bucket from metric_rollups where agent_id = ? and bucket < ? order by step_ms, bucket`, [id, new Date(now - 29 * DAY)]))
        .map((r) => [r.step_ms, new Date(r.bucket).getTime()]);
      expect(rollups).toEqual([[MINUTE, minuteAfter], [HOUR, hourAcross]]);
      expect(first.deletedRollups).toBe(2);

      const again = await expireMetricData(rt.orm.em.fork(), { rawDays: 14, rollupDays: 30 }, now);
      expect(again).toMatchObject({ droppedPartitions: 0, deletedRollups: 0 });
      expect(await listMetricPartitionDays(rt.orm.em.fork())).toEqual(days);
    });
  });
});
