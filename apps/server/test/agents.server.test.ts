// Agents: agent.list, agent.update (admin, audited, mass-assignment safe), GET /api/v1/agents,
// and the agents.status job's transitions (ok / degraded / down) with their bus announcements.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { agentsChannel, refreshAgentStatuses } from '@tandem/core';
import { availableModes, insertTestAgent, insertTestSamples, type TestSample } from '@tandem/core/testing';
import type { AgentStatusChange } from '@tandem/schema';
import { codeOf, inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('agents (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let viewer: Awaited<ReturnType<TestApp['signUp']>>;
  let member: Awaited<ReturnType<TestApp['signUp']>>;
  let other: Awaited<ReturnType<TestApp['signUp']>>;
  let agentId: string;
  let foreignId: string;
  const em = () => app.rt.orm.em.fork();

  beforeAll(async () => {
    app = await startTestApp(mode);
    [admin, viewer, member, other] = [await app.signUp('Admin'), await app.signUp('Viewer'), await app.signUp('Member'), await app.signUp('Other')];
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    await inviteMember(app, admin.token, admin.workspaceId, member, 'member');
    agentId = await insertTestAgent(em(), admin.workspaceId, { name: 'checkout-bot', model: 'gpt-4o-mini', latencyMs: 800 });
    await insertTestAgent(em(), admin.workspaceId, { name: 'alpha-bot' });
    foreignId = await insertTestAgent(em(), other.workspaceId, { name: 'checkout-bot' });
  });
  afterAll(() => app?.close());

  it('agent.list gives viewers the workspace agents with status, thresholds and last seen, by name', async () => {
    const agents = await app.client(viewer.token).agent.list.query({ workspaceId: admin.workspaceId });
    expect(agents.map((a) => a.name)).toEqual(['alpha-bot', 'checkout-bot']);
    expect(agents[1]).toMatchObject({
      id: agentId, workspaceId: admin.workspaceId, model: 'gpt-4o-mini', tags: [], status: 'ok', statusReason: null, lastSeenAt: null,
      thresholds: { latencyMs: 800, errorRate: null, downAfterMs: 60_000 },
    });
    expect(await codeOf(app.client(viewer.token).agent.list.query({ workspaceId: other.workspaceId }))).toBe('NOT_FOUND');
  });

  it('agent.update changes only what it names, records it in the audit log, and ignores smuggled fields', async () => {
    const updated = await app.client(admin.token).agent.update.mutate({
      workspaceId: admin.workspaceId, agentId, owner: 'payments team', tags: ['prod', 'eu', 'prod'], thresholds: { errorRate: 0.05 },
      name: 'renamed', status: 'down', lastSeenAt: '2020-01-01T00:00:00Z', workspace_id: other.workspaceId,
    } as never);
    expect(updated).toMatchObject({ name: 'checkout-bot', status: 'ok', owner: 'payments team', model: 'gpt-4o-mini', tags: ['prod', 'eu'], lastSeenAt: null });
    // Thresholds left out keep their values (a partial update, not a reset to defaults).
    expect(updated.thresholds).toEqual({ latencyMs: 800, errorRate: 0.05, downAfterMs: 60_000 });
    const [row] = await sqlRows<{ workspace_id: string; name: string; status: string }>(app, 'select workspace_id, name, status from agents where id = ?', [agentId]);
    expect(row).toEqual({ workspace_id: admin.workspaceId, name: 'checkout-bot', status: 'ok' });
    const audit = await app.client(admin.token).audit.list.query({ workspaceId: admin.workspaceId });
    expect(audit.items[0]).toMatchObject({
      action: 'agent.update', targetId: agentId, actor: { id: admin.userId },
      data: { agent: 'checkout-bot', changes: { owner: { from: null, to: 'payments team' }, tags: { from: [], to: ['prod', 'eu'] }, 'thresholds.errorRate': { from: null, to: 0.05 } } },
    });
    // Nothing to change: no audit entry.
    await app.client(admin.token).agent.update.mutate({ workspaceId: admin.workspaceId, agentId, owner: 'payments team' });
    expect((await app.client(admin.token).audit.list.query({ workspaceId: admin.workspaceId })).items[0]!.id).toBe(audit.items[0]!.id);
  });

  it('agent.update is for admins, and only for agents of their workspace', async () => {
    for (const who of [viewer, member])
      expect(await codeOf(app.client(who.token).agent.update.mutate({ workspaceId: admin.workspaceId, agentId, owner: 'me' }))).toBe('FORBIDDEN');
    expect(await codeOf(app.client(admin.token).agent.update.mutate({ workspaceId: admin.workspaceId, agentId: foreignId, owner: 'me' }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(admin.token).agent.update.mutate({ workspaceId: admin.workspaceId, agentId, thresholds: { errorRate: 2 } }))).toBe('BAD_REQUEST');
    const [row] = await sqlRows<{ owner: string | null }>(app, 'select owner from agents where id = ?', [foreignId]);
    expect(row!.owner).toBeNull();
  });

  it('GET /api/v1/agents answers with the user token: 200, 401, 400, 404 as JSON', async () => {
    const get = (query: string, token?: string) =>
      fetch(`${app.url}/api/v1/agents${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const ok = await get(`?workspaceId=${admin.workspaceId}`, viewer.token);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { agents: { name: string; status: string }[] };
    expect(body.agents.map((a) => a.name)).toEqual(['alpha-bot', 'checkout-bot']);
    for (const [query, token, status] of [
      [`?workspaceId=${admin.workspaceId}`, undefined, 401],
      [`?workspaceId=${admin.workspaceId}`, 'not.a.token', 401],
      ['', viewer.token, 400],
      ['?workspaceId=nope', viewer.token, 400],
      [`?workspaceId=${other.workspaceId}`, viewer.token, 404],
    ] as const) {
      const res = await get(query, token);
      expect(res.status, `${query} ${token ?? 'no token'}`).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toHaveProperty('error');
    }
    // A signed-out token stops working at once.
    await app.client(other.token).auth.logout.mutate();
    expect((await get(`?workspaceId=${other.workspaceId}`, other.token)).status).toBe(401);
  });

  describe('status', () => {
    const SEC = 1000;
    let ws: string;
    let ids: Record<'never' | 'healthy' | 'slow' | 'failing' | 'silent', string>;
    const seen: AgentStatusChange[] = [];
    const C1 = Date.now() - 30 * 60 * SEC;
    const every = (agentId: string, from: number, to: number, stepMs: number, values: Omit<TestSample, 'agentId' | 'ts'>) => {
      const out: TestSample[] = [];
      for (let ts = from; ts <= to; ts += stepMs) out.push({ agentId, ts, ...values });
      return out;
    };
    const statusOf = async () => Object.fromEntries(
      (await sqlRows<{ name: string; status: string; status_reason: string | null }>(app, 'select name, status, status_reason from agents where workspace_id = ?', [ws]))
        .map((r) => [r.name, [r.status, r.status_reason]]));

    beforeAll(async () => {
      ws = (await app.signUp('Oncall')).workspaceId;
      const t = { latencyMs: 500, errorRate: 0.1, downAfterMs: 60_000 };
      ids = {
        never: await insertTestAgent(em(), ws, { name: 'never', ...t }),
        healthy: await insertTestAgent(em(), ws, { name: 'healthy', ...t }),
        slow: await insertTestAgent(em(), ws, { name: 'slow', ...t }),
        failing: await insertTestAgent(em(), ws, { name: 'failing', ...t }),
        silent: await insertTestAgent(em(), ws, { name: 'silent', ...t }),
      };
      await app.rt.bus.subscribe(agentsChannel(ws), (m) => seen.push(m as AgentStatusChange));
      const fine = { latency_ms: 120, requests: 10, errors: 0 };
      await insertTestSamples(em(), ws, [
        ...every(ids.healthy, C1 - 240 * SEC, C1, 10 * SEC, fine),
        // p95 over the window: 20 of 25 samples are slow.
        ...every(ids.slow, C1 - 240 * SEC, C1 - 200 * SEC, 10 * SEC, fine),
        ...every(ids.slow, C1 - 190 * SEC, C1, 10 * SEC, { latency_ms: 900, requests: 10, errors: 0 }),
        // 2 errors in 10 requests: 20% > 10%.
        ...every(ids.failing, C1 - 240 * SEC, C1, 10 * SEC, { latency_ms: 100, requests: 10, errors: 2 }),
        // Last heard 2 minutes ago, down after 1 minute.
        ...every(ids.silent, C1 - 240 * SEC, C1 - 120 * SEC, 10 * SEC, fine),
      ]);
    });

    it('computes each status from the samples, persists changes and announces each once', async () => {
      const r = await refreshAgentStatuses(em(), app.rt.bus, new Date(C1));
      expect(r.agents).toBeGreaterThanOrEqual(5);
      const expected = {
        never: ['down', 'no samples yet'],
        healthy: ['ok', null],
        slow: ['degraded', 'p95 latency above 500 ms over the last 5m'],
        failing: ['degraded', 'error rate above 10% over the last 5m'],
        silent: ['down', 'no samples for over 1m'],
      };
      expect(await statusOf()).toEqual(expected);
      // Every change but "healthy" (ok already) is announced, with what was stored.
      const announced = Object.entries(expected).filter(([n]) => n !== 'healthy').map(([n, [status, reason]]) => ({ agentId: ids[n as keyof typeof ids], status, reason }));
      await vi.waitFor(() => expect(seen).toHaveLength(4));
      expect(seen).toEqual(expect.arrayContaining(announced));
      const rows = await sqlRows<{ name: string; last_seen: number | null; changed: number | null }>(app,
        `select name, (extract(epoch from last_seen_at) * 1000)::float8 as last_seen, (extract(epoch from status_changed_at) * 1000)::float8 as changed
           from agents where workspace_id = ? order by name`, [ws]);
      const byName = Object.fromEntries(rows.map((x) => [x.name, x]));
      expect(byName.healthy!.last_seen).toBe(C1);
      expect(byName.silent!.last_seen).toBe(C1 - 120 * SEC);
      expect(byName.never!.last_seen).toBeNull();
      expect(byName.slow!.changed).toBe(C1);
      expect(byName.healthy!.changed).toBeNull();
    });

    it('running again with nothing new changes and announces nothing, even twice at once', async () => {
      seen.length = 0;
      const [a, b] = await Promise.all([
        refreshAgentStatuses(em(), app.rt.bus, new Date(C1 + 5 * SEC)),
        refreshAgentStatuses(em(), app.rt.bus, new Date(C1 + 5 * SEC)),
      ]);
      expect([...a.changes, ...b.changes]).toEqual([]);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([]);
    });

    it('recovers, degrades and goes down as new samples arrive or stop; concurrent runs announce each change once', async () => {
      seen.length = 0;
      const C2 = C1 + 6 * 60 * SEC; // the old window has passed
      await insertTestSamples(em(), ws, [
        ...every(ids.slow, C2 - 60 * SEC, C2, 10 * SEC, { latency_ms: 150, requests: 10, errors: 0 }),
        ...every(ids.failing, C2 - 60 * SEC, C2, 10 * SEC, { latency_ms: 150, requests: 10, errors: 0 }),
        ...every(ids.silent, C2 - 30 * SEC, C2, 10 * SEC, { latency_ms: 150, requests: 10, errors: 0 }),
        ...every(ids.never, C2 - 30 * SEC, C2, 10 * SEC, { latency_ms: 2000, requests: 10, errors: 0 }),
      ]);
      const runs = await Promise.all([0, 1, 2].map(() => refreshAgentStatuses(em(), app.rt.bus, new Date(C2))));
      expect(await statusOf()).toEqual({
        never: ['degraded', 'p95 latency above 500 ms over the last 5m'],
        healthy: ['down', 'no samples for over 1m'],
        slow: ['ok', null],
        failing: ['ok', null],
        silent: ['ok', null],
      });
      expect(runs.flatMap((r) => r.changes)).toHaveLength(5);
      await vi.waitFor(() => expect(seen).toHaveLength(5));
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toHaveLength(5);
    });

    it('runs as the agents.status job through the queue', async () => {
      const live = await insertTestAgent(em(), ws, { name: 'live' });
      await insertTestSamples(em(), ws, [{ agentId: live, ts: Date.now() - 2000, latency_ms: 10 }]);
      await em().execute(`update agents set status = 'down' where id = ?`, [live]);
      const job = await app.rt.queues.add('agents.status', {});
      const result = await app.rt.queues.waitForResult<{ agents: number; changed: number }>(job, 20_000);
      expect(result.changed).toBeGreaterThanOrEqual(1);
      expect((await statusOf()).live).toEqual(['ok', null]);
    });
  });
});
