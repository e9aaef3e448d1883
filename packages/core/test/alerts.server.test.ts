// Alert evaluation against known samples, in both runtime modes: window aggregates, fire/resolve
// once with hysteresis, racing evaluators, gapless sequences, deleting a rule.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aggregate, MetricName } from '@tandem/schema';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/index.ts';
import {
  createAlertRule, deleteAlertRule, deliverWebhook, evaluateAlertRules, listAlertRules, nextFiring, readAlertEvents, windowValues,
  type CreateAlertRuleInput,
} from '../src/alerts/index.ts';

const modes = await availableModes();
const MIN = 60_000;

describe('nextFiring (hysteresis)', () => {
  const rule = { op: '>' as const, threshold: 800 };
  it('fires past the threshold and resolves only 10% back past it', () => {
    expect(nextFiring(false, 800, rule)).toBe(false);
    expect(nextFiring(false, 801, rule)).toBe(true);
    expect(nextFiring(true, 750, rule)).toBe(true);
    expect(nextFiring(true, 720, rule)).toBe(false);
  });
  it('mirrors for "below" rules and keeps its state without data', () => {
    const low = { op: '<' as const, threshold: 10 };
    expect(nextFiring(false, 9, low)).toBe(true);
    expect(nextFiring(true, 10.5, low)).toBe(true);
    expect(nextFiring(true, 11, low)).toBe(false);
    expect(nextFiring(true, null, low)).toBe(true);
    expect(nextFiring(false, null, low)).toBe(false);
  });
});

