// list_agents and query_agent_metrics against a real database in every runtime mode: figures match
// SQL computed by hand, rollups and raw samples agree, and each call sees only its own workspace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  availableModes, createTestRuntime, insertTestAgent, insertTestSamples, insertTestWorkspace, rollUpForTest,
  type TestRuntime, type TestSample,
} from '@tandem/core/testing';
import { runTool, toolResultSchema, type ToolContext, type ToolResult } from '../src/index.ts';

const modes = await availableModes();
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const HOUR = 3_600_000;

async function ok(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult> {
  const run = await runTool(name, args, ctx);
  if (!run.ok) throw new Error(run.error);
  expect(toolResultSchema.safeParse(run.result).success).toBe(true);
  return run.result;
}

type Totals = { agent: string } & Record<string, number | null>;

describe.each(modes)('agent tools (%s)', (mode) => {
  let rt: TestRuntime;
  let em: EntityManager;
  let ctxA: ToolContext;
  let wsA: string;
  let wsB: string;
  let checkout: string;
  let search: string;
  let foreign: string;
  const sql = <T>(q: string, params: unknown[] = []) => em.execute<T[]>(q, params);
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    em = rt.orm.em.fork();
    wsA = await insertTestWorkspace(em, 'A');
    wsB = await insertTestWorkspace(em, 'B');
    checkout = await insertTestAgent(em, wsA, { name: 'checkout-bot', model: 'gpt-4o' });
    search = await insertTestAgent(em, wsA, { name: 'search-bot' });
    await insertTestAgent(em, wsA, { name: 'old-bot' });
    foreign = await insertTestAgent(em, wsB, { name: 'b-only-bot' });
    await em.execute(`update agents set status = 'degraded', status_reason = 'p95 latency above 500 ms over the last 5m' where id = ?`, [checkout]);
    await em.execute(`update agents set status = 'down', status_reason = 'no samples for over 1m' where name = 'old-bot'`);
    const samples: TestSample[] = [];
    for (let i = 0; i < 360; i++) {
      const ts = NOW.getTime() - 3 * HOUR + i * 30_000;
      samples.push({ agentId: checkout, ts, latency_ms: 200 + ((i * 71) % 900), cost_usd: 0.002, requests: 1 });
      if (i % 3 === 0) samples.push({ agentId: search, ts, latency_ms: 50 + (i % 40), cost_usd: 0.01, requests: 1 });
    }
    await insertTestSamples(em, wsA, samples);
    await insertTestSamples(em, wsB, samples.map((s) => ({ ...s, agentId: foreign, cost_usd: 100 })));
    // What the rollup job would have made by now: every minute and hour but the newest (read raw).
    const lag = NOW.getTime() - 2 * 60_000;
    await rollUpForTest(em, wsA, 60_000, NOW.getTime() - 4 * HOUR, Math.floor(lag / 60_000) * 60_000);
    await rollUpForTest(em, wsA, 3_600_000, NOW.getTime() - 4 * HOUR, Math.floor(lag / HOUR) * HOUR);
    ctxA = { em: rt.orm.em.fork(), workspaceId: wsA, userId: randomUUID(), now: NOW };
  });
  afterAll(() => rt?.close());

  it('list_agents lists the workspace agents with status, reason and last seen; optionally one status', async () => {
    const all = await ok('list_agents', {}, ctxA);
    const data = all.data as { agents: { name: string; status: string; reason: string | null }[]; counts: Record<string, number> };
    expect(data.agents.map((a) => [a.name, a.status])).toEqual([['checkout-bot', 'degraded'], ['old-bot', 'down'], ['search-bot', 'ok']]);
    expect(data.counts).toEqual({ ok: 1, degraded: 1, down: 1 });
    expect(all.chart).toMatchObject({ kind: 'table', x: 'name' });
    expect(all.summary).toContain('3 agents: 1 ok, 1 degraded, 1 down.');
    expect(all.summary).toContain('checkout-bot degraded (p95 latency above 500 ms over the last 5m)');
    const degraded = await ok('list_agents', { status: 'degraded' }, ctxA);
    expect((degraded.data as { agents: { name: string }[] }).agents.map((a) => a.name)).toEqual(['checkout-bot']);
    expect((await runTool('list_agents', { status: 'broken' }, ctxA)).ok).toBe(false);
  });

  it('query_agent_metrics: latency of one agent in buckets with p50/p95 equal to SQL, and the whole range', async () => {
    const result = await ok('query_agent_metrics', { agent: 'checkout-bot', lastHours: 3, buckets: 12 }, ctxA);
    const data = result.data as { stepMs: number; source: string; rows: Record<string, number | string | null>[]; totals: Totals[] };
    expect(data).toMatchObject({ stepMs: 15 * 60_000, source: 'raw' });
    expect(result.chart).toEqual({ kind: 'line', x: 'time', series: ['avg', 'p50', 'p95'], title: 'latency_ms of checkout-bot' });
    const from = NOW.getTime() - 3 * HOUR;
    const [whole] = await sql<{ p50: number; p95: number; avg: number }>(
      `select percentile_cont(0.5) within group (order by latency_ms) as p50, percentile_cont(0.95) within group (order by latency_ms) as p95, avg(latency_ms) as avg
         from metric_samples where agent_id = ? and ts >= ? and ts < ?`, [checkout, iso(from), iso(NOW.getTime())]);
    expect(data.totals).toHaveLength(1);
    expect(data.totals[0]!.p95).toBeCloseTo(whole!.p95, 9);
    expect(data.totals[0]!.p50).toBeCloseTo(whole!.p50, 9);
    expect(data.totals[0]!.avg).toBeCloseTo(whole!.avg, 9);
    const row = data.rows[1]!;
    const start = Date.parse(row.time as string);
    const [bucket] = await sql<{ p95: number }>(`select percentile_cont(0.95) within group (order by latency_ms) as p95 from metric_samples where agent_id = ? and ts >= ? and ts < ?`,
      [checkout, iso(start), iso(start + 15 * 60_000)]);
    expect(row.p95).toBeCloseTo(bucket!.p95, 9);
    expect(result.summary).toContain('checkout-bot: avg');
  });

  it('query_agent_metrics: cost of every agent over a range, totals equal SQL, other workspaces never counted', async () => {
    const result = await ok('query_agent_metrics', { metric: 'cost_usd', from: new Date(NOW.getTime() - 2 * 86_400_000).toISOString().slice(0, 10) }, ctxA);
    const data = result.data as { agents: string[]; totals: Totals[]; rows: Record<string, unknown>[] };
    expect(data.agents).toEqual(['checkout-bot', 'old-bot', 'search-bot']);
    expect(result.chart).toMatchObject({ kind: 'line', x: 'time', series: ['checkout-bot', 'old-bot', 'search-bot'] });
    const sums = await sql<{ name: string; cost: number }>(
      `select a.name, sum(s.cost_usd)::float8 as cost from metric_samples s join agents a on a.id = s.agent_id where s.workspace_id = ? group by a.name order by a.name`, [wsA]);
    expect(data.totals.map((t) => [t.agent, t.cost_usd])).toEqual([
      ['checkout-bot', expect.closeTo(sums[0]!.cost, 9)], ['old-bot', null], ['search-bot', expect.closeTo(sums[1]!.cost, 9)],
    ]);
    expect(Object.keys(data.rows[0]!).sort()).toEqual(['checkout-bot', 'old-bot', 'search-bot', 'time']);
    expect(result.summary).toContain('checkout-bot: $0.7200');
  });

  it('query_agent_metrics over a day reads rollups (with raw for the newest minutes) and agrees with raw samples', async () => {
    const result = await ok('query_agent_metrics', { agent: search, metric: 'requests', lastHours: 24 }, ctxA);
    const data = result.data as { source: string; totals: Totals[] };
    expect(data.source).toBe('1h');
    const [n] = await sql<{ n: number }>(`select sum(requests)::float8 as n from metric_samples where agent_id = ?`, [search]);
    expect(data.totals[0]!.requests).toBe(n!.n);
  });

  it("names this workspace's agents when asked for another one, and rejects bad arguments", async () => {
    for (const agent of ['b-only-bot', foreign, 'nope']) {
      const run = await runTool('query_agent_metrics', { agent }, ctxA);
      expect(run).toEqual({ ok: false, error: `query_agent_metrics failed: no agent "${agent}" in this workspace; agents: checkout-bot, old-bot, search-bot` });
    }
    const bad = await runTool('query_agent_metrics', { metric: 'revenue', buckets: 1 }, ctxA);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/metric: .*; buckets: /);
    const empty = await ok('query_agent_metrics', {}, ctxA);
    expect((empty.data as { metric: string; agents: string[] })).toMatchObject({ metric: 'latency_ms', agents: ['checkout-bot', 'old-bot', 'search-bot'] });
  });
});
