// Alerts as samples arrive, through the real API: a breaching sample POSTed to /api/v1/metrics
// becomes a fired event on alert.events with no worker running (so no periodic pass), and with two
// server instances taking bursts of samples for the same rule, every crossing is one event.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import type { AlertEvent } from '@tandem/schema';
import { startSecondServer, startTestApp, type TestApp } from './harness.ts';
import { postMetrics } from './ingest-helpers.ts';

const modes = await availableModes();

async function setUp(app: TestApp, threshold = 800) {
  const admin = await app.signUp('Oncall');
  const client = app.client(admin.token);
  const { key } = await client.ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'alerts' });
  // The agent exists once it has posted a sample; the rule names it.
  expect((await postMetrics(app.url, key, { agent: 'checkout-bot', samples: [{ ts: Date.now() - 30_000, latency_ms: 100 }] })).status).toBe(202);
  const [agent] = await client.agent.list.query({ workspaceId: admin.workspaceId });
  const rule = await client.alert.createRule.mutate({
    workspaceId: admin.workspaceId, agentId: agent!.id, metric: 'latency_ms', agg: 'avg', op: '>', threshold, windowMs: 60_000,
  });
  const ws = app.wsClient(admin.token);
  const received: AlertEvent[] = [];
  let started = false;
  const sub = ws.client.alert.events.subscribe({ workspaceId: admin.workspaceId }, {
    onStarted: () => void (started = true),
    onData: (d) => void received.push(d.data),
  });
  await vi.waitFor(() => expect(started).toBe(true));
  return { admin, key, rule, received, close: async () => (sub.unsubscribe(), await ws.close()) };
}

describe.each(modes)('alerts on arrival over the API (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false }); // no worker: no periodic pass to fire it
  });
  afterAll(() => app?.close());

  it('a breaching sample POSTed fires the rule at once, and recovering samples resolve it', async () => {
    const s = await setUp(app);
    try {
      expect((await postMetrics(app.url, s.key, { agent: 'checkout-bot', samples: [{ ts: Date.now() - 500, latency_ms: 2500 }] })).status).toBe(202);
      await vi.waitFor(() => expect(s.received.map((e) => [e.kind, e.value])).toEqual([['fired', 1300]]), { timeout: 5000 });
      expect(s.received[0]).toMatchObject({ ruleId: s.rule.id, agentName: 'checkout-bot', threshold: 800 });
      const lows = Array.from({ length: 8 }, (_, i) => ({ ts: Date.now() - 400 + i, latency_ms: 100 }));
      expect((await postMetrics(app.url, s.key, { agent: 'checkout-bot', samples: lows })).status).toBe(202);
      await vi.waitFor(() => expect(s.received.map((e) => e.kind)).toEqual(['fired', 'resolved']), { timeout: 5000 });
      expect(s.received[1]!.value).toBe(340); // (100 + 2500 + 8 × 100) / 10
    } finally {
      await s.close();
    }
  });
});

describe.runIf(modes.includes('services'))('alerts on arrival with two server instances (services)', () => {
  let a: TestApp;
  let b: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    a = await startTestApp('services', {}, { workers: false });
    b = await startSecondServer(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('bursts of samples through both servers make exactly one event per crossing', async () => {
    const s = await setUp(a);
    try {
      // Each burst is 20 concurrent POSTs split between the servers; each server evaluates the
      // rule after each of its commits, racing the other for the same rule and agent.
      let sum = 100;
      let count = 1;
      const burst = async (latency: number, perPost: number) => {
        const posts = Array.from({ length: 20 }, (_, i) => postMetrics(i % 2 ? b.url : a.url, s.key,
          { agent: 'checkout-bot', samples: Array.from({ length: perPost }, (_, j) => ({ ts: Date.now() - 200 - j, latency_ms: latency })) }));
        for (const r of await Promise.all(posts)) expect(r.status).toBe(202);
        sum += 20 * perPost * latency;
        count += 20 * perPost;
      };
      const expected: string[] = [];
      // avg over the window after each burst: 957 (fired), 92 (resolved), 1744 (fired), 656 (resolved).
      for (const [latency, perPost, kind] of [[1000, 1, 'fired'], [1, 10, 'resolved'], [20_000, 1, 'fired'], [1, 20, 'resolved']] as const) {
        await burst(latency, perPost);
        expected.push(kind);
        await vi.waitFor(() => expect(s.received.map((e) => e.kind)).toEqual(expected), { timeout: 10_000 });
      }
      expect(s.received.at(-1)!.value).toBeCloseTo(sum / count, 6);
      // Evaluations still under way on either server see the same committed samples: nothing more.
      await new Promise((r) => setTimeout(r, 500));
      expect(s.received.map((e) => e.kind)).toEqual(expected);
    } finally {
      await s.close();
    }
  });
});