describe.each(modes)('alerts (%s)', (mode) => {
  let rt: TestRuntime;
  const now = new Date(Math.floor(Date.now() / MIN) * MIN);
  const deps = () => ({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, log: rt.log });
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => rt.orm.em.fork().getConnection().execute<T[]>(q, params);

  async function workspace(): Promise<{ workspaceId: string; userId: string }> {
    const workspaceId = randomUUID();
    const userId = randomUUID();
    await sql(`insert into workspaces (id, name, created_at) values (?, 'Alerts', now())`, [workspaceId]);
    await sql(`insert into users (id, email, name, password_hash, created_at) values (?, ?, 'Admin', 'x', now())`, [userId, `${userId}@example.com`]);
    return { workspaceId, userId };
  }
  async function agent(workspaceId: string, name: string): Promise<string> {
    const id = randomUUID();
    await sql(`insert into agents (id, workspace_id, name) values (?, ?, ?)`, [id, workspaceId, name]);
    return id;
  }
  /** Inserts samples (ts relative to `now`, in ms before it). */
  async function samples(workspaceId: string, agentId: string, rows: Record<string, number>[]) {
    await sql(
      `insert into metric_samples (workspace_id, agent_id, ts, latency_ms, tokens_in, tokens_out, requests, errors)
       select ?, ?, to_timestamp((r->>'ts')::float8 / 1000), (r->>'latency_ms')::float8, (r->>'tokens_in')::int,
              (r->>'tokens_out')::int, (r->>'requests')::int, (r->>'errors')::int
         from jsonb_array_elements(?::jsonb) r`,
      [workspaceId, agentId, JSON.stringify(rows.map(({ ago, ...r }) => ({ ...r, ts: now.getTime() - ago! })))],
    );
  }
  const rule = (workspaceId: string, userId: string, r: Partial<CreateAlertRuleInput> & Pick<CreateAlertRuleInput, 'metric' | 'op' | 'threshold'>) =>
    createAlertRule(rt.orm.em.fork(), workspaceId, userId, { workspaceId, agg: 'avg', windowMs: 5 * MIN, ...r });
  const events = (workspaceId: string) => readAlertEvents(rt.orm.em.fork(), workspaceId, 0);

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
  });
  afterAll(() => rt?.close());

  it('computes each aggregate over the window from the raw samples', async () => {
    const { workspaceId } = await workspace();
    const a = await agent(workspaceId, 'calc');
    const latencies = [100, 200, 300, 400, 1000];
    await samples(workspaceId, a, latencies.map((latency_ms, i) => ({ ago: (i + 1) * 30_000, latency_ms, requests: 4, errors: i === 0 ? 2 : 0, tokens_in: 10, tokens_out: 5 })));
    // Outside the 5-minute window: must not count.
    await samples(workspaceId, a, [{ ago: 6 * MIN, latency_ms: 99_999, requests: 1000, errors: 1000 }]);
    const value = async (metric: MetricName, agg: Aggregate) =>
      (await windowValues(rt.orm.em.fork(), { workspaceId, agentId: a, metric, agg, windowMs: 5 * MIN }, now))[0]!.value;
    expect(await value('latency_ms', 'avg')).toBe(400);
    expect(await value('latency_ms', 'min')).toBe(100);
    expect(await value('latency_ms', 'max')).toBe(1000);
    expect(await value('latency_ms', 'sum')).toBe(2000);
    expect(await value('latency_ms', 'count')).toBe(5);
    expect(await value('latency_ms', 'p50')).toBe(300);
    // percentile_cont: 400 + 0.8 × (1000 − 400)
    expect(await value('latency_ms', 'p95')).toBeCloseTo(880, 6);
    expect(await value('tokens', 'sum')).toBe(75);
    expect(await value('throughput', 'avg')).toBeCloseTo(20 / 300, 9);
    expect(await value('error_rate', 'avg')).toBeCloseTo(2 / 20, 9);
    // An agent without samples: counts are 0, everything else has no value.
    const idle = await agent(workspaceId, 'idle');
    const idleValue = async (metric: MetricName, agg: Aggregate) =>
      (await windowValues(rt.orm.em.fork(), { workspaceId, agentId: idle, metric, agg, windowMs: 5 * MIN }, now))[0]!.value;
    expect(await idleValue('latency_ms', 'count')).toBe(0);
    expect(await idleValue('throughput', 'avg')).toBe(0);
    expect(await idleValue('latency_ms', 'p95')).toBeNull();
    expect(await idleValue('error_rate', 'avg')).toBeNull();
  });

  it('fires once and resolves once across a threshold crossing, with hysteresis in between', async () => {
    const { workspaceId, userId } = await workspace();
    const a = await agent(workspaceId, 'checkout');
    const r = await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', agg: 'max', op: '>', threshold: 800, windowMs: MIN });
    expect(r.name).toBe('max latency_ms > 800 over 1m');
    const at = (minutes: number) => new Date(now.getTime() + minutes * MIN);
    const point = async (minutes: number, latency_ms: number) =>
      samples(workspaceId, a, [{ ago: -minutes * MIN + 1000, latency_ms }]);

    // Other tests' rules are evaluated too: look at this workspace's events after each step.
    const kindsAfter = async (minutes: number) => {
      await evaluateAlertRules(deps(), at(minutes));
      return (await events(workspaceId)).map((e) => e.kind);
    };
    await point(0, 500);
    expect(await kindsAfter(0)).toEqual([]);
    await point(1, 900);
    expect(await kindsAfter(1)).toEqual(['fired']);
    expect(await kindsAfter(1)).toEqual(['fired']);
    await point(2, 750); // below the threshold, not below 720: still firing
    expect(await kindsAfter(2)).toEqual(['fired']);
    expect(await kindsAfter(3.5)).toEqual(['fired']); // empty window: no change
    await point(4, 700);
    expect(await kindsAfter(4)).toEqual(['fired', 'resolved']);
    await point(5, 710);
    expect(await kindsAfter(5)).toEqual(['fired', 'resolved']);

    const log = await events(workspaceId);
    expect(log.map((e) => [e.seq, e.kind, e.value])).toEqual([[1, 'fired', 900], [2, 'resolved', 700]]);
    expect(log[0]).toMatchObject({ ruleId: r.id, ruleName: r.name, agentId: a, agentName: 'checkout', threshold: 800, at: at(1).toISOString() });
    const [listed] = await listAlertRules(rt.orm.em.fork(), workspaceId, { showWebhookUrls: false });
    expect(listed!.firing).toEqual([]);
  });

  it('two evaluations at once fire one event', async () => {
    const { workspaceId, userId } = await workspace();
    const a = await agent(workspaceId, 'racer');
    await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', op: '>', threshold: 100 });
    await samples(workspaceId, a, [{ ago: 10_000, latency_ms: 500 }]);
    await Promise.all([1, 2, 3].map(() => evaluateAlertRules(deps(), now)));
    expect((await events(workspaceId)).map((e) => e.kind)).toEqual(['fired']);
  });

  it('a rule for every agent evaluates each agent on its own, with one gapless sequence per workspace', async () => {
    const { workspaceId, userId } = await workspace();
    const other = await workspace();
    const [x, y, z] = [await agent(workspaceId, 'x'), await agent(workspaceId, 'y'), await agent(workspaceId, 'z')];
    const elsewhere = await agent(other.workspaceId, 'x');
    await rule(workspaceId, userId, { metric: 'error_rate', op: '>=', threshold: 0.5 });
    await rule(other.workspaceId, other.userId, { metric: 'error_rate', op: '>=', threshold: 0.5 });
    for (const id of [x, y]) await samples(workspaceId, id, [{ ago: 1000, requests: 10, errors: 6 }]);
    await samples(workspaceId, z, [{ ago: 1000, requests: 10, errors: 1 }]);
    await samples(other.workspaceId, elsewhere, [{ ago: 1000, requests: 10, errors: 9 }]);
    await evaluateAlertRules(deps(), now);

    const log = await events(workspaceId);
    expect(log.map((e) => e.seq)).toEqual([1, 2]);
    expect(log.map((e) => e.agentName).sort()).toEqual(['x', 'y']);
    expect((await events(other.workspaceId)).map((e) => [e.seq, e.agentId])).toEqual([[1, elsewhere]]);
    const [listed] = await listAlertRules(rt.orm.em.fork(), workspaceId, { showWebhookUrls: false });
    expect(listed!.firing.map((f) => f.agentName).sort()).toEqual(['x', 'y']);
    expect(listed!.firing[0]!.value).toBeCloseTo(0.6);
  });

  it('deleting a rule resolves what it fires for, audits, and stops its evaluation', async () => {
    const { workspaceId, userId } = await workspace();
    const a = await agent(workspaceId, 'doomed');
    const r = await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', op: '>', threshold: 100, webhookUrl: 'http://127.0.0.1:9/hook/secret' });
    await samples(workspaceId, a, [{ ago: 1000, latency_ms: 500 }]);
    await evaluateAlertRules(deps(), now);
    expect(await deleteAlertRule(deps(), workspaceId, userId, r.id)).toEqual({ resolved: 1 });
    expect((await events(workspaceId)).map((e) => [e.kind, e.value])).toEqual([['fired', 500], ['resolved', null]]);
    expect(await listAlertRules(rt.orm.em.fork(), workspaceId, { showWebhookUrls: true })).toEqual([]);
    await evaluateAlertRules(deps(), now);
    expect(await events(workspaceId)).toHaveLength(2);
    await expect(deleteAlertRule(deps(), workspaceId, userId, r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const audit = await sql<{ action: string; data: Record<string, unknown> }>(`select action, data from audit_log where workspace_id = ? order by id`, [workspaceId]);
    expect(audit.map((e) => e.action)).toEqual(['alert.rule.create', 'alert.rule.delete']);
    // The audit log is kept forever: it names the webhook's origin, never its secret path.
    expect(audit[0]!.data.webhook).toBe('http://127.0.0.1:9');
  });

  it('a webhook to a private address fails without a request, shown as unreachable, unless the operator allows it', async () => {
    let requests = 0;
    const receiver = createServer((_req, res) => void (requests++, res.end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    try {
      const { workspaceId, userId } = await workspace();
      const a = await agent(workspaceId, 'hooked');
      await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', op: '>', threshold: 100, webhookUrl: `http://localhost:${port}/hook` });
      await samples(workspaceId, a, [{ ago: 1000, latency_ms: 500 }]);
      await evaluateAlertRules(deps(), now);

      // The reason is for the worker's log; the row says no more than for any unreachable receiver.
      await expect(deliverWebhook(rt.orm.em.fork(), { workspaceId, seq: 1 }, { number: 1, final: true }, { allowPrivate: false }))
        .rejects.toThrow(/refused: localhost resolves to (127\.0\.0\.1|::1), a private address/);
      const [row] = await sql<{ webhook_state: string; webhook_error: string }>(`select webhook_state, webhook_error from alert_events where workspace_id = ? and seq = 1`, [workspaceId]);
      expect(row).toEqual({ webhook_state: 'failed', webhook_error: 'delivery failed (unreachable)' });
      expect(requests).toBe(0);
      // Admins see why on the rule; others see no delivery details.
      const [listed] = await listAlertRules(rt.orm.em.fork(), workspaceId, { showWebhookUrls: true });
      expect(listed!.lastDelivery).toEqual({ state: 'failed', attempts: 1, error: row!.webhook_error, eventAt: expect.any(String) });
      expect((await listAlertRules(rt.orm.em.fork(), workspaceId, { showWebhookUrls: false }))[0]!.lastDelivery).toBeNull();

      await sql(`update alert_events set webhook_state = 'pending' where workspace_id = ? and seq = 1`, [workspaceId]);
      expect(await deliverWebhook(rt.orm.em.fork(), { workspaceId, seq: 1 }, { number: 2, final: false }, { allowPrivate: true })).toEqual({ delivered: true, status: 200 });
      expect(requests).toBe(1);
      expect((await listAlertRules(rt.orm.em.fork(), workspaceId, { showWebhookUrls: true }))[0]!.lastDelivery).toMatchObject({ state: 'delivered', attempts: 2, error: null });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('refuses an agent of another workspace and per-sample aggregates of ratio metrics', async () => {
    const { workspaceId, userId } = await workspace();
    const other = await workspace();
    const foreign = await agent(other.workspaceId, 'theirs');
    await expect(rule(workspaceId, userId, { agentId: foreign, metric: 'latency_ms', op: '>', threshold: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rule(workspaceId, userId, { metric: 'throughput', agg: 'p95', op: '<', threshold: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await sql(`select 1 from alert_rules where workspace_id = ?`, [workspaceId])).toEqual([]);
  });
});
