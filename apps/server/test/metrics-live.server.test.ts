// metrics.live over WebSocket in both modes, fed by the real ingestion path (POST /api/v1/metrics);
// services mode: a subscriber on one server instance gets what is posted to another.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refreshAgentStatuses } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import type { MetricsLiveBatch } from '@tandem/schema';
import { inviteMember, startSecondServer, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

async function post(url: string, key: string, agent: string, samples: Record<string, unknown>[]) {
  const res = await fetch(`${url}/api/v1/metrics`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ agent, samples }),
  });
  expect(res.status).toBe(202);
}

const pointsOf = (data: MetricsLiveBatch[]) => data.slice(1).flatMap((b) => b.points);

describe.each(modes)('metrics.live (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let viewer: Awaited<ReturnType<TestApp['signUp']>>;
  let stranger: Awaited<ReturnType<TestApp['signUp']>>;
  let key: string;
  let checkout: string;
  let search: string;
  let foreign: string;

  beforeAll(async () => {
    app = await startTestApp(mode);
    [admin, viewer, stranger] = [await app.signUp('Admin'), await app.signUp('Viewer'), await app.signUp('Stranger')];
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    key = (await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'live test' })).key;
    const now = Date.now();
    await post(app.url, key, 'checkout-bot', [{ ts: now - 1000, latency_ms: 300 }]);
    await post(app.url, key, 'search-bot', [{ ts: now - 1000, latency_ms: 300 }]);
    const agents = await app.client(admin.token).agent.list.query({ workspaceId: admin.workspaceId });
    [checkout, search] = ['checkout-bot', 'search-bot'].map((n) => agents.find((a) => a.name === n)!.id) as [string, string];
    const strangerKey = (await app.client(stranger.token).ingestKey.create.mutate({ workspaceId: stranger.workspaceId, label: 'other' })).key;
    await post(app.url, strangerKey, 'checkout-bot', [{ ts: now - 1000, latency_ms: 1 }]);
    foreign = (await app.client(stranger.token).agent.list.query({ workspaceId: stranger.workspaceId }))[0]!.id;
  });
  afterAll(() => app?.close());

  it('sends statuses first, then the posted points of the chosen agents and metrics, in order, once', async () => {
    const socket = app.wsClient(viewer.token);
    const probe = watchSubscription<MetricsLiveBatch>((o) =>
      socket.client.metrics.live.subscribe({ workspaceId: admin.workspaceId, agentIds: [checkout], metrics: ['latency_ms', 'tokens_in'] }, o));
    await vi.waitFor(() => expect(probe.data.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    expect(probe.data[0]).toEqual({ points: [], statuses: [{ agentId: checkout, status: 'ok', reason: null }] });

    const base = Date.now();
    for (let i = 0; i < 20; i++)
      await post(app.url, key, i % 2 ? 'search-bot' : 'checkout-bot', [{ ts: base + i, latency_ms: 100 + i, tokens_in: i, cpu_pct: 5 }]);
    await post(app.url, key, 'checkout-bot', [{ ts: base + 100, latency_ms: 1 }]); // the last one
    await vi.waitFor(() => expect(pointsOf(probe.data).at(-1)?.ts).toBe(base + 100), { timeout: 10_000 });
    const points = pointsOf(probe.data);
    expect(points.map((p) => p.ts)).toEqual([...Array.from({ length: 10 }, (_, k) => base + 2 * k), base + 100]);
    expect(points[1]).toEqual({ agentId: checkout, ts: base + 2, values: { latency_ms: 102, tokens_in: 2 } });
    expect(probe.error).toBeNull();
    probe.unsubscribe();
    await socket.close();
  });

  it('announces status changes as they are made', async () => {
    const socket = app.wsClient(viewer.token);
    const probe = watchSubscription<MetricsLiveBatch>((o) => socket.client.metrics.live.subscribe({ workspaceId: admin.workspaceId }, o));
    await vi.waitFor(() => expect(probe.data.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    expect(probe.data[0]!.statuses.map((s) => s.agentId).sort()).toEqual([checkout, search].sort());
    await app.client(admin.token).agent.update.mutate({ workspaceId: admin.workspaceId, agentId: search, thresholds: { latencyMs: 50 } });
    await post(app.url, key, 'search-bot', [{ ts: Date.now(), latency_ms: 900 }]);
    await refreshAgentStatuses(app.rt.orm.em.fork(), app.rt.bus);
    await vi.waitFor(() => expect(probe.data.slice(1).flatMap((b) => b.statuses)).toContainEqual(
      { agentId: search, status: 'degraded', reason: 'p95 latency above 50 ms over the last 5m' }), { timeout: 10_000 });
    probe.unsubscribe();
    await socket.close();
  });

  it("refuses another workspace's agents, and ends when the viewer loses access", async () => {
    const socket = app.wsClient(viewer.token);
    const refused = watchSubscription<MetricsLiveBatch>((o) =>
      socket.client.metrics.live.subscribe({ workspaceId: admin.workspaceId, agentIds: [checkout, foreign] }, o));
    await vi.waitFor(() => expect(refused.error?.code).toBe('NOT_FOUND'), { timeout: 10_000 });
    expect(refused.started).toBe(false);
    expect(refused.data).toEqual([]);

    const probe = watchSubscription<MetricsLiveBatch>((o) => socket.client.metrics.live.subscribe({ workspaceId: admin.workspaceId }, o));
    await vi.waitFor(() => expect(probe.data.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    await app.client(admin.token).workspace.removeMember.mutate({ workspaceId: admin.workspaceId, userId: viewer.userId });
    await vi.waitFor(() => expect(probe.error?.code).toBe('NOT_FOUND'), { timeout: 10_000 });
    await socket.close();
  });
});

describe.runIf(modes.includes('services'))('metrics.live across two server instances (services)', () => {
  let a: TestApp;
  let closeB: () => Promise<void>;
  let urlB: string;
  beforeAll(async () => {
    a = await startTestApp('services');
    ({ url: urlB, close: closeB } = await startSecondServer(a));
  });
  afterAll(async () => {
    await closeB?.();
    await a?.close();
  });

  it('a subscriber on A gets the points posted to B, in order, once', async () => {
    const owner = await a.signUp('Owner');
    const key = (await a.client(owner.token).ingestKey.create.mutate({ workspaceId: owner.workspaceId, label: 'two servers' })).key;
    const socket = a.wsClient(owner.token);
    const probe = watchSubscription<MetricsLiveBatch>((o) => socket.client.metrics.live.subscribe({ workspaceId: owner.workspaceId }, o));
    await vi.waitFor(() => expect(probe.data.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    expect(probe.data[0]).toEqual({ points: [], statuses: [] });
    const base = Date.now();
    for (let i = 0; i < 10; i++) await post(urlB, key, 'far-bot', [{ ts: base + i, latency_ms: i }, { ts: base + i, requests: 1 }]);
    await vi.waitFor(() => expect(pointsOf(probe.data)).toHaveLength(20), { timeout: 10_000 });
    await post(urlB, key, 'far-bot', [{ ts: base + 100, latency_ms: 0 }]);
    await vi.waitFor(() => expect(pointsOf(probe.data)).toHaveLength(21), { timeout: 10_000 });
    expect(pointsOf(probe.data).map((p) => p.ts)).toEqual([...Array.from({ length: 10 }, (_, i) => [base + i, base + i]).flat(), base + 100]);
    probe.unsubscribe();
    await socket.close();
  });
});
