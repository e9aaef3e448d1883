// Alerts end to end, in both runtime modes: rules over tRPC, the alerts.evaluate job firing and
// resolving once, alert.events replay-then-live, webhooks retried until a local receiver accepts.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAlertEvent, type Runtime } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import type { AlertEvent } from '@tandem/schema';
import { codeOf, inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

interface Delivery {
  delivery: string;
  body: { event: AlertEvent; workspaceId: string; rule: { id: string; name: string } };
  status: number;
}

/** A webhook receiver (an external peer): answers the n-th attempt of each delivery with script[n], then 200. */
async function webhookReceiver(script: number[]) {
  const received: Delivery[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const delivery = String(req.headers['x-tandem-delivery']);
      const n = attempts.get(delivery) ?? 0;
      attempts.set(delivery, n + 1);
      const status = script[n] ?? 200;
      received.push({ delivery, body: JSON.parse(raw) as Delivery['body'], status });
      res.writeHead(status).end('ignored');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/tandem-secret`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function runJob(rt: Runtime, name: 'alerts.evaluate') {
  const job = await rt.queues.add(name, {});
  return rt.queues.waitForResult(job, 30_000);
}

describe.each(modes)('alerts over the API (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, { WEBHOOK_ALLOW_PRIVATE: '1' }); // the test's receiver is on 127.0.0.1
  });
  afterAll(() => app?.close());

  async function agent(workspaceId: string, name: string): Promise<string> {
    const id = randomUUID();
    await sqlRows(app, `insert into agents (id, workspace_id, name) values (?, ?, ?)`, [id, workspaceId, name]);
    return id;
  }
  async function latency(workspaceId: string, agentId: string, values: number[]) {
    const now = Date.now();
    await sqlRows(app,
      `insert into metric_samples (workspace_id, agent_id, ts, latency_ms)
       select ?, ?, to_timestamp((v->>'ts')::float8 / 1000), (v->>'latency_ms')::float8 from jsonb_array_elements(?::jsonb) v`,
      [workspaceId, agentId, JSON.stringify(values.map((latency_ms, i) => ({ ts: now - 1000 - i, latency_ms })))]);
  }
  const rulesOf = (workspaceId: string) => sqlRows<{ id: string; deleted_at: Date | null }>(app, 'select id, deleted_at from alert_rules where workspace_id = ?', [workspaceId]);

  function subscribe(token: string, workspaceId: string, lastEventId?: string) {
    const ws = app.wsClient(token);
    const received: { id: string; event: AlertEvent }[] = [];
    const sub = ws.client.alert.events.subscribe({ workspaceId, lastEventId }, {
      onData: (d) => void received.push({ id: d.id, event: d.data }),
    });
    return { received, close: async () => (sub.unsubscribe(), await ws.close()) };
  }

  it('creates, lists and deletes rules, scoped to the workspace and audited', async () => {
    const admin = await app.signUp('Admin');
    const viewer = await app.signUp('Viewer');
    const other = await app.signUp('Other');
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    const mine = await agent(admin.workspaceId, 'checkout-bot');
    const theirs = await agent(other.workspaceId, 'checkout-bot');

    const rule = await app.client(admin.token).alert.createRule.mutate({
      workspaceId: admin.workspaceId, agentId: mine, metric: 'latency_ms', agg: 'p95', op: '>', threshold: 800, windowMs: 300_000,
      webhookUrl: 'https://hooks.example.com/services/T000/secret',
    });
    expect(rule).toMatchObject({ name: 'p95 latency_ms > 800 over 5m', agentId: mine, agentName: 'checkout-bot', firing: [] });
    expect(await codeOf(app.client(admin.token).alert.createRule.mutate({
      workspaceId: admin.workspaceId, agentId: theirs, metric: 'latency_ms', op: '>', threshold: 1, windowMs: 60_000,
    }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(admin.token).alert.createRule.mutate({
      workspaceId: admin.workspaceId, metric: 'latency_ms', op: '>', threshold: 1, windowMs: 60_000, webhookUrl: 'file:///etc/passwd',
    }))).toBe('BAD_REQUEST');

    // Viewers read rules but not a webhook's secret path.
    const [seen] = await app.client(viewer.token).alert.listRules.query({ workspaceId: admin.workspaceId });
    expect(seen!.webhookUrl).toBe('https://hooks.example.com/…');
    const [adminView] = await app.client(admin.token).alert.listRules.query({ workspaceId: admin.workspaceId });
    expect(adminView!.webhookUrl).toBe('https://hooks.example.com/services/T000/secret');

    // Another workspace's rule id, under the caller's own workspace: NOT_FOUND, nothing changes.
    const otherRule = await app.client(other.token).alert.createRule.mutate({ workspaceId: other.workspaceId, metric: 'error_rate', op: '>', threshold: 0.1, windowMs: 60_000 });
    expect(await codeOf(app.client(admin.token).alert.deleteRule.mutate({ workspaceId: admin.workspaceId, ruleId: otherRule.id }))).toBe('NOT_FOUND');
    expect((await rulesOf(other.workspaceId))[0]!.deleted_at).toBeNull();

    expect(await app.client(admin.token).alert.deleteRule.mutate({ workspaceId: admin.workspaceId, ruleId: rule.id })).toEqual({ resolved: 0 });
    expect(await app.client(admin.token).alert.listRules.query({ workspaceId: admin.workspaceId })).toEqual([]);
    expect((await rulesOf(admin.workspaceId))[0]!.deleted_at).not.toBeNull(); // soft: events keep their rule
    const audit = await app.client(admin.token).audit.list.query({ workspaceId: admin.workspaceId });
    expect(audit.items.map((i) => i.action).slice(0, 2)).toEqual(['alert.rule.delete', 'alert.rule.create']);
    expect(JSON.stringify(audit.items)).not.toContain('secret');
  });

  it('fires and resolves once across a crossing; subscribers and the webhook see both; a failing webhook is retried until delivered', async () => {
    const admin = await app.signUp('Oncall');
    const hook = await webhookReceiver([500, 503]);
    try {
      const bot = await agent(admin.workspaceId, 'slow-bot');
      const rule = await app.client(admin.token).alert.createRule.mutate({
        workspaceId: admin.workspaceId, agentId: bot, metric: 'latency_ms', agg: 'avg', op: '>', threshold: 800, windowMs: 60_000, webhookUrl: hook.url,
      });
      const sub = subscribe(admin.token, admin.workspaceId);

      await latency(admin.workspaceId, bot, [900, 900]);
      await runJob(app.rt, 'alerts.evaluate');
      await runJob(app.rt, 'alerts.evaluate'); // still above: nothing new
      const [listed] = await app.client(admin.token).alert.listRules.query({ workspaceId: admin.workspaceId });
      expect(listed!.firing).toMatchObject([{ agentId: bot, agentName: 'slow-bot', value: 900 }]);

      await latency(admin.workspaceId, bot, Array(18).fill(100)); // avg (1800 + 1800) / 20 = 180
      await runJob(app.rt, 'alerts.evaluate');
      await runJob(app.rt, 'alerts.evaluate');

      await vi.waitFor(() => expect(sub.received.map((r) => r.event.kind)).toEqual(['fired', 'resolved']), { timeout: 10_000 });
      expect(sub.received.map((r) => r.id)).toEqual(['1', '2']);
      expect(sub.received[0]!.event).toMatchObject({ ruleId: rule.id, ruleName: rule.name, agentId: bot, value: 900, threshold: 800 });
      await sub.close();

      // Each event: 500, 503, then 200 — three attempts with 1 s and 2 s backoff, delivered once.
      await vi.waitFor(() => expect(hook.received.filter((d) => d.status === 200)).toHaveLength(2), { timeout: 30_000, interval: 100 });
      for (const [seq, kind] of [[1, 'fired'], [2, 'resolved']] as const) {
        const attempts = hook.received.filter((d) => d.body.event.seq === seq);
        expect(attempts.map((d) => d.status)).toEqual([500, 503, 200]);
        expect(new Set(attempts.map((d) => d.delivery))).toEqual(new Set([`${admin.workspaceId}:${seq}`]));
        expect(attempts[2]!.body).toMatchObject({ workspaceId: admin.workspaceId, rule: { id: rule.id, name: rule.name }, event: { seq, kind } });
      }
      // The worker records the outcome after the receiver has answered.
      await vi.waitFor(async () => {
        const rows = await sqlRows<{ seq: number; webhook_state: string; webhook_attempts: number; webhook_error: string | null }>(app,
          'select seq, webhook_state, webhook_attempts, webhook_error from alert_events where workspace_id = ? order by seq', [admin.workspaceId]);
        expect(rows).toEqual([
          { seq: 1, webhook_state: 'delivered', webhook_attempts: 3, webhook_error: null },
          { seq: 2, webhook_state: 'delivered', webhook_attempts: 3, webhook_error: null },
        ]);
      });
      expect(hook.received).toHaveLength(6); // nothing delivered twice
    } finally {
      await hook.close();
    }
  });

  it('alert.events starts from the latest 50, resumes after lastEventId exactly once, in order', async () => {
    const admin = await app.signUp('Watcher');
    const bot = await agent(admin.workspaceId, 'noisy');
    const rule = await app.client(admin.token).alert.createRule.mutate({ workspaceId: admin.workspaceId, metric: 'errors', agg: 'sum', op: '>', threshold: 0, windowMs: 60_000 });
    const append = async (n: number) => {
      for (let i = 0; i < n; i++)
        await app.rt.orm.em.fork().transactional((tx) => appendAlertEvent(tx, {
          workspaceId: admin.workspaceId, hasWebhook: false, ruleId: rule.id, ruleName: rule.name, agentId: bot, agentName: 'noisy',
          kind: i % 2 ? 'resolved' : 'fired', value: i, threshold: 0, at: new Date().toISOString(),
        }));
    };
    await append(55);
    const fresh = subscribe(admin.token, admin.workspaceId);
    await vi.waitFor(() => expect(fresh.received).toHaveLength(50));
    expect(fresh.received.map((r) => r.event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 6));

    const resumed = subscribe(admin.token, admin.workspaceId, '53');
    await vi.waitFor(() => expect(resumed.received.map((r) => r.id)).toEqual(['54', '55']));
    await append(3); // live, then published
    for (const seq of [56, 57, 58]) await app.rt.bus.publish(`alerts:${admin.workspaceId}`, { seq });
    await vi.waitFor(() => expect(resumed.received.map((r) => r.id)).toEqual(['54', '55', '56', '57', '58']));
    await vi.waitFor(() => expect(fresh.received).toHaveLength(53));
    expect(fresh.received.map((r) => r.event.seq)).toEqual(Array.from({ length: 53 }, (_, i) => i + 6));
    await Promise.all([fresh.close(), resumed.close()]);

    // Another workspace's viewer cannot watch.
    const stranger = await app.signUp('Stranger');
    const ws = app.wsClient(stranger.token);
    const error = await new Promise<unknown>((resolve) => {
      ws.client.alert.events.subscribe({ workspaceId: admin.workspaceId }, { onError: resolve, onData: () => resolve('data') });
    });
    expect((error as { data?: { code: string } }).data?.code).toBe('NOT_FOUND');
    await ws.close();
  });
});
