// Demo agents in both runtime modes: samples from every agent through the server's own ingestion
// endpoint, 24 hours of history on first start only, one key and one alert rule however often it starts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedDemo } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { DEGRADE_CYCLE_MS, DEMO_AGENTS, demoSample, isDegraded, startDemoAgents } from '../src/demo-agents.ts';
import { sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();
const HOUR = 3600_000;

/** A seeded generator, so the sample checks below do not depend on luck. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('demo samples', () => {
  const support = DEMO_AGENTS.find((a) => a.degrades)!;
  const base = new Date(2026, 10, 23, 14, 0).getTime(); // mid-afternoon where the test runs: busy hours
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

  it('one agent degrades for two minutes in every ten: slower and failing, then recovers', () => {
    const random = mulberry32(7);
    const minutes = Array.from({ length: 6 * 10 }, (_, i) => base + i * 60_000 + 30_000);
    const degraded = minutes.filter((at) => isDegraded(support, at));
    expect(degraded).toHaveLength(12);
    const samples = (ats: number[]) => ats.map((at) => demoSample(support, at, 60_000, random));
    const bad = samples(degraded);
    const good = samples(minutes.filter((at) => !isDegraded(support, at)));
    expect(mean(bad.map((s) => s.latency_ms!))).toBeGreaterThan(2 * mean(good.map((s) => s.latency_ms!)));
    const errorRate = (s: typeof bad) => mean(s.map((x) => x.errors!)) / mean(s.map((x) => x.requests!));
    expect(errorRate(bad)).toBeGreaterThan(0.15);
    expect(errorRate(good)).toBeLessThan(0.05);
    expect(DEMO_AGENTS.filter((a) => a.degrades)).toHaveLength(1);
    expect(isDegraded(DEMO_AGENTS[0]!, base + 7.5 * 60_000 + DEGRADE_CYCLE_MS)).toBe(false);
  });

  it('costs follow the tokens and the model label', () => {
    const random = mulberry32(3);
    for (const agent of DEMO_AGENTS) {
      const s = demoSample(agent, base, 60_000, random);
      expect(s.labels).toEqual({ model: agent.model });
      expect(s.requests).toBeGreaterThan(0);
      expect(s.tokens_in).toBeGreaterThan(0);
      if (agent.model === 'llama-3.1-8b-instruct') expect(s.cost_usd).toBe(0);
      else expect(s.cost_usd).toBeGreaterThan(0);
    }
    const mini = demoSample(DEMO_AGENTS[0]!, base, 60_000, mulberry32(1));
    expect(mini.cost_usd).toBeCloseTo((mini.tokens_in! * 0.15 + mini.tokens_out! * 0.6) / 1e6, 6);
  });
});

describe.each(modes)('demo agents (%s)', (mode) => {
  let app: TestApp;
  let workspaceId: string;
  beforeAll(async () => {
    app = await startTestApp(mode);
    workspaceId = (await seedDemo(app.rt.orm.em.fork())).workspaceId;
  });
  afterAll(() => app?.close());

  const perAgent = (since: Date) => sqlRows<{ name: string; n: number; oldest: Date }>(app,
    `select a.name, count(*)::int as n, min(s.ts) as oldest from metric_samples s join agents a on a.id = s.agent_id
      where a.workspace_id = ? and s.ts >= ? group by a.name order by a.name`, [workspaceId, since]);

  it('posts live samples of every agent, backfills 24 hours once, keeps one key and one rule', async () => {
    const started = new Date();
    const demo = await startDemoAgents(app.rt, { serverUrl: app.url, workspaceId, tickMs: 200 });
    expect(demo.backfilled).toBe(DEMO_AGENTS.length * (24 * 60 - 1));
    try {
      await vi.waitFor(async () => {
        const live = await perAgent(started);
        expect(live.map((r) => r.name)).toEqual(DEMO_AGENTS.map((a) => a.name).sort());
        expect(live.every((r) => r.n >= 3)).toBe(true);
      }, { timeout: 30_000, interval: 200 });
      await vi.waitFor(async () => {
        const all = await perAgent(new Date(Date.now() - 25 * HOUR));
        for (const r of all) {
          expect(Date.now() - new Date(r.oldest).getTime()).toBeGreaterThan(23.9 * HOUR);
          expect(r.n).toBeGreaterThanOrEqual(24 * 60 - 1);
        }
      }, { timeout: 30_000, interval: 200 });
      await vi.waitFor(async () => {
        const rules = await sqlRows<{ name: string; agent: string }>(app,
          `select r.name, a.name as agent from alert_rules r join agents a on a.id = r.agent_id where r.workspace_id = ?`, [workspaceId]);
        expect(rules).toEqual([{ name: 'support-agent p95 latency > 4 s', agent: 'support-agent' }]);
      }, { timeout: 10_000 });
    } finally {
      await demo.stop();
    }

    // A restart: recent history exists, so no second backfill; the saved key is reused; one rule.
    const before = (await perAgent(new Date(Date.now() - 25 * HOUR))).reduce((n, r) => n + r.n, 0);
    const again = await startDemoAgents(app.rt, { serverUrl: app.url, workspaceId, tickMs: 200 });
    expect(again.backfilled).toBe(0);
    await vi.waitFor(async () => {
      const after = (await perAgent(new Date(Date.now() - 25 * HOUR))).reduce((n, r) => n + r.n, 0);
      expect(after).toBeGreaterThan(before);
      expect(after).toBeLessThan(before + 1000);
    }, { timeout: 20_000 });
    await again.stop();
    expect(await sqlRows(app, `select label from ingest_keys where workspace_id = ?`, [workspaceId])).toEqual([{ label: 'Demo agents' }]);
    expect(await sqlRows(app, `select 1 from alert_rules where workspace_id = ?`, [workspaceId])).toHaveLength(1);
  });
});
