// metrics.query over tRPC and GET /api/v1/metrics, metrics.costs against known data, and
// dashboard.get / dashboard.save, in both runtime modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, rawRetainedSince } from '@tandem/core';
import { availableModes, insertTestAgent, insertTestRollup, insertTestSamples, type TestSample } from '@tandem/core/testing';
import { dashboardPrefsSchema } from '@tandem/schema';
import { codeOf, errorOf, inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('metrics.query, GET /api/v1/metrics, metrics.costs, dashboard (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let viewer: Awaited<ReturnType<TestApp['signUp']>>;
  let other: Awaited<ReturnType<TestApp['signUp']>>;
  let checkout: string;
  let search: string;
  let foreign: string;
  const NOW = Date.now();
  const T0 = Math.floor(NOW / HOUR) * HOUR - 3 * HOUR;
  const em = () => app.rt.orm.em.fork();

  beforeAll(async () => {
    app = await startTestApp(mode);
    [admin, viewer, other] = [await app.signUp('Admin'), await app.signUp('Viewer'), await app.signUp('Other')];
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    checkout = await insertTestAgent(em(), admin.workspaceId, { name: 'checkout-bot', model: 'gpt-4o' });
    search = await insertTestAgent(em(), admin.workspaceId, { name: 'search-bot' });
    foreign = await insertTestAgent(em(), other.workspaceId, { name: 'checkout-bot' });
    const samples: TestSample[] = [];
    for (let i = 0; i < 120; i++) samples.push({ agentId: checkout, ts: T0 + i * 30_000, latency_ms: 100 + ((i * 53) % 400), requests: 2, errors: i % 10 === 0 ? 1 : 0 });
    await insertTestSamples(em(), admin.workspaceId, samples);
    await insertTestSamples(em(), other.workspaceId, samples.map((s) => ({ ...s, agentId: foreign, latency_ms: 99_999 })));
  });
  afterAll(() => app?.close());

  describe('metrics.query', () => {
    const input = () => ({
      workspaceId: admin.workspaceId, agentIds: [checkout], from: T0, to: T0 + HOUR, stepMs: 5 * MINUTE,
      metrics: [{ name: 'latency_ms' as const, agg: 'p95' as const }, { name: 'requests' as const, agg: 'sum' as const }],
    });

    it('answers viewers with aligned series that match SQL', async () => {
      const out = await app.client(viewer.token).metrics.query.query(input());
      expect(out).toMatchObject({ stepMs: 5 * MINUTE, source: 'raw' });
      expect(out.x).toEqual(Array.from({ length: 12 }, (_, i) => (T0 + i * 5 * MINUTE) / 1000));
      const hand = await sqlRows<{ p95: number; req: number }>(app,
        `select percentile_cont(0.95) within group (order by latency_ms) as p95, sum(requests)::float8 as req
           from metric_samples where agent_id = ? and ts >= ? and ts < ?`,
        [checkout, new Date(T0 + 5 * MINUTE).toISOString(), new Date(T0 + 10 * MINUTE).toISOString()]);
      expect(out.series[0]!.values[1]).toBeCloseTo(hand[0]!.p95, 9);
      expect(out.series[1]!.values[1]).toBe(hand[0]!.req);
    });

    it("refuses another workspace's agents (NOT_FOUND) and aggregates a metric does not keep (BAD_REQUEST)", async () => {
      expect(await codeOf(app.client(viewer.token).metrics.query.query({ ...input(), agentIds: [checkout, foreign] }))).toBe('NOT_FOUND');
      expect(await codeOf(app.client(viewer.token).metrics.query.query({ ...input(), workspaceId: other.workspaceId }))).toBe('NOT_FOUND');
      const bad = await errorOf(app.client(viewer.token).metrics.query.query({ ...input(), metrics: [{ name: 'cpu_pct', agg: 'p95' }] }));
      expect(bad.code).toBe('BAD_REQUEST');
      expect(bad.message).toContain('metrics.0.agg: cpu_pct answers avg, min, max, sum, count');
    });
  });

  describe('GET /api/v1/metrics', () => {
    const get = (query: string, token: string | null = viewer.token) =>
      fetch(`${app.url}/api/v1/metrics?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

    it('answers what metrics.query answers, with agents by name or id, ISO or epoch times and duration steps', async () => {
      const expected = await app.client(viewer.token).metrics.query.query({
        workspaceId: admin.workspaceId, agentIds: [checkout], from: T0, to: T0 + HOUR, stepMs: 5 * MINUTE,
        metrics: [{ name: 'latency_ms', agg: 'p95' }, { name: 'error_rate', agg: 'avg' }],
      });
      for (const agent of ['checkout-bot', checkout]) {
        const res = await get(`workspaceId=${admin.workspaceId}&agent=${agent}&metric=latency_ms:p95,error_rate&from=${new Date(T0).toISOString()}&to=${T0 + HOUR}&step=5m`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(expected);
      }
    });

    it('answers 400 with problems, 404 for unknown or foreign agents and workspaces, 401 without a valid token', async () => {
      const ws = `workspaceId=${admin.workspaceId}`;
      const cases: [string, string | null, number][] = [
        [`${ws}&metric=latency_ms`, null, 401],
        [`${ws}&metric=latency_ms`, 'bad.token', 401],
        [`${ws}&metric=nope`, viewer.token, 400],
        [`${ws}&metric=cpu_pct:p95`, viewer.token, 400],
        [`${ws}`, viewer.token, 400],
        [`${ws}&metric=latency_ms&from=yesterday`, viewer.token, 400],
        [`${ws}&metric=latency_ms&step=5 minutes`, viewer.token, 400],
        [`${ws}&metric=latency_ms&from=${T0 + HOUR}&to=${T0}`, viewer.token, 400],
        [`${ws}&metric=latency_ms&agent=no-such-bot`, viewer.token, 404],
        [`${ws}&metric=latency_ms&agent=${foreign}`, viewer.token, 404],
        [`workspaceId=${other.workspaceId}&metric=latency_ms`, viewer.token, 404],
      ];
      for (const [query, token, status] of cases) {
        const res = await get(query, token);
        expect(res.status, query).toBe(status);
        const body = (await res.json()) as { error: string; problems?: { field: string }[] };
        expect(body.error, query).toBeTruthy();
        if (status === 400 && query.includes('metric=')) expect(body.problems?.length, query).toBeGreaterThan(0);
      }
      const res = await get(`${ws}&metric=latency_ms&from=yesterday&step=x`);
      expect(((await res.json()) as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(['from', 'step']);
    });
  });

  describe('metrics.costs', () => {
    const from = NOW - 20 * DAY;
    const rawSince = rawRetainedSince(NOW, 14);
    const monthStart = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), 1);
    const prevStart = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth() - 1, 1);
    const mtdEnd = Math.floor(NOW / HOUR) * HOUR + HOUR;
    const oldHour = Math.floor((rawSince - 2 * DAY) / HOUR) * HOUR;
    /** What was spent, where and when: the report must add exactly these up. */
    const spend: { at: number; agent: 'checkout' | 'search'; model: string; cost: number; raw: boolean }[] = [];

    beforeAll(async () => {
      const samples: TestSample[] = [];
      const sample = (i: number, agent: 'checkout' | 'search', cost: number, label?: string) => {
        const at = NOW - (i + 1) * 4 * HOUR;
        samples.push({ agentId: agent === 'checkout' ? checkout : search, ts: at, cost_usd: cost, tokens_in: 100, tokens_out: 50, requests: 1, ...(label ? { labels: { model: label } } : {}) });
        spend.push({ at, agent, model: label ?? (agent === 'checkout' ? 'gpt-4o' : 'unknown'), cost, raw: true });
      };
      for (let i = 0; i < 10; i++) sample(i, 'checkout', 0.01, i < 4 ? 'gpt-4o-mini' : undefined);
      for (let i = 10; i < 15; i++) sample(i, 'search', 0.02);
      for (let i = 15; i < 17; i++) sample(i, 'search', 0.1, 'claude');
      await insertTestSamples(em(), admin.workspaceId, samples);
      // Before raw retention, hourly rollups answer (model: the agent's).
      await insertTestRollup(em(), admin.workspaceId, checkout, 3_600_000, oldHour, { cost_usd: 1.5, tokens_in: 1000, requests: 10 });
      spend.push({ at: oldHour, agent: 'checkout', model: 'gpt-4o', cost: 1.5, raw: false });
      // Within raw retention rollups repeat what the samples say: never counted twice.
      await insertTestRollup(em(), admin.workspaceId, checkout, 3_600_000, Math.floor((NOW - 2 * DAY) / HOUR) * HOUR, { cost_usd: 99 });
      // The previous month's first hour, and another workspace's spending.
      await insertTestRollup(em(), admin.workspaceId, search, 3_600_000, prevStart, { cost_usd: 2 });
      await insertTestRollup(em(), other.workspaceId, foreign, 3_600_000, oldHour, { cost_usd: 1000 });
      await insertTestSamples(em(), other.workspaceId, [{ agentId: foreign, ts: NOW - HOUR, cost_usd: 1000 }]);
    });

    it('adds up spend by agent, model and day over the range, hourly rollups before raw retention', async () => {
      const report = await app.client(viewer.token).metrics.costs.query({ workspaceId: admin.workspaceId, from, to: NOW });
      const inRange = spend.filter((s) => s.at >= Math.floor(from / HOUR) * HOUR);
      const sum = (xs: typeof spend) => Math.round(xs.reduce((t, s) => t + s.cost, 0) * 1e6) / 1e6;
      expect(report.total.costUsd).toBeCloseTo(sum(inRange), 9);
      expect(report.total.costUsd).toBeCloseTo(1.9, 9);
      expect(report.total.requests).toBe(240 + 17 + 10); // the query tests' samples carry 2 requests each
      expect(report.total.tokens).toBe(17 * 150 + 1000);
      expect(report.byAgent.map((a) => [a.agentName, a.costUsd, a.share])).toEqual([['checkout-bot', 1.6, 0.8421], ['search-bot', 0.3, 0.1579]]);
      expect(Object.fromEntries(report.byModel.map((m) => [m.model, m.costUsd]))).toEqual({ 'gpt-4o': 1.56, claude: 0.2, 'unknown': 0.1, 'gpt-4o-mini': 0.04 });
      expect(report.byModel[0]!.model).toBe('gpt-4o');
      // Every UTC day of the range, each with what was spent on it.
      expect(report.byDay[0]!.day).toBe(new Date(from).toISOString().slice(0, 10));
      expect(report.byDay.at(-1)!.day).toBe(new Date(NOW).toISOString().slice(0, 10));
      for (const d of report.byDay)
        expect(d.costUsd, d.day).toBeCloseTo(sum(inRange.filter((s) => new Date(s.at).toISOString().startsWith(d.day))), 9);
    });

    it('compares this month so far with the same stretch of the previous month', async () => {
      const report = await app.client(viewer.token).metrics.costs.query({ workspaceId: admin.workspaceId, from: NOW - DAY, to: NOW });
      const current = spend.filter((s) => s.at >= monthStart && s.at < mtdEnd).reduce((t, s) => t + s.cost, 0);
      expect(report.monthToDate.current).toEqual({ from: new Date(monthStart).toISOString(), to: new Date(mtdEnd).toISOString(), costUsd: expect.closeTo(current, 9) });
      expect(report.monthToDate.previous).toMatchObject({ from: new Date(prevStart).toISOString(), costUsd: 2 });
      expect(report.monthToDate.changePct).toBeCloseTo(Math.round(((current - 2) / 2) * 1e4) / 100, 9);
    });

    it('is for members of the workspace only', async () => {
      expect(await codeOf(app.client(viewer.token).metrics.costs.query({ workspaceId: other.workspaceId, from, to: NOW }))).toBe('NOT_FOUND');
    });
  });

  describe('dashboard', () => {
    const defaults = dashboardPrefsSchema.parse({});

    it('restores what each user saved, per workspace; defaults before that', async () => {
      expect(await app.client(viewer.token).dashboard.get.query({ workspaceId: admin.workspaceId })).toEqual(defaults);
      const saved = await app.client(viewer.token).dashboard.save.mutate({
        workspaceId: admin.workspaceId, prefs: { agentIds: [search, checkout, search], panels: ['latency_ms', 'cost_usd'], rangeMs: 6 * HOUR },
      });
      expect(saved).toEqual({ agentIds: [search, checkout], panels: ['latency_ms', 'cost_usd'], rangeMs: 6 * HOUR });
      expect(await app.client(viewer.token).dashboard.get.query({ workspaceId: admin.workspaceId })).toEqual(saved);
      expect(await app.client(admin.token).dashboard.get.query({ workspaceId: admin.workspaceId })).toEqual(defaults);
      expect(await app.client(viewer.token).dashboard.get.query({ workspaceId: viewer.workspaceId })).toEqual(defaults);
    });

    it("refuses another workspace's agents and stores nothing; forgets agents that are gone", async () => {
      const before = await sqlRows(app, 'select prefs from dashboard_prefs where user_id = ?', [viewer.userId]);
      expect(await codeOf(app.client(viewer.token).dashboard.save.mutate({
        workspaceId: admin.workspaceId, prefs: { agentIds: [checkout, foreign], panels: ['latency_ms'], rangeMs: HOUR },
      }))).toBe('NOT_FOUND');
      expect(await codeOf(app.client(viewer.token).dashboard.save.mutate({ workspaceId: other.workspaceId, prefs: defaults }))).toBe('NOT_FOUND');
      expect(await sqlRows(app, 'select prefs from dashboard_prefs where user_id = ?', [viewer.userId])).toEqual(before);

      const gone = await insertTestAgent(em(), admin.workspaceId, { name: 'short-lived' });
      await app.client(viewer.token).dashboard.save.mutate({ workspaceId: admin.workspaceId, prefs: { agentIds: [gone, checkout], panels: ['tokens'], rangeMs: HOUR } });
      await em().execute('delete from agents where id = ?', [gone]);
      expect((await app.client(viewer.token).dashboard.get.query({ workspaceId: admin.workspaceId })).agentIds).toEqual([checkout]);
    });
  });
});
